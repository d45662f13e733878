"""Small intra-procedural data-flow helpers for code rules: names read and written by expressions.

Rules such as ML1002 (data leakage) and ML0902 (pipeline not used) follow values through plain
names inside one scope (a function, the module, or a notebook as one program). These helpers say
which names an expression reads and which names an assignment target (re)binds; per-scope state
lives in :class:`ScopeStates`, keyed by the enclosing function of the shared traversal.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable, Generic, TypeVar

from mllint.analysis.children import child_nodes

if TYPE_CHECKING:  # pragma: no cover
    from mllint.analysis.context import FileContext

State = TypeVar("State")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def base_name(node: ast.AST) -> str | None:
    """The root name of ``x``, ``x.attr``, ``x[i]``, ``x.attr[i].y``; None for anything else."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def names_read(node: ast.AST | None) -> set[str]:
    """Every ``Name`` loaded anywhere inside an expression (lambdas and comprehensions included)."""
    if node is None:
        return set()
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Name):
            if isinstance(current.ctx, ast.Load):
                found.add(current.id)
            continue
        stack.extend(child_nodes(current))
    return found


def names_bound(target: ast.AST) -> set[str]:
    """Names an assignment target binds or mutates: ``a, b = ...`` -> a, b; ``df["c"] = ...`` -> df."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        out: set[str] = set()
        for element in target.elts:
            out |= names_bound(element)
        return out
    root = base_name(target)
    return {root} if root else set()


def assignment_targets(stmt: ast.AST) -> list[ast.AST]:
    """The targets of an ``Assign``/``AnnAssign``/``AugAssign``/``NamedExpr`` (empty otherwise)."""
    if isinstance(stmt, ast.Assign):
        return list(stmt.targets)
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
        return [stmt.target]
    return []


class ScopeStates(Generic[State]):
    """One state object per function scope (plus one for the module), created on demand.

    ``current(ctx)`` returns the state of the innermost enclosing function of the traversal;
    ``pop(function)`` hands back (and forgets) a function's state when the traversal leaves it.
    Lambdas and class bodies belong to their enclosing function or the module.
    """

    def __init__(self, factory: Callable[[], State]) -> None:
        self.factory = factory
        self.module: State = factory()
        self.functions: dict[int, State] = {}

    def current(self, ctx: FileContext) -> State:
        for scope in reversed(ctx.scopes):
            if isinstance(scope, _FUNCTIONS):
                key = id(scope)
                state = self.functions.get(key)
                if state is None:
                    state = self.functions[key] = self.factory()
                return state
        return self.module

    def pop(self, function: ast.AST) -> State | None:
        return self.functions.pop(id(function), None)
