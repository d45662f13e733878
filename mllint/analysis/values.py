"""Abstract values of the data-flow analysis: what an expression may hold, and where its rows came from.

A :class:`Value` is what the analysis knows about an expression without running it: the kinds of
object it may be (object evidence: a DataFrame, a torch module, a fitted scaler...), the mutable
objects it may refer to (:class:`Obj`, shared by aliases: ``scaler2 = scaler``), and for data its
:class:`Rows`: which data sets its rows descend from (``roots``), which parts of which splits
(:class:`Part`), which statistics were learned from which rows and applied to it (:class:`Learn`),
which calls created copies of rows (:class:`Dup`) and which concatenations mixed test rows in
(:class:`Mix`). Values are joined at control-flow merges and never changed once made; objects are
mutable. The value classes are plain slotted dataclasses hashed by their fields (``unsafe_hash``), not
frozen ones: a frozen dataclass's constructor sets each field through ``object.__setattr__``, and
values are made so often that this cost ~5% of the instructions of a file's analysis.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

Role = Literal["train", "test", "unknown"]
SplitKind = Literal["holdout", "cv", "slice"]
#: Call nodes from the outermost analysed call down to the helper that produced an event.
Site = tuple[ast.AST, ...]


class _Event(Protocol):
    @property
    def node(self) -> ast.AST: ...
    @property
    def site(self) -> Site: ...


EventT = TypeVar("EventT", bound=_Event)


def position(node: ast.AST) -> tuple[int, int, int, int]:
    """Where a node is in the file, to order events found in sets (whose order follows memory
    addresses): the same file always yields the same findings in the same order."""
    return (getattr(node, "lineno", 0) or 0, getattr(node, "col_offset", 0) or 0,
            getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)


def site_position(site: Site) -> tuple[tuple[int, int, int, int], ...]:
    return tuple(position(node) for node in site)


def in_order(events: Iterable[EventT]) -> list[EventT]:
    """Events (anything with ``node`` and ``site``: learns, copies, splits, objects) by position."""
    items = list(events)
    if len(items) < 2:  # most sets the flow orders hold one object or none: no keys to compute
        return items
    items.sort(key=lambda e: (position(e.node), site_position(e.site), getattr(e, "label", "")))
    return items


def parts_in_order(parts: Iterable[Part]) -> list[Part]:
    """Parts test first, then by their split's position."""
    return sorted(parts, key=lambda p: (p.role != "test", position(p.split.node), site_position(p.split.site), p.role))


@dataclass(eq=False, slots=True)
class Split:
    """A call or slicing that separates rows into train and test parts."""

    node: ast.AST
    kind: SplitKind
    site: Site = ()


@dataclass(unsafe_hash=True, slots=True)
class Part:
    """Rows descending from one side of a split; ``span`` is a literal row range of a slice split."""

    split: Split
    role: Role
    span: tuple[int | None, int | None] | None = None


@dataclass(eq=False, slots=True)
class Learn:
    """Something learned from rows: a transformer's fit (``kind="fit"``) or a statistic (``"stat"``)."""

    node: ast.AST
    kind: Literal["fit", "stat"]
    label: str
    source: Rows
    site: Site = ()
    obj: Obj | None = None


@dataclass(eq=False, slots=True)
class Dup:
    """A call that created rows from other rows (over-sampling, sampling with replacement, augmentation)."""

    node: ast.AST
    label: str
    site: Site = ()


@dataclass(eq=False, slots=True)
class Mix:
    """A concatenation that put test rows together with other rows."""

    node: ast.AST
    site: Site = ()


