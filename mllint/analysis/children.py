"""Which fields of an ``ast`` node type can hold child nodes: one table per node type.

``ast.iter_child_nodes`` asks every field of every node whether it holds a node or a list of them;
the traversals here (the engine's single walk, the data flow's pre-pass) look the answer up once per
node type instead, and skip the fields that never hold nodes (names, flags, literals) and, unless a
visitor asks for them, the operator leaves (``Load``, ``Add``, ``Eq``...).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from typing import Any

#: Node types that are stateless leaves (``Load``, ``Add``, ``Eq``...).
OPERATOR_TYPES = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
OPERATOR_NAMES = frozenset(
    cls.__name__ for base in OPERATOR_TYPES for cls in base.__subclasses__()
) | frozenset(base.__name__ for base in OPERATOR_TYPES)
#: Fields that never hold nodes (identifiers, flags, literals) or only hold operator leaves.
_SCALAR_FIELDS = frozenset({"id", "attr", "name", "arg", "module", "asname", "kind", "type_comment", "level",
                            "conversion", "is_async", "simple", "rest", "kwd_attrs", "tag", "lineno"})
_OPERATOR_FIELDS = frozenset({"ctx", "op", "ops"})
#: Fields that hold lists in the stdlib grammar (3.10-3.13).
_LIST_FIELDS = frozenset({
    "body", "orelse", "finalbody", "handlers", "decorator_list", "bases", "keywords", "targets", "names",
    "elts", "keys", "values", "ops", "comparators", "args", "posonlyargs", "kwonlyargs", "kw_defaults",
    "defaults", "generators", "ifs", "items", "cases", "patterns", "kwd_patterns", "type_ignores",
    "type_params", "dims", "argtypes",
})
_MIXED_LISTS = frozenset({"keys", "kw_defaults"})  # list fields that may hold None besides nodes

#: Field kinds: a single node or None, a list of nodes, a list that may also hold None.
SINGLE, NODES, MIXED = 0, 1, 2

_TABLES: dict[tuple[type, bool], tuple[tuple[str, int], ...]] = {}


def child_fields(cls: type, with_operators: bool = False) -> tuple[tuple[str, int], ...]:
    """Fields of ``cls`` that may hold child nodes, in reverse order (ready to be pushed on a stack),
    each with its kind (:data:`SINGLE`, :data:`NODES`, :data:`MIXED`)."""
    key = (cls, with_operators)
    found = _TABLES.get(key)
    if found is not None:
        return found
    out: list[tuple[str, int]] = []
    if not (cls is ast.Constant or cls.__name__ in ("Global", "Nonlocal", "MatchSingleton")):
        skip = _SCALAR_FIELDS if with_operators else _SCALAR_FIELDS | _OPERATOR_FIELDS
        for name in getattr(cls, "_fields", ()):
            if name in skip and not (name == "name" and cls.__name__ == "TypeAlias"):  # 3.12+: its name is a Name node
                continue
            kind = SINGLE
            if name in _LIST_FIELDS:
                kind = MIXED if name in _MIXED_LISTS or (with_operators and name == "ops") else NODES
            out.append((name, kind))
    table = _TABLES[key] = tuple(reversed(out))
    return table


#: A function pushing a node's children on a stack (its ``append`` and ``extend``), made per node type.
Pusher = Callable[[Any, Callable[[Any], None], Callable[[Iterable[Any]], None]], None]
_PUSHERS: dict[tuple[type, bool], Pusher | None] = {}


def pusher(cls: type, with_operators: bool = False) -> Pusher | None:
    """A function pushing the children of a ``cls`` node so that they pop in source order (None: it has no
    child fields): straight-line attribute reads made once per node type from :func:`child_fields`, about
    half the cost of looping over the fields with ``getattr`` at every node. It assumes a tree as
    ``ast.parse`` makes it (lists in list fields); a field a hand-made node lacks counts as None."""
    key = (cls, with_operators)
    if key in _PUSHERS:
        return _PUSHERS[key]
    fields = child_fields(cls, with_operators)
    made: Pusher | None = None
    if fields:
        if not all(name.isidentifier() for name, _kind in fields):  # pragma: no cover - the stdlib's are
            raise ValueError(f"not a field name in {fields!r}")
        reads = [f"        v{i} = node.{name}" for i, (name, _kind) in enumerate(fields)]
        missing = [f"        v{i} = getattr(node, {name!r}, None)" for i, (name, _kind) in enumerate(fields)]
        pushes: list[str] = []
        for i, (_name, kind) in enumerate(fields):  # already in reverse order
            if kind == SINGLE:
                pushes += [f"    if v{i} is not None:", f"        push(v{i})"]
            elif kind == NODES:
                # a list in most node types, a node in some (``Lambda.body``, ``FunctionDef.args``)
                pushes += [f"    if v{i}:", f"        if v{i}.__class__ is list:", f"            extend(v{i}[::-1])",
                           "        else:", f"            push(v{i})"]
            else:
                pushes += [f"    for child in reversed(v{i} or ()):", "        if child is not None:", "            push(child)"]
        code = "\n".join(["def push_children(node, push, extend):", "    try:", *reads, "    except AttributeError:",
                          *missing, *pushes])
        namespace: dict[str, Any] = {}
        exec(code, namespace)  # noqa: S102 - made from the stdlib's field names only
        made = namespace["push_children"]
    _PUSHERS[key] = made
    return made


def push_children(node: ast.AST, fields: tuple[tuple[str, int], ...], stack: list[ast.AST]) -> None:
    """Push ``node``'s children on ``stack`` so that they pop in source order."""
    for field_name, kind in fields:
        value = getattr(node, field_name, None)
        if value is None:
            continue
        if kind == NODES and value.__class__ is list:
            stack.extend(value[::-1])
        elif value.__class__ is list:
            for child in reversed(value):
                if isinstance(child, ast.AST):
                    stack.append(child)
        elif isinstance(value, ast.AST):
            stack.append(value)


_FORWARD: dict[type, tuple[tuple[str, int], ...]] = {}


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``node``'s children in ``ast.iter_child_nodes`` order, without the operator leaves (``Load``,
    ``Add``...): the same traversal for analyses that never look at those, at a fraction of the cost."""
    cls = node.__class__
    fields = _FORWARD.get(cls)
    if fields is None:
        fields = _FORWARD[cls] = tuple(reversed(child_fields(cls)))
    out: list[ast.AST] = []
    for field_name, kind in fields:
        value = getattr(node, field_name, None)
        if value is None:
            continue
        if value.__class__ is list:
            if kind == NODES:
                out.extend(value)
            else:
                out.extend(child for child in value if isinstance(child, ast.AST))
        elif isinstance(value, ast.AST):
            out.append(value)
    return out


def walk_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk(node)`` without the operator leaves: ``node`` and every node below it, breadth first in
    the same order, children looked up in the table (for the analyses that search a subtree and
    never look at ``Load``, ``Add``...). Lazy: a search that stops early lists no further children."""
    todo = [node]
    for current in todo:  # the list grows while it is read: breadth first
        yield current
        todo.extend(child_nodes(current))
