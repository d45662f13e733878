"""The child-field tables (mllint/analysis/children.py) against ``ast.iter_child_nodes``: the fast
traversals must see exactly the children the stdlib sees, operator leaves aside."""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap

import pytest

from mllint.analysis.children import OPERATOR_TYPES, child_fields, child_nodes, push_children, pusher, walk_nodes

SNIPPETS = [
    """
    import os, sys as system
    from . import sibling
    @decorator(arg, key=1)
    async def f(a, /, b=1, *args, c, d=2, **kw) -> int:
        global g
        x: int = 1
        y = z = [i for i in range(3) if i if not i]
        async with ctx() as (p, q):
            async for item in stream():
                await item
        try:
            pass
        except (ValueError, KeyError) as error:
            raise RuntimeError() from error
        else:
            del y
        finally:
            assert x, "message"
        return {k: v for k, v in {1: 2, **other}.items()} or (lambda u=1: u ** 2)
    class C(Base, metaclass=Meta):
        attr = f"{x!r:>{width}} and {y}"
        def m(self):
            nonlocal_value = self.a[1:2, ::3][...]
            return (yield from gen()) if nonlocal_value else (yield)
    while x < y <= z != w:
        x += -1
        if a and b or not c:
            break
        continue
    """,
    """
    match command:
        case {"action": "go", **rest}:
            pass
        case Point(x=0, y=_) | [1, 2, *others] if others:
            pass
        case str() as text:
            pass
        case None:
            pass
    """,
]


def _trees() -> list[ast.AST]:
    trees = [ast.parse(textwrap.dedent(source)) for source in SNIPPETS]
    for module in (ast, inspect, textwrap):  # real code with every common construct
        trees.append(ast.parse(inspect.getsource(module)))
    return trees


def _expected(node: ast.AST) -> list[ast.AST]:
    return [child for child in ast.iter_child_nodes(node) if not isinstance(child, OPERATOR_TYPES)]


@pytest.mark.parametrize("index", range(len(SNIPPETS) + 3))
def test_child_nodes_are_the_stdlib_children_without_operators(index: int) -> None:
    tree = _trees()[index]
    nodes = 0
    for node in ast.walk(tree):
        nodes += 1
        assert child_nodes(node) == _expected(node), ast.dump(node)[:200]
    assert nodes > 20


@pytest.mark.parametrize("index", range(len(SNIPPETS) + 3))
def test_push_children_pops_them_in_source_order(index: int) -> None:
    for node in ast.walk(_trees()[index]):
        stack: list[ast.AST] = []
        push_children(node, child_fields(node.__class__), stack)
        assert stack[::-1] == _expected(node)


def _pushed(node: ast.AST) -> list[ast.AST]:
    stack: list[ast.AST] = []
    push = pusher(node.__class__)
    if push is not None:
        push(node, stack.append, stack.extend)
    return stack[::-1]


@pytest.mark.parametrize("index", range(len(SNIPPETS) + 3))
def test_the_made_pusher_pops_the_children_in_source_order(index: int) -> None:
    """The pushers made per node type (straight-line code) push what the field loop pushes: ``Lambda.body``
    and ``FunctionDef.args`` hold a node where other types hold lists, ``Dict.keys`` may hold None."""
    for node in ast.walk(_trees()[index]):
        assert _pushed(node) == _expected(node), ast.dump(node)[:200]
        assert (pusher(node.__class__) is None) == (not child_fields(node.__class__))


def test_a_made_pusher_takes_a_field_a_hand_made_node_lacks_as_none() -> None:
    call = ast.Call(func=ast.Name(id="f", ctx=ast.Load()))
    for name in ("args", "keywords"):  # absent before Python 3.13, empty lists since
        if hasattr(call, name):
            delattr(call, name)
    assert _pushed(call) == [call.func]


def test_the_walk_enters_and_leaves_every_node_as_a_recursive_walk_does() -> None:
    """Every node entered in source order with its parents on ``ctx.parents`` and left after its
    children, scopes pushed and popped around their bodies: a recursive reference on real code."""
    from mllint.analysis.context import SCOPE_NODES, FileContext
    from mllint.engine.walk import walk

    names = {cls.__name__ for cls in _node_classes() if not issubclass(cls, OPERATOR_TYPES)}
    seen: list[tuple[str, str, int, int, int]] = []

    def handler(kind: str) -> object:
        def record(self: object, node: ast.AST) -> None:
            seen.append((kind, type(node).__name__, id(node), len(ctx.parents), len(ctx.scopes)))
        return record

    methods = {f"{kind}_{name}": handler(kind) for name in names for kind in ("visit", "leave")}
    visitor = type("Everything", (), methods)()
    expected: list[tuple[str, str, int, int, int]] = []

    def reference(node: ast.AST, depth: int, scopes: int) -> None:
        expected.append(("visit", type(node).__name__, id(node), depth + 1, scopes))
        inner = scopes + 1 if isinstance(node, SCOPE_NODES) else scopes
        for child in _expected(node):
            reference(child, depth + 1, inner)
        expected.append(("leave", type(node).__name__, id(node), depth + 1, inner))

    for tree in _trees():
        seen.clear()
        expected.clear()
        ctx = FileContext("m.py", tree, {}, False, lines=[])
        walk(tree, ctx, [visitor])
        reference(tree, 0, 0)
        assert seen == expected
        assert ctx.parents == [] and ctx.scopes == []


