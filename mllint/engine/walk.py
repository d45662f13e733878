"""The single traversal: every node of a file's ``ast`` dispatched once to every interested visitor.

Code rules and the fact collector define ``visit_<Node>``/``leave_<Node>`` methods; :func:`walk`
precomputes, per node type, the handlers to call and the fields that can hold children, and keeps
``ctx.parents``/``ctx.scopes`` up to date for the visitors.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from itertools import repeat
from typing import Any

from mllint.analysis.children import OPERATOR_NAMES, Pusher, pusher
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


_LEAVE = object()  # stack marker: the node on top of ``parents`` is complete
_DONE = object()  # the same for a node without leave handlers that opens no scope: only ``parents`` to pop


class _Plan:
    """Which visitor slot's method handles which node type, for one sequence of visitor classes (and
    their ``idle`` flags): the same for nearly every file of a run, so made once, not per file."""

    __slots__ = ("enter", "leave", "with_operators", "statics")

    def __init__(self, kinds: tuple[tuple[type, bool], ...]) -> None:
        enter: dict[str, list[tuple[int, str]]] = {}
        leave: dict[str, list[tuple[int, str]]] = {}
        shared: set[tuple[object, str, bool]] = set()
        for slot, (cls, idle) in enumerate(kinds):
            for type_name, method, is_leave in _handlers(cls):
                function = getattr(cls, method)
                if getattr(function, "once_per_node", False):  # the same effect from any visitor: the first one's
                    key = (function, type_name, is_leave)
                    if key in shared:
                        continue
                    shared.add(key)
                elif idle:  # a rule that can report nothing here (CodeRule.idle)
                    continue
                (leave if is_leave else enter).setdefault(type_name, []).append((slot, method))
        self.enter = {name: tuple(slots) for name, slots in enter.items()}
        self.leave = {name: tuple(slots) for name, slots in leave.items()}
        self.with_operators = not OPERATOR_NAMES.isdisjoint(enter) or not OPERATOR_NAMES.isdisjoint(leave)
        #: per node type: (enter slots, enter methods, leave slots, leave methods, opens a scope, pushes its children)
        self.statics: dict[type, _Static] = {}

    def static(self, cls: type) -> _Static:
        found = self.statics.get(cls)
        if found is None:
            name = cls.__name__
            enter, leave = self.enter.get(name, ()), self.leave.get(name, ())
            found = self.statics[cls] = (tuple(slot for slot, _method in enter), tuple(method for _slot, method in enter),
                                         tuple(slot for slot, _method in leave), tuple(method for _slot, method in leave),
                                         issubclass(cls, SCOPE_NODES), pusher(cls, self.with_operators))
        return found


#: What a plan knows of a node type: its enter handlers' visitor slots and method names, the same for
#: its leave handlers, whether it opens a scope, and the function pushing its children.
_Static = tuple[tuple[int, ...], tuple[str, ...], tuple[int, ...], tuple[str, ...], bool, "Pusher | None"]

_PLANS: dict[tuple[tuple[type, ...], tuple[object, ...]], _Plan] = {}
MAX_PLANS = 256  # sequences of visitor classes remembered (a long-lived language server stays bounded)


def _plan(visitors: list[Any]) -> _Plan:
    # the key read with C-level maps (no Python step per visitor): their classes and ``idle`` flags as set
    classes = tuple(map(type, visitors))
    idles = tuple(map(getattr, visitors, repeat("idle", len(visitors)), repeat(False, len(visitors))))
    key = (classes, idles)
    found = _PLANS.get(key)
    if found is None:
        if len(_PLANS) >= MAX_PLANS:
            _PLANS.clear()
        found = _PLANS[key] = _Plan(tuple(zip(classes, map(bool, idles))))
    return found


def walk(tree: ast.AST, ctx: FileContext, visitors: list[Any]) -> None:
    """Iterative depth-first traversal dispatching to visitors; maintains ``ctx.parents``/``ctx.scopes``.

    Per node type it precomputes the enter/leave handlers and a function pushing the children
    (:func:`mllint.analysis.children.pusher`), so the per-node cost is one dict lookup; operator
    leaves (``Load``, ``Add``...) are only visited when some visitor defines a handler for them, and a
    childless node is left at once instead of going through the stack again. Never recursive: deep
    trees cannot overflow it. Which methods handle which node type is planned once per sequence of
    visitor classes (:class:`_Plan`); a file binds the handlers of the node types it has.
    """
    plan = _plan(visitors)
    statics, static = plan.statics, plan.static
    visitor = visitors.__getitem__
    # per node type: (enter handlers, leave handlers, opens a scope, pushes its children, what marks its end)
    table: dict[type, tuple[tuple[Handler, ...], tuple[Handler, ...], bool, Pusher | None, object]] = {}
    parents = ctx.parents
    scopes = ctx.scopes
    stack: list[Any] = [tree]
    pop, push, extend = stack.pop, stack.append, stack.extend
    parent, unparent = parents.append, parents.pop
    marker, done = _LEAVE, _DONE
    while stack:
        node = pop()
        if node is done:  # the children of a node without leave handlers nor scope are done
            unparent()
            continue
        if node is marker:
            node = parents[-1]
            _enter, on_leave, is_scope, _push, _end = table[node.__class__]
            for handler in on_leave:
                handler(node)
            unparent()
            if is_scope:
                scopes.pop()
            continue
        cls = node.__class__
        info = table.get(cls)
        if info is None:
            enter_slots, enter_methods, leave_slots, leave_methods, is_scope, push_children = statics.get(cls) or static(cls)
            # the visitors' bound methods, gathered by C-level maps
            on_enter = tuple(map(getattr, map(visitor, enter_slots), enter_methods))
            on_leave = tuple(map(getattr, map(visitor, leave_slots), leave_methods))
            info = table[cls] = (on_enter, on_leave, is_scope, push_children, marker if on_leave or is_scope else done)
        on_enter, on_leave, is_scope, push_children, end = info
        parent(node)
        for handler in on_enter:
            handler(node)
        if is_scope:
            scopes.append(node)
        if push_children is None:  # a leaf (Name, Constant...): leave it now
            for handler in on_leave:
                handler(node)
            unparent()
            if is_scope:
                scopes.pop()
            continue
        push(end)
        push_children(node, push, extend)


def has_handlers(rule_cls: type[CodeRule]) -> bool:
    """Whether a rule takes part in the traversal at all (visitor methods or a ``finish``)."""
    return bool(_handlers(rule_cls)) or rule_cls.finish is not CodeRule.finish
