"""ML0302 hardcoded-hyperparameter: literal numeric hyperparameters passed straight to a model,
optimizer, scheduler or trainer call (one finding per call site, listing the kwargs)."""

from __future__ import annotations

import ast

from mllint.analysis.dataflow import ScopeStates
from mllint.analysis.edits import RawFix
from mllint.analysis.params import move_to_params
from mllint.catalogue.rule import CodeRule, Example, FixExample
from mllint.knowledge.runtime import NameJudgements


class _Families(NameJudgements[dict | None]):
    """The hyperparameter families by exact callable, and by prefix (longest first), and which family a
    callee's name belongs to: made once per knowledge. The same callables recur in file after file, so each
    name is judged once (a pure function of the name and the knowledge: the memo changes no answer)."""

    def __init__(self, knowledge) -> None:
        super().__init__()
        self.exact: dict[str, dict] = {}
        prefixes: list[tuple[str, dict]] = []
        for spec in knowledge.get("hyperparameter_families", {}).values():
            for name in spec.get("callables", []):
                self.exact[name] = spec
            for prefix in spec.get("prefixes", []):
                prefixes.append((prefix, spec))
        self.prefixes = sorted(prefixes, key=lambda item: -len(item[0]))

    def judge(self, name: str) -> dict | None:
        spec = self.exact.get(name)
        if spec is not None:
            return spec
        last = name.rsplit(".", 1)[-1]
        for prefix, spec in self.prefixes:
            if name.startswith(prefix):
                if spec.get("classes_only") and not last[:1].isupper():
                    return None
                return spec
        return None


def _exemptions(knowledge) -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    """The exempt keywords, the words that exempt a keyword, the budget keywords: made once per knowledge."""
    return (frozenset(knowledge.get("hyperparameter_exempt", {}).get("kwargs", [])),
            tuple(knowledge.get("hyperparameter_exempt_words", {}).get("contains", [])),
            frozenset(knowledge.get("hyperparameter_budget", {}).get("kwargs", [])))


