"""ML1002 data-leakage: a transformer fitted on data that is split into train/test afterwards.

Intra-procedural data flow over names, statement by statement, in each function, the module, or a
notebook read as one program in cell order.
"""

from __future__ import annotations

import ast

from mllint.analysis.dataflow import ScopeStates, base_name, names_bound, names_read

SPLIT_WORDS = ("train", "test", "val", "holdout")
from mllint.catalogue.rule import CodeRule, Example


class _Scope:
    def __init__(self) -> None:
        self.transformers: dict[str, str] = {}  # name -> transformer label
        self.searches: set[str] = set()  # names bound to hyper-parameter searches (GridSearchCV)
        self.fitted: dict[str, tuple[str, set[str]]] = {}  # transformer fitted on unsplit data -> (label, data names)
        self.tainted: dict[str, tuple[str, str, str]] = {}  # name -> (transformer label, transformer name, data shown)
        self.from_split: set[str] = set()  # names holding parts of a split
        self.sliced: set[str] = set()  # fitted data already reported as sliced into train/test
        self.pending: list[tuple[str, ast.Call, str]] = []  # (transformer name, split call, data shown)


class DataLeakage(CodeRule):
    code = "ML1002"
    name = "data-leakage"
    factor = 10
    severity = "warning"
    summary = "A scaler/encoder/imputer/selector is fitted on data that is split into train and test afterwards."
    why = """
        Factor 10 (comparable runs): when preprocessing learns its statistics (means, vocabularies,
        selected features, imputation values, synthetic samples) from the whole data set before
        the split, the test set has influenced the model. Test scores are optimistic and not
        comparable with a correctly evaluated run, and the model behaves worse in production than
        measured.
    """
    how_to_fix = """
        Split first, then fit the transformer on the training part only and apply it to the test
        part (`scaler.fit(X_train)`, `scaler.transform(X_test)`). Better: put preprocessing and
        model in one `sklearn.pipeline.Pipeline` and split/cross-validate the raw data, so each
        fold fits its own preprocessing.
    """
    violating = [
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import train_test_split
            scaler = StandardScaler()
            X = scaler.fit_transform(X)
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=cfg.test_size)
        """, lines=(5,)),
        Example("""
            from sklearn import preprocessing as pp
            import sklearn.model_selection as ms
            X_s = pp.MinMaxScaler().fit_transform(features)
            parts = ms.train_test_split(X_s, labels, random_state=0)
        """, lines=(4,), note="aliases, inline transformer"),
        Example(cells=("from sklearn.impute import SimpleImputer\nfrom sklearn.model_selection import train_test_split\nimputer = SimpleImputer(strategy='median')",
                       "df[num_cols] = imputer.fit_transform(df[num_cols])",
                       "train, test = train_test_split(df, test_size=0.2)"),
                path="prep.ipynb", note="in-place column update in a notebook, split in a later cell"),
        Example("""
            from sklearn.decomposition import PCA
            from sklearn.model_selection import train_test_split
            def prepare(X, y, k):
                pca = PCA(n_components=k)
                pca.fit(X)
                X_tr, X_te, y_tr, y_te = train_test_split(X, y)
                return pca.transform(X_tr), pca.transform(X_te), y_tr, y_te
        """, lines=(6,), note="fitted on everything, split, then applied"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import train_test_split
            scaler = StandardScaler().fit(X)
            X_s = scaler.transform(X)
            X_train, X_test, y_train, y_test = train_test_split(X_s, y, random_state=0)
        """, lines=(5,), note="fitted inline, applied, then split"),
        Example("""
            from sklearn.feature_extraction.text import TfidfVectorizer
            from sklearn.model_selection import cross_val_score
            vec = TfidfVectorizer()
            X = vec.fit_transform(texts)
            scores = cross_val_score(clf, X, y, cv=5)
        """, lines=(5,), note="cross-validation on pre-fitted features"),
        Example("""
            from sklearn.preprocessing import RobustScaler
            from sklearn.model_selection import GridSearchCV
            X_scaled = RobustScaler().fit_transform(X)
            search = GridSearchCV(model, param_grid, cv=5)
            search.fit(X_scaled, y)
        """, lines=(5,), note="a hyper-parameter search cross-validates pre-fitted features"),
        Example("""
            from imblearn.over_sampling import SMOTE
            from sklearn.model_selection import train_test_split
            def make_sets(X, y):
                X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
                return train_test_split(X_res, y_res)
        """, lines=(5,), note="oversampling before the split"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import train_test_split
            X_train, X_test, y_train, y_test = train_test_split(StandardScaler().fit_transform(X), y)
        """, lines=(3,), note="fitted inside the split call"),
        Example("""
            from sklearn.preprocessing import MinMaxScaler
            scaler = MinMaxScaler(feature_range=(0, 1))
            scaled = scaler.fit_transform(prices)
            n_train = int(len(scaled) * cfg.train_fraction)
            train_data = scaled[:n_train]
            test_data = scaled[n_train:]
        """, lines=(5,), note="a time series scaled, then sliced into train and test"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import train_test_split
            class Features:
                def __init__(self):
                    self.scaler = StandardScaler()
                def make_sets(self, X, y):
                    X_all = self.scaler.fit_transform(X)
                    return train_test_split(X_all, y, random_state=0)
        """, lines=(8,), note="a transformer held in an attribute, fitted in another method"),
    ]
    compliant = [
        Example("""
            from imblearn.under_sampling import RandomUnderSampler
            from sklearn.model_selection import train_test_split
            X_bal, y_bal = RandomUnderSampler(random_state=0).fit_resample(X, y)
            X_train, X_test, y_train, y_test = train_test_split(X_bal, y_bal, random_state=0)
        """, note="random under-sampling keeps rows as they are: no test row shapes a training row"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import train_test_split
            class Features:
                def __init__(self):
                    self.scaler = StandardScaler()
                def make_sets(self, X, y):
                    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)
                    return self.scaler.fit_transform(X_tr), self.scaler.transform(X_te), y_tr, y_te
        """, note="an attribute transformer fitted on the training part"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import train_test_split
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            scaler = StandardScaler()
            X_train = scaler.fit_transform(X_train)
            X_test = scaler.transform(X_test)
        """, note="split first, fit on the training part"),
        Example("""
            from sklearn.pipeline import make_pipeline
            from sklearn.preprocessing import StandardScaler
            from sklearn.linear_model import LogisticRegression
            from sklearn.model_selection import cross_val_score
            pipe = make_pipeline(StandardScaler(), LogisticRegression())
            scores = cross_val_score(pipe, X, y, cv=5)
        """, note="preprocessing inside a Pipeline"),
        Example("""
            from sklearn.preprocessing import LabelEncoder
            from sklearn.model_selection import train_test_split
            y = LabelEncoder().fit_transform(y)
            X_train, X_test, y_train, y_test = train_test_split(X, y)
        """, note="encoding the label vocabulary is not a learned statistic of the features"),
        Example("""
            from sklearn.decomposition import PCA
            from sklearn.model_selection import train_test_split
            coords = PCA(n_components=2).fit_transform(X)
            plot(coords)
            X_train, X_test, y_train, y_test = train_test_split(X, y)
        """, note="PCA for a plot; the raw data is split"),
        Example(cells=("from sklearn.model_selection import train_test_split\nfrom sklearn.preprocessing import StandardScaler\nX_train, X_test = train_test_split(X)",
                       "scaler = StandardScaler().fit(X_train)\nX_train_s = scaler.transform(X_train)\nX_test_s = scaler.transform(X_test)"),
                path="model.ipynb", note="notebook: split in one cell, fit on the training part in the next"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import train_test_split
            X = StandardScaler().fit_transform(X)
            X = load_features(path)
            X_train, X_test = train_test_split(X)
        """, note="the name was rebound to fresh data"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import GridSearchCV, train_test_split
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            X_train_s = StandardScaler().fit_transform(X_train)
            search = GridSearchCV(model, grid, cv=5)
            search.fit(X_train_s, y_train)
        """, note="search on features fitted on the training part only (folds still share it, but the test set is clean)"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import train_test_split
            def test_leaky_fixture_is_detected():
                X2 = StandardScaler().fit_transform(X)
                assert len(train_test_split(X2)) == 2
        """, path="tests/test_leak.py", note="test files"),
        Example("""
            from sklearn.preprocessing import MinMaxScaler
            n_train = int(len(prices) * cfg.train_fraction)
            train_raw, test_raw = prices[:n_train], prices[n_train:]
            scaler = MinMaxScaler().fit(train_raw)
            train_data = scaler.transform(train_raw)
            val_data = train_data[-cfg.n_val:]
        """, note="sliced first, scaled on the training part; slices of the training part"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        knowledge = ctx.knowledge
        spec = knowledge.get("fitted_transformers", {})
        self.transformer_classes = set(spec.get("classes", ()))
        self.fit_methods = set(spec.get("fit_methods", ("fit", "fit_transform")))
        self.transform_methods = set(spec.get("transform_methods", ("transform",)))
        resamplers = knowledge.get("resamplers", {})
        self.resampler_prefixes = tuple(resamplers.get("prefixes", ()))
        self.resample_methods = set(resamplers.get("fit_methods", ()))
        self.resampler_exclude = set(resamplers.get("exclude", ()))
        self.splits: dict[str, dict] = knowledge.get("leakage_splits", {})
        self.searchers = set(knowledge.get("leakage_searchers", {}).get("classes", ()))
        self.scopes: ScopeStates[_Scope] = ScopeStates(_Scope)
        self.stmt_taint: tuple[str, str, str] | None = None
        self.stmt_split = False
        self.reported: set[int] = set()
        self.active = not ctx.is_test
        self.stmt_names: set[str] = set()
        self.in_stmt = False
        # final name components worth resolving (cheap filter before import resolution)
        self.interesting = {n.rsplit(".", 1)[-1] for n in self.splits} | self.fit_methods | self.transform_methods | self.resample_methods
        self.constructors = {n.rsplit(".", 1)[-1] for n in (*self.transformer_classes, *self.searchers)}

    # -- knowledge lookups ----------------------------------------------------------------------
    def _transformer_label(self, name: str | None) -> str | None:
        if not name:
            return None
        if name in self.transformer_classes or (self.resampler_prefixes and name.startswith(self.resampler_prefixes)
                                                and name not in self.resampler_exclude):
            return name.rsplit(".", 1)[-1]
        return None

    def _identify(self, receiver: ast.AST, scope: _Scope) -> tuple[str | None, str | None]:
        """(transformer label, bound name or None for an inline instance) of a method receiver."""
        if isinstance(receiver, ast.Name):
            label = scope.transformers.get(receiver.id) or self.scopes.module.transformers.get(receiver.id)
            return label, receiver.id
        if isinstance(receiver, ast.Call):
            return self._transformer_label(self.ctx.call_name(receiver)), None
        key = _attribute_key(receiver)
        if key is not None:  # self.scaler, bound in __init__ or another method of the class
            label = scope.transformers.get(key) or self.scopes.module.transformers.get(key)
            return label, key
        return None, None

    # -- statements -------------------------------------------------------------------------------
    def visit_Assign(self, node: ast.AST) -> None:
        self.stmt_taint = None
        self.stmt_split = False
        self.stmt_names = set()
        self.in_stmt = True

    visit_AnnAssign = visit_AugAssign = visit_Assign

    def visit_Name(self, node: ast.Name) -> None:
        if self.in_stmt and isinstance(node.ctx, ast.Load):
            self.stmt_names.add(node.id)  # names read by the assignment being visited (no second walk)

    def leave_Assign(self, node: ast.AST) -> None:
        self.in_stmt = False
        if not self.active:
            return
        scope = self.scopes.current(self.ctx)
        value = getattr(node, "value", None)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        bound: set[str] = set()
        plain: set[str] = set()
        for target in targets:
            bound |= names_bound(target)
            plain |= _plain_names(target)
        made_by = value
        while isinstance(made_by, ast.Call) and isinstance(made_by.func, ast.Attribute) and made_by.func.attr in self.fit_methods \
                and made_by.func.attr == "fit":
            made_by = made_by.func.value  # scaler = StandardScaler().fit(X)
        called = self.ctx.call_name(made_by) if isinstance(made_by, ast.Call) and self._maybe_constructor(made_by.func) else None
        made = self._transformer_label(called)
        search = called in self.searchers
        if len(targets) == 1 and (key := _attribute_key(targets[0])) is not None:
            owner = self.scopes.module  # attributes outlive the method that binds them
            owner.transformers.pop(key, None)
            owner.fitted.pop(key, None)
            if made:
                owner.transformers[key] = made
        for name in plain:
            scope.transformers.pop(name, None)
            scope.searches.discard(name)
            if made_by is value:
                scope.fitted.pop(name, None)  # rebound: a fresh object, not the one fitted before
            if made and len(plain) == 1:
                scope.transformers[name] = made
            if search and len(plain) == 1:
                scope.searches.add(name)
        read = self.stmt_names
        if not self.stmt_split and self._slice_split(value, plain, scope):
            self.stmt_split = True
        if self.stmt_split:
            for name in bound:
                scope.tainted.pop(name, None)
            scope.from_split |= bound
            return
        taint = self.stmt_taint
        if taint is None and not isinstance(node, ast.AugAssign):
            for name in read:
                if name in scope.tainted:
                    taint = scope.tainted[name]
                    break
        if taint is not None:
            for name in bound:
                scope.tainted[name] = taint
        else:
            for name in plain:
                scope.tainted.pop(name, None)
        if read & scope.from_split:
            scope.from_split |= bound
        else:
            scope.from_split -= plain

    leave_AnnAssign = leave_AugAssign = leave_Assign

    def leave_FunctionDef(self, node: ast.AST) -> None:
        self.scopes.pop(node)

    leave_AsyncFunctionDef = leave_FunctionDef

    # -- calls --------------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        if not self.active:
            return
        if _last(node.func) not in self.interesting:
            return
        scope = self.scopes.current(self.ctx)
        name = self.ctx.call_name(node)
        split = self.splits.get(name) if name else None
        if split is not None:
            self._check_split(node, split, scope)
            return
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        method = func.attr
        if method == "fit" and self._is_search(func.value, scope):
            self._check_split(node, {"args": [0], "kwargs": ["X"]}, scope)
            return
        if method not in self.fit_methods and method not in self.transform_methods and method not in self.resample_methods:
            return
        label, bound = self._identify(func.value, scope)
        if label is None:
            return
        parent = self.ctx.parent
        if bound is None and method == "fit" and isinstance(parent, ast.Assign) and parent.value is node \
                and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
            bound = parent.targets[0].id  # scaler = StandardScaler().fit(X)
        data = _data_arg(node)
        data_names = names_read(data)
        shown = ast.unparse(data) if data is not None else "the data"
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        if method in self.fit_methods or method in self.resample_methods:
            if data_names & scope.from_split or not data_names:
                if bound:
                    scope.fitted.pop(bound, None)
                return
            if bound:
                scope.fitted[bound] = (label, data_names)
            if method != "fit":
                self.stmt_taint = (label, bound or label, shown)
        elif bound and bound in scope.fitted:
            fitted_label, fitted_on = scope.fitted[bound]
            self.stmt_taint = (fitted_label, bound, ", ".join(sorted(fitted_on)))
            for transformer, split_call, split_shown in scope.pending:
                if transformer == bound:
                    self._report(split_call, fitted_label, bound, split_shown)
            scope.pending = [p for p in scope.pending if p[0] != bound]

    def _slice_split(self, value: ast.AST | None, targets: set[str], scope: _Scope) -> bool:
        """``train = scaled[:n]`` / ``X_test = X.iloc[n:]``: slicing fitted data into train/test parts."""
        if not any(w in t.lower() for t in targets for w in SPLIT_WORDS):
            return False
        parts = value.elts if isinstance(value, ast.Tuple) else [value]
        sources = [_sliced_source(part) for part in parts]
        if not sources or None in sources:
            return False
        for source in sources:
            if source in scope.tainted and source not in scope.sliced:  # one finding per sliced source (train and test slices follow)
                scope.sliced.add(source)
                label, transformer, shown = scope.tainted[source]
                self._report(value, label, transformer, shown)
        return True

    def _maybe_constructor(self, func: ast.AST) -> bool:
        last = _last(func)
        return bool(last) and (last[:1].isupper() or last in self.constructors)

    def _is_search(self, receiver: ast.AST, scope: _Scope) -> bool:
        if isinstance(receiver, ast.Name):
            return receiver.id in scope.searches or receiver.id in self.scopes.module.searches
        return isinstance(receiver, ast.Call) and self.ctx.call_name(receiver) in self.searchers

    def _check_split(self, node: ast.Call, spec: dict, scope: _Scope) -> None:
        self.stmt_split = True
        args = spec.get("args", "*")
        data: list[ast.AST] = []
        for index, arg in enumerate(node.args):
            if args == "*" or index in args:
                data.append(arg.value if isinstance(arg, ast.Starred) else arg)
        data += [k.value for k in node.keywords if k.arg in spec.get("kwargs", ())]
        for expr in data:
            for sub in ast.walk(expr):  # a transformer fitted inside the split call itself
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and (
                        sub.func.attr in self.fit_methods or sub.func.attr in self.resample_methods) and sub.func.attr != "fit":
                    label, bound = self._identify(sub.func.value, scope)
                    if label:
                        self._report(node, label, bound or label, ast.unparse(_data_arg(sub) or expr))
                        return
            for name in sorted(names_read(expr)):
                if name in scope.tainted:
                    label, transformer, shown = scope.tainted[name]
                    self._report(node, label, transformer, shown)
                    return
        for expr in data:
            read = names_read(expr)
            for transformer, (label, fitted_on) in scope.fitted.items():
                if read & fitted_on:
                    scope.pending.append((transformer, node, ", ".join(sorted(read & fitted_on))))

    def _report(self, node: ast.AST, label: str, transformer: str, shown: str) -> None:
        if id(node) in self.reported:
            return
        self.reported.add(id(node))
        called = (self.ctx.call_name(node) or "") if isinstance(node, ast.Call) else ""
        what = "split into train/test" if isinstance(node, ast.Call) else "sliced into train/test"
        if "cross" in called or (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "fit"):
            what = "cross-validated"
        named = f"{label}" if transformer == label else f"{label} {transformer!r}"
        self.report(node, f"data leakage: {named} was fitted on {shown} before it is {what} here; "
                          f"split first and fit preprocessing on the training part only (or use a Pipeline)")


def _sliced_source(node: ast.AST) -> str | None:
    """``x[:n]``, ``x[n:, :]``, ``x.iloc[:n]`` -> ``x``; None unless a bounded slice of rows."""
    if not isinstance(node, ast.Subscript):
        return None
    index = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) and node.slice.elts else node.slice
    if not isinstance(index, ast.Slice) or (index.lower is None and index.upper is None):
        return None
    return base_name(node.value)


def _attribute_key(node: ast.AST) -> str | None:
    """``self.scaler`` -> ``"self.scaler"``; None for anything but an attribute of a plain name."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def _last(func: ast.AST) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _plain_names(target: ast.AST) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        out: set[str] = set()
        for element in target.elts:
            out |= _plain_names(element)
        return out
    return set()


def _data_arg(call: ast.Call) -> ast.AST | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg in ("X", "raw_documents", "x", "data"):
            return keyword.value
    return None
