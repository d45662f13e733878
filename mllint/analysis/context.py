"""What a code rule knows about the file it checks: names resolved through imports, scope, constants.

Import resolution is what keeps the code rules precise: ``tts(...)`` after ``from
sklearn.model_selection import train_test_split as tts`` resolves to
``sklearn.model_selection.train_test_split``; a name that does not resolve to a library is never
treated as one.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, cast

from mllint.analysis.children import Pusher, child_nodes, pusher, walk_nodes
from mllint.analysis.edits import Point, RawFix
from mllint.analysis.params import ProjectParams, params_binding
from mllint.knowledge.aliases import canonical
from mllint.knowledge.runtime import Knowledge

if TYPE_CHECKING:  # pragma: no cover
    from mllint.catalogue.rule import CodeRule

AnalysisT = TypeVar("AnalysisT")
TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.(py|ipynb)$|_test\.py$|(^|/)conftest\.py$")
SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_UNRESOLVED: Any = object()  # the memo of resolved names has no answer for this node yet


HandlerT = TypeVar("HandlerT", bound=Callable[..., None])


def once_per_node(method: HandlerT) -> HandlerT:
    """Mark a visitor method that does the same to the file's shared analyses whichever visitor runs it
    (a mixin binding the file's evidence, :class:`mllint.analysis.evidence.TracksBindings`): the
    traversal (mllint/engine/walk.py) calls it for the first visitor that has it, not once per visitor."""
    method.once_per_node = True  # type: ignore[attr-defined]
    return method


def is_test_path(path: str) -> bool:
    return bool(TEST_PATH.search(path))


def literal_value(node: ast.AST) -> tuple[bool, Any]:
    """``(True, value)`` when ``node`` is a numeric/str/bool literal or a tuple/list of them."""
    if isinstance(node, ast.Constant):
        return True, node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        ok, value = literal_value(node.operand)
        if ok and isinstance(value, (int, float, complex)) and not isinstance(value, bool):
            return True, -value if isinstance(node.op, ast.USub) else value
        return False, None
    if isinstance(node, (ast.Tuple, ast.List)):
        values = []
        for element in node.elts:
            ok, value = literal_value(element)
            if not ok:
                return False, None
            values.append(value)
        return True, values
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div, ast.Add, ast.Sub, ast.Pow)):
        ok_left, left = literal_value(node.left)
        ok_right, right = literal_value(node.right)
        numeric = (int, float)
        if ok_left and ok_right and isinstance(left, numeric) and isinstance(right, numeric):
            try:
                return True, eval_binop(node.op, left, right)
            except (ArithmeticError, OverflowError, ValueError):
                return False, None
    return False, None


def eval_binop(op: ast.operator, left: float, right: float) -> float:
    if isinstance(op, ast.Mult):
        return left * right
    if isinstance(op, ast.Div):
        return left / right
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if abs(right) > 64:
        raise OverflowError
    power: float = left**right
    return power


@dataclass(frozen=True)
class RawFinding:
    """A rule's report before it is located in the file: the node, the message, the fix if any."""

    rule: CodeRule
    node: ast.AST
    message: str
    fix: RawFix | None
    #: other places that explain the finding (the split a leak reaches), with a note each
    related: tuple[tuple[ast.AST, str], ...] = ()


class FileContext:
    """Per-file state shared by all code rules during the single traversal."""

    def __init__(self, path: str, tree: ast.Module, knowledge: Knowledge, notebook: bool,
                 lines: list[str] | None = None, params: ProjectParams | None = None,
                 requirement_floors: dict[str, tuple[int, int]] | None = None) -> None:
        self.path = path
        self.tree = tree
        self.knowledge = knowledge
        self.is_notebook = notebook
        self.is_test = is_test_path(path)
        #: The analysed program's lines (a notebook's joined cells), for source segments and edits.
        self.lines = lines if lines is not None else ast.unparse(tree).split("\n")
        #: The project's params file, if it has one (fixes that move values into it read it).
        self.params = params
        #: The lowest version the project's manifests allow for packages rules ask about ({"torch": (2, 6)}).
        self.requirement_floors = requirement_floors or {}
        self.imports: dict[str, str] = {}
        #: name -> module or member for the imports at module level only (``self.imports`` also holds
        #: those of functions, seen during the traversal): what a fix may refer to from anywhere.
        self.module_imports: dict[str, str] = {}
        self.constants: dict[str, tuple[Any, ast.AST]] = {}
        self.parents: list[ast.AST] = []
        self.scopes: list[ast.AST] = []
        self.raw_findings: list[RawFinding] = []
        self._resolved: dict[ast.AST, str | None] = {}  # qualname memo (many rules ask about the same Call)
        #: the same by spelling (``x``: "x", ``np.mean``: ("np", "mean")): the answer depends on the
        #: imports only, and a file names the same few things many times; cleared with ``_resolved``
        self._spelled: dict[object, str | None] = {}
        self._analyses: dict[object, object] = {}
        #: indexes gathered by the traversal for analyses (an analysis's ``collectors``), by their class
        self.indexes: dict[type, object] = {}
        self._bound_names: set[str] | None = None  # every name the file binds (computed on demand)
        self._conventional: dict[str, str | None] = {}
        #: first line of each code cell: of the joined program for notebooks, of the file for scripts
        #: exported from a notebook (``# In[3]:``/``# %%`` markers); empty otherwise (set by the code pass).
        self.cell_starts: list[int] = []
        self._local_names: dict[int, frozenset[str]] = {}
        #: notebooks: the notebook cell index of each code cell (parallel to ``cell_starts``).
        self.cell_indexes: list[int] = []
        self._module_import_statements = 0
        self._import_heads: set[str] | None = None  # what ``imports_any`` matches (made on first use)
        self._prescan(tree)
        self._resolved.clear()
        self._spelled.clear()
        self._import_heads = None  # the pre-scan also binds aliases (``F = torch.nn.functional``)

    def configuration_cells(self, ranges: list[tuple[int, int]]) -> None:
        """Notebook cells that papermill parameterises (tagged ``parameters``): their names are configuration."""
        for name, (_value, stmt) in list(self.constants.items()):
            if any(first <= getattr(stmt, "lineno", 0) <= last for first, last in ranges):
                del self.constants[name]

    # -- import and constant pre-scan (module level, cheap: no full walk) -------------------
    def _prescan(self, tree: ast.Module) -> None:
        """One pass over the module-level statements: imports, literal constants, aliases of imported names
        (``F = torch.nn.functional``), and the names bound otherwise (``for gamma in (...)``, ``x += 1``,
        unpacking, ``with ... as x``), which are not one value."""
        assigned_twice: set[str] = set()
        rebound: list[ast.AST] = []
        imports, constants = self.imports, self.constants
        for stmt in _module_statements(tree.body):
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self._module_import_statements += 1
                if self._resolved or self._spelled:
                    self._resolved.clear()  # a new import can change what names resolve to
                    self._spelled.clear()
                targets = _import_targets(stmt)
                imports.update(targets)
                self.module_imports.update(targets)
            elif isinstance(stmt, ast.Assign):
                if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                    rebound.extend(stmt.targets)
                    continue
                name = stmt.targets[0].id
                ok, value = literal_value(stmt.value)
                if name in constants or name in assigned_twice:
                    constants.pop(name, None)
                    assigned_twice.add(name)
                elif ok:
                    constants[name] = (value, stmt)
                else:
                    target = self.qualname(stmt.value)
                    if target and isinstance(stmt.value, (ast.Name, ast.Attribute)):
                        imports.setdefault(name, target)
            elif isinstance(stmt, ast.AnnAssign):
                if isinstance(stmt.target, ast.Name) and stmt.value is not None:
                    ok, value = literal_value(stmt.value)
                    if ok:
                        constants[stmt.target.id] = (value, stmt)
            elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.AugAssign)):
                rebound.append(stmt.target)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                rebound.extend(item.optional_vars for item in stmt.items if item.optional_vars is not None)
        for bound in rebound:
            for node in ast.walk(bound):
                if isinstance(node, ast.Name):
                    constants.pop(node.id, None)

    def add_import(self, node: ast.Import | ast.ImportFrom) -> None:
        """An import met by the traversal (in a function or class): its names resolve from here on."""
        self._resolved.clear()  # a new import can change what names resolve to
        self._spelled.clear()
        self._import_heads = None
        self.imports.update(_import_targets(node))

    # -- name resolution ---------------------------------------------------------------------
    def qualname(self, node: ast.AST) -> str | None:
        """Dotted library name of a Name/Attribute chain, resolved through imports; None if unknown."""
        try:
            resolved: str | None = self._resolved.get(node, _UNRESOLVED)  # a third of the questions are new: no KeyError raised
        except TypeError:  # not a node (unhashable): resolve without the memo
            return self._qualname(node)
        if resolved is _UNRESOLVED:
            resolved = self._resolved[node] = self._qualname(node)
        return resolved

    def _qualname(self, node: ast.AST) -> str | None:
        # the commonest questions (``f``, ``np.mean``) first: the loop below without its list and join
        if type(node) is ast.Name:
            name = node.id
            spelled = self._spelled
            if name in spelled:
                return spelled[name]
            base = self.imports.get(name)
            if base is None:
                base = self.conventional(name)
            found = spelled[name] = None if base is None else canonical(base, self.knowledge)
            return found
        if type(node) is ast.Attribute and type(node.value) is ast.Name:
            spelling = (node.value.id, node.attr)
            spelled = self._spelled
            if spelling in spelled:
                return spelled[spelling]
            base = self.imports.get(spelling[0])
            if base is None:
                base = self.conventional(spelling[0])
            found = spelled[spelling] = None if base is None else canonical(f"{base}.{node.attr}", self.knowledge)
            return found
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self.imports.get(node.id)
        if base is None:
            base = self.conventional(node.id)
            if base is None:
                return None
        parts.append(base)
        return canonical(".".join(reversed(parts)), self.knowledge)

    def conventional(self, name: str) -> str | None:
        """``np``/``pd``/``nn``/``StandardScaler``... used without an import: their conventional module.

        Only for a name the file never binds itself (no assignment, parameter, def or import of
        that name anywhere): notebooks started with ``%pylab`` or a startup file, copied snippets.
        """
        known = self._conventional.get(name, _UNRESOLVED)  # a third of the questions are new: no KeyError raised
        if known is not _UNRESOLVED:
            return cast("str | None", known)
        table: dict[str, str] = self.knowledge.get("conventional_names", {})
        target = table.get(name) or _conventional_members(self.knowledge).get(name)
        if target is not None:
            if self._bound_names is None:
                self._bound_names = _bound_names(self.tree)
            if name in self._bound_names:
                target = None
        self._conventional[name] = target
        return target

    @cached_property
    def imports_complete(self) -> bool:
        """Whether :attr:`imports` already holds every import of the file: the traversal adds those of
        functions and classes, and there are none when the pre-scan's import statements account for every
        ``import`` word of the text (a word in a comment, a string or a name only makes this False)."""
        return self.source.count("import") == self._module_import_statements

    @cached_property
    def source(self) -> str:
        """The analysed program's text (its lines joined), for the textual first tests of visitors and rules."""
        return "\n".join(self.lines)

    def release(self, visitors: Iterable[object] = ()) -> None:
        """Forget the file: break the reference cycles between this context, the visitors that hold it
        and the analyses built on it (each of them refers to the others), so that the parse tree and
        everything computed from it are freed by reference counting when the file is done. Left to the
        cycle collector, they were traversed again and again as they aged through its generations
        (about a sixth of a cold run's CPU). Nothing may use the context or the visitors afterwards."""
        for analysis in self._analyses.values():
            getattr(analysis, "__dict__", {}).clear()
        for visitor in visitors:
            getattr(visitor, "__dict__", {}).clear()
        self.__dict__.clear()

    def analysis(self, kind: Callable[[FileContext], AnalysisT]) -> AnalysisT:
        """A per-file analysis (``DataFlow``...), computed on first request and shared by all rules."""
        found = self._analyses.get(kind)
        if found is None:
            found = self._analyses[kind] = kind(self)
        return cast(AnalysisT, found)

    def call_name(self, call: ast.Call) -> str | None:
        """The callee's dotted library name (``qualname`` of ``call.func``): most calls of a file are asked
        about by several rules, so the memo is read here without a second method call."""
        try:
            return self._resolved[call.func]
        except KeyError:
            return self.qualname(call.func)

    def imports_any(self, modules: Iterable[str]) -> bool:
        """True when the file imports one of ``modules`` or a submodule/member of one (raw import names)."""
        heads = self._import_heads
        if heads is None:  # each import and every dotted head of it (``a.b.c``: ``a``, ``a.b``, ``a.b.c``)
            heads = self._import_heads = set()
            for imported in self.imports.values():
                heads.add(imported)
                cut = imported.find(".")
                while cut != -1:
                    heads.add(imported[:cut])
                    cut = imported.find(".", cut + 1)
        return any(module in heads for module in modules)

    def constant(self, node: ast.AST) -> tuple[bool, Any, str | None]:
        """Is ``node`` a literal, or a name bound to a module-level literal constant?

        Returns ``(is_literal, value, constant_name)``; config reads (``cfg.x``, ``params["x"]``) are not.
        """
        ok, value = literal_value(node)
        if ok:
            return True, value, None
        if isinstance(node, ast.Name) and node.id in self.constants and not self.is_local(node.id):
            return True, self.constants[node.id][0], node.id
        return False, None, None

    def is_local(self, name: str) -> bool:
        """True when ``name`` is a parameter of an enclosing function or bound in its body (then it is not the
        module constant)."""
        for scope in self.scopes:
            if isinstance(scope, FUNCTION_NODES):
                args = scope.args
                every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
                if any(arg is not None and arg.arg == name for arg in every):
                    return True
                if name in self._bound_in(scope):
                    return True
        return False

    def _bound_in(self, function: ast.AST) -> frozenset[str]:
        """Names a function binds in its own body (assignments, loop targets, with/except/import names),
        unless declared ``global``."""
        found = self._local_names.get(id(function))
        if found is None:
            names: set[str] = set()
            declared_global: set[str] = set()
            stack = child_nodes(function)
            while stack:
                node = stack.pop()
                if isinstance(node, (*SCOPE_NODES, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        names.add(node.name)
                    continue
                if isinstance(node, ast.Global):
                    declared_global.update(node.names)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                    names.add(node.id)
                elif isinstance(node, ast.ExceptHandler) and node.name:
                    names.add(node.name)
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    names.update((alias.asname or alias.name).split(".", 1)[0] for alias in node.names)
                stack.extend(child_nodes(node))
            found = frozenset(names - declared_global)
            self._local_names[id(function)] = found
        return found

    # -- scope helpers -------------------------------------------------------------------------
    @property
    def parent(self) -> ast.AST | None:
        return self.parents[-2] if len(self.parents) >= 2 else None

    def enclosing_function(self) -> ast.AST | None:
        for scope in reversed(self.scopes):
            if isinstance(scope, FUNCTION_NODES):
                return scope
        return None

    def enclosing_class(self) -> ast.ClassDef | None:
        for scope in reversed(self.scopes):
            if isinstance(scope, ast.ClassDef):
                return scope
        return None

    # -- names a fix may insert here (a fix must not make a name mean something else) -------------
    def _function_locals(self, function: ast.AST) -> frozenset[str]:
        args = getattr(function, "args", None)
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if args else []
        return self._bound_in(function) | {arg.arg for arg in every if arg is not None}

    def _class_body_names(self) -> frozenset[str]:
        """Names bound directly in the class body being visited (empty outside one): methods do not see them."""
        if not self.scopes or not isinstance(self.scopes[-1], ast.ClassDef):
            return frozenset()
        names: set[str] = set()
        for stmt in self.scopes[-1].body:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    names.update(name for name, _target in _import_targets(node))
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(stmt.name)
        return frozenset(names)

    def sees_module_name(self, name: str) -> bool:
        """A reference to ``name`` inserted here reaches the module-level binding: no enclosing function
        binds the name (parameter, assignment, import) and the class body being visited does not either."""
        if name in self._class_body_names():
            return False
        return not any(name in self._function_locals(scope) for scope in self.scopes if isinstance(scope, FUNCTION_NODES))

    def module_alias(self, module: str) -> str | None:
        """The name under which the code being visited reaches ``module`` through an import it can see:
        one in its own or an enclosing function (made before this line), else one at module level not
        shadowed in between; None when there is none (``import pandas as pd`` inside another function
        is no ``pd`` here)."""
        line = getattr(self.parents[-1], "lineno", 0) if self.parents else 0
        shadowed: set[str] = set(self._class_body_names())
        for scope in reversed(self.scopes):
            if not isinstance(scope, FUNCTION_NODES):
                continue
            found = sorted(name for stmt in ast.walk(scope) if isinstance(stmt, (ast.Import, ast.ImportFrom))
                           and stmt.lineno < line and _directly_in(scope, stmt)
                           for name, target in _import_targets(stmt) if target == module and name not in shadowed)
            if found:
                return found[0]
            shadowed |= self._function_locals(scope)
        found = sorted(name for name, target in self.module_imports.items() if target == module and name not in shadowed)
        return found[0] if found else None

    def may_rebind(self, name: str) -> bool:
        """``name = ...`` inserted here rebinds the binding the code reads: at module level, or in a
        function or class body that already binds ``name`` itself (elsewhere it would make a global
        local to the function: an ``UnboundLocalError``)."""
        if not self.scopes:
            return True
        scope = self.scopes[-1]
        if isinstance(scope, ast.ClassDef):
            return name in self._class_body_names()
        return isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and name in self._function_locals(scope)

    def params_reference(self) -> str | None:
        """The module's params binding (:attr:`params_binding`) if a reference to it inserted here reaches it."""
        binding = self.params_binding
        return binding if binding is not None and self.sees_module_name(binding) else None

    def report(self, rule: CodeRule, node: ast.AST, message: str, fix: RawFix | None = None,
               related: list[tuple[ast.AST, str]] | None = None) -> None:
        self.raw_findings.append(RawFinding(rule, node, message, fix, tuple(related or ())))

    def where(self, node: ast.AST) -> str:
        """``line 12``, or in a notebook ``cell 3, line 2`` (the cell index as in the JSON output)."""
        line = getattr(node, "lineno", 0)
        if not self.cell_indexes:  # a script (also one exported from a notebook): its own lines
            return f"line {line}"
        import bisect

        position = max(bisect.bisect_right(self.cell_starts, line) - 1, 0)
        cell = self.cell_indexes[position] if position < len(self.cell_indexes) else position
        return f"cell {cell}, line {line - self.cell_starts[position] + 1}"

    # -- source text (for messages and fixes) ---------------------------------------------------
    def text(self, start: Point, end: Point) -> str:
        """The program text between two ``ast`` positions (1-based lines, UTF-8 byte columns)."""
        (first, start_col), (last, end_col) = start, end
        if not 0 < first <= last <= len(self.lines):
            return ""
        if first == last:
            return self.lines[first - 1].encode("utf-8")[start_col:end_col].decode("utf-8", "replace")
        parts = [self.lines[first - 1].encode("utf-8")[start_col:].decode("utf-8", "replace"),
                 *self.lines[first:last - 1],
                 self.lines[last - 1].encode("utf-8")[:end_col].decode("utf-8", "replace")]
        return "\n".join(parts)

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node`` as written (its outer parentheses excluded)."""
        end_line, end_col = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
        if end_line is None or end_col is None:
            return ast.unparse(node)
        return self.text((getattr(node, "lineno"), getattr(node, "col_offset")), (end_line, end_col))

    @cached_property
    def params_binding(self) -> str | None:
        """The module-level name bound to the project's params by a loader (``params = load_params()``)."""
        return params_binding(self.tree, self.params)


def _import_targets(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    """(name bound, module or member it is bound to) of each alias of an import (``*`` left out)."""
    if isinstance(node, ast.Import):
        return [(alias.asname, alias.name) if alias.asname else (alias.name.split(".", 1)[0],) * 2 for alias in node.names]
    module = "." * node.level + (node.module or "")
    return [(alias.asname or alias.name,
             f"{module}.{alias.name}" if module and not module.endswith(".") else module + alias.name)
            for alias in node.names if alias.name != "*"]


def _directly_in(function: ast.AST, stmt: ast.AST) -> bool:
    """``stmt`` belongs to ``function``'s own body, not to a function or class nested in it."""
    stack = child_nodes(function)
    while stack:
        node = stack.pop()
        if node is stmt:
            return True
        if not isinstance(node, SCOPE_NODES):
            stack.extend(child_nodes(node))
    return False


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, descending into if/try/with blocks but not into defs."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        if isinstance(stmt, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            children = list(stmt.body) + list(getattr(stmt, "orelse", []))
            children += list(getattr(stmt, "finalbody", []))
            for handler in getattr(stmt, "handlers", []):
                children += handler.body
            stack.extend(reversed(children))


_MEMBERS: dict[int, tuple[Knowledge, dict[str, str]]] = {}


def _conventional_members(knowledge: Knowledge) -> dict[str, str]:
    """``{"StandardScaler": "sklearn.preprocessing.StandardScaler", ...}`` from ``[conventional_members]``."""
    cached = _MEMBERS.get(id(knowledge))
    if cached is not None and cached[0] is knowledge:
        return cached[1]
    table: dict[str, str] = {}
    for module, names in knowledge.get("conventional_members", {}).items():
        for name in names:
            table.setdefault(name, f"{module}.{name}")
    _MEMBERS[id(knowledge)] = (knowledge, table)
    return table


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _bound_names(tree: ast.AST) -> set[str]:
    """Every name bound anywhere in the file: assignments, loop/with targets, parameters, defs, imports.
    (A whole-file pass in any order: a stack and the per-type pushers, no generator per node.)"""
    bound: set[str] = set()
    pushers: dict[type, Pusher | None] = {}
    stack: list[Any] = [tree]  # nodes of every type: their fields read as the type is tested
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        cls = node.__class__
        if cls is ast.Name:
            if not isinstance(node.ctx, ast.Load):
                bound.add(node.id)
            continue  # no children but its context
        if cls is ast.arg:
            bound.add(node.arg)
        elif cls is ast.alias:
            bound.add((node.asname or node.name).split(".", 1)[0])
        elif issubclass(cls, _DEFINITIONS) or (cls is ast.ExceptHandler and node.name):
            bound.add(node.name)
        if cls in pushers:
            push_children = pushers[cls]
        else:
            push_children = pushers[cls] = pusher(cls)
        if push_children is not None:
            push_children(node, push, extend)
    return bound
