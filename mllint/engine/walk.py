"""The single traversal: every node of a file's ``ast`` dispatched once to every interested visitor.

Code rules and the fact collector define ``visit_<Node>``/``leave_<Node>`` methods; :func:`walk`
precomputes, per node type, the handlers to call and the fields that can hold children, and keeps
``ctx.parents``/``ctx.scopes`` up to date for the visitors.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from mllint.analysis.context import SCOPE_NODES, FileContext
from mllint.catalogue.rule import CodeRule

#: A visitor's bound ``visit_X``/``leave_X`` method.
Handler = Callable[[Any], None]

_DISPATCH_CACHE: dict[type, list[tuple[str, str, bool]]] = {}


def _handlers(cls: type) -> list[tuple[str, str, bool]]:
    """(node type name, method name, is_leave) for every visit_/leave_ method of a visitor class."""
    if cls not in _DISPATCH_CACHE:
        found = []
        for attr in dir(cls):
            if attr.startswith("visit_"):
                found.append((attr[6:], attr, False))
            elif attr.startswith("leave_"):
                found.append((attr[6:], attr, True))
        _DISPATCH_CACHE[cls] = found
    return _DISPATCH_CACHE[cls]


#: Node types that are stateless leaves (``Load``, ``Add``, ``Eq``...): skipped unless a visitor asks for them.
_OPERATOR_TYPES = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
_OPERATOR_NAMES = frozenset(
    cls.__name__ for base in _OPERATOR_TYPES for cls in base.__subclasses__()
) | frozenset(base.__name__ for base in _OPERATOR_TYPES)
#: Fields that never hold nodes (identifiers, flags, literals) or only hold operator leaves.
_SCALAR_FIELDS = frozenset({"id", "attr", "name", "arg", "module", "asname", "kind", "type_comment", "level",
                            "conversion", "is_async", "simple", "rest", "kwd_attrs", "tag"})
_OPERATOR_FIELDS = frozenset({"ctx", "op", "ops"})
_LEAVE = object()  # stack marker: the node on top of ``parents`` is complete


_MIXED_LISTS = frozenset({"keys", "kw_defaults"})  # list fields that may hold None besides nodes


def _child_fields(cls: type, with_operators: bool) -> tuple[tuple[str, int], ...]:
    """Fields of ``cls`` that may hold child nodes, in reverse order (they are pushed on a stack),
    each with a kind: 0 a single node or None, 1 a list of nodes, 2 a list that may also hold None."""
    if cls is ast.Constant or cls.__name__ in ("Global", "Nonlocal", "MatchSingleton"):
        return ()
    skip = _SCALAR_FIELDS if with_operators else _SCALAR_FIELDS | _OPERATOR_FIELDS
    out = []
    for name in getattr(cls, "_fields", ()):
        if name in skip:
            continue
        kind = 0
        if name in _LIST_FIELDS:
            kind = 2 if name in _MIXED_LISTS or (with_operators and name == "ops") else 1
        out.append((name, kind))
    return tuple(reversed(out))


#: Fields that hold lists in the stdlib grammar (3.10-3.13).
_LIST_FIELDS = frozenset({
    "body", "orelse", "finalbody", "handlers", "decorator_list", "bases", "keywords", "targets", "names",
    "elts", "keys", "values", "ops", "comparators", "args", "posonlyargs", "kwonlyargs", "kw_defaults",
    "defaults", "generators", "ifs", "items", "cases", "patterns", "kwd_patterns", "type_ignores",
    "type_params", "dims", "argtypes",
})


def walk(tree: ast.AST, ctx: FileContext, visitors: list[Any]) -> None:
    """Iterative depth-first traversal dispatching to visitors; maintains ``ctx.parents``/``ctx.scopes``.

    Per node type it precomputes the enter/leave handlers and the fields that can hold children, so
    the per-node cost is one dict lookup; operator leaves (``Load``, ``Add``...) are only visited
    when some visitor defines a handler for them, and a childless node is left at once instead of
    going through the stack again. Never recursive: deep trees cannot overflow it.
    """
    enter: dict[str, list[Handler]] = {}
    leave: dict[str, list[Handler]] = {}
    for visitor in visitors:
        for type_name, method, is_leave in _handlers(type(visitor)):
            (leave if is_leave else enter).setdefault(type_name, []).append(getattr(visitor, method))
    with_operators = not _OPERATOR_NAMES.isdisjoint(enter) or not _OPERATOR_NAMES.isdisjoint(leave)
    table: dict[type, tuple[tuple[Handler, ...], tuple[Handler, ...], bool, tuple[tuple[str, int], ...]]] = {}
    parents = ctx.parents
    scopes = ctx.scopes
    node_type = ast.AST
    stack: list[Any] = [tree]
    pop, push, extend = stack.pop, stack.append, stack.extend
    marker = _LEAVE
    while stack:
        node = pop()
        if node is marker:
            node = parents[-1]
            _enter, on_leave, is_scope, _fields = table[node.__class__]
            for handler in on_leave:
                handler(node)
            parents.pop()
            if is_scope:
                scopes.pop()
            continue
        cls = node.__class__
        info = table.get(cls)
        if info is None:
            name = cls.__name__
            info = table[cls] = (tuple(enter.get(name, ())), tuple(leave.get(name, ())),
                                 issubclass(cls, SCOPE_NODES), _child_fields(cls, with_operators))
        on_enter, on_leave, is_scope, fields = info
        parents.append(node)
        for handler in on_enter:
            handler(node)
        if is_scope:
            scopes.append(node)
        if not fields:  # a leaf (Name, Constant...): leave it now
            for handler in on_leave:
                handler(node)
            parents.pop()
            if is_scope:
                scopes.pop()
            continue
        push(marker)
        for field_name, kind in fields:
            value = getattr(node, field_name, None)
            if value is None:
                continue
            if kind == 0 and isinstance(value, node_type):
                push(value)
            elif kind == 1 and value.__class__ is list:
                extend(value[::-1])
            elif value.__class__ is list:
                for child in reversed(value):
                    if isinstance(child, node_type):
                        push(child)
            elif isinstance(value, node_type):
                push(value)


def has_handlers(rule_cls: type[CodeRule]) -> bool:
    """Whether a rule takes part in the traversal at all (visitor methods or a ``finish``)."""
    return bool(_handlers(rule_cls)) or rule_cls.finish is not CodeRule.finish
