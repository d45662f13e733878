"""ML1401 unsafe-deserialization: loading a model or data file in a way that runs code stored in it."""

from __future__ import annotations

import ast
import fnmatch
import re
from functools import lru_cache

from mllint.analysis.children import child_nodes, walk_nodes
from mllint.analysis.dataflow import ScopeStates, names_bound
from mllint.analysis.edits import RawFix, add_keyword, remove_argument, replace
from mllint.catalogue.rule import CodeRule, Example, FixExample
from mllint.repo.floors import meets

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class UnsafeDeserialization(CodeRule):
    code = "ML1401"
    name = "unsafe-deserialization"
    factor = 14
    severity = "warning"
    summary = "A model or data file is loaded with pickle (torch.load, yaml.load, np.load(allow_pickle=True), or pickle/joblib on untrusted bytes)."
    why = """
        Pickle runs code: a checkpoint, a joblib model or a YAML file can carry instructions that
        execute the moment it is loaded, with the rights of the training job or the model server.
        Model files are shared like data -- downloaded from a hub, a bucket, a colleague -- so loading
        them is running someone else's program. `torch.load` without `weights_only=True`,
        `yaml.load` without a safe loader and `np.load(..., allow_pickle=True)` unpickle every file;
        `pickle`/`joblib`/`dill` have no safe mode at all and are reported where the bytes come from
        outside the repository (a download, a request) or where the code serves requests.
    """
    how_to_fix = """
        `torch.load(path, weights_only=True)` (save `state_dict()`s, not whole models);
        `yaml.safe_load(f)`; keep `np.load`'s default `allow_pickle=False`. For models that must be
        pickled, use a format that cannot run code (safetensors, ONNX, skops for scikit-learn), or
        verify a checksum or signature of the file before loading it. `--fix` adds
        `weights_only=True` and turns `yaml.load(f)` into `yaml.safe_load(f)` where that is proven
        not to change what loads (see the fixes below).
    """
    violating = [
        Example("""
            import torch
            model.load_state_dict(torch.load("m.pt"))
        """, lines=(2,)),
        Example("""
            import yaml
            with open("config.yaml") as f:
                config = yaml.load(f)
        """, note="PyYAML's load without a Loader"),
        Example("""
            import yaml
            config = yaml.load(open("c.yaml"), Loader=yaml.FullLoader)
        """, note="FullLoader still builds Python objects"),
        Example("""
            import numpy as np
            arrays = np.load("features.npy", allow_pickle=True)
        """),
        Example("""
            import joblib
            import requests
            from io import BytesIO
            response = requests.get(MODEL_URL)
            model = joblib.load(BytesIO(response.content))
        """, note="a downloaded model"),
        Example("""
            import pickle
            from huggingface_hub import hf_hub_download
            path = hf_hub_download("someone/model", "model.pkl")
            with open(path, "rb") as f:
                model = pickle.load(f)
        """, note="a file from a model hub, through a variable and an open file"),
        Example("""
            import pickle
            from fastapi import FastAPI
            app = FastAPI()
            model = pickle.load(open("model.pkl", "rb"))
        """, path="service.py", note="serving code"),
        Example("""
            import pickle
            with open("model.bin", "rb") as f_in:
                pipeline = pickle.load(f_in)
            def lambda_handler(event, context):
                return {"churn": float(pipeline.predict_proba([event["customer"]])[0, 1])}
        """, path="lambda_function.py", lines=(3,), note="an AWS Lambda handler serves each invocation"),
    ]
    compliant = [
        Example("""
            import torch
            state = torch.load("m.pt", weights_only=True, map_location="cpu")
        """),
        Example("""
            import yaml
            config = yaml.safe_load(open("config.yaml"))
            other = yaml.load(open("other.yaml"), Loader=yaml.SafeLoader)
        """),
        Example("""
            import joblib
            model = joblib.load("models/model.joblib")
        """, path="train.py", note="the project's own artifact, outside serving code"),
        Example("""
            import numpy as np
            arrays = np.load("features.npy")
        """),
        Example("""
            import hashlib
            import pickle
            from fastapi import FastAPI
            app = FastAPI()
            def load(path, digest):
                data = open(path, "rb").read()
                if hashlib.sha256(data).hexdigest() != digest:
                    raise ValueError("model file changed")
                return pickle.loads(data)
        """, path="service.py", note="verified against a checksum before loading"),
        Example("""
            def load(path):
                import torch
                return torch.load(path, **kwargs)
        """, note="keywords passed through: not judged"),
    ]
    fixes = [
        FixExample("""
            import torch
            model.load_state_dict(torch.load("m.pt"))
        ""","""
            import torch
            model.load_state_dict(torch.load("m.pt", weights_only=True))
        """, note="a state dict: weights_only=True loads the same tensors"),
        FixExample("""
            import yaml
            with open("config.yaml") as f:
                config = yaml.load(f)
        ""","""
            import yaml
            with open("config.yaml") as f:
                config = yaml.safe_load(f)
        """, note="PyYAML 6 refuses load() without a Loader; PyYAML 5's default built plain YAML the same way"),
        FixExample("""
            import torch
            checkpoint = torch.load(path, map_location="cpu")
        ""","""
            import torch
            checkpoint = torch.load(path, map_location="cpu", weights_only=True)
        """, unsafe=True, note="unsafe: a checkpoint holding more than tensors and plain containers no longer loads"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        tables = ctx.knowledge.derived(_Tables)
        table = tables.table
        self.flag_required = tables.flag_required
        self.flag_opt_in = tables.flag_opt_in
        self.yaml_loads = tables.yaml_loads
        self.yaml_unsafe = tables.yaml_unsafe
        self.safe_loaders = tables.safe_loaders
        self.unsafe_loaders = tables.unsafe_loaders
        self.pickle_loads = tables.pickle_loads
        self._untrusted = tables.untrusted
        self._verifying = tables.verifying
        self._untrusted_seen: dict[str, bool] = {}
        self.untrusted_methods = tables.untrusted_methods
        self.untrusted_types = tables.untrusted_types
        self._tables = tables
        self._judged = tables.judged
        self._serving: bool | None = None  # computed on the first pickle load (a walk of the module)
        self.taint: ScopeStates[dict[str, str]] = ScopeStates(dict)
        anchors = table.get("pickle_anchors", [])
        #: Whether values are followed at all: only where a pickle load can occur (its name is in the text,
        #: in any case). The lowered text searched for each word (a substring search in C) costs a tenth
        #: of one regular expression of the alternatives, which tries every position of the file.
        lowered = ctx.source.lower() if anchors else ""
        self.follows = not anchors or any(anchor.lower() in lowered for anchor in anchors)
        self._pending: ast.AST | None = None

    # -- where untrusted bytes come from --------------------------------------------------------
    def _untrusted_name(self, name: str | None) -> bool:
        if not name:
            return False
        found = self._untrusted_seen.get(name)
        if found is None:
            found = self._untrusted_seen[name] = self._untrusted.fullmatch(name) is not None
        return found

    def _source(self, expr: ast.AST | None, state: dict[str, str] | None = None) -> str | None:
        """What untrusted input ``expr`` is computed from (a download, request data), or None. ``state``: the
        current scope's taint, when the caller has it already."""
        if expr is None:
            return None
        if state is None:
            state = self.taint.current(self.ctx)
        module = self.taint.module
        tainted = bool(state or module)  # no name holds untrusted data yet: names need no look-up
        ctx = self.ctx
        # ``walk_nodes`` inlined (the same breadth-first order: the first source found is the one shown),
        # without descending into names and constants, which have no child nodes. The values are nodes of
        # ``ast.parse``, which builds no subclasses: the classes are compared, not ``isinstance``-tested.
        todo = [expr]
        for node in todo:
            cls = node.__class__
            if cls is ast.Call:
                name = ctx.call_name(node)
                if self._untrusted_name(name):
                    return f"{name}()"
                func = node.func
                if func.__class__ is ast.Attribute and "." + func.attr in self.untrusted_methods:
                    return f".{func.attr}()"
            elif cls is ast.Attribute:
                name = ctx.qualname(node)
                if name and self._untrusted_name(name):
                    return name
            elif cls is ast.Name:
                if tainted and node.ctx.__class__ is ast.Load:
                    found = state.get(node.id) or module.get(node.id)
                    if found:
                        return found
                continue
            elif cls is ast.Constant:
                continue
            todo.extend(child_nodes(node))
        return None

    def _bind(self, targets: list[ast.AST], value: ast.AST | None) -> None:
        if not self.follows:
            return
        state = self.taint.current(self.ctx)
        source = self._source(value, state)
        if source:
            for target in targets:
                for name in names_bound(target):
                    state[name] = source
        elif state:  # nothing to forget in an empty scope
            for target in targets:
                for name in names_bound(target):
                    state.pop(name, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._bind(list(node.targets), node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._bind([node.target], node.value)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind([item.optional_vars], item.context_expr)

    visit_AsyncWith = visit_With

    def visit_For(self, node: ast.For) -> None:
        self._bind([node.target], node.iter)

    def visit_FunctionDef(self, node: ast.AST) -> None:
        self._pending = node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_arguments(self, node: ast.arguments) -> None:
        function, self._pending = self._pending, None
        if not self.follows or function is None or getattr(function, "args", None) is not node:
            return
        state = self.taint.current(self.ctx)
        for arg in [*node.posonlyargs, *node.args, *node.kwonlyargs]:
            annotation = arg.annotation
            if annotation is None:
                continue
            names = {self.ctx.qualname(n) or getattr(n, "id", None) for n in walk_nodes(annotation) if isinstance(n, (ast.Name, ast.Attribute))}
            hit = names & self.untrusted_types
            if hit:
                state[arg.arg] = f"the request ({sorted(hit)[0]} argument `{arg.arg}`)"

    def leave_FunctionDef(self, node: ast.AST) -> None:
        self.taint.pop(node)

    leave_AsyncFunctionDef = leave_FunctionDef

    # -- the loads ---------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        name = self.ctx.call_name(node)
        if name is None or name not in self._judged:
            return  # not a load of any table (most calls): nothing below applies
        if any(k.arg is None for k in node.keywords):
            return  # **kwargs: the flag may be in there
        keywords = {k.arg: k.value for k in node.keywords}
        if name in self.flag_required:
            self._flag_required(node, name, keywords)
        elif name in self.flag_opt_in:
            entry = self.flag_opt_in[name]
            value = keywords.get(entry["keyword"])
            if isinstance(value, ast.Constant) and value.value is entry.get("unsafe", True):
                self.report(node, f"`{_short(name)}(..., {entry['keyword']}={value.value!r})` unpickles what it loads: a crafted "
                                  f"file runs code; keep the default, or store the data without Python objects")
        elif name in self.yaml_loads:
            self._yaml(node, name, keywords)
        elif name in self.yaml_unsafe:
            self.report(node, f"`{_short(name)}` builds arbitrary Python objects from the YAML: a crafted file runs code; "
                              "use yaml.safe_load", fix=self._rename_fix(node, unsafe=True))
        elif name in self.pickle_loads:
            self._pickle(node, name)

    def _flag_required(self, node: ast.Call, name: str, keywords: dict[str, ast.AST]) -> None:
        entry = self.flag_required[name]
        keyword = entry["keyword"]
        value = keywords.get(keyword)
        if value is not None and not (isinstance(value, ast.Constant) and value.value is not entry.get("safe", True)):
            return  # the safe literal, or a value mllint cannot judge
        if value is None and self._safe_by_default(entry):
            return  # the project requires a version whose default is safe
        note = f" ({entry['note']})" if entry.get("note") else ""
        parent = self.ctx.parent
        state_dict = isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute) \
            and parent.func.attr == "load_state_dict" and parent.args[:1] == [node]
        if value is None:
            edits = [add_keyword(node, keyword, "True", self.ctx.lines)]
        else:
            edits = [replace(value, "True")]
        if value is None and state_dict:
            fix = RawFix("safe", f"add `{keyword}=True` (a state dict loads the same with it)", edits)
        else:
            fix = RawFix("unsafe", f"set `{keyword}=True` (unsafe: a file holding more than tensors and plain containers "
                                   "no longer loads)", edits)
        shown = "without" if value is None else "with"
        flag = f"{keyword}=True" if value is None else f"{keyword}=False"
        self.report(node, f"`{_short(name)}` {shown} `{flag}` unpickles the file: a crafted checkpoint runs code when loaded; "
                          f"pass `{keyword}=True`{note}", fix=fix)

    def _safe_by_default(self, entry: dict) -> bool:
        """``safe_from = "torch 2.6"`` and the project's manifests require torch >= 2.6."""
        return meets(self.ctx.requirement_floors, str(entry.get("safe_from", ""))) is True

    def _yaml(self, node: ast.Call, name: str, keywords: dict[str, ast.AST]) -> None:
        loader = keywords.get("Loader", node.args[1] if len(node.args) > 1 else None)
        if loader is None:
            self.report(node, f"`{_short(name)}` without a Loader builds Python objects from the YAML (and PyYAML 6 refuses "
                              "it); use yaml.safe_load", fix=self._rename_fix(node, unsafe=False))
            return
        loader_name = self.ctx.qualname(loader)
        if loader_name in self.unsafe_loaders:
            self.report(node, f"`{_short(name)}` with `{_short(loader_name)}` builds Python objects from the YAML: a crafted "
                              "file runs code; use yaml.safe_load", fix=self._rename_fix(node, unsafe=True))

    def _rename_fix(self, node: ast.Call, unsafe: bool) -> RawFix | None:
        """``yaml.load(f)`` -> ``yaml.safe_load(f)``: only for ``<module>.load(...)`` of PyYAML."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and self.ctx.qualname(func.value) == "yaml"):
            return None
        target = "safe_load_all" if func.attr.endswith("_all") else "safe_load"
        edits = [replace(func, f"{func.value.id}.{target}")]
        loader = next((k for k in node.keywords if k.arg == "Loader"), node.args[1] if len(node.args) > 1 else None)
        if loader is not None:
            edits.append(remove_argument(node, loader, self.ctx.lines))
        if unsafe:
            return RawFix("unsafe", f"use `yaml.{target}` (unsafe: YAML tags for Python objects no longer load)", edits)
        return RawFix("safe", f"use `yaml.{target}`", edits)

    def _pickle(self, node: ast.Call, name: str) -> None:
        arguments = [*node.args, *(k.value for k in node.keywords)]
        for argument in arguments:
            source = self._source(argument)
            if source:
                self.report(node, f"`{_short(name)}` unpickles data that comes from {source}: whoever controls it runs code "
                                  "here; use a format that cannot carry code (safetensors, ONNX, skops) or verify a "
                                  "checksum first")
                return
        if self._serving is None:
            self._serving = not self.ctx.is_test and _serving(self.ctx, self._tables)
        if self._serving and not self._verified():
            self.report(node, f"`{_short(name)}` in serving code unpickles a file: whoever can replace it runs code in the "
                              "server; load a format that cannot carry code (ONNX, safetensors, skops) or verify its "
                              "checksum before loading")

    def _verified(self) -> bool:
        """Does the enclosing function (or the module) compute a checksum or check a signature?"""
        scope = self.ctx.enclosing_function() or self.ctx.tree
        for node in ast.walk(scope):
            if isinstance(node, ast.Call):
                if self._verifying.fullmatch(self.ctx.call_name(node) or "") is not None:
                    return True
        return False


class _Tables:
    """The deserialization knowledge as the visitor reads it: made once per run, shared by every file's rule."""

    def __init__(self, knowledge) -> None:
        self.table = table = knowledge.get("deserialization", {})
        self.flag_required = {item["call"]: item for item in table.get("flag_required", [])}
        self.flag_opt_in = {item["call"]: item for item in table.get("flag_opt_in", [])}
        self.yaml_loads = frozenset(table.get("yaml_loads", []))
        self.yaml_unsafe = frozenset(table.get("yaml_unsafe", []))
        self.safe_loaders = frozenset(table.get("safe_loaders", []))
        self.unsafe_loaders = frozenset(table.get("unsafe_loaders", []))
        self.pickle_loads = frozenset(table.get("pickle_loads", []))
        #: every call one of the tables above judges (the first test of ``visit_Call``)
        self.judged = frozenset(self.flag_required) | frozenset(self.flag_opt_in) | self.yaml_loads | self.yaml_unsafe | self.pickle_loads
        self.untrusted = _globs(tuple(table.get("untrusted_calls", [])))
        self.verifying = _globs(tuple(table.get("verification_calls", [])))
        self.untrusted_methods = frozenset(table.get("untrusted_methods", []))
        self.untrusted_types = frozenset(table.get("untrusted_types", []))
        self.serving_apps = frozenset(table.get("serving_apps", []))
        self.serving_decorators = frozenset(table.get("serving_decorators", []))
        self.serving_bases = frozenset(table.get("serving_bases", []))
        self.serving_handlers = frozenset(tuple(name.strip() for name in parameters.split(","))
                                          for parameters in table.get("serving_handler_parameters", []))


@lru_cache(maxsize=8)
def _globs(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled regular expression for a list of shell-style patterns (``requests.*``)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(pattern)})" for pattern in patterns) or "(?!)")


def _serving(ctx, tables: _Tables) -> bool:
    """Does the module serve requests: build a web app, declare an endpoint or a model-server handler?"""
    apps, decorators, bases, handlers = tables.serving_apps, tables.serving_decorators, tables.serving_bases, tables.serving_handlers
    if handlers and any(isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and tuple(arg.arg for arg in stmt.args.args) in handlers for stmt in ctx.tree.body):
        return True  # a serverless function's handler: the module serves each invocation
    if not (apps or decorators or bases):
        return False
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Call) and ctx.call_name(node) in apps:
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for decorator in node.decorator_list:
                func = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = ctx.qualname(func)
                if name in decorators or (name is None and isinstance(func, ast.Attribute) and "." + func.attr in decorators
                                          and isinstance(func.value, ast.Name) and func.value.id not in ctx.imports):
                    return True
            if isinstance(node, ast.ClassDef) and any(ctx.qualname(base) in bases for base in node.bases):
                return True
    return False


def _short(name: str) -> str:
    """``torch.load``, ``np.load`` (numpy shown as np), ``yaml.load``: the name as users write it."""
    return name.replace("numpy.", "np.", 1).replace("pandas.", "pd.", 1) if name.startswith(("numpy.", "pandas.")) else name
