"""Light type evidence for the code-smell rules: which expressions hold pandas objects, torch models, optimizers.

A linter that never runs the code cannot know types; it can collect *evidence*: ``df =
pd.read_csv(...)`` makes ``df`` a DataFrame, ``df[mask]`` and ``df.dropna()`` are pandas objects too,
``opt = torch.optim.Adam(...)`` is an optimizer, ``class Net(nn.Module)`` makes ``Net(...)`` a model.
Bindings are recorded in traversal order (``leave_Assign``), per function scope, so a later use sees
the earlier assignment. Conventional names (``df``, ``train_df``) are *weak* evidence, used only in
files that import pandas and no library sharing its vocabulary (Spark, polars).

One :class:`Evidence` is shared by all rules of a file (:func:`evidence_for`); rules feed it through
the :class:`TracksBindings` mixin, and the first rule to see a node records it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from mllint.analysis.children import walk_nodes
from mllint.analysis.context import FUNCTION_NODES, FileContext, once_per_node

if TYPE_CHECKING:  # pragma: no cover
    from mllint.knowledge.runtime import Knowledge

PANDAS = "pandas"  # strong evidence: produced by pandas
WEAK = "weak"  # a conventional DataFrame name in a pandas file
OTHER = "other"  # known not to be pandas (numpy array, tensor, ...)
MODEL, EVAL_MODEL, OPTIMIZER, NOT_MODEL = "model", "eval-model", "optimizer", "not-a-model"
MAX_DEPTH = 12


_NAME, _CALL, _ATTRIBUTE, _TUPLE, _LIST = ast.Name, ast.Call, ast.Attribute, ast.Tuple, ast.List
_FUNCTION_TYPES = frozenset(FUNCTION_NODES)
#: expressions that are certainly no pandas object (``kind`` is OTHER)
_OTHER_NODES = frozenset({ast.List, ast.Tuple, ast.Dict, ast.ListComp, ast.DictComp, ast.SetComp, ast.Constant,
                          ast.JoinedStr})
_MISSING: Any = object()  # no binding in a table


def evidence_for(ctx: FileContext) -> Evidence:
    """The file's shared :class:`Evidence` (created on first use; ``requires = (Evidence,)`` gets the same)."""
    return ctx.analysis(Evidence)


def dotted(node: ast.AST) -> str | None:
    """``self.model`` for a Name/Attribute chain, None otherwise."""
    if type(node) is ast.Name:  # the commonest case: what the loop below returns for it
        return node.id
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def receiver_root(node: ast.AST) -> ast.AST:
    """Strip method calls, subscripts and attributes: ``model.to(dev).eval`` -> ``model``."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        else:
            return node


def short(node: ast.AST, limit: int = 40) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _evidence_tables(knowledge: Knowledge) -> dict[str, Any]:
    """:class:`Evidence`'s tables from the knowledge, by attribute name (made once per knowledge: ``derived``)."""
    pandas = knowledge.get("smells_pandas", {})
    torch = knowledge.get("smells_torch", {})
    return {
        "pandas_modules": tuple(pandas.get("modules", ["pandas"])),
        "constructors": set(pandas.get("constructors", [])),
        "reader_prefixes": tuple(pandas.get("reader_prefixes", ["pandas.read_"])),
        "collection_readers": set(pandas.get("collection_readers", [])),
        "collection_keywords": dict(pandas.get("collection_keywords", {})),
        "pandas_types": set(pandas.get("types", [])),
        "passthrough": set(pandas.get("passthrough", [])),
        "non_pandas_methods": set(pandas.get("non_pandas_methods", [])),
        "non_pandas_attributes": set(pandas.get("non_pandas_attributes", [])),
        "indexers": set(pandas.get("indexers", ["loc", "iloc", "at", "iat"])),
        "name_pattern": re.compile(pandas.get("name_pattern", r"^df$")),
        "name_exclude": re.compile(pandas.get("name_exclude_pattern", r"(?!)")),
        "pandas_conflicts": tuple(pandas.get("conflicting_modules", [])),
        "torch_modules": tuple(torch.get("modules", ["torch"])),
        "torch_conflicts": tuple(torch.get("conflicting_modules", [])),
        "optimizer_prefixes": tuple(torch.get("optimizer_prefixes", ["torch.optim."])),
        "not_optimizer_prefixes": tuple(torch.get("not_optimizer_prefixes", [])),
        "optimizer_name": re.compile(torch.get("optimizer_name_pattern", r"^optimizer$")),
        "not_optimizer_name": re.compile(torch.get("not_optimizer_name_pattern", r"sched")),
        "model_prefixes": tuple(torch.get("model_constructor_prefixes", [])),
        "not_model_prefixes": tuple(torch.get("not_model_prefixes", [])),
        "eval_loaders": tuple(torch.get("eval_mode_loaders", [])),
        "module_bases": set(torch.get("module_bases", ["torch.nn.Module"])),
        "model_name": re.compile(torch.get("model_name_pattern", r"^model$")),
        "not_model_name": re.compile(torch.get("not_model_name_pattern", r"(?!)")),
        "not_model_object": re.compile(torch.get("not_model_object_pattern", r"(?!)")),
    }


