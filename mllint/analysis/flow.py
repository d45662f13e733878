"""Def-use data flow and object evidence for one file: an abstract interpretation of the stdlib ``ast``.

The module (or a notebook: its cells joined in order) runs statement by statement over abstract
:class:`~mllint.analysis.values.Value` objects instead of real ones. Assignment, tuple unpacking,
attributes, subscripts, in-place methods, loops and comprehensions move values between names;
library calls are understood from the knowledge tables (``rules/knowledge/dataflow.toml``,
``preprocessing.toml``): a scaler's ``fit`` records what it learned from which rows, a split gives
train and test parts, an over-sampler creates rows, a model's ``score`` on a test part is an
evaluation. Module-local functions and methods are analysed at their call sites with the actual
arguments (bounded depth), so a helper that fits a scaler is seen where it is called; functions
nobody calls in the file are analysed once on their own, with unknown parameters.

Rules read the outcome (:class:`DataFlow`): leaks (:class:`Leak`), evaluations, estimator fits,
persisted objects and the value of any expression the analysis visited. The analysis is computed
once per file, on the first request (``DataFlow.of(ctx)``), by rules that declare
``requires = (DataFlow, ...)``.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from mllint.analysis.children import walk_nodes
from mllint.analysis.eventfunctions import EventFunctions
from mllint.analysis.flowknowledge import CONSTRUCTED_ROLES, FlowKnowledge, SplitSpec, flow_knowledge
from mllint.analysis.values import (
    EMPTY,
    UNKNOWN,
    Dup,
    FitRecord,
    Learn,
    Mix,
    Obj,
    Part,
    Rows,
    Site,
    Split,
    Value,
    in_order,
    join_all,
    parts_in_order,
    rows_of,
)

if TYPE_CHECKING:  # pragma: no cover
    from mllint.analysis.context import FileContext
    from mllint.knowledge.runtime import Knowledge

LeakKind = Literal["preprocessing", "overlap", "test-fit", "concat", "train-as-test"]
MAX_DEPTH = 4  # nested inlined calls
MAX_STEPS = 40_000  # statements analysed per file (inlining stops beyond)
MAX_UNROLL = 8  # loops over a literal list/tuple run once per element up to this length
TEST_WORDS = re.compile(r"(^|_|\b)(test|tst|te|val|valid|validation|holdout|dev|eval)(_|\b|$|\d)|(?<=[a-z])(Test|Val)", re.IGNORECASE)
TRAIN_WORDS = re.compile(r"(^|_|\b)(train|trn|tr|training)(_|\b|$|\d)|(?<=[a-z])Train", re.IGNORECASE)
_BUILTINS = frozenset(dir(builtins))
_DATA_KWARGS = ("X", "x", "data", "raw_documents", "texts", "df", "dataset")
_METADATA = frozenset({"shape", "columns", "dtypes", "dtype", "size", "ndim", "name", "names", "nbytes"})
_UNKNOWN_BOUND = object()  # a slice bound that is not a literal
DATA_KINDS = frozenset({"dataframe", "series", "ndarray", "tensor", "dataset"})
_FRAME_KINDS = frozenset({"dataframe", "series", "ndarray", "tensor", "groupby"})  # kinds an attribute or subscript keeps
# the kinds of the commonest values, made once
_MODULE = frozenset({"module"})
_LIST = frozenset({"list"})
_MASK = frozenset({"mask"})
_FUNCTION = frozenset({"function"})
_CLASS = frozenset({"class"})


@dataclass(frozen=True, eq=False)
class Leak:
    """A leak: what learned from (or copied) rows that end up on both sides of a split."""

    kind: LeakKind
    at: ast.AST  # where it is reported (the fit, the statistic, or the call of the helper doing it)
    cause: ast.AST  # the fit/statistic/resampling node itself
    label: str
    split: ast.AST | None  # the split, slice or separation the leak reaches
    split_kind: str = ""
    #: statistics of the same rows reaching the same split are one leak (``(x - mean) / std``)
    group: tuple[object, ...] | None = None


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A fitted model scored or predicting on the test part of a hold-out split."""

    node: ast.AST
    site: Site
    obj: Obj
    split: Split
    in_loop: bool
    data: ast.AST | None = None  # the evaluated data expression (``X_test``)
    #: one number per executed call: alternatives of one call (``if``/``else`` models) share it
    execution: int = 0


@dataclass(frozen=True, eq=False)
class EstimatorFit:
    """An estimator fitted on rows ``rows`` (what they learned from, e.g. a separately fitted scaler)."""

    node: ast.AST
    site: Site
    obj: Obj
    rows: Rows


def place(node: ast.AST, site: Site, other: Site) -> ast.AST:
    """Where to report an event related to another one: inside a helper when both happen there,
    else at the outermost call of the helper that produced it (``scale(X)`` before the split)."""
    return _report_at(node, site, other)


@dataclass(frozen=True, eq=False)
class Persist:
    at: ast.AST
    objs: frozenset[Obj]


@dataclass
class _Frame:
    env: dict[str, Value]
    site: Site = ()
    function: ast.AST | None = None
    returns: list[Value] = field(default_factory=list)
    self_value: Value | None = None
    #: names declared ``global`` in this function: assignments go to the module
    globals: set[str] = field(default_factory=set)


class DataFlow:
    """The data flow of one file: computed once on request, then queried by rules."""

    #: Visitors the engine's traversal runs for a file whose rules require the data flow.
    collectors: ClassVar[tuple[type[EventFunctions], ...]] = (EventFunctions,)

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.leaks: list[Leak] = []
        self.evaluations: list[Evaluation] = []
        self.estimator_fits: list[EstimatorFit] = []
        self.persists: list[Persist] = []
        #: objects kept together: persisted in one call, held by one dict display, or returned in one tuple or list
        self.bundles: list[frozenset[Obj]] = []
        #: RNG objects created in the file (random.Random(), torch.Generator(), ...)
        self.generators: list[Obj] = []
        #: splits that carve a validation part out of an earlier split's training part
        self.validation_splits: set[Split] = set()

        self.values: dict[ast.AST, Value] = {}
        self.complete = True  # False when the step budget cut inlining short
        _Interpreter(ctx, self).run()

    @staticmethod
    def call_name(func: ast.AST) -> str | None:
        """The last name of a called expression (``fit`` for ``model.fit``), for rules' cheap gates."""
        return _call_name(func)

    @staticmethod
    def split_names(ctx: FileContext) -> frozenset[str]:
        """Last names of calls that split data (a rule that sees none needs no data flow for leaks),
        but for :meth:`splitter_methods`, which split only on a splitter object."""
        return ctx.knowledge.derived(_split_names)

    @staticmethod
    def splitter_methods(ctx: FileContext) -> frozenset[str]:
        """Call names that split rows only when called on a cross-validation splitter (``kf.split(X)``):
        a file that cannot build a splitter (:meth:`may_build_splitter`) splits nothing with them (a
        string's or a tensor's ``split``)."""
        return ctx.knowledge.derived(_splitter_methods)

    @staticmethod
    def may_build_splitter(ctx: FileContext) -> bool:
        """Whether the file's text names a splitter class (``KFold``, ``ShuffleSplit``...) anywhere.

        The data flow gives an object the splitter role only for a constructor whose resolved name
        ends in a splitter class name; that last name is written in the file (at the call, in an
        import, or as a name the ``[aliases]`` table maps onto a splitter), so a file whose text
        holds none builds no splitter. Over-approximate by design (comments and strings count)."""
        return _splitter_words(flow_knowledge(ctx.knowledge), ctx.knowledge).search(ctx.source) is not None

    @staticmethod
    def split_calls(ctx: FileContext) -> frozenset[str]:
        """Resolved names of the calls that split rows (``sklearn.model_selection.train_test_split``): with
        :meth:`split_names` (the last names as written) a gate that an imported alias cannot pass by."""
        return ctx.knowledge.derived(_split_calls)

    @staticmethod
    def names_a_part(name: str) -> bool:
        """Whether binding a row slice to ``name`` splits the rows (``X_test = X[n:]``): the data flow makes
        a split of a slice only when the name bound to it has a train or test role, so a file that binds
        no such name and holds no split call splits nothing."""
        return _split_role(name) is not None

    @staticmethod
    def fit_names(ctx: FileContext) -> frozenset[str]:
        return ctx.knowledge.derived(_fit_names)

    @staticmethod
    def evaluation_names(ctx: FileContext) -> frozenset[str]:
        return flow_knowledge(ctx.knowledge).model_eval

    @classmethod
    def of(cls, ctx: FileContext) -> DataFlow:
        """The file's analysis, computed on first use and shared by every rule."""
        return ctx.analysis(cls)

    def value_of(self, node: ast.AST) -> Value | None:
        return self.values.get(node)

    def kinds_of(self, node: ast.AST) -> frozenset[str]:
        value = self.values.get(node)
        if value is None:
            return frozenset()
        kinds = set(value.kinds)
        for obj in in_order(value.objs):
            kinds |= obj.roles
        return frozenset(kinds)


def _split_names(knowledge: Knowledge) -> frozenset[str]:
    k = flow_knowledge(knowledge)
    return frozenset({name.rsplit(".", 1)[-1] for name in k.splits} | set(k.data_split_methods)
                     | {"fit", "random_split", "validation_split", "fit_generator"})


def _split_calls(knowledge: Knowledge) -> frozenset[str]:
    return frozenset(flow_knowledge(knowledge).splits)


def _splitter_methods(knowledge: Knowledge) -> frozenset[str]:
    return frozenset({"split"}) - _split_names(knowledge)


def _fit_names(knowledge: Knowledge) -> frozenset[str]:
    return frozenset(set(flow_knowledge(knowledge).model_fit) | {"fit", "fit_generator", "fit_predict"})


def _split_role(name: str) -> str | None:
    """"test" or "train" when a name (or a key, a column) says which part of a split it holds."""
    return _short_split_role(name) if len(name) <= 64 else _name_role(name)


@lru_cache(maxsize=4096)  # the same few names (X_train, y_test...) are asked about again and again
def _short_split_role(name: str) -> str | None:
    return _name_role(name)


def _name_role(name: str) -> str | None:
    if TEST_WORDS.search(name):
        return "test"
    if TRAIN_WORDS.search(name):
        return "train"
    return None


def _common(a: Site, b: Site) -> int:
    n = 0
    for x, y in zip(a, b):
        if x is not y:
            break
        n += 1
    return n


def _report_at(node: ast.AST, site: Site, other: Site) -> ast.AST:
    """Report inside a helper when the whole story happens there, else at the outermost call to it."""
    shared = _common(site, other)
    return site[shared] if len(site) > shared else node


def _short(node: ast.AST, limit: int = 40) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _int(node: ast.AST | None) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, int):
        return -node.operand.value
    return None


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _is_const(node: ast.AST | None, value: object) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


def _stateless_fit(cls: ast.ClassDef) -> bool:
    """``def fit(self, X, y=None): return self``: a custom transformer that learns nothing in fit()."""
    fit = next((s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "fit"), None)
    if fit is None:
        return False
    for stmt in fit.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Return) and (
                stmt.value is None or (isinstance(stmt.value, ast.Name) and stmt.value.id == "self"))):
            continue
        return False
    return True


