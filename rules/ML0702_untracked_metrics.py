"""ML0702 untracked-metrics: evaluation metrics computed and only printed, never logged or written."""

from __future__ import annotations

import ast

from mllint.analysis.dataflow import ScopeStates, names_bound
from mllint.catalogue.rule import CodeRule, Example

#: Calls that only reshape or format a value on its way to print(): the value is still "just printed".
MAX_LABELS = 5
FORMATTERS = {"round", "float", "int", "str", "format", "abs", "repr"}
FORMAT_METHODS = {"format", "item", "mean", "std", "round", "tolist", "numpy", "cpu", "detach", "__format__", "min", "max", "sum"}


class _Scope:
    def __init__(self) -> None:
        self.names: dict[str, list[int]] = {}  # name -> ids of metric calls it holds
        self.objects: set[str] = set()  # names bound to metric objects (evaluate.load(...))


class UntrackedMetrics(CodeRule):
    code = "ML0702"
    name = "untracked-metrics"
    factor = 7
    severity = "warning"
    summary = "Evaluation metrics are computed and only printed; the module never logs or saves them."
    why = """
        Factor 7 (tracking of results): a metric that only goes to stdout is lost when the
        terminal closes. Nobody can compare this run with the last one, tie a model to its score,
        or notice a regression; `dvc metrics diff` and experiment trackers have nothing to show.
    """
    how_to_fix = """
        Log metrics where runs are compared: `mlflow.log_metric("f1", f1)`, `wandb.log(...)`,
        `dvclive.Live().log_metric(...)`, or write them to a tracked file
        (`json.dump(metrics, open("metrics.json", "w"))`, declared as `metrics:` in dvc.yaml).
        Returning the metrics to a caller that logs them is fine too, and so are framework metadata
        APIs (ZenML `log_metadata`, Lightning `self.log`, Hugging Face `trainer.save_metrics`,
        Keras `CSVLogger`/`TensorBoard` callbacks). One finding per module names the metrics it
        only prints.
    """
    violating = [
        Example("""
            from sklearn.metrics import accuracy_score, f1_score
            pred = model.predict(X_test)
            print("accuracy", accuracy_score(y_test, pred))
            f1 = f1_score(y_test, pred)
            print(f"f1={f1:.3f}")
        """, lines=(3,), note="one finding for the module, naming both metrics"),
        Example("""
            import sklearn.metrics as skm
            import logging
            logger = logging.getLogger(__name__)
            def evaluate(model, X, y):
                report = skm.classification_report(y, model.predict(X))
                logger.info("report:\\n%s", report)
        """, lines=(5,), note="module alias; logger.info is printing"),
        Example(cells=("from sklearn.metrics import mean_squared_error",
                       "mse = mean_squared_error(y_val, model.predict(X_val))\nmse"),
                path="eval.ipynb", note="displayed in a notebook"),
        Example("""
            import evaluate
            metric = evaluate.load("accuracy")
            result = metric.compute(predictions=preds, references=labels)
            print(result)
        """, lines=(3,), note="Hugging Face evaluate"),
        Example(cells=("from tensorflow import keras\nmodel = keras.models.load_model('model.keras')",
                       "loss, acc = model.evaluate(X_test, y_test)\nprint(f'test accuracy {acc:.3f}')"),
                path="evaluate.ipynb", note="Keras evaluate() in a notebook"),
        Example("""
            from sklearn.model_selection import cross_val_score
            import joblib
            scores = cross_val_score(model, X, y, cv=5)
            print("cv accuracy: %.3f" % scores.mean())
            joblib.dump(model, "model.pkl")
        """, lines=(3,), note="persisting the model is not recording its metrics"),
        Example(cells=("import pandas as pd\nfrom sklearn.metrics import accuracy_score",
                       "acc = accuracy_score(y_val, clf.predict(X_val))\nprint(acc)",
                       ("submission = pd.DataFrame({'id': ids, 'target': clf.predict(X_test)})\n"
                        "submission.to_csv('submission.csv', index=False)")),
                path="kaggle.ipynb", note="writing the predictions is not writing the metric"),
        Example("""
            from sklearn.metrics import f1_score
            result = test_df[["id"]].assign(label=model.predict(X_test))
            print("f1", f1_score(y_val, model.predict(X_val)))
            result.to_csv("predictions.csv", index=False)
        """, lines=(3,), note="the file name says what is written, not the variable name"),
    ]
    compliant = [
        Example("""
            from sklearn.metrics import confusion_matrix, roc_auc_score
            from zenml import log_metadata, step
            @step
            def evaluate_model(model, X_test, y_test) -> dict:
                cm = confusion_matrix(y_test, model.predict(X_test))
                auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
                print(cm)
                log_metadata(metadata={"auc": auc, "tn": int(cm[0, 0])})
                return {"auc": auc}
        """, note="a framework metadata API (ZenML log_metadata) records them"),
        Example("""
            import tensorflow as tf
            def evaluate(estimator, input_fn):
                eval_results = estimator.evaluate(input_fn=input_fn, steps=None)
                tf.compat.v1.logging.info("Eval results: %s", eval_results)
        """, note="a TensorFlow Estimator writes its eval summaries itself"),
        Example(cells=("import matplotlib.pyplot as plt\nfrom sklearn.metrics import ConfusionMatrixDisplay",
                       "ConfusionMatrixDisplay.from_predictions(y_train, y_pred)\nplt.show()"),
                path="classification.ipynb", note="a confusion-matrix plot is not a metric value"),
        Example("""
            from transformers import Trainer
            metrics = trainer.evaluate()
            print(metrics)
            trainer.save_metrics("eval", metrics)
        """, note="Hugging Face Trainer writes them (save_metrics)"),
        Example("""
            import mlflow
            from sklearn.metrics import accuracy_score
            acc = accuracy_score(y_test, pred)
            print(acc)
            mlflow.log_metric("accuracy", acc)
        """, note="logged to a tracker"),
        Example("""
            import json
            from sklearn.metrics import accuracy_score, f1_score
            metrics = {"accuracy": accuracy_score(y_test, pred), "f1": f1_score(y_test, pred)}
            print(metrics)
            with open("metrics.json", "w") as fh:
                json.dump(metrics, fh)
        """, note="written to a metrics file"),
        Example("""
            from sklearn.metrics import roc_auc_score
            def evaluate(model, X, y):
                auc = roc_auc_score(y, model.predict_proba(X)[:, 1])
                print("auc", auc)
                return {"auc": auc}
        """, note="returned to the caller"),
        Example(cells=("from sklearn.metrics import accuracy_score\nfrom dvclive import Live",
                       "with Live() as live:\n    live.log_metric('acc', accuracy_score(y, p))"),
                path="eval.ipynb", note="dvclive in a notebook"),
        Example("""
            from sklearn.metrics import accuracy_score
            def test_model_is_accurate():
                acc = accuracy_score([1, 0], [1, 0])
                print(acc)
                assert acc == 1.0
        """, path="tests/test_model.py", note="test files"),
        Example("""
            from sklearn.metrics import pairwise_distances, make_scorer, f1_score
            print(pairwise_distances(X).shape)
            scorer = make_scorer(f1_score)
            print(scorer)
        """, note="distances and scorer factories are not metrics"),
        Example("""
            from sklearn.metrics import accuracy_score
            scores = []
            for fold in folds:
                scores.append(accuracy_score(fold.y, fold.pred))
            print(scores)
        """, note="collected for further use, not only printed"),
        Example("""
            import logging
            from sklearn.metrics import f1_score
            logging.basicConfig(filename="train.log", level=logging.INFO)
            logging.info("f1 %.3f", f1_score(y, p))
        """, note="logged to a file"),
        Example("""
            from sklearn.metrics import accuracy_score
            from .reporting import save_results
            acc = accuracy_score(y, p)
            print(acc)
            save_results({"accuracy": acc}, out_dir)
        """, note="a project helper records the results"),
        Example("""
            import pandas as pd
            from sklearn.metrics import classification_report
            print(classification_report(y_test, pred))
            report = pd.DataFrame(classification_report(y_test, pred, output_dict=True))
            report.to_csv("report.csv")
        """, note="a results table is written to a file"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        tables = ctx.knowledge.derived(_Tables)
        self.prefixes = tables.prefixes
        self.callables = tables.callables
        self.exclude = tables.exclude
        self.object_makers = tables.object_makers
        self.object_methods = tables.object_methods
        self.methods = tables.methods
        self.self_recording = tables.self_recording
        self.printers = tables.printers
        self.print_methods = tables.print_methods
        self.print_receivers = tables.print_receivers
        self.tracker_modules = tables.tracker_modules
        self.tracker_methods = tables.tracker_methods
        self.self_methods = tables.self_methods
        self.helper_verbs = tables.helper_verbs
        self.helper_nouns = tables.helper_nouns
        self.writer_calls = tables.writer_calls
        self.writer_methods = tables.writer_methods
        self.data_writer_methods = tables.data_writer_methods
        self.result_words = tables.result_words
        # A file that imports a tracker is never reported (finish): known before the traversal when the
        # pre-scan saw every import, and then nothing is followed.
        self.active = not ctx.is_test and not (ctx.imports_complete and ctx.imports_any(self.tracker_modules))
        self.idle = not self.active  # then no handler of this rule is called
        self.recorded = False
        self.scopes: ScopeStates[_Scope] = ScopeStates(_Scope)
        self.held: set[str] = set()  # every name that ever held a metric, in any scope (a cheap first test)
        self._recording_words: dict[str, bool] = {}  # callee's last name -> a recording helper's?
        self._recording_names: dict[str, bool] = {}  # resolved callee -> a writer's or a tracker's?
        self.metrics: dict[int, tuple[ast.Call, str]] = {}
        self.printed: set[int] = set()
        self.escaped: set[int] = set()

    # -- traversal ---------------------------------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        if not self.active:
            return
        scope = self.scopes.current(self.ctx)
        for target in node.targets:
            for name in names_bound(target):
                scope.names.pop(name, None)
                scope.objects.discard(name)
        if isinstance(node.value, ast.Call) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            made = self.ctx.call_name(node.value)
            if made and any(made == m or (m.endswith(".") and made.startswith(m)) for m in self.object_makers):
                scope.objects.add(node.targets[0].id)

    def leave_FunctionDef(self, node) -> None:
        self.scopes.pop(node)

    leave_AsyncFunctionDef = leave_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        if not self.active or self.recorded:
            return
        name = self.ctx.call_name(node)
        if self._is_printer(node, name):
            return
        if self._records(node, name):
            self.recorded = True
            return
        label = self._metric_label(node, name)
        if label is not None:
            key = id(node)
            self.metrics[key] = (node, label)
            self._classify([key], node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id not in self.held or not self.active or self.recorded or not isinstance(node.ctx, ast.Load):
            return
        held = self.scopes.current(self.ctx).names.get(node.id)
        if held:
            self._classify(held, node)

    # -- what a call is ----------------------------------------------------------------------
    def _is_printer(self, node: ast.Call, name: str | None) -> bool:
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.printers and func.id not in self.ctx.imports:
            return True
        if name is not None and (name in self.printers or (name.startswith("logging.") and name.rsplit(".", 1)[-1] in self.print_methods)):
            return True
        if isinstance(func, ast.Attribute) and func.attr in self.print_methods:
            receiver = func.value
            label = receiver.id if isinstance(receiver, ast.Name) else receiver.attr if isinstance(receiver, ast.Attribute) else None
            return label in self.print_receivers
        return False

    def _records(self, node: ast.Call, name: str | None) -> bool:
        func = node.func
        last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        recording = self._recording_words.get(last)
        if recording is None:  # the same names are called again and again: each judged once
            lowered = last.lower()
            recording = self._recording_words[last] = lowered in self.tracker_methods or (
                any(v in lowered for v in self.helper_verbs) and any(n in lowered for n in self.helper_nouns))
        if recording:
            return True  # log_metrics(...), utils.save_results(...): a project helper records them
        if name is not None:
            if name == "logging.basicConfig":  # a log file keeps what logger.info() shows
                return any(keyword.arg == "filename" for keyword in node.keywords)
            tracked = self._recording_names.get(name)
            if tracked is None:
                tracked = self._recording_names[name] = name in self.writer_calls or any(
                    name == m or name.startswith(m + ".") for m in self.tracker_modules)
            return tracked
        if isinstance(func, ast.Attribute):
            if func.attr in self.tracker_methods or func.attr in self.writer_methods:
                return True
            if func.attr in self.data_writer_methods:
                return self._writes_results(node)
            if func.attr in self.self_methods and isinstance(func.value, ast.Name) and func.value.id == "self":
                return True
        return False

    def _writes_results(self, node: ast.Call) -> bool:
        """``scores.to_csv(...)``/``df.to_json("metrics.json")`` record results; ``submission.to_csv(...)`` does not."""
        words: list[str] = [ast.unparse(node.func.value)] if isinstance(node.func, ast.Attribute) else []
        paths: list[str] = []
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            for sub in ast.walk(arg):
                if isinstance(sub, ast.Name):
                    words.append(sub.id)
                elif isinstance(sub, ast.Attribute):
                    words.append(sub.attr)
                elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    (paths if "." in sub.value or "/" in sub.value else words).append(sub.value)
        # a literal file name is the best evidence: `result.to_csv("submission.csv")` writes predictions
        return any(w in text.lower() for text in (paths or words) for w in self.result_words)

    def _metric_label(self, node: ast.Call, name: str | None) -> str | None:
        if name is not None:
            last = name.rsplit(".", 1)[-1]
            if name in self.callables:
                return last
            if name.startswith(self.prefixes) and last not in self.exclude and last[:1].islower():
                return last
            return None
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr in self.object_methods and isinstance(func.value, ast.Name) and func.value.id in self.scopes.current(self.ctx).objects:
                return f"{func.value.id}.{func.attr}"
            if func.attr in self.methods and self.ctx.imports_any(self.methods[func.attr]):
                if any(keyword.arg in self.self_recording.get(func.attr, ()) for keyword in node.keywords):
                    return None  # estimator.evaluate(input_fn=...): the framework writes the results
                return "." + func.attr
        return None

    # -- where a metric value goes -----------------------------------------------------------
    def _classify(self, keys: list[int], node: ast.AST) -> None:
        parents = self.ctx.parents
        child = node
        for parent in reversed(parents[:-1]):
            if isinstance(parent, ast.Call) and child is not parent.func:
                if self._is_printer(parent, self.ctx.call_name(parent)):
                    self.printed.update(keys)
                    return
                if not self._formats(parent):
                    self.escaped.update(keys)
                    return
            elif isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                if child is getattr(parent, "value", None):
                    scope = self.scopes.current(self.ctx)
                    targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                    for target in targets:
                        for bound in names_bound(target):
                            scope.names.setdefault(bound, []).extend(keys)
                            self.held.add(bound)
                else:
                    self.escaped.update(keys)
                return
            elif isinstance(parent, ast.Expr):
                if self.ctx.is_notebook and child is parent.value and self._is_module_level():
                    self.printed.update(keys)  # the cell displays it
                return
            elif isinstance(parent, (ast.stmt, ast.Lambda, ast.comprehension)):
                self.escaped.update(keys)
                return
            child = parent

    def _formats(self, call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Name):
            return func.id in FORMATTERS
        if isinstance(func, ast.Attribute):
            return func.attr in FORMAT_METHODS
        return False

    def _is_module_level(self) -> bool:
        return not self.ctx.scopes

    # -- judgement -----------------------------------------------------------------------------
    def finish(self) -> None:
        if not self.active or self.recorded or not self.metrics:
            return
        if self.ctx.imports_any(self.tracker_modules):
            return
        printed = [(node, label) for key, (node, label) in self.metrics.items() if key in self.printed and key not in self.escaped]
        if not printed:
            return
        labels = list(dict.fromkeys(f"{label}()" for _node, label in printed))  # one finding per module
        node = min((node for node, _label in printed), key=lambda n: (n.lineno, n.col_offset))
        shown = ", ".join(labels[:MAX_LABELS]) + (f" and {len(labels) - MAX_LABELS} more" if len(labels) > MAX_LABELS else "")
        where = f" ({len(printed)} places)" if len(printed) > 1 else ""
        what = f"metric {shown} is" if len(labels) == 1 else f"metrics {shown} are"
        self.report(node, f"{what} computed and only printed{where}: this module never logs them to a tracker or writes "
                          "them to a file; record them (e.g. mlflow.log_metric, dvclive, metrics.json)")


class _Tables:
    """The metrics tables as the visitor reads them: made once per knowledge, shared by every file's rule."""

    def __init__(self, knowledge) -> None:
        spec = knowledge.get("metrics_functions", {})
        self.prefixes = tuple(spec.get("prefixes", ()))
        self.callables = frozenset(spec.get("callables", ()))
        self.exclude = frozenset(spec.get("exclude", ()))
        self.object_makers = tuple(spec.get("metric_objects", ()))
        self.object_methods = frozenset(spec.get("metric_object_methods", ()))
        self.methods: dict[str, list] = spec.get("methods", {})
        self.self_recording: dict[str, list] = spec.get("self_recording", {})
        printers = knowledge.get("metrics_printers", {})
        self.printers = frozenset(printers.get("callables", ()))
        self.print_methods = frozenset(printers.get("methods", ()))
        self.print_receivers = frozenset(printers.get("method_receivers", ()))
        trackers = knowledge.get("metrics_trackers", {})
        self.tracker_modules = trackers.get("modules", ())
        self.tracker_methods = frozenset(trackers.get("methods", ()))
        self.self_methods = frozenset(trackers.get("self_methods", ()))
        self.helper_verbs = tuple(trackers.get("helper_verbs", ()))
        self.helper_nouns = tuple(trackers.get("helper_nouns", ()))
        writers = knowledge.get("metrics_file_writers", {})
        self.writer_calls = frozenset(writers.get("callables", ()))
        self.writer_methods = frozenset(writers.get("methods", ()))
        self.data_writer_methods = frozenset(writers.get("data_methods", ()))
        self.result_words = tuple(w.lower() for w in writers.get("result_words", ()))