class Evidence:
    """Per-file bindings of names to evidence kinds, and the questions rules ask about them."""

    # the knowledge's tables, made once per knowledge (:func:`_evidence_tables`) and shared by every file's
    # Evidence: nobody modifies them
    pandas_modules: tuple[str, ...]
    constructors: set[str]
    reader_prefixes: tuple[str, ...]
    collection_readers: set[str]
    collection_keywords: dict[str, str]
    pandas_types: set[str]
    passthrough: set[str]
    non_pandas_methods: set[str]
    non_pandas_attributes: set[str]
    indexers: set[str]
    name_pattern: re.Pattern[str]
    name_exclude: re.Pattern[str]
    pandas_conflicts: tuple[str, ...]
    torch_modules: tuple[str, ...]
    torch_conflicts: tuple[str, ...]
    optimizer_prefixes: tuple[str, ...]
    not_optimizer_prefixes: tuple[str, ...]
    optimizer_name: re.Pattern[str]
    not_optimizer_name: re.Pattern[str]
    model_prefixes: tuple[str, ...]
    not_model_prefixes: tuple[str, ...]
    eval_loaders: tuple[str, ...]
    module_bases: set[str]
    model_name: re.Pattern[str]
    not_model_name: re.Pattern[str]
    not_model_object: re.Pattern[str]

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.__dict__.update(ctx.knowledge.derived(_evidence_tables))
        #: (scope id, dotted name) -> pandas kind; scope 0 is the module, class ids key ``self.x``.
        self.bindings: dict[tuple[int, str], str | None] = {}
        #: (scope id, dotted name) -> torch kind (model / eval-model / optimizer) or None.
        self.torch_bindings: dict[tuple[int, str], str | None] = {}
        #: names of classes (defined in this file) that are torch modules.
        self.module_classes: set[str] = set()
        self._eval_loaders: dict[str, bool] = {}  # module-level function name -> returns a model in eval mode
        self._seen: set[int] = set()
        self._imports_size = -1
        self._imports_cache: dict[tuple[str, ...], bool] = {}
        self._model_named: dict[str, bool] = {}  # last name -> named like a model (model_like's last test)
        self._not_model_objects: dict[str, bool] = {}  # last name -> names a tokenizer, scheduler... (not a model)
        self._weak_named: dict[str, bool] = {}  # name -> matches the DataFrame name pattern (weak_name's first tests)
        #: resolved callee -> what its name alone says (_call_name_kind, _call_torch_kind): a file calls few names
        self._named_kinds: dict[str, tuple[bool, str | None, str | None, bool]] = {}
        self._named_torch: dict[str, str | None] = {}
        self._flags_size = -1  # len(ctx.imports) when _flags was set
        self._flags = (False, False)  # (pandas_file(), imports_any(torch_modules)), as bind_assign asks

    # -- what the file imports -------------------------------------------------------------------
    def imports_any(self, modules: tuple[str, ...] | list[str]) -> bool:
        """Does the file import one of ``modules`` (or a submodule)? Cached until an import is added."""
        imports = self.ctx.imports
        if len(imports) != self._imports_size:
            self._imports_size = len(imports)
            self._imports_cache.clear()
        key = modules if modules.__class__ is tuple else tuple(modules)
        found = self._imports_cache.get(key)
        if found is None:
            prefixes = tuple(module + "." for module in key)
            found = any(target in key or target.startswith(prefixes) for target in imports.values())
            self._imports_cache[key] = found
        return found

    def pandas_file(self) -> bool:
        return self.imports_any(self.pandas_modules)

    def weak_names_ok(self) -> bool:
        return self.pandas_file() and not self.imports_any(self.pandas_conflicts)

    def weak_name(self, name: str) -> bool:
        """A conventional DataFrame name (``df``, ``train_df``) in a file where that convention holds."""
        named = self._weak_named.get(name)
        if named is None:  # the same few names are asked about again and again: each matched once
            named = self._weak_named[name] = bool(self.name_pattern.match(name)) and not self.name_exclude.search(name)
        return named and self.weak_names_ok()

    def torch_file(self) -> bool:
        return self.imports_any(self.torch_modules) and not self.imports_any(self.torch_conflicts)

    # -- recording bindings (called once per node, by whichever rule sees it first) --------------
    def once(self, node: ast.AST) -> bool:
        key = id(node)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def _scope_key(self, name: str) -> int:
        if name.startswith("self."):
            cls = self.ctx.enclosing_class()
            return id(cls) if cls is not None else 0
        function = self.ctx.enclosing_function()
        return id(function) if function is not None else 0

    def _function_key(self) -> int:
        """``_scope_key`` of a name without a dot: the enclosing function's id, 0 at module or class level."""
        for scope in reversed(self.ctx.scopes):
            if scope.__class__ in _FUNCTION_TYPES:  # scopes are nodes of the parsed tree: no subclasses
                return id(scope)
        return 0

    def bind_assign(self, targets: Sequence[ast.AST], value: ast.AST | None, annotation: ast.AST | None = None) -> None:
        if value is None and annotation is None:
            return
        imports = self.ctx.imports
        if len(imports) != self._flags_size:  # imports_any's answers hold until an import is added: so do these
            self._flags = (self.pandas_file(), self.imports_any(self.torch_modules))
            self._flags_size = len(imports)
        pandas, torch = self._flags
        kind = self.kind(value) if value is not None and pandas else None
        if annotation is not None and self._annotation_is_pandas(annotation):
            kind = PANDAS
        tkind = self.torch_kind(value) if value is not None and torch else None
        for target in targets:
            cls = target.__class__  # a node of the parsed tree: no subclasses
            if cls is _NAME:  # _bind_one of a name: no dot, its function's scope
                key = (self._function_key(), target.id)  # type: ignore[attr-defined]
                self.bindings[key] = kind
                self.torch_bindings[key] = tkind
            elif cls is _TUPLE or cls is _LIST:
                self._bind_tuple(target, value, kind, tkind)  # type: ignore[arg-type]
            else:
                self._bind_one(target, kind, tkind)

    def _bind_tuple(self, target: ast.Tuple | ast.List, value: ast.AST | None, kind: str | None, tkind: str | None) -> None:
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
            for element, item in zip(target.elts, value.elts):
                self._bind_one(element, self.kind(item), self.torch_kind(item))
            return
        passthrough = isinstance(value, ast.Call) and self.ctx.call_name(value) in self.passthrough
        for element in target.elts:
            if isinstance(element, ast.Starred):
                element = element.value
            self._bind_one(element, kind if passthrough else None, None)

    def _bind_one(self, target: ast.AST, kind: str | None, tkind: str | None) -> None:
        name = dotted(target)
        if name is None or (isinstance(target, ast.Attribute) and not name.startswith("self.")):
            return
        if name.count(".") > 1:
            return
        key = (self._scope_key(name), name)
        self.bindings[key] = kind
        self.torch_bindings[key] = tkind

    def bind_parameters(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        args = function.args
        scope = id(function)
        bindings, torch_bindings = self.bindings, self.torch_bindings
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is None:
                continue
            key = (scope, arg.arg)
            annotation = arg.annotation
            bindings[key] = PANDAS if annotation is not None and self._annotation_is_pandas(annotation) else None
            torch_bindings[key] = None

    def note_class(self, node: ast.ClassDef) -> None:
        for base in node.bases:
            name = self.ctx.qualname(base)
            if (name and (name in self.module_bases or name.startswith("lightning."))) or (
                isinstance(base, ast.Name) and base.id in self.module_classes
            ):
                self.module_classes.add(node.name)
                return

    def _annotation_is_pandas(self, annotation: ast.AST) -> bool:
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return False
        if isinstance(annotation, ast.BinOp):  # DataFrame | None
            return self._annotation_is_pandas(annotation.left) or self._annotation_is_pandas(annotation.right)
        if isinstance(annotation, ast.Subscript):  # Optional[pd.DataFrame]
            return self._annotation_is_pandas(annotation.slice)
        name = self.ctx.qualname(annotation)
        return name in self.pandas_types if name else False

    # -- lookups ----------------------------------------------------------------------------------
    def _lookup(self, table: dict[tuple[int, str], str | None], name: str) -> tuple[bool, str | None]:
        if name.startswith("self."):
            cls = self.ctx.enclosing_class()
            key = (id(cls) if cls is not None else 0, name)
            return (key in table, table.get(key))
        for scope in reversed(self.ctx.scopes):
            if scope.__class__ in _FUNCTION_TYPES:  # scopes are nodes of the parsed tree: no subclasses
                found = table.get((id(scope), name), _MISSING)
                if found is not _MISSING:
                    return True, found
        found = table.get((0, name), _MISSING)
        return (False, None) if found is _MISSING else (True, found)

    def kind(self, node: ast.AST | None, depth: int = 0) -> str | None:
        """PANDAS, WEAK, OTHER or None (no evidence either way) for an expression."""
        if node is None or depth > MAX_DEPTH:
            return None
        # the node's exact type tested (a node of the parsed tree: no subclasses), commonest first
        cls = node.__class__
        if cls is _CALL:
            return self._call_kind(node, depth)  # type: ignore[arg-type]
        if cls is _NAME:
            name: str = node.id  # type: ignore[attr-defined]
            if name in self.ctx.imports:
                return OTHER
            found, kind = self._lookup(self.bindings, name)
            if found and kind is not None:
                return kind
            return WEAK if self.weak_name(name) else None
        if cls in _OTHER_NODES:
            return OTHER
        if isinstance(node, ast.Subscript):
            base = node.value
            if isinstance(base, ast.Attribute) and base.attr in ("at", "iat"):
                return None
            inner = self.kind(base, depth + 1)
            return inner if inner in (PANDAS, WEAK) else (OTHER if inner == OTHER else None)
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                found, kind = self._lookup(self.bindings, f"self.{node.attr}")
                if found and kind is not None:
                    return kind
                return WEAK if self.weak_name(node.attr) else None
            if self.ctx.qualname(node):
                return None
            inner = self.kind(node.value, depth + 1)
            if inner in (PANDAS, WEAK):
                return OTHER if node.attr in self.non_pandas_attributes else inner
            return None
        if isinstance(node, ast.BinOp):
            return _strongest(self.kind(node.left, depth + 1), self.kind(node.right, depth + 1))
        if isinstance(node, ast.Compare):
            return _strongest(self.kind(node.left, depth + 1), *(self.kind(c, depth + 1) for c in node.comparators[:2]))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            return self.kind(node.operand, depth + 1)
        return None

    def _call_kind(self, node: ast.Call, depth: int) -> str | None:
        name = self.ctx.call_name(node)
        if name:
            named = self._named_kinds.get(name)
            if named is None:
                named = self._named_kinds[name] = self._call_name_kind(name)
            collection, keyword, kind, passthrough = named
            if collection or (keyword is not None and self._reads_collection(node, name)):
                return OTHER  # a dict/list/iterator of DataFrames: its items are, it is not
            if passthrough and node.args:
                inner = self.kind(node.args[0], depth + 1)
                return inner if inner in (PANDAS, WEAK) else None
            return kind
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("list", "dict", "set", "tuple", "len", "str", "int", "float", "sorted", "zip", "range", "enumerate"):
            return OTHER
        if isinstance(func, ast.Attribute):
            inner = self.kind(func.value, depth + 1)
            if inner in (PANDAS, WEAK):
                return OTHER if func.attr in self.non_pandas_methods else inner
        return None

    def _call_name_kind(self, name: str) -> tuple[bool, str | None, str | None, bool]:
        """What ``_call_kind`` learns from a resolved callee's name alone: whether it always reads a
        collection, the keyword that can make it read one, its kind unless it passes its first argument
        through, and whether it does (not a constructor or reader, in the passthrough table)."""
        if name in self.constructors or name.startswith(self.reader_prefixes):
            kind: str | None = PANDAS
        elif name.split(".", 1)[0] in ("numpy", "torch", "tensorflow", "jax", "xarray", "cv2", "openpyxl", "scipy", "builtins"):
            kind = OTHER
        else:
            kind = None
        return (name in self.collection_readers, self.collection_keywords.get(name), kind,
                kind is not PANDAS and name in self.passthrough)

    def _reads_collection(self, node: ast.Call, name: str) -> bool:
        """``pd.read_excel(path, sheet_name=None)``, ``pd.read_html(url)``, ``pd.read_csv(path, chunksize=10_000)``."""
        if name in self.collection_readers:
            return True
        key = self.collection_keywords.get(name)
        if key is None:
            return False
        for item in node.keywords:
            if item.arg == key:
                value = item.value
                if key == "sheet_name":  # None or a list of sheets: a dict; one sheet by name or position: a DataFrame
                    return (isinstance(value, ast.Constant) and value.value is None) or isinstance(value, (ast.List, ast.Tuple))
                return not (isinstance(value, ast.Constant) and value.value is None)
        return False

    def is_pandas(self, node: ast.AST, weak: bool = True) -> bool:
        kind = self.kind(node)
        return kind == PANDAS or (weak and kind == WEAK)

    # -- torch -------------------------------------------------------------------------------------
    def torch_kind(self, node: ast.AST | None, depth: int = 0) -> str | None:
        """MODEL, EVAL_MODEL, OPTIMIZER or None for an expression (from calls and earlier bindings)."""
        if node is None or depth > MAX_DEPTH:
            return None
        # the node's exact type tested (a node of the parsed tree: no subclasses)
        cls = node.__class__
        if cls is _NAME:  # _lookup's answer: the binding, None when there is none
            return self._lookup(self.torch_bindings, node.id)[1]  # type: ignore[attr-defined]
        if cls is _ATTRIBUTE:
            name = dotted(node)
            if name is None:
                return None
            return self._lookup(self.torch_bindings, name)[1]
        if cls is not _CALL:
            return None
        func = node.func  # type: ignore[attr-defined]
        name = self.ctx.call_name(node)  # type: ignore[arg-type]
        if self._builds_non_model(func):
            return NOT_MODEL
        if name:
            found: str | None = self._named_torch.get(name, _MISSING)
            if found is _MISSING:
                found = self._named_torch[name] = self._call_torch_kind(name)
            return found
        if isinstance(func, ast.Name) and func.id in self.module_classes:
            return MODEL
        if isinstance(func, ast.Name) and self.is_eval_loader(func.id):
            return EVAL_MODEL  # def load_model(path): ...; model.eval(); return model
        if isinstance(func, ast.Attribute):
            if func.attr == "from_pretrained":
                return EVAL_MODEL
            if func.attr == "eval":
                return EVAL_MODEL
            if func.attr in ("to", "cuda", "cpu", "float", "half", "double", "train", "requires_grad_"):
                inner = self.torch_kind(func.value, depth + 1)
                if func.attr == "train" and inner == EVAL_MODEL:
                    return MODEL
                return inner
        return None

    def _call_torch_kind(self, name: str) -> str | None:
        """``torch_kind`` of a call of the resolved name ``name`` that does not build a non-model."""
        if name.startswith(self.optimizer_prefixes) and not name.startswith(self.not_optimizer_prefixes):
            return OPTIMIZER
        if name in self.eval_loaders or name.endswith(".from_pretrained") or name.startswith("torch.jit.load"):
            return EVAL_MODEL
        if name.startswith(self.not_model_prefixes):
            return NOT_MODEL
        if name.startswith(self.model_prefixes) or name in self.module_bases:
            return MODEL
        return None

    def _builds_non_model(self, func: ast.AST) -> bool:
        """``AutoTokenizer.from_pretrained``, ``load_pipeline(...)``, ``DDPMScheduler(...)``: not a model."""
        cls = func.__class__  # a node of the parsed tree: no subclasses
        if cls is _ATTRIBUTE and func.attr == "from_pretrained":  # type: ignore[attr-defined]
            func = func.value  # type: ignore[attr-defined]
            cls = func.__class__
        # the last part of dotted(func), which is None unless the chain ends at a name
        if cls is _NAME:
            last: str = func.id  # type: ignore[attr-defined]
        elif cls is _ATTRIBUTE:
            last = func.attr  # type: ignore[attr-defined]
            inner = func.value  # type: ignore[attr-defined]
            while inner.__class__ is _ATTRIBUTE:
                inner = inner.value
            if inner.__class__ is not _NAME:
                return False
        else:
            return False
        found = self._not_model_objects.get(last)
        if found is None:
            found = self._not_model_objects[last] = bool(self.not_model_object.search(last))
        return found

    def is_eval_loader(self, name: str) -> bool:
        """Whether ``name`` is a module-level function that puts what it returns in eval mode
        (``x.eval()`` and a ``return``). Only the functions of that name are walked, once."""
        found = self._eval_loaders.get(name)
        if found is None:
            found = self._eval_loaders[name] = any(_returns_eval_mode(stmt) for stmt in self._module_functions.get(name, ()))
        return found

    @cached_property
    def _module_functions(self) -> dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]]:
        functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        for stmt in self.ctx.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.setdefault(stmt.name, []).append(stmt)
        return functions

    def is_optimizer(self, node: ast.AST) -> bool:
        """Bound to an optimizer constructor, or named like one (``optimizer``, ``opt_g``, ``self.optim``)."""
        kind = self.torch_kind(node)
        if kind is not None:
            return kind == OPTIMIZER
        if isinstance(node, ast.Subscript):  # optimizers[i]
            node = node.value
        name = dotted(node)
        if name is None:
            return False
        last = name.rsplit(".", 1)[-1]
        return bool(self.optimizer_name.match(last)) and not self.not_optimizer_name.search(last)

    def model_like(self, node: ast.AST) -> bool:
        """A called object that is plausibly a torch model (bound to one, or named like one: not a class's
        name, :func:`class_named`, whose call builds a module rather than runs one)."""
        if isinstance(node, ast.Name):
            if node.id in self.ctx.imports:
                return False
        elif isinstance(node, ast.Attribute):
            if self.ctx.qualname(node):
                return False
        else:
            return False
        kind = self.torch_kind(node)
        if kind in (MODEL, EVAL_MODEL):
            return True
        if kind is not None:
            return False
        name = dotted(node)
        if name is None:
            return False
        last = name.rsplit(".", 1)[-1]
        found = self._model_named.get(last)
        if found is None:  # a file calls the same few names again and again: each judged once
            found = self._model_named[last] = bool(self.model_name.match(last)) and not self.not_model_name.search(last) \
                and not self.not_model_object.search(last) and not class_named(last)
        return found