def _separates(index: ast.AST) -> bool:
    """A row selection that tells train rows from test rows: the target missing or present
    (``df.Survived.notnull()``), a train/test marker (``df.source == "test"``, ``is_train``), membership."""
    for node in walk_nodes(index):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SEPARATORS:
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _split_role(node.value):
            return True
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if name is not None and _split_role(name):
            return True
    return False


_SEPARATORS = frozenset({"isnull", "notnull", "isna", "notna", "isin"})


def _displayed(expr: ast.expr) -> frozenset[int]:
    """Subscripts an expression statement only looks at: ``df[mask]``, ``df[mask].head()``, ``print(df[mask])``."""
    found: set[int] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Subscript):
            found.add(id(node))
            stack.append(node.value)
        elif isinstance(node, ast.Attribute):
            stack.append(node.value)
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in ("print", "display", "len"):
                stack.extend(node.args)
            elif isinstance(node.func, ast.Attribute) and node.func.attr in _LOOKS:
                stack.append(node.func.value)
    return frozenset(found)


#: methods that show or summarise data without using it further
_LOOKS = frozenset({"head", "tail", "describe", "info", "sample", "value_counts", "nunique", "count", "sum",
                    "isnull", "isna", "notnull", "plot", "hist", "unique", "to_string", "sort_values"})


def _gathers(node: ast.Call) -> bool:
    """``np.vstack(samples)``, ``np.asarray(rows)``: a collection built elsewhere (appended to in a loop,
    a comprehension) gathered into one data set; not ``np.stack([xs, ys])`` of a few arrays written out."""
    first = node.args[0] if node.args else None
    return first is not None and not isinstance(first, (ast.List, ast.Tuple, ast.Set))


def _per_row(node: ast.Call, positional: int | None) -> bool:
    """``df.mean(axis=1)``, ``np.std(x, axis=-1)``, ``t.mean(dim=1)``: a statistic of each row on its own
    (``positional``: the index of the axis among the positional arguments)."""
    axis = _keyword(node, "axis") or _keyword(node, "dim")
    if axis is None and positional is not None and len(node.args) > positional:
        axis = node.args[positional]
    if isinstance(axis, ast.UnaryOp) and isinstance(axis.op, ast.USub) and _is_const(axis.operand, 1):
        return True
    return _is_const(axis, 1) or _is_const(axis, "columns")


