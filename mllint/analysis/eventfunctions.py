"""Which functions of a file can produce a data-flow event: the data flow's entry points.

A function can matter to the data flow when it, or a module-local function it refers to, splits,
fits, evaluates, resamples, persists, steps an optimizer, calls ``forward`` or builds an RNG (the
event names of the knowledge). :class:`EventFunctions` gathers what that takes (each function's
referred names, the functions that call an event name directly) as a visitor of the engine's single
traversal, so the data flow needs no pass of its own over the tree; when the data flow is asked for
before that traversal is complete (or outside it), :meth:`EventFunctions.of` makes the same pass alone.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from mllint.analysis.children import child_fields, push_children
from mllint.analysis.flowknowledge import flow_knowledge

if TYPE_CHECKING:  # pragma: no cover
    from mllint.analysis.context import FileContext
    from mllint.knowledge.runtime import Knowledge

#: Statements that cannot contain a function definition (a lambda is not one).
_SIMPLE_STATEMENTS = frozenset({ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Delete, ast.Raise,
                                ast.Assert, ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Pass, ast.Break,
                                ast.Continue})
_LEAVE_FUNCTION = object()  # stack marker: the function on top of the enclosing stack is done


def event_names(knowledge: Knowledge) -> frozenset[str]:
    """Last names of the calls that can make a data-flow event (made once per knowledge: ``derived``)."""
    k = flow_knowledge(knowledge)
    names = set(k.fit_methods) | set(k.model_fit) | set(k.model_eval) | set(k.resample_methods) | set(k.data_split_methods)
    names |= {name.rsplit(".", 1)[-1] for name in (*k.splits, *k.generators, *k.persist_functions)}
    names |= set(k.persist_methods) | {"split", "step", "forward", "fit_predict", "Random", "default_rng",
                                       "RandomState", "Generator", "backward"}
    for fits, _transforms in k.vocabularies.values():
        names |= fits
    return frozenset(names)


class EventFunctions:
    """Visitor (not a rule): the functions of one file and the names each refers to, gathered during
    the shared traversal; :meth:`interesting` answers once :meth:`finish` has run."""

    def __init__(self, ctx: FileContext) -> None:
        self.names = ctx.knowledge.derived(event_names)
        self.by_name: dict[str, list[ast.AST]] = {}
        self.refers: dict[ast.AST, set[str]] = {}
        self.direct: set[ast.AST] = set()
        self.enclosing: list[ast.AST] = []
        self._names: set[str] | None = None  # refers[enclosing[-1]], None outside functions
        self.complete = False

    @classmethod
    def of(cls, ctx: FileContext) -> EventFunctions:
        """The index the traversal gathered for ``ctx``, or (asked for before the traversal ended, or
        without one) an index made now by a pass of its own over the tree."""
        gathered = ctx.indexes.get(cls)
        if isinstance(gathered, cls) and gathered.complete:
            return gathered
        alone = cls(ctx)
        alone.gather(ctx.tree)
        return alone

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.by_name.setdefault(node.name, []).append(node)
        self._names = self.refers.setdefault(node, set())
        self.enclosing.append(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def leave_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._leave()

    def _leave(self) -> None:
        enclosing = self.enclosing
        enclosing.pop()
        self._names = self.refers[enclosing[-1]] if enclosing else None

    leave_AsyncFunctionDef = leave_FunctionDef

    def visit_Name(self, node: ast.Name) -> None:
        names = self._names
        if names is not None:
            names.add(node.id)

    def visit_Call(self, node: ast.Call) -> None:
        if self.enclosing:
            func = node.func
            called = func.attr if func.__class__ is ast.Attribute else func.id if func.__class__ is ast.Name else None
            if called in self.names:
                self.direct.update(self.enclosing)

    def finish(self) -> None:
        self.complete = True

    def gather(self, tree: ast.Module) -> None:
        """The same visits as the shared traversal's, in one pass of this index's own (children looked
        up per node type, mllint.analysis.children), skipping what cannot hold a function."""
        tables: dict[type, tuple[tuple[str, int], ...]] = {}
        leave = _LEAVE_FUNCTION
        stack: list[Any] = [tree]
        pop = stack.pop
        name_type, call_type, function_types = ast.Name, ast.Call, (ast.FunctionDef, ast.AsyncFunctionDef)
        enclosing = self.enclosing
        while stack:
            node = pop()
            if node is leave:
                self._leave()
                continue
            cls = node.__class__
            if cls is name_type:
                self.visit_Name(node)
                continue  # a Name's only child is its context
            if not enclosing and cls in _SIMPLE_STATEMENTS:
                continue  # module or class level: no function inside, and calls outside functions do not count
            if cls is call_type:
                self.visit_Call(node)
            elif cls in function_types:
                self.visit_FunctionDef(node)
                stack.append(leave)
            fields = tables.get(cls)
            if fields is None:
                fields = tables[cls] = child_fields(cls)
            push_children(node, fields, stack)
        self.complete = True

    def interesting(self) -> frozenset[ast.AST]:
        """Functions whose own analysis can produce an event: those that call an event name, and those
        that refer to a module-local function that is interesting (to a fixpoint)."""
        interesting = set(self.direct)
        changed = True
        while changed:
            changed = False
            for function, referred in self.refers.items():
                if function not in interesting and any(other in interesting for name in referred
                                                       for other in self.by_name.get(name, ())):
                    interesting.add(function)
                    changed = True
        return frozenset(interesting)
