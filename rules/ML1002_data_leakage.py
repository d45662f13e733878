"""ML1002 data-leakage: test rows shape the training data: preprocessing fitted, statistics taken, or rows
copied before the split, preprocessing fitted on the test part, train and test concatenated and preprocessed.

The judgement comes from the file's data flow (``mllint.analysis.flow``): values are followed through
assignments, unpacking, attributes, subscripts, in-place methods, loops, comprehensions, helper
functions and notebook cells. One finding per leak, at the fit or statistic (or at the call of the
helper doing it), naming the split it reaches (also a SARIF related location).
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace

from mllint.analysis.flow import DataFlow, Leak
from mllint.catalogue.rule import CodeRule, Example

SPLIT_NAME = re.compile(r"(?i)train|test|val|valid|holdout|(?:^|_)(?:tr|te|trn|tst|dev)(?:$|_)")


class DataLeakage(CodeRule):
    code = "ML1002"
    name = "data-leakage"
    factor = 10
    severity = "warning"
    summary = "Test rows shape the training data: preprocessing fitted, statistics taken or rows copied before the split."
    why = """
        Factor 10 (comparable runs): a test score only measures generalisation when no test row has
        shaped what the model learned from. Preprocessing leakage: a scaler, encoder, imputer,
        vectorizer, feature selector or PCA fitted on the whole data before the split, statistics
        of the whole data (mean, median, quantiles, min/max, value counts) used to fill, scale or
        encode it, preprocessing fitted on the test part, or train and test concatenated,
        preprocessed and separated again. Overlap leakage: over-sampling, sampling with replacement
        or augmentation that adds copies of rows before the split puts copies of one row in both
        train and test; a model fitted on rows that are later scored as its test part has seen its
        test. Either way the test score is optimistic, not comparable with a correctly evaluated
        run, and the model does worse in production than measured. Cross-validation folds count as
        splits too: preprocessing fitted before `cross_val_score` or a search has seen every fold.
    """
    how_to_fix = """
        Split first. Fit preprocessing (and take statistics) on the training part only and apply
        them to the test part (`scaler.fit(X_train)`, `X_test = scaler.transform(X_test)`,
        `X_test.fillna(X_train.mean())`); resample or augment only the training part. Better: put
        preprocessing and model in one `sklearn.pipeline.Pipeline` (`imblearn.pipeline.Pipeline`
        for resampling) and split or cross-validate the raw data, so that each fold fits its own
        preprocessing.
    """
    violating = [
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import train_test_split
            scaler = StandardScaler()
            X = scaler.fit_transform(X)
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=cfg.test_size)
        """, lines=(4,)),
        Example("""
            from sklearn import preprocessing as pp
            import sklearn.model_selection as ms
            X_s = pp.MinMaxScaler().fit_transform(features)
            parts = ms.train_test_split(X_s, labels, random_state=0)
        """, lines=(3,), note="aliases, inline transformer"),
        Example(cells=("from sklearn.impute import SimpleImputer\nfrom sklearn.model_selection import train_test_split\nimputer = SimpleImputer(strategy='median')",
                       "df[num_cols] = imputer.fit_transform(df[num_cols])",
                       "train, test = train_test_split(df, test_size=0.2)"),
                path="prep.ipynb", lines=(1,), note="notebook: the fit and the split in different cells"),
        Example("""
            import pandas as pd
            from sklearn.model_selection import train_test_split
            df = pd.read_csv("titanic.csv")
            df["Age"] = df["Age"].fillna(df["Age"].mean())
            X_train, X_test, y_train, y_test = train_test_split(df.drop(columns="Survived"), df["Survived"])
        """, lines=(4,), note="a statistic of the whole data fills it before the split"),
        Example("""
            import numpy as np
            from sklearn.model_selection import train_test_split
            X = (X - np.mean(X, axis=0)) / np.std(X, axis=0)
            X_train, X_test, y_train, y_test = train_test_split(X, y)
        """, lines=(3,), note="manual standardisation: mean and std reported once"),
        Example("""
            from sklearn.preprocessing import MinMaxScaler
            from sklearn.model_selection import train_test_split
            def scale(values):
                return MinMaxScaler().fit_transform(values)
            X_train, X_test, y_train, y_test = train_test_split(scale(X), y, random_state=0)
        """, lines=(5,), note="a helper function fits before the split: reported where it is called"),
        Example("""
            from sklearn.decomposition import PCA
            from sklearn.model_selection import train_test_split
            def prepare(X, y, k):
                pca = PCA(n_components=k)
                pca.fit(X)
                X_tr, X_te, y_tr, y_te = train_test_split(X, y)
                return pca.transform(X_tr), pca.transform(X_te), y_tr, y_te
        """, lines=(5,), note="fitted on everything, split, then applied to the parts"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import train_test_split
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            scaler = StandardScaler()
            X_train = scaler.fit_transform(X_train)
            X_test = scaler.fit_transform(X_test)
        """, lines=(6,), note="fitted on the test part"),
        Example("""
            import pandas as pd
            train = pd.read_csv("train.csv")
            test = pd.read_csv("test.csv")
            full = pd.concat([train, test])
            full["Fare"] = full["Fare"].fillna(full["Fare"].median())
            train, test = full[:len(train)], full[len(train):]
        """, lines=(5,), note="train and test concatenated, preprocessed, separated again"),
        Example("""
            from imblearn.over_sampling import SMOTE
            from sklearn.model_selection import train_test_split
            def make_sets(X, y):
                X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
                return train_test_split(X_res, y_res)
        """, lines=(4,), note="overlap: synthetic rows created before the split"),
        Example("""
            import pandas as pd
            from sklearn.utils import resample
            from sklearn.model_selection import train_test_split
            minority_up = resample(minority, replace=True, n_samples=len(majority), random_state=0)
            balanced = pd.concat([majority, minority_up])
            X_train, X_test = train_test_split(balanced, random_state=0)
        """, lines=(4,), note="overlap: up-sampling with replacement before the split"),
        Example("""
            import numpy as np
            from sklearn.model_selection import train_test_split
            flipped = np.flip(images, axis=2)
            X = np.concatenate([images, flipped])
            y = np.concatenate([labels, labels])
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        """, lines=(3,), note="overlap: augmented copies appended to their originals before the split"),
        Example("""
            from sklearn.linear_model import LogisticRegression
            from sklearn.model_selection import train_test_split
            model = LogisticRegression().fit(X, y)
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            print(model.score(X_test, y_test))
        """, lines=(3,), note="overlap: the model was fitted on the rows it is then tested on"),
        Example("""
            from sklearn.feature_extraction.text import TfidfVectorizer
            from sklearn.model_selection import cross_val_score
            vec = TfidfVectorizer()
            X = vec.fit_transform(texts)
            scores = cross_val_score(clf, X, y, cv=5)
        """, lines=(4,), note="cross-validation on pre-fitted features"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import GridSearchCV, train_test_split
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            X_train_s = StandardScaler().fit_transform(X_train)
            search = GridSearchCV(model, grid, cv=5)
            search.fit(X_train_s, y_train)
        """, lines=(4,), note="a search cross-validates features fitted on all its folds (the test part is clean, the fold scores are not)"),
        Example("""
            from sklearn.cross_validation import train_test_split
            from sklearn import preprocessing
            X = preprocessing.scale(X)
            X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=7)
        """, lines=(3,), note="legacy import path; sklearn's function form of a scaler"),
        Example("""
            X = StandardScaler().fit_transform(X)
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
        """, lines=(1,), note="a snippet without imports: scikit-learn's names resolve by convention"),
        Example("""
            from sklearn.preprocessing import MinMaxScaler
            scaler = MinMaxScaler(feature_range=(0, 1))
            scaled = scaler.fit_transform(prices)
            n_train = int(len(scaled) * cfg.train_fraction)
            train_data = scaled[:n_train]
            test_data = scaled[n_train:]
        """, lines=(3,), note="a time series scaled, then sliced into train and test"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import train_test_split
            class Features:
                def __init__(self):
                    self.scaler = StandardScaler()
                def make_sets(self, X, y):
                    X_all = self.scaler.fit_transform(X)
                    return train_test_split(X_all, y, random_state=0)
        """, lines=(7,), note="a transformer held in an attribute, fitted in another method"),
        Example("""
            import tensorflow as tf
            from sklearn.model_selection import train_test_split
            lookup = tf.keras.layers.StringLookup()
            lookup.adapt(df["city"])
            df["city_id"] = lookup(df["city"])
            X_train, X_test = train_test_split(df, test_size=0.2)
        """, lines=(4,), note="a Keras preprocessing layer adapted to all rows (vocabulary, like OneHotEncoder)"),
    ]
    compliant = [
        Example("""
            import pandas as pd
            data = pd.read_csv("hourly.csv")
            test_data = data[-21 * 24:]
            data = data[:-21 * 24]
            for each in ["cnt", "temp"]:
                mean, std = data[each].mean(), data[each].std()
                data.loc[:, each] = (data[each] - mean) / std
                test_data.loc[:, each] = (test_data[each] - mean) / std
        """, note="the last rows sliced off as the test part, the data's own name rebound to the rest: statistics of the training part"),
        Example("""
            import category_encoders as ce
            train_data, test_data = data[:8000], data[8000:]
            encoder = ce.OrdinalEncoder(cols=["site", "app"])
            def encode(df, encoder, mode="fit"):
                if mode == "fit":
                    return encoder.fit_transform(df)
                return encoder.transform(df)
            train_x = encode(train_data, encoder)
            test_x = encode(test_data, encoder, "transform")
        """, note="a helper with a mode argument: the test part only takes the transform branch"),
        Example("""
            from sklearn.base import BaseEstimator, TransformerMixin
            from sklearn.pipeline import Pipeline
            from sklearn.model_selection import train_test_split
            class Selector(BaseEstimator, TransformerMixin):
                def __init__(self, names):
                    self.names = names
                def fit(self, X, y=None):
                    return self
                def transform(self, X):
                    return X[self.names].values
            X = Pipeline([("select", Selector(["age", "fare"]))]).fit_transform(df)
            X_train, X_test = train_test_split(X, test_size=0.2)
        """, note="a custom transformer whose fit() learns nothing"),
        Example("""
            import tensorflow as tf
            from sklearn.model_selection import train_test_split
            X_train, X_test = train_test_split(df, test_size=0.2)
            norm = tf.keras.layers.Normalization()
            norm.adapt(X_train[["age", "fare"]].values)
            X_test_scaled = norm(X_test[["age", "fare"]].values)
        """, note="adapted to the training part only"),
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
            import pandas as pd
            from sklearn.model_selection import train_test_split
            df = pd.read_csv("titanic.csv")
            train, test = train_test_split(df, random_state=0)
            median_age = train["Age"].median()
            for part in (train, test):
                part["Age"] = part["Age"].fillna(median_age)
        """, note="a statistic of the training part fills both parts"),
        Example(cells=("from sklearn.model_selection import train_test_split\nfrom sklearn.preprocessing import StandardScaler\nX_train, X_test = train_test_split(X)",
                       "scaler = StandardScaler().fit(X_train)\nX_train_s = scaler.transform(X_train)\nX_test_s = scaler.transform(X_test)"),
                path="model.ipynb", note="notebook: split in one cell, fit on the training part in the next"),
        Example("""
            from imblearn.under_sampling import RandomUnderSampler
            from sklearn.model_selection import train_test_split
            X_bal, y_bal = RandomUnderSampler(random_state=0).fit_resample(X, y)
            X_train, X_test, y_train, y_test = train_test_split(X_bal, y_bal, random_state=0)
        """, note="random under-sampling keeps rows as they are: no test row shapes a training row"),
        Example("""
            from imblearn.over_sampling import SMOTE
            from sklearn.model_selection import train_test_split
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            X_train, y_train = SMOTE(random_state=0).fit_resample(X_train, y_train)
        """, note="over-sampling the training part only"),
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
        Example("""
            import pandas as pd
            from sklearn.model_selection import train_test_split
            df["age_band"] = pd.cut(df["age"], bins=[0, 18, 35, 60, 120])
            df["mean_score"] = df[["q1", "q2", "q3"]].apply(lambda row: row.mean(), axis=1)
            train, test = train_test_split(df, random_state=0)
        """, note="fixed bin edges and a per-row mean learn nothing from other rows"),
        Example("""
            from sklearn.feature_extraction.text import HashingVectorizer
            from sklearn.model_selection import train_test_split
            X = HashingVectorizer(n_features=2**18).transform(texts)
            X_train, X_test, y_train, y_test = train_test_split(X, y)
        """, note="a stateless vectorizer learns nothing"),
        Example("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import train_test_split
            X = StandardScaler().fit_transform(X)
            X = load_features(path)
            X_train, X_test = train_test_split(X)
        """, note="the name was rebound to fresh data"),
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
            test_data = scaler.transform(test_raw)
        """, note="sliced first, scaled on the training part"),
    ]

    requires = (DataFlow,)

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self.active = not ctx.is_test
        self.idle = not self.active  # a test file: nothing of it is visited
        self.splits = DataFlow.split_names(ctx)
        self.splitter_methods = DataFlow.splitter_methods(ctx)
        self.splitting = False  # seen anything that splits rows? (else no leak, no analysis)
        self.splitter_call = False  # a `.split(...)`: a split if the file can build a splitter

    def visit_Call(self, node: ast.Call) -> None:
        if self.splitting:
            return
        name = DataFlow.call_name(node.func)
        if name in self.splits:
            self.splitting = True
        elif name in self.splitter_methods:
            self.splitter_call = True

    def visit_Assign(self, node: ast.Assign) -> None:
        """``train = data[:n]`` / ``tr, te = x[:n], x[n:]``: a split by slicing."""
        if self.splitting:
            return
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        names += [e.id for t in node.targets if isinstance(t, ast.Tuple) for e in t.elts if isinstance(e, ast.Name)]
        if not any(SPLIT_NAME.search(name) for name in names):
            return
        if isinstance(node.value, ast.Subscript) or any(isinstance(n, ast.Subscript) for n in ast.iter_child_nodes(node.value)):
            self.splitting = True

    def finish(self) -> None:
        if self.splitter_call and not self.splitting:
            self.splitting = DataFlow.may_build_splitter(self.ctx)
        if not self.active or not self.splitting:
            return
        flow = self.analysis(DataFlow)
        groups: dict[tuple[object, ...], list[Leak]] = {}
        for leak in flow.leaks:
            if leak.group is not None:
                groups.setdefault(leak.group, []).append(leak)
        for leak in flow.leaks:
            if leak.group is not None:
                members = groups[leak.group]
                if members[0] is not leak:
                    continue  # reported with the first statistic of the same rows
                labels = sorted({m.label for m in members})
                if len(labels) > 1:
                    leak = replace(leak, label=" and ".join(labels))
                elif len(members) > 1:
                    leak = replace(leak, label=f"{labels[0]} (fitted {len(members)} times)")
            where = self.ctx.where(leak.split) if leak.split is not None else ""
            message, note = _message(leak, where)
            related = [(leak.split, note)] if leak.split is not None else []
            if leak.cause is not leak.at:
                related.insert(0, (leak.cause, f"{leak.label} learns here"))
            self.report(leak.at, message, related=related)


def _message(leak: Leak, where: str) -> tuple[str, str]:
    """The finding's message and the related location's note, per kind of leak."""
    if leak.kind == "preprocessing":
        what = "cross-validated" if leak.split_kind == "cv" else "split into train/test"
        return (f"data leakage: {leak.label} learns from rows that are {what} afterwards ({where}); "
                f"split first and fit preprocessing on the training part only (or use a Pipeline)",
                "the rows are split here")
    if leak.kind == "overlap":
        return (f"data leakage (overlap): {leak.label} creates copies of rows before the split ({where}), so copies "
                f"of one row land in both train and test; resample or augment the training part only, after the split",
                "the copies are split here")
    if leak.kind == "train-as-test":
        return (f"data leakage (overlap): this model is fitted on rows that are later used as its test part ({where}); "
                f"fit it on the training part only", "the test part comes from this split")
    if leak.kind == "test-fit":
        return (f"data leakage: {leak.label} learns from the test part ({where}); fit preprocessing on the "
                f"training part and only apply it to the test part", "the test part comes from this split")
    return (f"data leakage: {leak.label} learns from train and test rows concatenated together, which are "
            f"separated again afterwards ({where}); fit preprocessing on the training rows only",
            "train and test rows are separated here")