class _Interpreter:
    def __init__(self, ctx: FileContext, out: DataFlow) -> None:
        self.ctx = ctx
        self.k: FlowKnowledge = flow_knowledge(ctx.knowledge)
        self.out = out
        self.values = out.values  # the value of every name, attribute and call visited
        self.steps = 0
        self.stack: list[ast.AST] = []  # functions being inlined
        self.loop_depth = 0
        #: the expression statement being analysed: the subscripts it only shows (``_displayed``) are
        #: found when a subscript that may separate rows asks, rarely
        self.shown: ast.expr | None = None
        self.inlined: set[ast.AST] = set()
        self.roots: dict[object, int] = {}
        #: data made inside a loop body (one sample per iteration) -> that loop
        self.loop_roots: dict[int, ast.AST] = {}
        self.active_loops: list[ast.AST] = []  # loops being interpreted, innermost last
        self.instances: dict[ast.ClassDef, Value] = {}
        self.classes: list[ast.ClassDef] = []
        self.functions: list[ast.AST] = []
        self.slice_splits: dict[tuple[Rows, str], Split] = {}
        self.slice_spans: dict[Split, list[tuple[str, tuple[int | None, int | None], int]]] = {}
        self.reported: set[tuple[str, int]] = set()
        self.indexed: set[tuple[Split, Rows]] = set()
        self.module = _Frame({})

    # -- driver ------------------------------------------------------------------------------------
    def run(self) -> None:
        try:
            self.block(self.ctx.tree.body, self.module)
            self.entries()
        except RecursionError:  # pathological nesting: keep what was found so far
            self.out.complete = False

    def entries(self) -> None:
        """Analyse what nothing in the file called: methods (``__init__`` first) and functions,
        those that can matter (they, or local functions they call, split, fit, evaluate, step,
        call ``forward`` or build an RNG: see :mod:`mllint.analysis.eventfunctions`)."""
        interesting = EventFunctions.of(self.ctx).interesting()
        for cls in self.classes:
            methods = [s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
            if not any(m in interesting for m in methods):
                continue
            instance = self.instance(cls, None, self.module)
            methods.sort(key=lambda m: m.name != "__init__")
            for method in methods:
                if method not in self.inlined and (method in interesting or method.name == "__init__"):
                    self.inline(method, [], {}, None, self.module, instance, entry=True)
        for function in self.functions:
            if function not in self.inlined and function in interesting:
                self.inline(function, [], {}, None, self.module, None, entry=True)

    def root(self, key: object) -> int:
        found = self.roots.get(key)
        if found is None:
            found = self.roots[key] = len(self.roots) + 1
            if self.active_loops and not isinstance(key, tuple):
                self.loop_roots[found] = self.active_loops[-1]  # data made inside a loop: one sample per iteration
        return found

    # -- statements --------------------------------------------------------------------------------
    def block(self, body: list[ast.stmt], frame: _Frame) -> None:
        statements = _STATEMENTS
        for stmt in body:
            self.steps += 1
            # one table lookup by exact class instead of a chain of isinstance tests: statements come
            # from ast.parse, which builds no subclasses; other statements (pass, import...) do nothing
            handler = statements.get(stmt.__class__)
            if handler is not None:
                handler(self, stmt, frame)

    # The commonest statements and expressions dispatch their parts to the handlers themselves, as eval()
    # would (exact classes: nodes of ast.parse, whose classes are all in the table), one call less each.
    def s_Assign(self, s: ast.Assign, f: _Frame) -> None:
        value = _HANDLERS[s.value.__class__](self, s.value, f)
        for target in s.targets:
            self.assign(target, value, f, s.value)

    def s_Expr(self, s: ast.Expr, f: _Frame) -> None:
        if s.value.__class__ is ast.Constant:  # a docstring: evaluating a constant only makes a value
            self.shown = None  # as after any expression statement (one in a helper inlined from another)
            return
        self.shown = s.value  # df[df.x.isnull()] shown in a cell: a look, not a separation
        try:
            _HANDLERS[s.value.__class__](self, s.value, f)
        finally:
            self.shown = None

    def s_AugAssign(self, s: ast.AugAssign, f: _Frame) -> None:
        target = s.target
        current = _HANDLERS[target.__class__](self, target, f) \
            if isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)) else UNKNOWN
        value = _HANDLERS[s.value.__class__](self, s.value, f)
        self.assign(s.target, self.combine(current, value, s), f, s)

    def s_AnnAssign(self, s: ast.AnnAssign, f: _Frame) -> None:
        value = self.eval(s.value, f) if s.value is not None else UNKNOWN
        kind = self.annotation_kind(s.annotation)
        if kind:
            value = value.with_kinds(value.kinds | {kind})
        if s.value is not None or kind:
            self.assign(s.target, value, f, s)

    def s_While(self, s: ast.While, f: _Frame) -> None:
        self.eval(s.test, f)
        self.loop_body(s, s.body, f, passes=2)
        self.block(s.orelse, f)

    def s_If(self, s: ast.If, f: _Frame) -> None:
        test = _HANDLERS[s.test.__class__](self, s.test, f)
        before = dict(f.env)
        outcome = self.decided(s.test, f)
        if outcome is None:
            self.branches([s.body, s.orelse], f)
        else:  # encode(df, enc, "transform"): only the branch the call takes
            self.block(s.body if outcome else s.orelse, f)
        chosen = frozenset(learn for learn in test.rows.all_learned if learn.kind == "fit") if test.rows else frozenset()
        if chosen:  # if importance > t: keep.append(i): what is kept depends on what a model learned
            for name, value in f.env.items():
                if before.get(name) is not value:
                    rows = Rows(learned=chosen) if value.rows is None else value.rows.with_learned(chosen)
                    f.env[name] = value.with_rows(rows)

    def s_With(self, s: ast.With | ast.AsyncWith, f: _Frame) -> None:
        for item in s.items:
            value = self.eval(item.context_expr, f)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, value, f, item.context_expr)
        self.block(s.body, f)

    def s_Try(self, s: ast.Try, f: _Frame) -> None:  # also ``try: ... except*`` (ast.TryStar, Python 3.11+)
        self.block(s.body, f)
        for handler in s.handlers:
            self.block(handler.body, f)
        self.block(s.orelse, f)
        self.block(s.finalbody, f)

    def s_FunctionDef(self, s: ast.FunctionDef | ast.AsyncFunctionDef, f: _Frame) -> None:
        f.env[s.name] = Value(_FUNCTION, None, EMPTY, frozenset({s}))
        if f is self.module:
            self.functions.append(s)

    def s_ClassDef(self, s: ast.ClassDef, f: _Frame) -> None:
        f.env[s.name] = Value(_CLASS, None, EMPTY, frozenset({s}))
        if f is self.module or f.function is None:
            self.classes.append(s)

    def s_Return(self, s: ast.Return, f: _Frame) -> None:
        value = _HANDLERS[s.value.__class__](self, s.value, f) if s.value is not None else UNKNOWN
        if isinstance(s.value, (ast.Tuple, ast.List)) and value.items:
            together = frozenset().union(*(item.objs for item in value.items))
            if len(together) > 1:  # `return vectorizer, model`: handed to the caller together, as a dict would
                self.out.bundles.append(together)
        f.returns.append(value)

    def s_Match(self, s: ast.Match, f: _Frame) -> None:
        self.eval(s.subject, f)
        self.branches([case.body for case in s.cases], f)

    def s_Global(self, s: ast.Global, f: _Frame) -> None:
        f.globals.update(s.names)

    def s_Raise(self, s: ast.Raise | ast.Assert, f: _Frame) -> None:
        for child in ast.iter_child_nodes(s):
            if isinstance(child, ast.expr):
                self.eval(child, f)

    def branches(self, bodies: list[list[ast.stmt]], f: _Frame) -> None:
        before = dict(f.env)
        results: list[dict[str, Value]] = []
        for body in bodies:
            f.env = dict(before)
            self.block(body, f)
            results.append(f.env)
        if len(bodies) == 1:
            results.append(before)
        merged = dict(results[0])
        for other in results[1:]:
            for name, value in other.items():
                current = merged.get(name)
                merged[name] = value if current is None else current.join(value)
        f.env = merged

    def loop_body(self, loop: ast.AST, body: list[ast.stmt], f: _Frame, passes: int) -> None:
        self.loop_depth += 1
        self.active_loops.append(loop)
        try:
            for _ in range(passes if self.loop_depth <= 2 else 1):
                self.block(body, f)
        finally:
            self.loop_depth -= 1
            self.active_loops.pop()

    def loop_for(self, s: ast.For | ast.AsyncFor, f: _Frame) -> None:
        iterable = _HANDLERS[s.iter.__class__](self, s.iter, f)
        if iterable.items is not None and 0 < len(iterable.items) <= MAX_UNROLL and not iterable.element:
            self.loop_depth += 1
            self.active_loops.append(s)
            try:
                for item in iterable.items:  # for df in [train, test]: one pass per element
                    self.assign(s.target, item, f, s.iter)
                    self.block(s.body, f)
            finally:
                self.loop_depth -= 1
                self.active_loops.pop()
        else:
            element = self.element_of(iterable)
            self.loop_depth += 1
            self.active_loops.append(s)
            try:
                for _ in range(2 if self.loop_depth <= 2 else 1):
                    self.assign(s.target, element, f, s.iter)
                    self.block(s.body, f)
            finally:
                self.loop_depth -= 1
                self.active_loops.pop()
        self.block(s.orelse, f)

    def element_of(self, value: Value) -> Value:
        if value.element is not None:
            return value.element
        for obj in in_order(value.objs):
            if obj.is_("splitter"):  # legacy: for train, test in StratifiedKFold(y, n_folds=4)
                split = Split(obj.node, "cv", obj.site)
                return Value(items=tuple(Value(rows=Rows(parts=frozenset({Part(split, role)})),
                                               kinds=frozenset({"indices"})) for role in ("train", "test")))
        if value.items is not None:
            return join_all(list(value.items))
        if value.rows is not None:  # one sample of the rows: its own statistics are per-sample
            return Value(value.kinds & {"ndarray", "tensor"}, value.rows.but(sample=True))
        if value.has("dataloader") or value.has("dataset"):
            return Value(kinds=frozenset({"batch"}))
        return UNKNOWN

    # -- assignment --------------------------------------------------------------------------------
    def assign(self, target: ast.AST, value: Value, f: _Frame, source: ast.AST) -> None:
        if isinstance(target, ast.Name):
            if target.id in f.globals and f is not self.module:
                current = self.module.env.get(target.id)
                self.module.env[target.id] = value if current is None else current.join(value)
                self.values[target] = value
                return
            previous = f.env.get(target.id)
            if previous is not None and previous.objs:  # else nothing can be dropped
                self.dropped(previous, value)
            if value.slice is not None or value.rows is not None:  # else the name cannot change the value
                value = self.named(target.id, value, source)
            f.env[target.id] = value
            self.values[target] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            elts = target.elts
            starred = False
            for e in elts:  # a loop, not any() over a generator (a frame of its own)
                if isinstance(e, ast.Starred):
                    starred = True
                    break
            if value.items is not None and len(value.items) == len(elts) and not starred:
                for element, item in zip(elts, value.items):
                    self.assign(element, item, f, source)
            else:
                element_value = value.element if value.element is not None else value
                for element in elts:
                    self.assign(element.value if isinstance(element, ast.Starred) else element, element_value, f, source)
        elif isinstance(target, ast.Attribute):
            base = _HANDLERS[target.value.__class__](self, target.value, f)
            stored = False
            for obj in in_order(base.objs):
                if obj.is_("instance"):
                    current = obj.attrs.get(target.attr)
                    self.dropped(current, value)
                    obj.attrs[target.attr] = value if current is None or self.loop_depth == 0 else current.join(value)
                    stored = True
            if not stored and base.rows is not None:
                self.update_root(target.value, base, value, f)
        elif isinstance(target, ast.Subscript):
            base = self.eval(target.value, f)
            self.eval(target.slice, f)
            if base.rows is not None or value.rows is not None:
                column = target.slice.value if isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str) else None
                self.update_root(target.value, base, value, f, column)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, f, source)

    def dropped(self, previous: Value | None, new: Value) -> None:
        """A name or attribute rebound: an RNG object it held and nobody used is dead, not unseeded."""
        if previous is None or not previous.objs:
            return
        for obj in previous.objs - new.objs:  # each object's flag depends on itself alone: any order
            if (obj.is_("rng") or obj.is_("generator")) and not obj.used and not obj.used_unseeded:
                obj.replaced = True

    def named(self, name: str, value: Value, source: ast.AST) -> Value:
        """The value a name gets: test-like names mark fresh data as test rows; named slices split."""
        if value.slice is not None:
            role = _split_role(name)
            if role is None and self.rebinds_rest(name, value, source):
                role = "train"
            if role is not None:
                self.check_separation(value.slice[0], source, True)  # train = full[:n_train]
                return self.slice_part(value, role, source)
        if value.rows is not None and not value.rows.parts and not value.rows.test_named and _split_role(name) == "test":
            return value.with_rows(value.rows.but(test_named=True))
        return value

    def rebinds_rest(self, name: str, value: Value, source: ast.AST) -> bool:
        """``test = data[-n:]; data = data[:-n]``: the sliced data's own name rebound to a slice of it after a
        test part was sliced off the same data: that slice is the training part (the rows it keeps are
        the test part's complement only if the spans say so: ``check_spans`` compares them)."""
        if not isinstance(source, ast.Subscript) or value.slice is None:
            return False
        root = source.value
        while isinstance(root, ast.Attribute):  # data.iloc[:-n]
            root = root.value
        if not (isinstance(root, ast.Name) and root.id == name):
            return False
        base, _lower, _upper, written = value.slice
        split = self.slice_splits.get((base, written))
        return split is not None and any(role == "test" for role, _span, _line in self.slice_spans.get(split, ()))

    def update_root(self, base_node: ast.AST, base: Value, value: Value, f: _Frame, column: str | None = None) -> None:
        """``df["c"] = v`` / ``X[i] = v`` / ``df.c = v``: the root name now also holds ``v``'s rows
        (what ``v`` learned goes to column ``c`` only when the column is named)."""
        root = base_node
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if not isinstance(root, ast.Name) or base.rows is None:
            return
        rows = base.rows
        if value.rows is not None:
            self.check_applied(rows, value.rows.all_learned, base_node)
            if column is not None and base_node is root:
                rows = rows.with_column(column, value.rows.all_learned)
            else:
                rows = rows.with_learned(value.rows.all_learned)
            if value.rows.augs and value.rows.roots & rows.roots:
                rows = rows.but(dups=rows.dups | value.rows.augs)  # augmented copies written beside originals
        current = f.env.get(root.id)
        if current is None and f is not self.module:
            current = self.module.env.get(root.id)
        if current is not None and current.rows is not None:
            f.env[root.id] = current.with_rows(current.rows.join(rows))
        elif base_node is root or current is None:  # a name the file never bound (a snippet's df)
            f.env[root.id] = Value(rows=rows, kinds=base.kinds & DATA_KINDS)

    def slice_part(self, value: Value, role: str, node: ast.AST) -> Value:
        """``train = data[:n]`` / ``X_test = X.iloc[n:]``: a slice bound to a split name is a split."""
        assert value.slice is not None
        base, lower, upper, written = value.slice
        key = (base, written)  # slices of one base, as written (``data[:n]`` and ``data[n:]``)
        split = self.slice_splits.get(key)
        if split is None:
            split = self.slice_splits[key] = Split(node, "slice", self.site_of_current())
            self.on_split(split, [base])
        self.check_spans(split, role, (lower, upper), node)
        span = (lower, upper)
        rows = value.rows if value.rows is not None else base
        part = Part(split, "test" if role == "test" else "train", span)
        return replace(value, rows=rows.but(parts=rows.parts | {part}, mixes=frozenset()), slice=None)

    def check_spans(self, split: Split, role: str, span: tuple[int | None, int | None], node: ast.AST) -> None:
        """Literal slices of one base given to train and test that overlap: the same rows on both sides."""
        known = self.slice_spans.setdefault(split, [])
        line = getattr(node, "lineno", 0)
        for other_role, other, other_line in known:
            # parts made together (a few lines apart); a later re-slice (``X_train_full = X[:60_000]``) is a new use
            if other_role != role and abs(line - other_line) <= 4 and _overlap(span, other):
                self.leak("overlap", node, node, self.site_of_current(), "overlapping slices", split)
        known.append((role, span, line))

    # -- expressions -------------------------------------------------------------------------------
    def eval(self, node: ast.AST | None, f: _Frame) -> Value:
        # one lookup by exact class: the table holds every node class of the ast module (ast.parse builds
        # no subclasses) and None's; a try costs nothing in Python 3.11+ unless it catches
        try:
            handler = _HANDLERS[node.__class__]
        except KeyError:  # a node of a class the table lacks (built by other code): its parts are seen
            handler = _Interpreter.e_parts
        return handler(self, node, f)

    def e_parts(self, node: ast.AST, f: _Frame) -> Value:
        """An expression the analysis does not model (a slice, an f-string...): only its parts are evaluated."""
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.eval(child, f)
        return UNKNOWN

    def e_None(self, node: None, f: _Frame) -> Value:
        return UNKNOWN

    # what e_parts does for f-strings and slices, without iterating their fields generically
    def e_JoinedStr(self, node: ast.JoinedStr, f: _Frame) -> Value:
        for value in node.values:
            if value.__class__ is ast.FormattedValue:  # the rest are constants: evaluating one only makes a value
                self.e_FormattedValue(value, f)
        return UNKNOWN

    def e_FormattedValue(self, node: ast.FormattedValue, f: _Frame) -> Value:
        _HANDLERS[node.value.__class__](self, node.value, f)
        if node.format_spec is not None:
            self.eval(node.format_spec, f)
        return UNKNOWN

    def e_Slice(self, node: ast.Slice, f: _Frame) -> Value:
        for bound in (node.lower, node.upper, node.step):
            if bound is not None:
                self.eval(bound, f)
        return UNKNOWN

    def e_Constant(self, node: ast.Constant, f: _Frame) -> Value:
        value = node.value
        # an exact type test: ast.parse makes constants of builtin types only (bool, a subclass of int, is listed)
        if value.__class__ in _LITERAL_TYPES:
            # Value(literal=(value,)) with positional arguments (see Value); a new value each time
            return Value(EMPTY, None, EMPTY, EMPTY, EMPTY, None, None, None, None, False, (value,))
        return UNKNOWN

    def decided(self, test: ast.expr, f: _Frame) -> bool | None:
        """The outcome of ``if typ == "fit":`` when the call passed a literal mode; None when unknown (a
        default value leaves both branches possible: other callers may pass something else)."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self.decided(test.operand, f)
            return None if inner is None else not inner
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
            left, right = self.literal_of(test.left, f), self.literal_of(test.comparators[0], f)
            if left is None or right is None:
                return None
            same = left[0] == right[0] and type(left[0]) is type(right[0])
            return same if isinstance(test.ops[0], (ast.Eq, ast.Is)) else not same
        if isinstance(test, ast.Name):
            found = self.literal_of(test, f)
            return None if found is None else bool(found[0])
        return None

    def literal_of(self, node: ast.expr, f: _Frame) -> tuple[object] | None:
        if isinstance(node, ast.Constant):
            return (node.value,) if isinstance(node.value, (str, int, bool)) or node.value is None else None
        if isinstance(node, ast.Name) and f.function is not None:  # a parameter of the helper being analysed
            found = f.env.get(node.id)
            return found.literal if found is not None else None
        return None

    # Names, attributes and calls record their values for the rules (``DataFlow.value_of``).
    def e_Name(self, node: ast.Name, f: _Frame) -> Value:
        name = node.id
        found = f.env.get(name)
        if found is None and f is not self.module:
            found = self.module.env.get(name)
        if found is None:
            found = self.unbound(node)
        self.values[node] = found
        return found

    def unbound(self, node: ast.Name) -> Value:
        """A name bound nowhere in the file's analysed scopes: an import, a builtin, or data of its own."""
        qualname = self.ctx.qualname(node)
        if qualname:
            return Value(_MODULE, None, EMPTY, EMPTY, EMPTY, qualname)  # positional: see Value
        if node.id in _BUILTINS:
            return Value(EMPTY, None, EMPTY, EMPTY, EMPTY, "builtins." + node.id)
        rows = Rows(frozenset({self.root(("name", node.id))}))
        return self.named(node.id, Value(EMPTY, rows), node)

    def e_Attribute(self, node: ast.Attribute, f: _Frame) -> Value:
        value = self.attribute(node, f)
        self.values[node] = value
        return value

    def attribute(self, node: ast.Attribute, f: _Frame) -> Value:
        base = _HANDLERS[node.value.__class__](self, node.value, f)
        if base.qualname is not None:
            qualname = self.ctx.qualname(node) or f"{base.qualname}.{node.attr}"
            kind = self.k.call_kind(qualname)
            return Value(kinds=frozenset({"module"} | ({kind} if kind == "module" else set())), qualname=qualname)
        if base.objs:  # (in_order of no objects is no objects)
            for obj in in_order(base.objs):
                if obj.is_("instance") and node.attr in obj.attrs:
                    return obj.attrs[node.attr]
        if base.instances:
            for cls in base.instances:
                for item in cls.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == node.attr:
                        return Value(kinds=frozenset({"method"}), funcs=frozenset({item}), items=(base,))
        if base.objs and node.attr in ("best_estimator_", "module", "estimator", "model", "_orig_mod"):
            return Value(kinds=base.kinds, objs=base.objs)
        if base.objs and node.attr.endswith("_") and not node.attr.startswith("_"):  # coef_, feature_importances_
            learned = frozenset(fit.learn for obj in base.objs for fit in obj.fits[-1:] if fit.learn is not None)
            if learned:
                return Value(rows=Rows(learned=learned), stat=True)
        if base.rows is not None:
            if node.attr in _METADATA:  # df.shape, df.columns: about the data, not rows of it
                return Value(kinds=frozenset({"metadata"}))
            kinds = base.kinds & _FRAME_KINDS
            return Value(kinds | ({"indexer"} if node.attr in ("loc", "iloc", "at", "iat") else set()), base.rows)
        return Value(kinds=base.kinds & {"torch_module"} if node.attr in ("module",) else frozenset())

    def e_Subscript(self, node: ast.Subscript, f: _Frame) -> Value:
        base = _HANDLERS[node.value.__class__](self, node.value, f)
        chooser = node.slice  # a constant index as UNKNOWN: only its rows and kinds are read below
        index = UNKNOWN if chooser.__class__ is ast.Constant else _HANDLERS[chooser.__class__](self, chooser, f)
        if base.items is not None:
            position = _int(node.slice)
            if position is not None and -len(base.items) <= position < len(base.items):
                return base.items[position]
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str) and "split_dict" in base.kinds:
                role = _split_role(node.slice.value)
                if role is not None:
                    return base.items[0 if role == "train" else 1]
            if base.rows is None:
                return join_all(list(base.items))
        if base.rows is not None:
            names = _column_names(node.slice)
            if names is not None:  # df[["Age", "Fare"]]: what those columns learned
                base = base.with_rows(base.rows.select(names))
        if base.rows is None:
            if index.rows is not None:  # X.columns[model.coef_ != 0]: columns chosen by a fitted model
                learned = frozenset(learn for learn in index.rows.all_learned if learn.kind == "fit")
                if learned:
                    return Value(rows=Rows(learned=learned), stat=True)
            return Value(kinds=base.kinds & {"torch_module"}, objs=base.objs if base.has("torch_module") else frozenset())
        rows = base.rows
        if index.rows is not None and index.rows.parts and "indices" in index.kinds:  # X.iloc[train_idx] of a fold
            for part in parts_in_order(index.rows.parts):
                key = (part.split, rows)
                if key not in self.indexed:  # the first rows a fold's indices select are what it splits
                    self.indexed.add(key)
                    self.on_split(part.split, [rows])
            rows = rows.but(parts=rows.parts | index.rows.parts)
        kinds = base.kinds & _FRAME_KINDS
        chosen = rows_of(index)  # X.iloc[:, keep]: the index may be a tuple
        if chosen is not None:  # columns chosen by what a model learned (feature selection)
            learned = frozenset(learn for learn in chosen.all_learned if learn.kind == "fit")
            if learned:
                rows = rows.with_learned(learned)
        bounds = self.row_slice(node)
        if bounds is None and index.rows is not None and (self.shown is None or id(node) not in _displayed(self.shown)) \
                and _separates(node.slice):
            # full[full.is_train == 1], df[df.Survived.notnull()]: one side of concatenated data again
            self.check_separation(rows, node, True)
            rows = rows.but(mixes=frozenset()) if rows.mixes else rows
        if bounds is not None:
            return Value(rows=rows, kinds=kinds, slice=(rows, bounds[0], bounds[1], ast.unparse(node.value)))
        return Value(kinds, rows)

    def row_slice(self, node: ast.Subscript) -> tuple[int | None, int | None] | None:
        """Bounds of a row slice ``x[a:b]``, ``x[a:b, :]``, ``x.iloc[a:b]`` (None otherwise)."""
        index = node.slice
        if isinstance(index, ast.Tuple) and index.elts:
            index = index.elts[0]
        if not isinstance(index, ast.Slice) or (index.lower is None and index.upper is None) or index.step is not None:
            return None
        return _bound(index.lower), _bound(index.upper)

    executions = 0

    def e_Call(self, node: ast.Call, f: _Frame) -> Value:
        self.executions += 1
        func = node.func
        # loops, not comprehensions: a comprehension is a function call of its own (Python < 3.12); the
        # handlers are looked up here as eval() would (exact classes: nodes of ast.parse, whose classes
        # are all in the table), one call less per argument
        handlers = _HANDLERS
        args: list[Value] = []
        handed = False  # whether any argument holds objects (rarely): only then are they handed on
        for a in node.args:
            if a.__class__ is ast.Starred:
                a = a.value
            value = handlers[a.__class__](self, a, f)
            args.append(value)
            if value.objs:
                handed = True
        kwargs: dict[str, Value] = {}
        for keyword in node.keywords:
            value = kwargs[keyword.arg or "**"] = handlers[keyword.value.__class__](self, keyword.value, f)
            if value.objs:
                handed = True
        if handed:  # after every argument is evaluated: one may seed an object another one passes
            for value in args:
                if value.objs:
                    _hand_on(value.objs)
            for value in kwargs.values():
                if value.objs:
                    _hand_on(value.objs)
        if func.__class__ is ast.Attribute:
            receiver = handlers[func.value.__class__](self, func.value, f)
            value = self.method_call(node, receiver, func.attr, args, kwargs, f)
        else:
            value = self.function_call(node, handlers[func.__class__](self, func, f), args, kwargs, f)
        self.values[node] = value
        return value

    def e_BinOp(self, node: ast.BinOp, f: _Frame) -> Value:
        # a constant operand as UNKNOWN: combine() reads no literal, and returns neither operand itself
        left, right = node.left, node.right
        return self.combine(UNKNOWN if left.__class__ is ast.Constant else _HANDLERS[left.__class__](self, left, f),
                            UNKNOWN if right.__class__ is ast.Constant else _HANDLERS[right.__class__](self, right, f),
                            node)

    def combine(self, left: Value, right: Value, node: ast.AST) -> Value:
        """Arithmetic between values: rows join; a statistic applied to data is learned by it."""
        if left.rows is None and right.rows is None:
            if left.items is not None and right.items is not None:  # list + list
                return Value(items=left.items + right.items, kinds=left.kinds | right.kinds)
            return UNKNOWN
        if left.rows is not None and right.rows is not None:
            self.check_applied(left.rows, right.rows.all_learned, node)
            self.check_applied(right.rows, left.rows.all_learned, node)
        rows = rows_of(left, right)
        if (left.stat or left.rows is None) and (right.stat or right.rows is None):
            return Value(rows=rows, stat=True)
        data = left if left.rows is not None and not left.stat else right
        return Value(data.kinds & DATA_KINDS, rows)

    def e_UnaryOp(self, node: ast.UnaryOp, f: _Frame) -> Value:
        return _HANDLERS[node.operand.__class__](self, node.operand, f)

    def e_BoolOp(self, node: ast.BoolOp, f: _Frame) -> Value:
        return join_all([self.eval(v, f) for v in node.values])

    def e_Compare(self, node: ast.Compare, f: _Frame) -> Value:
        # constants are left out: their values hold no rows (nor items or objects) for rows_of to join
        values = [] if node.left.__class__ is ast.Constant else [_HANDLERS[node.left.__class__](self, node.left, f)]
        for comparator in node.comparators:  # a loop, not a comprehension (a frame of its own)
            if comparator.__class__ is not ast.Constant:
                values.append(_HANDLERS[comparator.__class__](self, comparator, f))
        rows = rows_of(*values)
        return Value(_MASK, rows) if rows is not None else UNKNOWN

    def e_IfExp(self, node: ast.IfExp, f: _Frame) -> Value:
        test = _HANDLERS[node.test.__class__](self, node.test, f)
        value = _HANDLERS[node.body.__class__](self, node.body, f)
        value = value.join(_HANDLERS[node.orelse.__class__](self, node.orelse, f))
        if test.rows is not None and test.rows.all_learned:  # 1 if x > df.x.mean() else 0
            learned = Rows(learned=test.rows.all_learned)
            value = value.with_rows(learned if value.rows is None else value.rows.join(learned))
        return value

    def e_Tuple(self, node: ast.Tuple | ast.List | ast.Set, f: _Frame) -> Value:
        values: list[Value] = []
        for e in node.elts:  # a loop, not a generator (a frame of its own)
            if e.__class__ is ast.Starred:
                e = e.value
            values.append(_HANDLERS[e.__class__](self, e, f))
        return Value(_LIST, None, EMPTY, EMPTY, EMPTY, None, tuple(values))

    e_List = e_Set = e_Tuple

    def e_Dict(self, node: ast.Dict, f: _Frame) -> Value:
        for key in node.keys:
            if key.__class__ is not ast.Constant:  # evaluating a constant only makes a value
                self.eval(key, f)
        values: list[Value] = []
        for v in node.values:  # a loop, not a generator (a frame of its own)
            values.append(_HANDLERS[v.__class__](self, v, f))
        items = tuple(values)
        kinds = {"dict"}
        if items and all(i.has("dataframe") for i in items):
            kinds.add("frames_dict")
        together = frozenset().union(*(i.objs for i in items))
        if len(together) > 1:  # {"encoder": enc, "sampler": kde}: objects kept (and shipped) together
            self.out.bundles.append(together)
        return Value(frozenset(kinds), None, EMPTY, EMPTY, EMPTY, None, items)

    def comprehension(self, generators: list[ast.comprehension], f: _Frame) -> frozenset[Learn]:
        """Bind the loop targets; what the conditions learned (``if s > 0`` over importances) is returned."""
        learned: frozenset[Learn] = frozenset()
        for generator in generators:
            self.assign(generator.target, self.element_of(self.eval(generator.iter, f)), f, generator.iter)
            for condition in generator.ifs:
                value = self.eval(condition, f)
                if value.rows is not None:
                    learned |= frozenset(learn for learn in value.rows.all_learned if learn.kind == "fit")
        return learned

    def unrolled(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, f: _Frame) -> list[_Frame] | None:
        """``[fit(m) for m in (a, b)]`` over a short literal display: one frame per element (like a loop)."""
        first = node.generators[0]
        if len(node.generators) != 1 or first.ifs:
            return None
        iterable = self.eval(first.iter, f)
        if iterable.items is None or not 0 < len(iterable.items) <= MAX_UNROLL or iterable.element is not None:
            return None
        frames = []
        for item in iterable.items:
            inner = _Frame(dict(f.env), f.site, f.function, [], f.self_value)
            self.assign(first.target, item, inner, first.iter)
            frames.append(inner)
        return frames

    def e_ListComp(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp, f: _Frame) -> Value:
        frames = self.unrolled(node, f)
        if frames is not None:
            elements = [self.eval(node.elt, inner) for inner in frames]
            joined = join_all(elements)
            return Value(rows=joined.rows, kinds=frozenset({"list"}), element=joined, items=tuple(elements))
        inner = _Frame(dict(f.env), f.site, f.function, [], f.self_value)
        chosen = self.comprehension(node.generators, inner)
        element = self.eval(node.elt, inner)
        rows = element.rows
        if chosen:  # elements chosen by what a model learned (feature selection)
            rows = Rows(learned=chosen) if rows is None else rows.with_learned(chosen)
        return Value(rows=rows, kinds=frozenset({"list"}), element=element)

    e_SetComp = e_GeneratorExp = e_ListComp

    def e_DictComp(self, node: ast.DictComp, f: _Frame) -> Value:
        frames = self.unrolled(node, f)
        if frames is not None:
            elements = []
            for inner in frames:
                self.eval(node.key, inner)
                elements.append(self.eval(node.value, inner))
            joined = join_all(elements)
            return Value(rows=joined.rows, kinds=frozenset({"dict"}), element=joined, items=tuple(elements))
        inner = _Frame(dict(f.env), f.site, f.function, [], f.self_value)
        self.comprehension(node.generators, inner)
        self.eval(node.key, inner)
        element = self.eval(node.value, inner)
        return Value(rows=element.rows, kinds=frozenset({"dict"}), element=element)

    def e_Lambda(self, node: ast.Lambda, f: _Frame) -> Value:
        return Value(kinds=frozenset({"function"}), funcs=frozenset({node}))

    def e_NamedExpr(self, node: ast.NamedExpr, f: _Frame) -> Value:
        value = self.eval(node.value, f)
        self.assign(node.target, value, f, node.value)
        return value

    def e_Starred(self, node: ast.Starred, f: _Frame) -> Value:
        return self.eval(node.value, f)

    def e_Await(self, node: ast.Await, f: _Frame) -> Value:
        return self.eval(node.value, f)

    # -- calls -------------------------------------------------------------------------------------
    def site_of_current(self) -> Site:
        return self._site

    _site: Site = ()

    def function_call(self, node: ast.Call, callee: Value, args: list[Value], kwargs: dict[str, Value], f: _Frame) -> Value:
        results: list[Value] = []
        for func in callee.funcs:
            if isinstance(func, ast.ClassDef):
                results.append(self.instance(func, node, f, args, kwargs))
            elif isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                bound = callee.items[0] if "method" in callee.kinds and callee.items else None
                results.append(self.inline(func, args, kwargs, node, f, bound))
        if callee.qualname is not None:
            results.append(self.library_call(node, callee.qualname, args, kwargs, f))
        if callee.objs:
            for obj in in_order(callee.objs):  # lookup(x) of an adapted Keras layer: its transform
                vocab = self.k.vocabularies.get(obj.qualname)
                if vocab and "__call__" in vocab[1]:
                    results.append(self.object_method(node, obj, callee, "__call__", args, kwargs, f))
        if results:
            return results[0] if len(results) == 1 else join_all(results)  # join_all of one value is that value
        return self.unknown_call(args, kwargs, node)

    def unknown_call(self, args: list[Value], kwargs: dict[str, Value], node: ast.AST | None = None) -> Value:
        """A call the analysis cannot see into: its result derives from the data passed in, or is
        new data of its own (``reviews = load_files(...)``)."""
        rows = rows_of(*args, *kwargs.values())
        if rows is not None:
            return Value(EMPTY, rows)
        return Value(EMPTY, Rows(frozenset({self.root(node)}))) if node is not None else UNKNOWN

    def inline(self, func: ast.AST, args: list[Value], kwargs: dict[str, Value], node: ast.Call | None,
               f: _Frame, bound_self: Value | None, entry: bool = False) -> Value:
        if not entry:
            self.inlined.add(func)
        if func in self.stack or len(self.stack) >= MAX_DEPTH or (self.steps > MAX_STEPS and not entry):
            if self.steps > MAX_STEPS:
                self.out.complete = False
            return self.unknown_call(args, kwargs)
        site = f.site + (node,) if node is not None else f.site
        frame = _Frame({}, site, func, [], bound_self)

        self.bind_parameters(func, frame, args, kwargs, bound_self, node)
        self.stack.append(func)
        saved_site, saved_loop, saved_loops = self._site, self.loop_depth, self.active_loops
        self._site = site
        if entry:
            self.loop_depth, self.active_loops = 0, []
        try:
            if isinstance(func, ast.Lambda):
                return self.eval(func.body, frame)
            assert isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
            self.block(func.body, frame)
        finally:
            self.stack.pop()
            self._site = saved_site
            self.loop_depth, self.active_loops = saved_loop, saved_loops
        return join_all(frame.returns) if frame.returns else UNKNOWN

    def bind_parameters(self, func: ast.AST, frame: _Frame, args: list[Value], kwargs: dict[str, Value],
                        bound_self: Value | None, node: ast.Call | None) -> None:
        spec = func.args  # type: ignore[attr-defined]
        positional = [*spec.posonlyargs, *spec.args]
        values = list(args)
        if bound_self is not None and positional:
            values = [bound_self, *values]
        defaults = [None] * (len(positional) - len(spec.defaults)) + list(spec.defaults)
        for index, arg in enumerate(positional):
            if index < len(values):
                value = values[index]
            elif arg.arg in kwargs:
                value = kwargs[arg.arg]
            elif node is None or defaults[index] is None:
                value = self.parameter(func, arg)
            else:  # a default: both branches on it stay possible (a helper's latent path is still code)
                value = replace(self.eval(defaults[index], self.module), literal=None)
            frame.env[arg.arg] = value
        for arg, default in zip(spec.kwonlyargs, spec.kw_defaults):
            frame.env[arg.arg] = kwargs.get(arg.arg) or (replace(self.eval(default, self.module), literal=None)
                                                         if default is not None and node else self.parameter(func, arg))
        if spec.vararg is not None:
            extra = values[len(positional):]
            frame.env[spec.vararg.arg] = Value(items=tuple(extra), kinds=frozenset({"list"})) if node else self.parameter(func, spec.vararg)
        if spec.kwarg is not None:
            frame.env[spec.kwarg.arg] = Value(kinds=frozenset({"dict"}), items=tuple(kwargs.values())) if node else UNKNOWN

    def parameter(self, func: ast.AST, arg: ast.arg) -> Value:
        """An unknown argument: data of its own (a root), with the kind its annotation gives."""
        kind = self.annotation_kind(arg.annotation) if arg.annotation is not None else None
        rows = Rows(frozenset({self.root((func, arg.arg))}))
        value = self.named(arg.arg, Value(EMPTY, rows), arg)
        return value.with_kinds(value.kinds | {kind}) if kind else value

    def annotation_kind(self, annotation: ast.AST | None) -> str | None:
        if annotation is None:
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(annotation, ast.BinOp):
            return self.annotation_kind(annotation.left) or self.annotation_kind(annotation.right)
        if isinstance(annotation, ast.Subscript):
            return self.annotation_kind(annotation.slice)
        name = self.ctx.qualname(annotation)
        return self.k.annotation_kind(name) if name else None

    def instance(self, cls: ast.ClassDef, node: ast.Call | None, f: _Frame,
                 args: list[Value] | None = None, kwargs: dict[str, Value] | None = None) -> Value:
        """An instance of a module-local class (one shared per class), ``__init__`` run at creation."""
        found = self.instances.get(cls)
        if found is None:
            kinds: set[str] = set()
            roles = {"instance"}
            for base in cls.bases:
                name = self.ctx.qualname(base)
                kind = self.k.base_kind(name) if name else None
                if kind:
                    kinds.add(kind)
                if name:
                    roles |= self.k.object_roles(name) - {"splitter"}
                if name and name.startswith("sklearn.base."):
                    roles |= {"transformer"} if "Transformer" in name else {"estimator"}
                if isinstance(base, ast.Name) and base.id in self.module.env:
                    for other in self.module.env[base.id].funcs:
                        if isinstance(other, ast.ClassDef) and other is not cls:
                            parent = self.instance(other, None, f)
                            kinds |= parent.kinds
                            for obj in in_order(parent.objs):
                                roles |= obj.roles
            if "transformer" in roles and _stateless_fit(cls):
                roles.discard("transformer")  # fit() returns self and learns nothing (a column selector)
                roles.add("stateless")
            obj = Obj(frozenset(roles), cls.name, cls, cls.name, self._site)
            found = self.instances[cls] = Value(kinds=frozenset(kinds), objs=frozenset({obj}), instances=frozenset({cls}))
        if node is not None:
            init = next((s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == "__init__"), None)
            if init is not None:
                self.inline(init, args or [], kwargs or {}, node, f, found)
        return found

    # -- library calls -------------------------------------------------------------------------------
    def library_call(self, node: ast.Call, name: str, args: list[Value], kwargs: dict[str, Value], f: _Frame) -> Value:
        k = self.k
        if k.plain_call(name):  # none of the tests below can hold (most calls): the generic answer
            return self.generic_call(node, name, args, kwargs)
        spec = k.splits.get(name)
        if spec is not None:
            return self.split_call(node, name, spec, args, kwargs)
        if name in k.seeders:
            return UNKNOWN
        roles = k.object_roles(name)
        if roles and (name.rsplit(".", 1)[-1][:1].isupper() or roles & CONSTRUCTED_ROLES):
            return self.construct(node, name, roles, args, kwargs)
        if name in k.persist_functions:
            position = k.persist_functions[name]
            if len(args) > position:
                persist = Persist(self.at(node), args[position].all_objs())
                self.out.persists.append(persist)
                if len(persist.objs) > 1:
                    self.out.bundles.append(persist.objs)
            return UNKNOWN
        first = args[0] if args else next((kwargs[key] for key in _DATA_KWARGS if key in kwargs), None) if kwargs else None
        if name in k.stat_functions and first is not None and first.rows is not None:
            if _per_row(node, 2 if "percentile" in name or "quantile" in name else 1):
                return Value(rows=first.rows, kinds=first.kinds)
            return self.statistic(node, first.rows, f"{name.rsplit('.', 1)[-1]}({_short(node.args[0]) if node.args else ''})")
        if name in k.transforming_functions and first is not None and first.rows is not None:
            learn = self.learn(node, "stat", first.rows, f"{name.rsplit('.', 1)[-1]}() of {_short(node.args[0]) if node.args else 'the data'}")
            return Value(rows=first.rows.with_learned(frozenset({learn})), kinds=first.kinds)
        if name in k.binning_functions and first is not None and first.rows is not None:
            bins = _keyword(node, k.binning_functions[name]) or (node.args[1] if len(node.args) > 1 else None)
            if bins is not None and (_int(bins) is not None or (bins in self.out.values and self.out.values[bins].stat)):
                learn = self.learn(node, "stat", first.rows, f"{name.rsplit('.', 1)[-1]}() bins of {_short(node.args[0])}")
                return Value(rows=first.rows.with_learned(frozenset({learn})), kinds=first.kinds)
            return Value(rows=rows_of(*args, *kwargs.values()), kinds=first.kinds)
        if name in k.dup_functions and first is not None and first.rows is not None:
            flag = _keyword(node, k.dup_functions[name])
            if not _is_const(flag, False):
                dup = Dup(node, f"{name.rsplit('.', 1)[-1]}(replace=True)", self._site)
                return Value(rows=first.rows.but(dups=first.rows.dups | {dup}), kinds=first.kinds)
        if k.is_augmentation(name):
            if name.rsplit(".", 1)[-1][:1].isupper():
                obj = Obj(frozenset({"augmenter"}), name, node, name.rsplit(".", 1)[-1], self._site)
                return Value(objs=frozenset({obj}), kinds=frozenset({"augmenter"}))
            if first is not None and first.rows is not None:
                return self.augmented(node, first, name)
        if name in k.concat_functions:
            return self.concatenate(node, args, kwargs, name)
        return self.generic_call(node, name, args, kwargs)

    def generic_call(self, node: ast.Call, name: str, args: list[Value], kwargs: dict[str, Value]) -> Value:
        root, _, last = name.partition(".")
        if root == "builtins":
            if last in ("list", "tuple", "sorted", "reversed", "set", "iter") and args:
                return args[0]
            if last == "zip":
                return Value(element=Value(items=tuple(self.element_of(a) for a in args)), kinds=frozenset({"list"}))
            if last == "enumerate" and args:
                return Value(element=Value(items=(UNKNOWN, self.element_of(args[0]))), kinds=frozenset({"list"}))
            if last == "next" and args:
                return self.element_of(args[0])
            return UNKNOWN
        kind = self.k.call_kind(name)
        if self.k.data_sources and name.startswith(self.k.data_sources):
            return Value(rows=Rows(frozenset({self.root(node)})), kinds=frozenset({kind}) if kind else frozenset())
        if name.startswith("pandas.read_"):
            path = node.args[0] if node.args else _keyword(node, "filepath_or_buffer")
            test = isinstance(path, ast.Constant) and isinstance(path.value, str) and bool(TEST_WORDS.search(path.value.rsplit("/", 1)[-1]))
            return Value(rows=Rows(frozenset({self.root(node)}), test_named=test), kinds=frozenset({kind or "dataframe"}))
        if kind == "module":  # importlib.import_module(...): a module object, not data
            return Value(kinds=frozenset({"module"}))
        rows = rows_of(*args, *kwargs.values())
        kinds = frozenset({kind}) if kind else EMPTY
        if rows is not None and kind not in ("torch_module", "optimizer", "scheduler", "dataloader"):
            if root in ("numpy", "torch", "pandas") and any("list" in a.kinds for a in args) and _gathers(node):
                rows = rows.but(stacked=True)  # np.asarray(samples), pd.DataFrame(records): all rows
            return Value(kinds, rows)
        if kind == "dataloader" and args:
            return Value(kinds, rows_of(args[0]))
        if kind is None or kind in DATA_KINDS:  # pickle.load(f), np.zeros(n): data may come out of it
            return Value(kinds, Rows(frozenset({self.root(node)})))
        return Value(kinds)

    def construct(self, node: ast.Call, name: str, roles: frozenset[str], args: list[Value], kwargs: dict[str, Value]) -> Value:
        label = name.rsplit(".", 1)[-1]
        steps: tuple[Obj, ...] = ()
        if "pipeline" in roles or name.endswith(("ColumnTransformer", "make_column_transformer")):
            steps = tuple(dict.fromkeys(o for a in [*args, *kwargs.values()] for o in in_order(a.all_objs())))
            if "pipeline" in roles and any(s.is_("transformer") for s in steps):
                roles = roles | {"transformer-steps"}
            if "pipeline" in roles and (not steps or not steps[-1:] or any(s.is_("estimator") for s in steps)):
                roles = roles | {"estimator"}
            if "pipeline" in roles and steps and all(s.is_("stateless") for s in steps):
                roles = roles | {"stateless"}
        obj = Obj(roles, name, node, label, self._site, steps=steps)
        if "transformer" in roles and _is_const(_keyword(node, "prefit"), True):  # SelectFromModel(model, prefit=True)
            for value in args[:1] or [kwargs.get("estimator", UNKNOWN)]:
                for inner in in_order(value.objs):
                    obj.fits.extend(inner.fits[-1:])
        if "generator" in roles or "rng" in roles:
            spec = self.k.generators.get(name, {})
            param = spec.get("param")
            obj.seeded = bool(node.args) or any(k.arg in (param, "seed") or k.arg is None for k in node.keywords)
            if any(k.arg == param and _is_const(k.value, None) for k in node.keywords):
                obj.seeded = False
            self.out.generators.append(obj)
        kinds = {role for role in roles if role in ("generator", "rng")}
        return Value(objs=frozenset({obj}), kinds=frozenset(kinds))

    def split_call(self, node: ast.Call, name: str, spec: SplitSpec, args: list[Value], kwargs: dict[str, Value]) -> Value:
        split = Split(node, "cv" if spec.cv else "holdout", self._site)
        data: list[Value] = []
        for index, value in enumerate(args):
            if spec.args is None or index in spec.args:
                data.append(value)
        data += [value for key, value in kwargs.items() if key in spec.kwargs]
        self.on_split(split, [r for r in (rows_of(v) for v in data) if r is not None])
        if spec.cv:
            return UNKNOWN
        outputs: list[Value] = []
        for value in data:
            rows = rows_of(value)
            for role in ("train", "test"):
                if rows is None:
                    outputs.append(UNKNOWN)
                else:
                    outputs.append(Value(value.kinds & DATA_KINDS,
                                         rows.but(parts=rows.parts | {Part(split, role)}, test_named=False)))
        if name.endswith("random_split") and data:  # random_split(ds, [a, b]) -> [train, test]
            rows = rows_of(data[0]) or Rows()
            outputs = [Value(rows=rows.but(parts=rows.parts | {Part(split, role)}), kinds=frozenset({"dataset"}))
                       for role in ("train", "test")]
        return Value(items=tuple(outputs), kinds=frozenset({"list"}))

    def concatenate(self, node: ast.Call, args: list[Value], kwargs: dict[str, Value], name: str) -> Value:
        parts: list[Value] = []
        for value in args:
            parts.extend(value.items if value.items is not None else [value])
        axis = _keyword(node, "axis")
        by_columns = axis is not None and (_is_const(axis, 1) or _is_const(axis, "columns")) or name.endswith("hstack")
        joined = self.joined(node, [p for p in parts if p.rows is not None], by_columns)
        if joined.rows is not None and _gathers(node):
            return joined.with_rows(joined.rows.but(stacked=True))
        return joined

    def joined(self, node: ast.AST, parts: list[Value], by_columns: bool = False) -> Value:
        rows: Rows | None = None
        for part in parts:
            rows = part.rows if rows is None else rows.join(part.rows)
        if rows is None:
            return Value(kinds=frozenset({"dataframe"}))
        if not by_columns and len(parts) > 1:
            tests = [p for p in parts if p.rows is not None and (p.rows.test_named or "test" in p.rows.roles())]
            others = [p for p in parts if p not in tests]
            if tests and others:
                rows = rows.but(mixes=rows.mixes | {Mix(node, self._site)})
            for part in parts:  # augmented rows appended to the rows they were made from
                assert part.rows is not None
                for other in parts:
                    if other is not part and other.rows is not None and part.rows.augs and not other.rows.augs \
                            and part.rows.roots & other.rows.roots:
                        rows = rows.but(dups=rows.dups | part.rows.augs)
        kinds = frozenset().union(*(p.kinds & {"dataframe", "ndarray", "tensor", "series", "dataset"} for p in parts))
        return Value(rows=rows.but(augs=frozenset()) if rows.dups else rows, kinds=kinds)

    def augmented(self, node: ast.Call, source: Value, label: str) -> Value:
        assert source.rows is not None
        aug = Dup(node, f"augmentation {label.rsplit('.', 1)[-1]}()", self._site)
        return Value(rows=source.rows.but(augs=source.rows.augs | {aug}), kinds=source.kinds)

    def statistic(self, node: ast.AST, source: Rows, label: str) -> Value:
        made_in_loops = bool(source.roots) and all(r in self.loop_roots for r in source.roots)
        if source.sample or (made_in_loops and (not source.stacked
                                                or all(self.loop_roots[r] in self.active_loops for r in source.roots))):
            # sample.mean() in a loop over samples, or of data made in a loop (one sample per iteration): per-sample,
            # not a row statistic; the samples stacked into one data set after their loop are all the rows again
            return Value(rows=Rows(source.roots, source.parts, source.learned, sample=True), stat=True)
        learn = self.learn(node, "stat", source, label)
        return Value(rows=Rows(learned=frozenset({learn})), stat=True)

    def learn(self, node: ast.AST, kind: Literal["fit", "stat"], source: Rows, label: str, obj: Obj | None = None) -> Learn:
        return Learn(node, kind, label, source, self._site, obj)

    # -- method calls -----------------------------------------------------------------------------------
    def method_call(self, node: ast.Call, receiver: Value, attr: str, args: list[Value], kwargs: dict[str, Value], f: _Frame) -> Value:
        if receiver.qualname is not None:
            name = self.ctx.qualname(node.func) or f"{receiver.qualname}.{attr}"
            return self.library_call(node, name, args, kwargs, f)
        if receiver.funcs:
            classes = [func for func in receiver.funcs if isinstance(func, ast.ClassDef)]
            if classes and attr in self.k.class_constructors:  # Net.from_pretrained(path): an instance of Net
                return join_all([self.instance(cls, None, f) for cls in classes])
        results: list[Value] = []
        if receiver.objs:
            for obj in in_order(receiver.objs):
                if obj.is_("instance"):
                    continue
                results.append(self.object_method(node, obj, receiver, attr, args, kwargs, f))
        if receiver.instances:
            for cls in receiver.instances:
                method = self.find_method(cls, attr)
                if method is not None:
                    results.append(self.inline(method, args, kwargs, node, f, receiver))
            if not results:
                for obj in in_order(receiver.objs):
                    if obj.is_("instance") and (obj.roles & {"transformer", "estimator"}):
                        results.append(self.object_method(node, obj, receiver, attr, args, kwargs, f))
        if "list" in receiver.kinds and attr in ("append", "extend", "insert") and isinstance(node.func, ast.Attribute):
            added = args[-1] if args else UNKNOWN
            element = added if attr != "extend" else self.element_of(added)
            grown = Value(rows=rows_of(receiver, added), kinds=receiver.kinds,
                          element=element if receiver.element is None else receiver.element.join(element))
            if receiver.rows is not None and added.rows is not None and added.rows.augs and \
                    receiver.rows.roots & added.rows.roots and not receiver.rows.augs:
                grown = grown.with_rows(receiver.rows.but(dups=receiver.rows.dups | added.rows.augs))
            if isinstance(node.func.value, ast.Name):
                f.env[node.func.value.id] = grown
            return UNKNOWN
        if receiver.funcs and attr == "__call__":
            results.append(self.function_call(node, receiver, args, kwargs, f))
        if receiver.rows is not None and not results:
            results.append(self.data_method(node, receiver, attr, args, kwargs, f))
        if results:
            return results[0] if len(results) == 1 else join_all(results)  # join_all of one value is that value
        if "torch_module" in receiver.kinds and attr in self.k.passthrough.get("torch_module", frozenset()):
            return receiver  # resnet18().to(device): still the module
        if attr in self.k.data_split_methods and args == [] and receiver.rows is None:
            return UNKNOWN
        if attr in ("fit", "fit_transform") and args:  # an object of unknown type
            return self.unknown_call(args, kwargs) if attr == "fit_transform" else receiver
        return self.unknown_call([receiver, *args], kwargs)

    def find_method(self, cls: ast.ClassDef, attr: str) -> ast.AST | None:
        for item in cls.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == attr:
                return item
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in self.module.env:
                for other in self.module.env[base.id].funcs:
                    if isinstance(other, ast.ClassDef) and other is not cls:
                        found = self.find_method(other, attr)
                        if found is not None:
                            return found
        return None

    def data_arg(self, node: ast.Call, args: list[Value], kwargs: dict[str, Value]) -> tuple[Value | None, ast.AST | None]:
        if args:
            return args[0], node.args[0]
        for key in _DATA_KWARGS:
            if key in kwargs:
                return kwargs[key], _keyword(node, key)
        return None, None

    def object_method(self, node: ast.Call, obj: Obj, receiver: Value, attr: str, args: list[Value],
                      kwargs: dict[str, Value], f: _Frame) -> Value:
        k = self.k
        roles = obj.roles  # asked about a dozen times below (``obj.is_`` is a call each time)
        obj.used = True
        data, data_node = self.data_arg(node, args, kwargs)
        rows = rows_of(data) if data is not None else None
        if "generator" in roles or "rng" in roles:
            if attr in ("manual_seed", "seed"):
                obj.seeded = True
                return receiver
            if not obj.seeded:
                obj.used_unseeded = True
            return Value(EMPTY, Rows(frozenset({self.root(node)})))  # rng.standard_normal(...): new data
        if "splitter" in roles and attr == "split":
            single = isinstance(obj.node, ast.Call) and (_int(_keyword(obj.node, "n_splits")) == 1)
            split = Split(node, "holdout" if single else "cv", self._site)
            if rows is not None:
                self.on_split(split, [rows])
            base = rows or Rows()
            pair = tuple(Value(rows=Rows(base.roots, frozenset({Part(split, role)})), kinds=frozenset({"indices"}))
                         for role in ("train", "test"))
            return Value(element=Value(items=pair), kinds=frozenset({"folds"}))
        vocab = k.vocabularies.get(obj.qualname)
        fit_names = vocab[0] if vocab else k.fit_methods
        transform_names = vocab[1] if vocab else k.transform_methods
        learner = "transformer" in roles or "vocabulary" in roles or "transformer-steps" in roles
        if "resampler" in roles and attr in k.resample_methods:
            return self.resample(node, obj, args, kwargs)
        if learner and (attr in fit_names or (attr == "fit" and not vocab)):
            if rows is None:
                return receiver if attr == "fit" else UNKNOWN
            learn = self.learn(node, "fit", rows, self.object_label(obj, node), obj)
            obj.fits.append(FitRecord(node, rows, self._site, learn))
            self.check_test_fit(learn, rows, node)
            if "estimator" in roles and attr in k.model_fit:
                self.estimator_fit(node, obj, rows)
            if attr == "fit" or attr in (vocab[0] if vocab else ()):
                return receiver
            return Value(data.kinds if data else EMPTY, rows.with_learned(frozenset({learn})))
        if learner and (attr in transform_names or attr == "transform"):
            if rows is None:
                return UNKNOWN
            learned = frozenset(fit.learn for fit in obj.fits[-1:] if fit.learn is not None)
            self.check_applied(rows, learned, node)
            self.check_transform(obj, rows, node)
            return Value(data.kinds if data else EMPTY, rows.with_learned(learned))
        if "augmenter" in roles and attr in k.aug_methods and data is not None and data.rows is not None:
            return self.augmented(node, data, obj.label)
        if "estimator" in roles or "pipeline" in roles or "search" in roles:
            if attr in k.model_fit:
                if rows is not None:
                    learn = self.learn(node, "fit", rows, self.object_label(obj, node), obj)
                    obj.fits.append(FitRecord(node, rows, self._site, learn))
                    self.estimator_fit(node, obj, rows)
                    if "search" in roles:
                        self.on_split(Split(node, "cv", self._site), [rows])
                return receiver
            if attr in ("fit_predict", "fit_transform") and rows is not None and "stateless" not in roles:
                # clustering / LDA as features
                learn = self.learn(node, "fit", rows, self.object_label(obj, node), obj)
                obj.fits.append(FitRecord(node, rows, self._site, learn))
                return Value(rows=rows.with_learned(frozenset({learn})))
            if attr in k.model_eval:
                if rows is not None:
                    self.evaluation(node, obj, rows, data_node)
                    learned = frozenset(fit.learn for fit in obj.fits[-1:] if fit.learn is not None)
                    return Value(rows=Rows(rows.roots, rows.parts, learned), kinds=frozenset({"predictions"}))
                return UNKNOWN
        if "torch_module" in roles or "torch_module" in receiver.kinds:
            if attr in k.passthrough.get("torch_module", frozenset()):
                return receiver
        return Value(EMPTY, Rows(frozenset({self.root(node)})))

    def object_label(self, obj: Obj, node: ast.Call) -> str:
        """``StandardScaler 'scaler'`` for a bound object, ``StandardScaler`` for an inline one."""
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if isinstance(receiver, (ast.Name, ast.Attribute)):
            return f"{obj.label} {_short(receiver, 30)!r}"
        return obj.label

    def resample(self, node: ast.Call, obj: Obj, args: list[Value], kwargs: dict[str, Value]) -> Value:
        outputs: list[Value] = []
        source = rows_of(*args[:1]) or Rows()
        dup = Dup(node, obj.label, self._site) if obj.is_("oversampler") else None
        learn = None if dup else self.learn(node, "fit", source, obj.label, obj)
        if learn is not None:
            self.check_test_fit(learn, source, node)
        for value in args[:2] or [UNKNOWN, UNKNOWN]:
            rows = rows_of(value)
            if rows is None:
                outputs.append(UNKNOWN)
            elif dup is not None:
                outputs.append(Value(rows=rows.but(dups=rows.dups | {dup}), kinds=value.kinds))
            else:
                assert learn is not None
                outputs.append(Value(rows=rows.with_learned(frozenset({learn})), kinds=value.kinds))
        return Value(items=tuple(outputs), kinds=frozenset({"list"}))

    def estimator_fit(self, node: ast.Call, obj: Obj, rows: Rows) -> None:
        self.out.estimator_fits.append(EstimatorFit(node, self._site, obj, rows))

    def evaluation(self, node: ast.Call, obj: Obj, rows: Rows, data: ast.AST | None = None) -> None:
        tests = [p for p in parts_in_order(rows.parts) if p.role == "test" and p.split.kind != "cv"]
        if not tests:
            return
        fit = obj.fits[-1] if obj.fits else None
        if fit is not None and not obj.is_("search") and fit.rows.unsplit and fit.rows.roots & rows.roots \
                and not fit.rows.dups:
            self.leak("train-as-test", fit.node, fit.node, fit.site, "the model's own training rows", tests[0].split)
        for part in tests:
            self.out.evaluations.append(Evaluation(node, self._site, obj, part.split, self.loop_depth > 0, data,
                                                   self.executions))

    def data_method(self, node: ast.Call, receiver: Value, attr: str, args: list[Value],
                    kwargs: dict[str, Value], f: _Frame) -> Value:
        k = self.k
        assert receiver.rows is not None
        rows = receiver.rows
        kinds = receiver.kinds & DATA_KINDS
        if "groupby" in receiver.kinds and attr in k.group_methods and not any(a.funcs for a in args):
            # groupby(g).transform("mean") / .mean(); a function passed instead is run below like apply(f)
            learn = self.learn(node, "stat", rows, f"group {attr}() of {_short(node.func.value)}")  # type: ignore[attr-defined]
            return Value(rows=rows.with_learned(frozenset({learn})), kinds=kinds)
        if attr in k.stat_methods:
            if _per_row(node, None if attr in ("quantile", "agg", "aggregate", "value_counts", "describe") else 0):  # df[cols].mean(axis=1): one value per row, from that row only
                return Value(kinds, rows)
            return self.statistic(node, rows, f"{attr}() of {_short(node.func.value)}")  # type: ignore[attr-defined]
        if attr == "groupby":
            return Value(rows=rows, kinds=frozenset({"groupby"}))
        if attr in k.sample_methods:
            replace_flag = _keyword(node, "replace")
            frac = _keyword(node, "frac")
            if _is_const(replace_flag, True) or (isinstance(frac, ast.Constant) and isinstance(frac.value, (int, float)) and frac.value > 1):
                dup = Dup(node, f"{attr}(replace=True)", self._site)
                return Value(kinds, rows.but(dups=rows.dups | {dup}))
            return Value(kinds, rows)
        if attr in k.data_split_methods:  # Dataset.train_test_split(...) -> {"train": ..., "test": ...}
            parts = self.split_call(node, attr, SplitSpec(args=None), [receiver], {})
            return parts.with_kinds(parts.kinds | {"split_dict"})
        if attr in k.concat_methods:
            joined = self.joined(node, [receiver, *[a for a in args if a.rows is not None]])
            if "list" in receiver.kinds or attr in ("append", "extend"):
                self.rebind(node.func.value, joined, f)  # type: ignore[attr-defined]
            return joined
        learned: frozenset[Learn] = frozenset()
        for value in (*args, *kwargs.values()):
            if value.rows is not None:
                learned |= value.rows.all_learned
            if value.funcs:  # df.apply(f), s.map(lambda x: ...): what the function learns per column
                axis = _keyword(node, "axis")
                by_row = _is_const(axis, 1) or _is_const(axis, "columns")
                element = UNKNOWN if by_row else Value(rows=rows, kinds=kinds)
                result = self.function_call(node, value, [element], {}, f)
                if result.rows is not None:
                    learned |= result.rows.all_learned
        if learned:
            self.check_applied(rows, learned, node)
        result = Value(kinds, rows.with_learned(learned))
        inplace = _keyword(node, "inplace")
        if _is_const(inplace, True):
            self.rebind(node.func.value, result, f)  # type: ignore[attr-defined]
            return UNKNOWN
        return result

    def rebind(self, target: ast.AST, value: Value, f: _Frame) -> None:
        """An in-place method updated ``target``'s root name (``df.fillna(m, inplace=True)``)."""
        root = target
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if isinstance(root, ast.Name):
            current = f.env.get(root.id) or self.module.env.get(root.id)
            if current is not None and current.rows is not None and value.rows is not None:
                (f.env if root.id in f.env else self.module.env)[root.id] = current.with_rows(current.rows.join(value.rows))

    # -- leak checks ---------------------------------------------------------------------------------------
    def at(self, node: ast.AST) -> ast.AST:
        return self._site[0] if self._site else node

    def on_split(self, split: Split, inputs: list[Rows]) -> None:
        """Rows are split: what they learned from themselves, and rows copied before, now leak."""
        for rows in inputs:
            if any(p.role == "train" and p.split.kind != "cv" for p in rows.parts):
                self.out.validation_splits.add(split)  # a split of a training part: its test part validates
            for learn in in_order(rows.all_learned):
                # learned from all the rows now split (or from a wider set: the whole data before an
                # earlier split), e.g. a scaler fitted on X_train, then X_train split into folds
                if learn.source.roots & rows.roots and learn.source.parts <= rows.parts:
                    self.leak("preprocessing", learn.node, learn.node, learn.site, learn.label, split, learn)
            for dup in in_order(rows.dups):
                self.leak("overlap", dup.node, dup.node, dup.site, dup.label, split)

    def check_transform(self, obj: Obj, rows: Rows, node: ast.AST) -> None:
        """A transformer fitted on whole data applied to a part of that data after the split."""
        if not rows.parts:
            return
        for fit in obj.fits[-1:]:
            if fit.learn is not None and fit.rows.unsplit and fit.rows.roots & rows.roots:
                part = parts_in_order(rows.parts)[0]
                self.leak("preprocessing", fit.node, fit.node, fit.site, fit.learn.label, part.split)

    def check_test_fit(self, learn: Learn, rows: Rows, node: ast.AST) -> None:
        """Fitting on the test part (``scaler.fit_transform(X_test)``), or on train and test parts
        put back together (``tokenizer.fit_on_texts(list(X_train) + list(X_test))``)."""
        roles = rows.roles()
        if roles == {"test"}:
            split = parts_in_order(rows.parts)[0].split
            if split.kind != "cv":
                self.leak("test-fit", learn.node, learn.node, learn.site, learn.label, split)
            return
        for part in parts_in_order(rows.parts):
            if part.role == "test" and part.split.kind != "cv" and Part(part.split, "train") in rows.parts:
                self.leak("concat", learn.node, learn.node, learn.site, learn.label, part.split)
                return

    def check_applied(self, target: Rows, learned: frozenset[Learn], node: ast.AST) -> None:
        """Learned values applied to a part after the split: learned from the whole data (leak), or
        statistics of the test part used to transform the test part."""
        if not learned or not target.parts:
            return
        for learn in in_order(learned - target.all_learned):
            if learn.source.unsplit and learn.source.roots & target.roots:
                part = parts_in_order(target.parts)[0]
                self.leak("preprocessing", learn.node, learn.node, learn.site, learn.label, part.split, learn)
            elif learn.kind == "stat" and learn.source.roles() == {"test"} and "test" in target.roles():
                split = parts_in_order(learn.source.parts)[0].split
                if split.kind != "cv":
                    self.leak("test-fit", learn.node, learn.node, learn.site, learn.label, split, learn)

    def check_separation(self, rows: Rows, node: ast.AST, selects_rows: bool) -> None:
        """Train and test concatenated, preprocessed, then separated again by row selection."""
        if not selects_rows or not rows.all_learned:
            return
        for learn in in_order(rows.all_learned):
            if learn.source.mixes:
                self.leak("concat", learn.node, learn.node, learn.site, learn.label, node)

    def leak(self, kind: LeakKind, cause: ast.AST, node: ast.AST, site: Site, label: str,
             split: Split | ast.AST | None, learn: Learn | None = None) -> None:
        split_node = split.node if isinstance(split, Split) else split
        split_site = split.site if isinstance(split, Split) else self._site
        key = ("leak", id(cause))  # one finding per leaking fit, statistic or copy
        if key in self.reported:
            return
        self.reported.add(key)
        at = _report_at(node, site, split_site)
        group: tuple[object, ...] | None = None
        if learn is not None and learn.kind == "stat":
            group = (kind, id(split_node), learn.source.roots)
        elif learn is not None and learn.obj is not None:  # one scaler fitted column by column: one leak
            group = (kind, id(split_node), id(learn.obj.node))
        self.out.leaks.append(Leak(kind, at, cause, label, split_node,
                                   split.kind if isinstance(split, Split) else "separation", group))