def _node_classes() -> list[type]:
    found: list[type] = []
    todo = [ast.AST]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize("index", range(len(SNIPPETS) + 3))
def test_walk_nodes_is_ast_walk_without_operators(index: int) -> None:
    tree = _trees()[index]
    starts = [node for node in ast.walk(tree) if not isinstance(node, OPERATOR_TYPES)]
    for node in starts[:400]:  # the whole tree, and from many of its nodes
        expected = [sub for sub in ast.walk(node) if not isinstance(sub, OPERATOR_TYPES)]
        assert list(walk_nodes(node)) == expected


def test_type_parameters_are_children_where_the_grammar_has_them() -> None:
    source = "x: list[int] = []\n"
    if sys.version_info >= (3, 12):  # type parameters and aliases (whose name is a Name node): Python 3.12 syntax
        source += "type Alias[T] = list[T]\ndef f[U: int, *Ts, **P](x: U) -> U: return x\n"
    if sys.version_info >= (3, 13):  # type parameter defaults
        source += "class C[T=int]: pass\n"
    tree = ast.parse(source)
    for node in ast.walk(tree):
        assert child_nodes(node) == _expected(node), ast.dump(node)
        stack: list[ast.AST] = []
        push_children(node, child_fields(node.__class__), stack)
        assert stack[::-1] == _expected(node)


def test_the_walk_runs_a_once_per_node_handler_for_the_first_visitor_only() -> None:
    """Handlers marked ``once_per_node`` (the evidence mixin's bindings) run once per node, for the first
    visitor that has them, in the visitors' order; every other handler runs for every visitor."""
    from mllint.analysis.context import FileContext, once_per_node
    from mllint.engine.walk import walk

    calls: list[tuple[str, str, int]] = []

    class Shared:
        def __init__(self, label: str) -> None:
            self.label = label

        @once_per_node
        def leave_Assign(self, node: ast.Assign) -> None:
            calls.append((self.label, "shared", node.lineno))

        def visit_Assign(self, node: ast.Assign) -> None:
            calls.append((self.label, "own", node.lineno))

    class Overrides(Shared):
        def leave_Assign(self, node: ast.Assign) -> None:  # not marked: runs as any handler
            calls.append((self.label, "override", node.lineno))

    tree = ast.parse("a = 1\nb = 2\n")
    ctx = FileContext("m.py", tree, {}, False, lines=["a = 1", "b = 2"])
    walk(tree, ctx, [Overrides("x"), Shared("first"), Shared("second")])
    assert [c for c in calls if c[2] == 1] == [("x", "own", 1), ("first", "own", 1), ("second", "own", 1),
                                               ("x", "override", 1), ("first", "shared", 1)]
    assert len(calls) == 10


@pytest.mark.parametrize("index", range(len(SNIPPETS) + 3))
def test_the_names_a_file_binds_are_found_by_the_stack_walk(index: int) -> None:
    from mllint.analysis.context import _bound_names

    tree = _trees()[index]
    expected: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            expected.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            expected.add(node.name)
        elif isinstance(node, ast.arg):
            expected.add(node.arg)
        elif isinstance(node, ast.alias):
            expected.add((node.asname or node.name).split(".", 1)[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            expected.add(node.name)
    assert _bound_names(tree) == expected
    assert expected or index == 1  # the match snippet binds only pattern captures (strings, not nodes)


def test_the_walk_calls_no_handler_of_an_idle_visitor_but_the_shared_ones() -> None:
    """A rule that knows it can report nothing in a file (``CodeRule.idle``) is not visited; what it shares
    with other visitors (``once_per_node``: the evidence bindings) still runs, once."""
    from mllint.analysis.context import FileContext, once_per_node
    from mllint.engine.walk import walk

    calls: list[tuple[str, str]] = []

    class Visitor:
        def __init__(self, label: str, idle: bool) -> None:
            self.label, self.idle = label, idle

        @once_per_node
        def leave_Assign(self, node: ast.Assign) -> None:
            calls.append((self.label, "shared"))

        def visit_Name(self, node: ast.Name) -> None:
            calls.append((self.label, "own"))

    tree = ast.parse("a = b\n")
    ctx = FileContext("m.py", tree, {}, False, lines=["a = b"])
    walk(tree, ctx, [Visitor("idle", True), Visitor("busy", False)])
    assert calls == [("busy", "own"), ("busy", "own"), ("idle", "shared")]
