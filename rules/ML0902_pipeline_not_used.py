"""ML0902 pipeline-not-used: preprocessing fitted separately and the bare estimator persisted.

Intra-procedural over names: in one function, the module, or a notebook (one program in cell
order), a fitted transformer and a persisted estimator that does not carry it.
"""

from __future__ import annotations

import ast

from mllint.analysis.dataflow import ScopeStates, names_read
from mllint.catalogue.rule import CodeRule, Example


class _Scope:
    def __init__(self) -> None:
        self.bound: dict[str, str] = {}  # name -> "estimator:<label>" / "transformer:<label>" / "pipeline"
        self.fitted: list[tuple[str | None, str]] = []  # (transformer name or None if inline, label)
        self.persisted: list[tuple[ast.Call, str, str]] = []  # (call, estimator name, estimator label)


class PipelineNotUsed(CodeRule):
    code = "ML0902"
    name = "pipeline-not-used"
    factor = 9
    severity = "warning"
    summary = "Preprocessing is fitted separately and the bare estimator is persisted without it."
    why = """
        Factor 9 (no training/serving skew): when the scaler or encoder is fitted in the training
        script but only the estimator is saved, serving has to re-implement the preprocessing
        (or load a second artefact in the right order). The two drift apart, and the deployed
        model silently receives differently transformed inputs than it was trained on.
    """
    how_to_fix = """
        Put preprocessing and estimator in one `sklearn.pipeline.Pipeline` (or `make_pipeline`,
        `ColumnTransformer` inside a pipeline), fit the pipeline, and persist the pipeline:
        `joblib.dump(make_pipeline(StandardScaler(), model).fit(X, y), "model.joblib")`. For Keras,
        put the preprocessing in the model (`keras.layers.Normalization`, adapted on the training
        data) so that the saved model takes raw inputs.
    """
    violating = [
        Example("""
            import joblib
            from sklearn.preprocessing import StandardScaler
            from sklearn.ensemble import RandomForestClassifier
            scaler = StandardScaler()
            X_train_s = scaler.fit_transform(X_train)
            model = RandomForestClassifier(random_state=0)
            model.fit(X_train_s, y_train)
            joblib.dump(model, "model.pkl")
        """, lines=(8,)),
        Example("""
            import joblib as jl
            from sklearn import linear_model as lm, impute
            def train(X, y, out):
                imp = impute.SimpleImputer()
                clf = lm.LogisticRegression()
                clf.fit(imp.fit_transform(X), y)
                jl.dump(clf, out)
        """, lines=(7,), note="aliases, in a function"),
        Example(cells=("import pickle\nfrom sklearn.feature_extraction.text import TfidfVectorizer\nfrom sklearn.svm import LinearSVC",
                       "vec = TfidfVectorizer()\nX = vec.fit_transform(texts)\nclf = LinearSVC()\nclf.fit(X, y)",
                       "with open('clf.pkl', 'wb') as f:\n    pickle.dump(clf, f)"),
                path="train.ipynb", note="notebook, pickle"),
        Example("""
            import xgboost as xgb
            from sklearn.preprocessing import OneHotEncoder
            enc = OneHotEncoder(handle_unknown="ignore")
            X_enc = enc.fit_transform(X)
            model = xgb.XGBClassifier()
            model.fit(X_enc, y)
            model.save_model("model.json")
        """, lines=(7,), note="xgboost save_model"),
        Example("""
            import mlflow.sklearn
            from sklearn.preprocessing import MinMaxScaler
            from sklearn.neighbors import KNeighborsClassifier
            X_s = MinMaxScaler().fit_transform(X)
            knn = KNeighborsClassifier().fit(X_s, y)
            mlflow.sklearn.log_model(knn, "model")
        """, lines=(6,), note="inline transformer; model logged to MLflow"),
        Example("""
            from sklearn.preprocessing import MinMaxScaler
            from tensorflow import keras
            scaler = MinMaxScaler()
            series = scaler.fit_transform(prices)
            model = keras.Sequential([keras.layers.LSTM(cfg.units), keras.layers.Dense(1)])
            model.fit(windows(series), targets, epochs=cfg.epochs)
            model.save("lstm.keras")
        """, lines=(7,), note="a Keras model saved without the scaler its inputs need"),
    ]
    compliant = [
        Example("""
            import joblib
            from sklearn.pipeline import make_pipeline
            from sklearn.preprocessing import StandardScaler
            from sklearn.ensemble import RandomForestClassifier
            pipe = make_pipeline(StandardScaler(), RandomForestClassifier(random_state=0))
            pipe.fit(X_train, y_train)
            joblib.dump(pipe, "model.pkl")
        """, note="the pipeline carries the preprocessing"),
        Example("""
            import joblib
            from sklearn.preprocessing import StandardScaler
            from sklearn.linear_model import LogisticRegression
            scaler = StandardScaler().fit(X)
            model = LogisticRegression().fit(scaler.transform(X), y)
            joblib.dump({"scaler": scaler, "model": model}, "artefacts.pkl")
        """, note="the fitted preprocessing is persisted with the model"),
        Example("""
            import joblib
            from sklearn.ensemble import GradientBoostingRegressor
            model = GradientBoostingRegressor()
            model.fit(X, y)
            joblib.dump(model, "model.pkl")
        """, note="no separately fitted preprocessing"),
        Example("""
            import pickle
            from sklearn.preprocessing import LabelEncoder
            from sklearn.tree import DecisionTreeClassifier
            y_enc = LabelEncoder().fit_transform(y)
            tree = DecisionTreeClassifier().fit(X, y_enc)
            pickle.dump(tree, open("tree.pkl", "wb"))
        """, note="label encoding is not feature preprocessing"),
        Example(cells=("import joblib\nfrom sklearn.preprocessing import StandardScaler\nfrom sklearn.svm import SVC",
                       "scaler = StandardScaler()\nXs = scaler.fit_transform(X)\nsvc = SVC().fit(Xs, y)",
                       "joblib.dump(scaler, 'scaler.pkl')\njoblib.dump(svc, 'svc.pkl')"),
                path="model.ipynb", note="the scaler is persisted too"),
        Example("""
            import joblib
            from sklearn.model_selection import GridSearchCV
            from sklearn.preprocessing import StandardScaler
            X_s = StandardScaler().fit_transform(X_plot)
            search = GridSearchCV(pipeline, grid).fit(X, y)
            joblib.dump(search.best_estimator_, "model.pkl")
        """, note="the persisted object is not a bare estimator bound here"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        knowledge = ctx.knowledge
        spec = knowledge.get("fitted_transformers", {})
        self.transformers = set(spec.get("classes", ()))
        self.fit_methods = set(spec.get("fit_methods", ("fit", "fit_transform")))
        estimators = knowledge.get("pipeline_estimators", {})
        self.estimator_prefixes = tuple(estimators.get("prefixes", ()))
        self.classes_only = bool(estimators.get("classes_only", True))
        self.estimator_callables = set(estimators.get("callables", ()))
        self.pipelines = set(knowledge.get("pipelines", {}).get("callables", ()))
        persistence = knowledge.get("estimator_persistence", {})
        self.persist_functions: dict[str, int] = persistence.get("functions", {})
        self.persist_methods = set(persistence.get("methods", ()))
        self.factories = {n.rsplit(".", 1)[-1] for n in (*self.pipelines, *self.transformers)}
        self.persist_lasts = {n.rsplit(".", 1)[-1] for n in self.persist_functions} | self.persist_methods
        self.scopes: ScopeStates[_Scope] = ScopeStates(_Scope)
        self.persisted_names: set[str] = set()
        self.candidates: list[tuple[ast.Call, str, str, list[tuple[str | None, str]]]] = []
        self.active = not ctx.is_test

    def _kind(self, call: ast.AST) -> str | None:
        """What a constructor call builds: estimator, transformer or pipeline (through ``.fit(...)`` chains)."""
        while isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in self.fit_methods:
            call = call.func.value
        if not isinstance(call, ast.Call):
            return None
        last = _last(call.func)
        if not last or not (last[:1].isupper() or last in self.factories):
            return None  # constructors are CamelCase classes or known factories (make_pipeline)
        name = self.ctx.call_name(call)
        if not name:
            return None
        last = name.rsplit(".", 1)[-1]
        if name in self.pipelines:
            return "pipeline"
        if name in self.transformers:
            return f"transformer:{last}"
        if name in self.estimator_callables or (name.startswith(self.estimator_prefixes) and (not self.classes_only or last[:1].isupper())):
            return f"estimator:{last}"
        return None

    # -- traversal ---------------------------------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        if not self.active:
            return
        scope = self.scopes.current(self.ctx)
        kind = self._kind(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name):
                if kind:
                    scope.bound[target.id] = kind
                else:
                    scope.bound.pop(target.id, None)

    def visit_Call(self, node: ast.Call) -> None:
        if not self.active:
            return
        scope = self.scopes.current(self.ctx)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in self.fit_methods:
            receiver = func.value
            if isinstance(receiver, ast.Name):
                kind = scope.bound.get(receiver.id) or self.scopes.module.bound.get(receiver.id)
                if kind and kind.startswith("transformer:"):
                    scope.fitted.append((receiver.id, kind.split(":", 1)[1]))
            elif isinstance(receiver, ast.Call):
                kind = self._kind(receiver)
                if kind and kind.startswith("transformer:"):
                    target = self._assigned_name()
                    scope.fitted.append((target, kind.split(":", 1)[1]))
            return
        obj = None
        if _last(func) not in self.persist_lasts:
            return
        name = self.ctx.call_name(node)
        if name in self.persist_functions:
            position = self.persist_functions[name]
            if len(node.args) > position:
                obj = node.args[position]
        elif isinstance(func, ast.Attribute) and func.attr in self.persist_methods:
            obj = func.value
        if obj is None:
            return
        self.persisted_names |= names_read(obj)
        if isinstance(obj, ast.Name):
            kind = scope.bound.get(obj.id) or ""
            if kind.startswith("estimator:"):
                scope.persisted.append((node, obj.id, kind.split(":", 1)[1]))

    def _assigned_name(self) -> str | None:
        """``scaler = StandardScaler().fit(X)``: the name an inline fit is bound to."""
        for parent in reversed(self.ctx.parents):
            if isinstance(parent, ast.Assign):
                if len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name) and isinstance(parent.value, ast.Call) \
                        and isinstance(parent.value.func, ast.Attribute) and parent.value.func.attr == "fit":
                    return parent.targets[0].id
                return None
            if isinstance(parent, ast.stmt):
                return None
        return None

    def _close(self, scope: _Scope | None) -> None:
        if scope is None or not scope.fitted:
            return
        for call, name, label in scope.persisted:
            self.candidates.append((call, name, label, list(scope.fitted)))

    def leave_FunctionDef(self, node: ast.AST) -> None:
        self._close(self.scopes.pop(node))

    leave_AsyncFunctionDef = leave_FunctionDef

    def finish(self) -> None:
        if not self.active:
            return
        self._close(self.scopes.module)
        for call, name, label, fitted in self.candidates:
            missing = [(t, tl) for t, tl in fitted if t is None or t not in self.persisted_names]
            if not missing or any(t is not None and t in self.persisted_names for t, _ in fitted):
                continue
            shown = ", ".join(sorted({tl for _, tl in missing}))
            self.report(call, f"bare {label} {name!r} is persisted without the {shown} fitted separately; "
                              f"fit and persist one Pipeline that carries the preprocessing (for Keras: preprocessing layers in the model)")


def _last(func: ast.AST) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None