def _call_name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


_SPLITTER_WORDS: dict[int, tuple[FlowKnowledge, re.Pattern[str]]] = {}


def _splitter_words(k: FlowKnowledge, knowledge: Knowledge) -> re.Pattern[str]:
    """The end of an identifier that can be a splitter class's last name (one ending in a splitter
    suffix of the knowledge; the capital letter the data flow also asks for is left out: a superset),
    or the whole last name of an alias the ``[aliases]`` table maps onto one. (An identifier ending in
    a suffix is found by the suffix and the end of the word alone: no scan of every word's start.)"""
    cached = _SPLITTER_WORDS.get(id(k))
    if cached is not None and cached[0] is k:
        return cached[1]
    suffixes = "|".join(re.escape(suffix) for suffix in k.splitter_suffixes) or "(?!)"
    aliased = sorted({alias.rsplit(".", 1)[-1] for alias, target in dict(knowledge.get("aliases", {})).items()
                      if re.fullmatch(rf"\w*(?:{suffixes})", str(target).rsplit(".", 1)[-1])})
    words = [rf"(?:{suffixes})(?!\w)", *(rf"(?<!\w){re.escape(alias)}(?!\w)" for alias in aliased)]
    pattern = re.compile("|".join(words))
    _SPLITTER_WORDS[id(k)] = (k, pattern)
    return pattern


