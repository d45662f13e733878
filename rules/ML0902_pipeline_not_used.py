"""ML0902 pipeline-not-used: preprocessing fitted separately from the estimator it feeds.

From the file's data flow (``mllint.analysis.flow``): a transformer's fitted output reaches an
estimator's ``fit`` in the same program (across functions of a module, cells of a notebook), where
one ``Pipeline`` would keep them together. One finding per fitted transformer, at the first
estimator fit it feeds.
"""

from __future__ import annotations

import ast

from mllint.analysis.flow import DataFlow, EstimatorFit, place
from mllint.analysis.values import Learn, in_order
from mllint.catalogue.rule import CodeRule, Example

#: Roles of objects whose fit is preprocessing that belongs in a Pipeline.
PREPROCESSING = frozenset({"transformer", "vocabulary", "transformer-steps"})


class PipelineNotUsed(CodeRule):
    code = "ML0902"
    name = "pipeline-not-used"
    factor = 9
    severity = "warning"
    summary = "Preprocessing is fitted separately from the estimator it feeds instead of in one Pipeline."
    why = """
        Factor 9 (no training/serving skew): when the scaler, encoder or vectorizer is fitted on
        its own and its output is fed to the model, the model is only correct together with that
        exact fitted preprocessing. Serving has to re-implement it or load a second artefact and
        apply it in the right order; the two drift apart, and the deployed model silently receives
        differently transformed inputs than it was trained on. Separate preprocessing is also how
        data leaks in (ML1002): cross-validation and searches cannot refit it per fold.
    """
    how_to_fix = """
        Put preprocessing and estimator in one `sklearn.pipeline.Pipeline` (`make_pipeline`, a
        `ColumnTransformer` for column groups), fit the pipeline on the raw training data and
        persist the pipeline: `joblib.dump(make_pipeline(StandardScaler(), model).fit(X, y),
        "model.joblib")`. For Keras, put the preprocessing in the model
        (`keras.layers.Normalization`, `TextVectorization`, adapted on the training data) so that
        the saved model takes raw inputs.
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
        """, lines=(7,)),
        Example("""
            import joblib as jl
            from sklearn import linear_model as lm, impute
            def train(X, y, out):
                imp = impute.SimpleImputer()
                clf = lm.LogisticRegression()
                clf.fit(imp.fit_transform(X), y)
                jl.dump(clf, out)
        """, lines=(6,), note="aliases, in a function"),
        Example(cells=("import pickle\nfrom sklearn.feature_extraction.text import TfidfVectorizer\nfrom sklearn.svm import LinearSVC",
                       "vec = TfidfVectorizer()\nX = vec.fit_transform(texts)",
                       "clf = LinearSVC()\nclf.fit(X, y)"),
                path="train.ipynb", lines=(2,), note="notebook: the vectorizer and the model in different cells"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.svm import SVC
            scaler = StandardScaler()
            X_train = scaler.fit_transform(X_train)
            X_test = scaler.transform(X_test)
            SVC().fit(X_train, y_train)
        """, lines=(6,), note="no persistence at all: the model still depends on a separate scaler"),
        Example("""
            import xgboost as xgb
            from sklearn.preprocessing import OneHotEncoder
            enc = OneHotEncoder(handle_unknown="ignore")
            X_enc = enc.fit_transform(X)
            model = xgb.XGBClassifier()
            model.fit(X_enc, y)
        """, lines=(6,), note="xgboost"),
        Example("""
            from sklearn.preprocessing import MinMaxScaler
            from tensorflow import keras
            scaler = MinMaxScaler()
            series = scaler.fit_transform(prices)
            model = keras.Sequential([keras.layers.LSTM(cfg.units), keras.layers.Dense(1)])
            model.fit(windows(series), targets, epochs=cfg.epochs)
        """, lines=(6,), note="a Keras model trained on separately scaled inputs"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.cluster import KMeans
            from sklearn.linear_model import LogisticRegression
            def fit_model(model, X, y):
                model.fit(X, y)
                return model
            X_s = StandardScaler().fit_transform(X)
            fit_model(LogisticRegression(), X_s, y)
        """, lines=(8,), note="the estimator is fitted in a helper: reported where the helper is called"),
        Example("""
            import joblib
            from sklearn.preprocessing import StandardScaler
            from sklearn.svm import SVC
            scaler = StandardScaler()
            Xs = scaler.fit_transform(X)
            svc = SVC().fit(Xs, y)
            joblib.dump(scaler, "scaler.pkl")
            joblib.dump(svc, "svc.pkl")
        """, lines=(6,), note="two artefacts that serving must load and apply in the right order"),
        Example("""
            scaler = StandardScaler()
            X_train = scaler.fit_transform(X_train)
            kmeans = KMeans()
            kmeans2 = kmeans
            kmeans2.fit(X_train)
        """, lines=(5,), note="a snippet without imports; an alias of the estimator"),
    ]
    compliant = [
        Example("""
            from sklearn.preprocessing import OrdinalEncoder
            from sklearn.neighbors import KernelDensity
            def fit_column(col):
                enc = OrdinalEncoder().fit(col)
                kde = KernelDensity(kernel="gaussian").fit(enc.transform(col))
                return {"encoder": enc, "sampler": kde}
        """, note="the encoder and the model are kept together (one dict), as a pipeline would keep them"),
        Example("""
            from sklearn.feature_extraction import DictVectorizer
            from sklearn.linear_model import LogisticRegression
            def train(records, y):
                dv = DictVectorizer(sparse=False)
                X = dv.fit_transform(records)
                model = LogisticRegression(max_iter=cfg.max_iter)
                model.fit(X, y)
                return dv, model
        """, note="the fitted vectorizer and the model handed to the caller together (one tuple)"),
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
        """, note="the fitted preprocessing is persisted with the model, in one artefact"),
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
        Example("""
            from imblearn.over_sampling import SMOTE
            from sklearn.ensemble import RandomForestClassifier
            X_res, y_res = SMOTE(random_state=0).fit_resample(X_train, y_train)
            RandomForestClassifier(random_state=0).fit(X_res, y_res)
        """, note="resampling is not part of serving"),
        Example("""
            from sklearn.model_selection import GridSearchCV
            from sklearn.preprocessing import StandardScaler
            X_s = StandardScaler().fit_transform(X_plot)
            search = GridSearchCV(pipeline, grid).fit(X, y)
        """, note="the scaled data only feeds a plot"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.linear_model import LinearRegression
            df["x_scaled"] = StandardScaler().fit_transform(df[["x"]])
            model = LinearRegression().fit(df[["y_lag"]], df["y"])
        """, note="the scaled column is not what the model is fitted on"),
    ]

    requires = (DataFlow,)

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self.active = not ctx.is_test
        self.idle = not self.active  # a test file: nothing of it is visited
        self.fits = DataFlow.fit_names(ctx)
        self.fitting = False  # seen a model fit? (else nothing to report, no analysis)

    def visit_Call(self, node: ast.Call) -> None:
        if not self.fitting and DataFlow.call_name(node.func) in self.fits:
            self.fitting = True

    def finish(self) -> None:
        if not self.active or not self.fitting:
            return
        flow = self.analysis(DataFlow)
        if not flow.estimator_fits:
            return
        bundles = flow.bundles
        done: set[int] = set()
        for fit in flow.estimator_fits:
            for learn in in_order(fit.rows.all_learned):
                if not _separate_preprocessing(learn, fit):
                    continue
                key = id(learn.obj.node) if learn.obj is not None else id(learn.node)  # one per transformer
                if key in done or any(learn.obj in bundle and fit.obj in bundle for bundle in bundles):
                    continue
                done.add(key)
                self.report(place(fit.node, fit.site, learn.site), _message(learn, fit, self.ctx.where(learn.node)),
                            related=[(learn.node, f"{learn.label} is fitted here")])


def _separate_preprocessing(learn: Learn, fit: EstimatorFit) -> bool:
    obj = learn.obj
    return learn.kind == "fit" and obj is not None and obj is not fit.obj and bool(obj.roles & PREPROCESSING)


def _message(learn: Learn, fit: EstimatorFit, where: str) -> str:
    return (f"{learn.label} is fitted separately ({where}) and its output trains {fit.obj.label} here; "
            f"fit and persist one Pipeline that carries the preprocessing (for Keras: preprocessing layers in the model)")
