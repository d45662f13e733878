"""Collecting a file's :class:`~mllint.core.facts.FileFacts` during the shared traversal.

The collector is a visitor like the code rules (it never reports); the facts it fills are cached
with the file's findings and reduced by the repository model (map/reduce).
"""

from __future__ import annotations

import ast
import re

from mllint.analysis.children import child_nodes
from mllint.analysis.context import FileContext
from mllint.core.facts import Definition, FileFacts, Returned


def _is_main_guard(stmt: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (either operand order)."""
    if not isinstance(stmt, ast.If) or not isinstance(stmt.test, ast.Compare) or len(stmt.test.comparators) != 1:
        return False
    sides = [stmt.test.left, stmt.test.comparators[0]]
    names = [side.id for side in sides if isinstance(side, ast.Name)]
    values = [side.value for side in sides if isinstance(side, ast.Constant)]
    return names == ["__name__"] and values == ["__main__"]


_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
#: ``if is_torch_xla_available():``, ``if _CAN_USE_KORNIA:``, ``if HAS_APEX:``: a feature/availability check.
_AVAILABILITY = re.compile(r"(?i)^(is_\w+_available|\w*_available|has_\w+|_?can_use_\w+|\w*_installed)$")


def _test_label(test: ast.AST) -> str:
    """The name an ``if`` tests: ``X``, ``mod.X``, ``X()``, ``not X`` (the last identifier)."""
    while isinstance(test, (ast.UnaryOp, ast.Call)):
        test = test.operand if isinstance(test, ast.UnaryOp) else test.func
    return test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""


def _guarded(parents: list[ast.AST]) -> bool:
    """Is the import (last of ``parents``) optional: inside ``try: ... except ImportError``, ``if TYPE_CHECKING``,
    an availability check (``if is_x_available():``), or deferred into a function (it runs only when that
    code path is used)?"""
    for node in parents[:-1]:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return True
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            for handler in getattr(node, "handlers", ()):
                kinds = handler.type
                names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
                for kind in names:
                    if kind is None or (isinstance(kind, ast.Name) and kind.id in _IMPORT_ERRORS) or (
                            isinstance(kind, ast.Attribute) and kind.attr in _IMPORT_ERRORS):
                        return True
        elif isinstance(node, ast.If):
            label = _test_label(node.test)
            if label == "TYPE_CHECKING" or _AVAILABILITY.match(label):
                return True
    return False


MAX_RETURNS = 200
#: Calls that only convert the value they return (``return float(acc)``, ``return dict(accuracy=acc)``).
_CONVERSIONS = {"float", "int", "round", "dict", "tuple", "list", "str"}
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _labels(node: ast.AST, ctx: FileContext) -> list[str]:
    """Names of a returned value: a variable, a tuple's items, a dict's string keys, a resolved call."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [label for item in node.elts for label in _labels(item, ctx)]
    if isinstance(node, ast.Dict):
        return [key.value for key in node.keys if isinstance(key, ast.Constant) and isinstance(key.value, str)]
    if isinstance(node, ast.Subscript):
        return _labels(node.value, ctx)
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in _CONVERSIONS:
            return [label for arg in node.args[:1] for label in _labels(arg, ctx)] + [kw.arg for kw in node.keywords if kw.arg]
        name = ctx.qualname(node.func)
        return [name] if name else _labels(node.func, ctx)
    return []


def _output_names(annotation: ast.AST | None) -> list[str]:
    """Output names declared in a return annotation: ``Annotated[Dict[str, float], "metrics"]``."""
    names = []
    for node in ast.walk(annotation) if annotation is not None else ():
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple):
            head = node.value
            if (head.id if isinstance(head, ast.Name) else head.attr if isinstance(head, ast.Attribute) else "") == "Annotated":
                names += [item.value for item in node.slice.elts[1:] if isinstance(item, ast.Constant) and isinstance(item.value, str)]
    return names


def _returns(function: ast.FunctionDef | ast.AsyncFunctionDef, ctx: FileContext) -> list[tuple[str, int]]:
    """(label, line) of what the function returns, nested functions and classes left out."""
    found = [(name, function.lineno) for name in _output_names(function.returns)]
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, _SCOPES):
            continue
        if isinstance(node, ast.Return) and node.value is not None:
            found += [(label, node.lineno) for label in _labels(node.value, ctx)]
        stack.extend(child_nodes(node))
    return found