def _column_names(node: ast.AST) -> frozenset[str] | None:
    """``"Age"`` or ``["Age", "Fare"]`` as a column selection; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return frozenset({node.value})
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return frozenset(e.value for e in node.elts)  # type: ignore[attr-defined]
    return None


def _bound(node: ast.AST | None) -> int | None:
    """A slice bound: its literal value, None when open, -1 when not a literal (unknown)."""
    if node is None:
        return None
    value = _int(node)
    return -1 if value is None else value


#: what each class of expression evaluates to (:meth:`_Interpreter.eval`): every node class of the ast module
#: (those without a method of their own evaluate their parts) and None (an absent expression)
_HANDLERS: dict[type[Any], Callable[[_Interpreter, Any, _Frame], Value]] = {
    cls: _Interpreter.e_parts for cls in vars(ast).values() if isinstance(cls, type) and issubclass(cls, ast.AST)}
_HANDLERS.update({getattr(ast, name[2:]): function for name, function in vars(_Interpreter).items()
                  if name.startswith("e_") and hasattr(ast, name[2:])})
_HANDLERS[type(None)] = _Interpreter.e_None
_LITERAL_TYPES = frozenset({str, int, bool, type(None)})


def _hand_on(objs: frozenset[Obj]) -> None:
    """Objects passed to a call: an RNG object among them not seeded yet is used unseeded (each object's
    flag depends on that object alone, so the set's order does not matter)."""
    for obj in objs:
        if ("rng" in obj.roles or "generator" in obj.roles) and not obj.seeded:
            obj.used_unseeded = True  # handed to other code before it was seeded
#: what each kind of statement does (:meth:`_Interpreter.block`); a statement not here does nothing
_STATEMENTS: dict[type[ast.AST], Callable[[_Interpreter, Any, _Frame], None]] = {
    ast.Assign: _Interpreter.s_Assign, ast.Expr: _Interpreter.s_Expr, ast.AugAssign: _Interpreter.s_AugAssign,
    ast.AnnAssign: _Interpreter.s_AnnAssign, ast.For: _Interpreter.loop_for, ast.AsyncFor: _Interpreter.loop_for,
    ast.While: _Interpreter.s_While, ast.If: _Interpreter.s_If, ast.With: _Interpreter.s_With,
    ast.AsyncWith: _Interpreter.s_With, ast.Try: _Interpreter.s_Try, ast.FunctionDef: _Interpreter.s_FunctionDef,
    ast.AsyncFunctionDef: _Interpreter.s_FunctionDef, ast.ClassDef: _Interpreter.s_ClassDef,
    ast.Return: _Interpreter.s_Return, ast.Match: _Interpreter.s_Match, ast.Global: _Interpreter.s_Global,
    ast.Raise: _Interpreter.s_Raise, ast.Assert: _Interpreter.s_Raise,
}
if hasattr(ast, "TryStar"):  # try: ... except* (Python 3.11+): its fields are a Try's
    _STATEMENTS[ast.TryStar] = _Interpreter.s_Try


def _overlap(a: tuple[int | None, int | None], b: tuple[int | None, int | None]) -> bool:
    """Do two literal slices overlap? Open ends count; a negative or unknown bound (-1) means no."""
    lo_a, hi_a = a
    lo_b, hi_b = b
    if any(x is not None and x < 0 for x in (lo_a, hi_a, lo_b, hi_b)):
        return False
    lo_a = lo_a or 0
    lo_b = lo_b or 0
    if hi_a is None and hi_b is None:
        return True
    if hi_a is None:
        return hi_b is not None and hi_b > lo_a
    if hi_b is None:
        return hi_a > lo_b
    return max(lo_a, lo_b) < min(hi_a, hi_b)