@dataclass(unsafe_hash=True, slots=True)
class Rows:
    """Provenance of data: root data sets, split parts, learned statistics, created and mixed rows."""

    roots: frozenset[int] = frozenset()
    parts: frozenset[Part] = frozenset()
    learned: frozenset[Learn] = frozenset()
    dups: frozenset[Dup] = frozenset()
    mixes: frozenset[Mix] = frozenset()
    #: augmented versions of rows that are not (yet) appended to their originals
    augs: frozenset[Dup] = frozenset()
    test_named: bool = False
    #: one element of a collection (a loop's sample): statistics of it are per-sample, not of rows
    sample: bool = False
    #: what single named columns learned (``df["Age"] = df["Age"].fillna(df["Age"].mean())``)
    columns: frozenset[tuple[str, Learn]] = frozenset()
    #: samples gathered into one data set (``np.vstack(samples)``): statistics of it are of all rows
    stacked: bool = False

    def join(self, other: Rows | None) -> Rows:
        if other is None or other is self:
            return self
        return Rows(self.roots | other.roots, self.parts | other.parts, self.learned | other.learned,
                    self.dups | other.dups, self.mixes | other.mixes, self.augs | other.augs,
                    self.test_named or other.test_named, self.sample and other.sample, self.columns | other.columns,
                    self.stacked or other.stacked)

    @property
    def all_learned(self) -> frozenset[Learn]:
        """What every column of these rows learned: the whole frame's and each column's."""
        if not self.columns:
            return self.learned
        return self.learned | frozenset(learn for _column, learn in self.columns)

    def select(self, names: frozenset[str]) -> Rows:
        """The columns ``names`` only (``df[["Age", "Fare"]]``): their own learned values and the frame's."""
        if not self.columns:
            return self
        chosen = frozenset(learn for column, learn in self.columns if column in names)
        return self.but(learned=self.learned | chosen, columns=frozenset())

    def with_column(self, name: str, learned: frozenset[Learn]) -> Rows:
        return self.but(columns=self.columns | frozenset((name, learn) for learn in learned))

    @property
    def unsplit(self) -> bool:
        return not self.parts

    def roles(self) -> set[str]:
        return {part.role for part in self.parts}

    def with_learned(self, learned: frozenset[Learn]) -> Rows:
        return self.but(learned=self.learned | learned) if learned - self.learned else self

    def but(self, *, parts: frozenset[Part] | None = None, learned: frozenset[Learn] | None = None,
            dups: frozenset[Dup] | None = None, mixes: frozenset[Mix] | None = None,
            augs: frozenset[Dup] | None = None, test_named: bool | None = None, sample: bool | None = None,
            columns: frozenset[tuple[str, Learn]] | None = None, stacked: bool | None = None) -> Rows:
        """A copy with the fields given changed (no field is ever None): ``dataclasses.replace`` without its
        per-call introspection of the fields, which cost ~8 microseconds a copy in the analysis's inner loop."""
        return Rows(self.roots, self.parts if parts is None else parts, self.learned if learned is None else learned,
                    self.dups if dups is None else dups, self.mixes if mixes is None else mixes,
                    self.augs if augs is None else augs, self.test_named if test_named is None else test_named,
                    self.sample if sample is None else sample, self.columns if columns is None else columns,
                    self.stacked if stacked is None else stacked)


@dataclass(eq=False, slots=True)
class FitRecord:
    """One ``fit`` of an object: the rows it saw (``X``) and, for transformers, what it learned."""

    node: ast.AST
    rows: Rows
    site: Site = ()
    learn: Learn | None = None


@dataclass(eq=False)
class Obj:
    """A mutable object the analysis tracks: a scaler, a model, a pipeline, a splitter, a generator.

    ``roles`` says what it can do (``transformer``, ``estimator``, ``resampler``, ``pipeline``,
    ``search``, ``splitter``, ``vocabulary``, ``generator``, ``rng``...); ``fits`` records every fit
    seen so far, in order; ``seeded`` tracks RNG objects seeded after construction.
    """

    roles: frozenset[str]
    qualname: str
    node: ast.AST
    label: str
    site: Site = ()
    fits: list[FitRecord] = field(default_factory=list)
    steps: tuple[Obj, ...] = ()
    seeded: bool = False
    used: bool = False
    #: an RNG object drawn from (or handed on) before it was seeded
    used_unseeded: bool = False
    #: an RNG object rebound before any use (``self.rng = random.Random()`` then replaced)
    replaced: bool = False
    #: attributes set on instances of module-local classes (``self.scaler = ...``)
    attrs: dict[str, Value] = field(default_factory=dict)

    def is_(self, role: str) -> bool:
        return role in self.roles