def decorated_returns(tree: ast.Module, ctx: FileContext) -> list[Returned]:
    """What each top-level function with a resolved decorator (a pipeline step) returns."""
    out: list[Returned] = []
    for stmt in tree.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) or not stmt.decorator_list:
            continue
        decorators = [ctx.qualname(d.func if isinstance(d, ast.Call) else d) for d in stmt.decorator_list]
        named = [name for name in decorators if name]
        if not named:
            continue
        for label, line in _returns(stmt, ctx):
            out += [Returned(name, label, line) for name in named]
    return sorted(set(out))[:MAX_RETURNS]


class FactCollector:
    """Visitor run in the shared traversal (it is not a rule; it never reports)."""

    def __init__(self, ctx: FileContext, facts: FileFacts) -> None:
        self.ctx = ctx
        self.facts = facts
        self.imports: set[str] = set()
        self.calls: set[str] = set()
        self.names: set[str] = set()
        self.strings: set[str] = set()
        self.module_calls: set[str] = set()
        self.import_lines: dict[str, int] = {}
        self.required_tops: set[str] = set()
        self.optional_tops: set[str] = set()
        self.import_targets: set[str] = set()

    def _note_import(self, module: str, node: ast.AST) -> None:
        if not module or module.startswith("."):
            return
        top = module.split(".", 1)[0]
        self.import_lines.setdefault(top, getattr(node, "lineno", 0))
        (self.optional_tops if _guarded(self.ctx.parents) else self.required_tops).add(top)

    def _type_checking_only(self) -> bool:
        for node in self.ctx.parents[:-1]:
            if isinstance(node, ast.If):
                test = node.test
                label = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
                if label == "TYPE_CHECKING":
                    return True
        return False

    def visit_Import(self, node: ast.Import) -> None:
        runs = not self._type_checking_only()
        for alias in node.names:
            self.imports.add(alias.name)
            self._note_import(alias.name, node)
            if runs:
                self.import_targets.add(alias.name)
        if self.ctx.scopes:
            self.ctx.add_import(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        if node.level and not node.module:
            self.imports.update(module + alias.name for alias in node.names)
        else:
            self.imports.add(module)
        self.names.update(alias.name for alias in node.names if alias.name != "*")  # imported = referenced
        if not self._type_checking_only():
            base = module if module.endswith(".") or not module else module + "."
            if node.module:
                self.import_targets.add(module)
            self.import_targets.update(base + alias.name for alias in node.names if alias.name != "*")
        if not node.level:
            self._note_import(module, node)
        if self.ctx.scopes:
            self.ctx.add_import(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = self.ctx.qualname(func)
        if not name:  # the callee's last name (a node of the parsed tree: its exact type tested)
            cls = func.__class__
            name = "." + func.attr if cls is ast.Attribute else func.id if cls is ast.Name else None  # type: ignore[attr-defined]
        if name:
            self.calls.add(name)
            if not self.ctx.scopes:
                self.module_calls.add(name)

    def visit_Name(self, node: ast.Name) -> None:
        self.names.add(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.names.add(node.attr)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, str) and 2 < len(value) < 260 and ("/" in value or "." in value) and "\n" not in value:
            self.strings.add(value)

    def finish(self) -> None:
        tree = self.ctx.tree
        facts = self.facts
        facts.defs = [
            Definition(stmt.name, "class" if isinstance(stmt, ast.ClassDef) else "function", stmt.lineno)
            for stmt in tree.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not stmt.name.startswith("_")
        ]
        facts.parsed = True
        facts.imports = sorted(self.imports)
        facts.calls = sorted(self.calls)
        facts.names = sorted(self.names)
        facts.strings = sorted(self.strings)[:500]
        facts.import_lines = dict(sorted(self.import_lines.items()))
        facts.optional_imports = sorted(self.optional_tops - self.required_tops)
        facts.module_calls = sorted(self.module_calls)
        facts.main_guard = any(stmt.__class__ is ast.If and _is_main_guard(stmt) for stmt in tree.body)  # parsed: no subclasses
        facts.import_targets = sorted(self.import_targets)
        facts.returns = decorated_returns(tree, self.ctx)