def class_named(name: str) -> bool:
    """A CapWords name (``Discriminator``, ``ResNet50``, ``_Generator``): a class by PEP 8, so a call of it
    builds an object. Not an ALL_CAPS constant (``MODEL``, ``VGG16``) nor a single capital (``D``, ``G``: the
    modules of GAN code), nor a name with an inner underscore (``G_net``)."""
    word = name.lstrip("_")
    return len(word) > 1 and word[0].isupper() and not word.isupper() and "_" not in word


def _returns_eval_mode(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    calls_eval = returns = False
    for sub in walk_nodes(function):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "eval" and not sub.args:
            calls_eval = True
        elif isinstance(sub, ast.Return) and sub.value is not None:
            returns = True
    return calls_eval and returns


def _strongest(*kinds: str | None) -> str | None:
    if PANDAS in kinds:
        return PANDAS
    if WEAK in kinds:
        return WEAK
    return None


class TracksBindings:
    """Mixin for code rules that ask :class:`Evidence`: records assignments, parameters and classes."""

    ctx: FileContext

    @cached_property
    def evidence(self) -> Evidence:
        return evidence_for(self.ctx)

    @once_per_node
    def leave_Assign(self, node: ast.Assign) -> None:
        evidence = self.evidence
        if evidence.once(node):
            evidence.bind_assign(node.targets, node.value)

    @once_per_node
    def leave_AnnAssign(self, node: ast.AnnAssign) -> None:
        evidence = self.evidence
        if evidence.once(node):
            evidence.bind_assign([node.target], node.value, node.annotation)

    @once_per_node
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        evidence = self.evidence
        if evidence.once(node):
            evidence.bind_parameters(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    @once_per_node
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        evidence = self.evidence
        if evidence.once(node):
            evidence.note_class(node)


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for item in call.keywords:
        if item.arg == name:
            return item
    return None


def is_true(node: Any) -> bool:
    return isinstance(node, ast.Constant) and node.value is True