@dataclass(unsafe_hash=True, slots=True)
class Value:
    """What an expression may hold. Every field is optional; :meth:`join` merges alternatives.

    The interpreter's commonest values are made with positional arguments (``Value(kinds, rows)``, a
    constant's literal value): calling a class with keywords builds a dict of them (~1,000 more instructions in
    Python 3.11 of a ~2,500-instruction construction)."""

    kinds: frozenset[str] = frozenset()
    rows: Rows | None = None
    objs: frozenset[Obj] = frozenset()
    #: module-local functions, lambdas and classes this value may be (callables)
    funcs: frozenset[ast.AST] = frozenset()
    #: instances of module-local classes
    instances: frozenset[ast.ClassDef] = frozenset()
    #: dotted library name when the value is a library module, class or function
    qualname: str | None = None
    #: element values of a tuple/list display (kept for unpacking)
    items: tuple[Value, ...] | None = None
    #: the value a loop over this value binds (splitter.split(...) yields (train, test) index pairs)
    element: Value | None = None
    #: a pending row slice: (rows of the sliced base, lower, upper, the base as written) for slice splits
    slice: tuple[Rows, int | None, int | None, str] | None = None
    #: the value is a statistic of rows (a reduction), not rows itself
    stat: bool = False
    #: a literal the value certainly is (``("fit",)``), for branches on a helper's mode argument
    literal: tuple[object] | None = None

    def join(self, other: Value | None) -> Value:
        if other is None or other is self:
            return self
        items = None
        if self.items is not None and other.items is not None and len(self.items) == len(other.items):
            items = tuple(a.join(b) for a, b in zip(self.items, other.items))
        rows = self.rows.join(other.rows) if self.rows is not None else other.rows
        element = self.element.join(other.element) if self.element is not None else other.element
        return Value(self.kinds | other.kinds, rows, self.objs | other.objs, self.funcs | other.funcs,
                     self.instances | other.instances,
                     self.qualname if self.qualname == other.qualname else None, items, element,
                     self.slice if self.slice == other.slice else None, self.stat and other.stat,
                     self.literal if self.literal == other.literal else None)

    def with_rows(self, rows: Rows | None) -> Value:
        """A copy with other rows (``dataclasses.replace(value, rows=rows)``, without its introspection)."""
        return Value(self.kinds, rows, self.objs, self.funcs, self.instances, self.qualname, self.items, self.element,
                     self.slice, self.stat, self.literal)

    def with_kinds(self, kinds: frozenset[str]) -> Value:
        """A copy with other kinds (``dataclasses.replace(value, kinds=kinds)``, without its introspection)."""
        return Value(kinds, self.rows, self.objs, self.funcs, self.instances, self.qualname, self.items, self.element,
                     self.slice, self.stat, self.literal)

    def has(self, kind: str) -> bool:
        return kind in self.kinds or any(kind in obj.roles for obj in self.objs)

    def all_objs(self) -> frozenset[Obj]:
        """Objects of this value and of its items and element, recursively (a dict of models...)."""
        found = set(self.objs)
        stack = list(self.items or ())
        if self.element is not None:
            stack.append(self.element)
        while stack:
            current = stack.pop()
            found |= current.objs
            stack.extend(current.items or ())
            if current.element is not None:
                stack.append(current.element)
        return frozenset(found)


UNKNOWN = Value()
EMPTY: frozenset[Any] = frozenset()  # an empty field of a value made with positional arguments


def join_all(values: list[Value]) -> Value:
    out: Value | None = None
    for value in values:
        out = value if out is None else out.join(value)
    return out if out is not None else UNKNOWN


def rows_of(*values: Value | None) -> Rows | None:
    """The joined rows of the data among ``values`` (items included), None when none is data."""
    out: Rows | None = None
    # values that hold no others (the usual case) are joined right away, in the order the stack below
    # takes them (last first), which a value holding items or objects hands over to
    for value in reversed(values):
        if value is None:
            continue
        if value.items or value.objs:
            return _nested_rows_of(values)
        if value.rows is not None:
            out = value.rows if out is None else out.join(value.rows)
    return out


def _nested_rows_of(values: tuple[Value | None, ...]) -> Rows | None:
    out: Rows | None = None
    stack = list(values)
    seen: set[int] | None = None  # made only for the rare value holding objects
    while stack:
        value = stack.pop()
        if value is None:  # only an argument can be None, never an item or an attribute
            continue
        if value.rows is not None:
            out = value.rows if out is None else out.join(value.rows)
        if value.items:
            stack.extend(value.items)
        if value.objs:
            for obj in value.objs:  # a Dataset instance holds its rows in attributes (self.x = ...)
                if "instance" in obj.roles:
                    if seen is None:
                        seen = set()
                    if id(obj) not in seen:
                        seen.add(id(obj))
                        stack.extend(obj.attrs.values())
    return out
