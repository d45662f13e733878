"""ML1003 multi-test-leakage: the test part of a split scores several models (or settings) to choose between.

From the file's data flow (``mllint.analysis.flow``): evaluations (``score``, ``evaluate``,
``predict``...) of distinct fitted models on the test part of one hold-out split, directly, in a
loop over models or hyperparameters, or inside helpers. Splits that carve a validation part out
of a training part, and cross-validation folds, are where such choices belong and are not reported.
"""

from __future__ import annotations

import ast
import re

from mllint.analysis.flow import DataFlow, Evaluation, place
from mllint.analysis.values import Split
from mllint.catalogue.rule import CodeRule, Example

VALIDATION_NAME = re.compile(r"(^|_)(val|valid|validation|dev|holdout_val)(_|$|\d)|(?<=[a-z])Val", re.IGNORECASE)


class MultiTestLeakage(CodeRule):
    code = "ML1003"
    name = "multi-test-leakage"
    factor = 10
    severity = "warning"
    summary = "The test split scores several models or hyperparameter settings to choose between them."
    why = """
        Factor 10 (comparable runs): a test score is an unbiased estimate only for a model chosen
        without looking at the test data. When the same test part is used to compare models or
        hyperparameters (a loop that keeps the best `n_neighbors`, several classifiers scored on
        `X_test` to pick the winner), the test data has become part of training: the reported
        score of the winner is optimistic, and the more candidates are compared, the larger the
        bias. The numbers are not comparable with a run that kept its test set untouched.
    """
    how_to_fix = """
        Compare candidates on a validation split carved out of the training part
        (`train_test_split(X_train, y_train)`) or with cross-validation on the training part
        (`cross_val_score`, `GridSearchCV`, `RandomizedSearchCV`), then evaluate only the chosen
        model, once, on the test part. Report every candidate's validation score if you like.
    """
    violating = [
        Example("""
            from sklearn.model_selection import train_test_split
            from sklearn.neighbors import KNeighborsClassifier
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            scores = []
            for k in range(1, 20):
                knn = KNeighborsClassifier(n_neighbors=k).fit(X_train, y_train)
                scores.append(knn.score(X_test, y_test))
            best_k = scores.index(max(scores)) + 1
        """, lines=(7,), note="a hyperparameter chosen on the test part"),
        Example("""
            from sklearn.model_selection import train_test_split
            from sklearn.linear_model import LogisticRegression
            from sklearn.ensemble import RandomForestClassifier
            from sklearn.metrics import accuracy_score
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            lr = LogisticRegression().fit(X_train, y_train)
            rf = RandomForestClassifier(random_state=0).fit(X_train, y_train)
            print(accuracy_score(y_test, lr.predict(X_test)))
            print(accuracy_score(y_test, rf.predict(X_test)))
        """, lines=(9,), note="two models compared on the test part"),
        Example(cells=("from sklearn.model_selection import train_test_split\nfrom sklearn.svm import SVC\nX_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
                       "rbf = SVC(kernel='rbf').fit(X_train, y_train)\nrbf.score(X_test, y_test)",
                       "linear = SVC(kernel='linear').fit(X_train, y_train)\nlinear.score(X_test, y_test)"),
                path="compare.ipynb", lines=(2,), note="notebook: one candidate per cell"),
        Example("""
            from sklearn.model_selection import train_test_split
            from sklearn.tree import DecisionTreeClassifier
            from sklearn.naive_bayes import GaussianNB
            def evaluate(model, X_train, X_test, y_train, y_test):
                model.fit(X_train, y_train)
                return model.score(X_test, y_test)
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            results = {name: evaluate(model, X_train, X_test, y_train, y_test)
                       for name, model in [("tree", DecisionTreeClassifier(random_state=0)), ("nb", GaussianNB())]}
        """, lines=(8,), note="candidates scored by a helper"),
    ]
    compliant = [
        Example("""
            from sklearn.model_selection import GridSearchCV, train_test_split
            from sklearn.neighbors import KNeighborsClassifier
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            search = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": range(1, 20)}, cv=5)
            search.fit(X_train, y_train)
            print(search.score(X_test, y_test))
        """, note="chosen by cross-validation, tested once"),
        Example("""
            from sklearn.model_selection import train_test_split
            from sklearn.linear_model import LogisticRegression
            from sklearn.ensemble import RandomForestClassifier
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, random_state=0)
            candidates = [LogisticRegression(), RandomForestClassifier(random_state=0)]
            best = max(candidates, key=lambda m: m.fit(X_fit, y_fit).score(X_val, y_val))
            print(best.fit(X_train, y_train).score(X_test, y_test))
        """, note="compared on a validation part of the training data"),
        Example("""
            from sklearn.model_selection import train_test_split
            from sklearn.metrics import classification_report
            from sklearn.ensemble import RandomForestClassifier
            X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
            model = RandomForestClassifier(random_state=0).fit(X_train, y_train)
            print(model.score(X_test, y_test))
            print(classification_report(y_test, model.predict(X_test)))
        """, note="one model, scored twice"),
        Example("""
            from sklearn.model_selection import KFold
            from sklearn.linear_model import Ridge
            for train_idx, test_idx in KFold(5, shuffle=True, random_state=0).split(X):
                model = Ridge().fit(X[train_idx], y[train_idx])
                print(model.score(X[test_idx], y[test_idx]))
        """, note="cross-validation folds: a new test fold each time"),
    ]

    requires = (DataFlow,)

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self.active = not ctx.is_test
        self.idle = not self.active  # a test file: nothing of it is visited
        self.evaluations_seen = 0  # model evaluation calls seen (none: nothing to compare)
        self.names = DataFlow.evaluation_names(ctx)
        # Is there a hold-out split whose test part could be scored? A split call, a splitter's `.split`,
        # or a row slice bound to a train/test name (else no test part, no analysis).
        self.split_names = DataFlow.split_names(ctx)
        self.split_calls = DataFlow.split_calls(ctx)
        self.splitter_methods = DataFlow.splitter_methods(ctx)
        self.splitting = False
        self.splitter_call = False
        self.sliced = False
        self.part_named = False

    def visit_Call(self, node: ast.Call) -> None:
        name = DataFlow.call_name(node.func)
        if self.evaluations_seen < 2 and name in self.names:
            self.evaluations_seen += 1
        if self.splitting:
            return
        if name in self.split_names or self.ctx.call_name(node) in self.split_calls:
            self.splitting = True
        elif name in self.splitter_methods:
            self.splitter_call = True

    def visit_Slice(self, node: ast.Slice) -> None:
        self.sliced = True

    def visit_Name(self, node: ast.Name) -> None:
        if not self.part_named and node.ctx.__class__ is ast.Store and DataFlow.names_a_part(node.id):
            self.part_named = True

    def _may_split(self) -> bool:
        return (self.splitting or (self.sliced and self.part_named)
                or (self.splitter_call and DataFlow.may_build_splitter(self.ctx)))

    def finish(self) -> None:
        if not self.active or not self.evaluations_seen or not self._may_split():
            return
        flow = self.analysis(DataFlow)
        if len(flow.evaluations) < 2:
            return
        by_split: dict[Split, list[Evaluation]] = {}
        for evaluation in flow.evaluations:
            if evaluation.split in flow.validation_splits or _validation(evaluation):
                continue
            by_split.setdefault(evaluation.split, []).append(evaluation)
        for split, evaluations in by_split.items():
            candidates = _candidates(evaluations)
            if len(candidates) < 2:
                continue
            earlier, second = candidates[0][0], candidates[1][0]
            models = [group[0].obj for group in candidates]
            labels = ", ".join(dict.fromkeys(m.label for m in models))
            count = f"{len(models)} models" if len(models) > 2 or models[0].label != models[1].label else "a model under several settings"
            at = place(second.node, second.site, split.site)
            self.report(at, f"the test part of the split at {self.ctx.where(split.node)} scores {count} ({labels}): "
                                   f"choosing between them on it makes the winner's test score optimistic; compare on a "
                                   f"validation split or by cross-validation and evaluate the chosen model once",
                        related=[(split.node, "the test part comes from this split"),
                                 (place(earlier.node, earlier.site, split.site), "the same test part scores another model here")])


def _candidates(evaluations: list[Evaluation]) -> list[list[Evaluation]]:
    """Evaluations grouped by model: one call's alternatives (a model built in ``if``/``else``) and
    repeated scoring of the same object are one candidate; distinct objects are distinct candidates."""
    by_execution: dict[int, list[Evaluation]] = {}
    for evaluation in evaluations:
        by_execution.setdefault(evaluation.execution, []).append(evaluation)
    groups: list[tuple[set[int], list[Evaluation]]] = []
    for members in by_execution.values():
        objs = {id(e.obj) for e in members}
        for seen, group in groups:
            if seen & objs:
                seen |= objs
                group.extend(members)
                break
        else:
            groups.append((objs, list(members)))
    return [group for _objs, group in groups]


def _validation(evaluation: Evaluation) -> bool:
    """Scored on data named like a validation part (``X_val``, ``valid_x``) rather than a test part."""
    data = evaluation.data
    name = getattr(data, "id", None) or getattr(data, "attr", None)
    return bool(name and VALIDATION_NAME.search(name) and "test" not in name.lower())