class HardcodedHyperparameter(CodeRule):
    code = "ML0302"
    name = "hardcoded-hyperparameter"
    factor = 3
    severity = "warning"
    summary = "Numeric hyperparameters are literals in a model/optimizer/trainer call instead of configuration."
    why = """
        Factor 3 (configuration separate from code): hyperparameters define the experiment. Written
        as `n_estimators=300` or `lr=1e-3` inside the training code they cannot be changed, swept
        or tracked without editing code, runs cannot be compared by their parameters (factor 10),
        and the value that produced a model is only recoverable from the exact commit.
    """
    how_to_fix = """
        Move the values to the project's parameters (e.g. `params.yaml`, a Hydra config) and pass
        them in: `RandomForestClassifier(**params["model"])` or
        `torch.optim.Adam(model.parameters(), lr=cfg.optim.lr)`. A module-level constant is still
        configuration inside code: move it to the params file. Seeds, `n_jobs`, `num_workers` and
        `verbose` are not hyperparameters and are never reported. A name counts as a constant only
        when it has one value: not a loop variable, not a function's local, and not a value of a
        notebook cell tagged `parameters` (papermill injects those).
    """
    violating = [
        Example("""
            from sklearn.ensemble import RandomForestClassifier
            model = RandomForestClassifier(n_estimators=300, max_depth=12, random_state=0, n_jobs=-1)
        """, lines=(2,), note="one finding listing n_estimators and max_depth"),
        Example("""
            import torch.optim as optim
            optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-5)
        """, note="module alias"),
        Example("""
            from transformers import TrainingArguments
            LEARNING_RATE = 2e-5
            args = TrainingArguments(output_dir="out", learning_rate=LEARNING_RATE, num_train_epochs=3)
        """, lines=(3,), note="a module constant is configuration in code; reported at the call"),
        Example("""
            from sklearn.ensemble import GradientBoostingRegressor
            gb = GradientBoostingRegressor(n_estimators=1, max_depth=4, warm_start=True)
            for n in range(1, 101):
                gb.set_params(n_estimators=n)
                gb.fit(X, y)
        """, lines=(2,), note="max_depth stays hardcoded; the warm-start loop sets only n_estimators"),
        Example(cells=("from sklearn.ensemble import RandomForestRegressor\nrf = RandomForestRegressor(n_estimators=10)\nrf.fit(X, y)",
                       "rf = RandomForestRegressor(n_estimators=1, warm_start=True)\nfor n in range(10, 201, 10):\n"
                       "    rf.n_estimators = n\n    rf.fit(X, y)"),
                path="trees.ipynb", lines=(2,),
                note="the first forest is trained with its 10 trees: the warm-start loop sets another object bound later to the name"),
        Example(cells=("from tensorflow import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])",
                       "model.compile(optimizer='adam', loss='mse')\nhistory = model.fit(X, y, epochs=20, batch_size=32)"),
                path="train.ipynb", note="Keras fit in a notebook"),
        Example("""
            import xgboost as xgb
            params = {"max_depth": 6, "eta": 0.1, "objective": "binary:logistic", "nthread": 4, "bagging_seed": 11}
            booster = xgb.train(params, dtrain, num_boost_round=200)
        """, lines=(3,), note="a literal parameter dict passed to xgb.train"),
        Example("""
            import lightgbm as lgb
            PARAMS = {"num_leaves": 31, "learning_rate": 0.05, "verbosity": -1, "bagging_seed": 3}
            def fit(train_set):
                return lgb.train(PARAMS, train_set, 1000)
        """, lines=(4,), note="a module-level dict used in a function; positional rounds"),
        Example("""
            import pytorch_lightning as pl
            trainer = pl.Trainer(max_epochs=10, accelerator="gpu", devices=1)
        """, note="pytorch_lightning resolves to lightning.pytorch"),
        Example("""
            import torch
            opt = torch.optim.SGD(net.parameters(), 0.01, momentum=0.9)
            sched = torch.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
        """, lines=(2, 3), note="positional learning rate; scheduler arguments"),
    ]
    compliant = [
        Example("""
            from sklearn.ensemble import RandomForestRegressor
            rf = RandomForestRegressor(n_estimators=10, warm_start=True, random_state=1)
            for n in range(10, cfg.max_trees + 1, 10):
                rf.n_estimators = n
                rf.fit(X_train, y_train)
        """, note="a warm-start placeholder: the number of trees trained is set on the object afterwards"),
        Example(cells=("from sklearn.svm import SVC\ngamma = 0.3",
                       "for gamma, C in [(0.1, 1), (5, 1000)]:\n    clf = SVC(kernel='rbf', gamma=gamma, C=C)\n    clf.fit(X, y)"),
                path="svm.ipynb", note="a loop variable is not the constant another cell assigned"),
        Example("""
            from torch.optim import Adam
            lr = 0.001
            def make_optimizer(model, cfg):
                lr = cfg.optim.lr
                return Adam(model.parameters(), lr=lr)
        """, note="a local of the function shadows the module constant"),
        Example("""
            from sklearn.ensemble import RandomForestClassifier
            model = RandomForestClassifier(**params["model"], random_state=params["seed"])
            other = RandomForestClassifier(n_estimators=cfg.model.n_estimators, max_depth=cfg.model.max_depth)
        """, note="read from configuration"),
        Example("""
            import argparse
            import torch
            parser = argparse.ArgumentParser()
            parser.add_argument("--lr", type=float, default=1e-3)
            args = parser.parse_args()
            optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
        """, note="argparse defaults are configuration"),
        Example("""
            import torch
            from torch import nn
            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(128, 64)
                    self.drop = nn.Dropout(0.5)
            def make_optimizer(model, lr=1e-3):
                return torch.optim.Adam(model.parameters(), lr=lr)
        """, note="layer sizes and default values of function parameters"),
        Example("""
            from sklearn.linear_model import LogisticRegression
            from sklearn.ensemble import RandomForestClassifier
            clf = LogisticRegression(solver="liblinear", fit_intercept=False, random_state=42)
            rf = RandomForestClassifier(n_jobs=-1, verbose=1, random_state=0)
            lr = LogisticRegression(max_iter=1000)
        """, note="strings, booleans, seeds, parallelism and a lone solver budget are not hyperparameters"),
        Example("""
            from sklearn.ensemble import RandomForestClassifier
            def test_forest_fits():
                model = RandomForestClassifier(n_estimators=5, max_depth=2)
                model.fit([[0], [1]], [0, 1])
        """, path="tests/test_model.py", note="test files use small literal models"),
        Example("""
            class Trainer:
                def __init__(self, max_epochs):
                    self.max_epochs = max_epochs
            trainer = Trainer(max_epochs=10)
            clf.fit(X, y, epochs=5)
        """, note="a local class of the same name; fit(epochs=) without Keras imported"),
        Example(cells=("import xgboost as xgb\nparams = yaml.safe_load(open('params.yaml'))['xgb']",
                       "booster = xgb.train(params, dtrain, num_boost_round=params['rounds'])"),
                path="train.ipynb", note="parameter dict loaded from a file"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        knowledge = ctx.knowledge
        self.exempt, self.exempt_words, self.budget = knowledge.derived(_exemptions)
        self.families: _Families = knowledge.derived(_Families)
        self.methods: dict[str, dict] = knowledge.get("hyperparameter_methods", {})
        self.param_dicts: dict[str, dict] = knowledge.get("hyperparameter_param_dicts", {})
        self.dicts: ScopeStates[dict[str, ast.Dict]] = ScopeStates(dict)
        self.active = not ctx.is_test
        self.idle = not self.active  # a test file: nothing of it is visited
        self._in_arguments = 0  # inside a signature (``arguments`` nodes being traversed): parameter defaults
        #: findings of calls bound to a name, judged in finish with the hyperparameters set on the object
        #: afterwards (``rf.n_estimators = n``, ``rf.set_params(...)``) while the name still holds it
        self._pending: list[tuple[ast.Call, str, list[str], set[str]]] = []
        self._built: dict[str, set[str]] = {}  # name -> what is set on the object it holds (a pending call's)

    # -- literal dicts bound to names (for xgb.train(params, ...)) ------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        if not self.active:
            return
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._built.pop(target.id, None)  # a new binding: what is set on this name now is set on it
            elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                self._set_later(target.value.id, target.attr)  # `rf.n_estimators = n`
        if not self.param_dicts:
            return
        bound = self.dicts.current(self.ctx)
        for target in node.targets:
            if isinstance(target, ast.Name):
                if isinstance(node.value, ast.Dict):
                    bound[target.id] = node.value
                else:
                    bound.pop(target.id, None)

    def leave_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.dicts.pop(node)

    leave_AsyncFunctionDef = leave_FunctionDef

    # -- calls ------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        if not self.active or self._in_parameter_default():
            return
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "set_params" and isinstance(func.value, ast.Name):
            for keyword in node.keywords:
                if keyword.arg is not None:
                    self._set_later(func.value.id, keyword.arg)
        name = self.ctx.call_name(node)
        if name is not None:
            spec = self.families.of(name)
            if spec is not None:
                self._check(node, spec)
                return
            dict_spec = self.param_dicts.get(name)
            if dict_spec is not None:
                self._check_param_dict(node, dict_spec)
                return
        if name is None and isinstance(node.func, ast.Attribute):
            spec = self.methods.get(node.func.attr)
            if spec is not None and self.ctx.imports_any(spec.get("requires_import", ())):
                self._check(node, spec)

    def visit_arguments(self, node: ast.arguments) -> None:
        self._in_arguments += 1

    def leave_arguments(self, node: ast.arguments) -> None:
        self._in_arguments -= 1

    def _in_parameter_default(self) -> bool:
        return self._in_arguments > 0

    def _literal(self, key: str, value: ast.AST, allowed) -> str | None:
        if key in self.exempt or (allowed is not None and key not in allowed):
            return None
        if allowed is None and any(word in key for word in self.exempt_words):
            return None
        is_literal, literal, constant = self.ctx.constant(value)
        if not is_literal or not _numeric(literal):
            return None
        return f"{key}={ast.unparse(value)}" if constant is None else f"{key}={constant} (= {literal!r})"

    def _check(self, node: ast.Call, spec: dict) -> None:
        allowed = spec.get("kwargs")
        hits = []
        positional = spec.get("positional", [])
        for index, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                break
            if index < len(positional) and positional[index] not in ("params", "optimizer"):
                hit = self._literal(positional[index], arg, allowed)
                if hit:
                    hits.append(hit)
        for keyword in node.keywords:
            if keyword.arg is not None:
                hit = self._literal(keyword.arg, keyword.value, allowed)
                if hit:
                    hits.append(hit)
        if hits:  # the callee as shown (unparsed) only for a finding
            self._report(node, _label(node), hits)

    def _check_param_dict(self, node: ast.Call, spec: dict) -> None:
        value = None
        position = spec.get("arg")
        if position is not None and len(node.args) > position and not any(isinstance(a, ast.Starred) for a in node.args[: position + 1]):
            value = node.args[position]
        for keyword in node.keywords:
            if keyword.arg == spec.get("kwarg"):
                value = keyword.value
        hits = []
        if isinstance(value, ast.Name):
            shown = value.id
            value = self.dicts.current(self.ctx).get(value.id) or self.dicts.module.get(value.id)
        else:
            shown = "params"
        if isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    hit = self._literal(key.value, item, None)
                    if hit:
                        hits.append(f"{shown}[{key.value!r}]={hit.split('=', 1)[1]}")
        extra = spec.get("kwargs", ())
        for index, (arg, param) in enumerate(zip(node.args, spec.get("positional", ()))):
            if isinstance(arg, ast.Starred):
                break
            if param in extra:
                hit = self._literal(param, arg, None)
                if hit:
                    hits.append(hit)
        for keyword in node.keywords:
            if keyword.arg in extra:
                hit = self._literal(keyword.arg, keyword.value, None)
                if hit:
                    hits.append(hit)
        if hits:  # the callee as shown (unparsed) only for a finding
            self._report(node, _label(node), hits)

    def _report(self, node: ast.Call, label: str, hits: list[str]) -> None:
        parent = self.ctx.parent
        if (isinstance(parent, ast.Assign) and parent.value is node and len(parent.targets) == 1
                and isinstance(parent.targets[0], ast.Name)):
            later: set[str] = set()
            self._built[parent.targets[0].id] = later
            self._pending.append((node, label, hits, later))  # `rf = RandomForest(...)`: judged in finish
            return
        self._report_now(node, label, hits)

    def _set_later(self, name: str, attribute: str) -> None:
        later = self._built.get(name)
        if later is not None:
            later.add(attribute)

    def finish(self) -> None:
        """Report the calls bound to a name, but for the hyperparameters the code sets on the object afterwards
        (a warm-start loop's ``rf.n_estimators = n``): the constructor's value is a placeholder there."""
        for node, label, hits, later in self._pending:
            kept = [hit for hit in hits if hit.split("=", 1)[0] not in later]
            if kept:
                self._report_now(node, label, kept)

    def _report_now(self, node: ast.Call, label: str, hits: list[str]) -> None:
        if all(hit.split("=", 1)[0] in self.budget for hit in hits):
            return
        shown = ", ".join(hits[:6]) + (f" and {len(hits) - 6} more" if len(hits) > 6 else "")
        move = move_to_params(node, label, {hit.split("=", 1)[0] for hit in hits}, self.ctx.params_reference(), self.ctx.params)
        fix = RawFix("unsafe", f"move {', '.join(move.moved)} into the params file under `{label}:` and read them from there "
                               "(unsafe: the values then come from configuration)", move.edits, move.params_edits) if move else None
        self.report(node, f"hardcoded hyperparameters in {label}(): {shown}; read them from configuration (e.g. params.yaml)", fix=fix)

    fixes = [
        FixExample("""
            import yaml
            from sklearn.ensemble import RandomForestClassifier
            params = yaml.safe_load(open("params.yaml"))
            model = RandomForestClassifier(n_estimators=300, max_depth=12, random_state=params["seed"])
        ""","""
            import yaml
            from sklearn.ensemble import RandomForestClassifier
            params = yaml.safe_load(open("params.yaml"))
            model = RandomForestClassifier(n_estimators=params["RandomForestClassifier"]["n_estimators"], max_depth=params["RandomForestClassifier"]["max_depth"], random_state=params["seed"])
        """, unsafe=True, files={"params.yaml": "seed: 42\n"},
                   files_after={"params.yaml": "seed: 42\n# moved here by `mllint check --fix --unsafe-fixes`\nRandomForestClassifier:\n  n_estimators: 300\n  max_depth: 12\n"},
                   note="the file loads params.yaml; `RandomForestClassifier: {n_estimators: 300, max_depth: 12}` is appended to it"),
    ]


def _label(node: ast.Call) -> str:
    shown = ast.unparse(node.func)
    return shown if len(shown) <= 40 else shown.rsplit(".", 1)[-1]


def _numeric(value) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, list):
        return bool(value) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    return False
