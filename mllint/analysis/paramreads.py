"""Which params-file keys a file reads: the parameter collector, run in the shared traversal.

It follows params objects from where they are made (a loader on a file, ``dvc.api.params_show()``, a
Hydra entry point, a call to ``load_params()``-like functions) through assignments, subscripts,
attributes and ``.get`` calls, and records each use as a :class:`~mllint.core.paramfacts.ParamAccess`.
Whatever it cannot follow precisely (the object passed to a function, iterated, unpacked) is recorded
as a whole-object use, so that a key is never called unused because the analysis lost track of it.
Config classes a params mapping is validated into (pydantic models, dataclasses) contribute their
fields. The knowledge (loaders, wrappers, schema methods) is ``[params_loading]`` in
``rules/knowledge/pipelines.toml``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from mllint.analysis.context import FileContext
from mllint.core.paramfacts import (
    ParamAccess,
    ParamReturn,
    ParamSchema,
    ParamsFacts,
    ParamSource,
    SchemaField,
)

if TYPE_CHECKING:  # pragma: no cover
    from mllint.knowledge.runtime import Knowledge

#: Annotations that are plain values (a leaf key), not nested config classes.
_SCALAR_TYPES = frozenset({
    "int", "float", "str", "bool", "bytes", "complex", "Path", "PosixPath", "PurePath", "Literal", "None",
    "PositiveInt", "PositiveFloat", "NonNegativeInt", "NonNegativeFloat", "NegativeInt", "NegativeFloat",
    "StrictInt", "StrictFloat", "StrictStr", "StrictBool", "conint", "confloat", "constr", "FilePath",
    "DirectoryPath", "HttpUrl", "AnyUrl", "SecretStr", "Decimal", "datetime", "date", "timedelta", "UUID",
})
_WRAPPING_TYPES = frozenset({"Optional", "Annotated", "Final", "Required", "NotRequired", "ReadOnly"})


# Origins are plain slotted dataclasses hashed by their fields, not frozen ones (whose constructor sets
# each field through object.__setattr__): one is made for most expressions the collector follows.
@dataclass(unsafe_hash=True, slots=True)
class _Params:
    """A name bound to a params object: the source's index and the key path below it."""

    source: int
    path: tuple[str, ...]


@dataclass(unsafe_hash=True, slots=True)
class _File:
    """A name bound to a file name (a literal, a Path of one, an open file of one)."""

    name: str
    relative_to_file: bool = False


@dataclass(unsafe_hash=True, slots=True)
class _Param:
    """A parameter of a module-level function that may name a file (``def load(path): ...``)."""

    function: str


_Origin = _Params | _File | _Param | None
_SHADOW = _File("")  # a name rebound to something else: hides an outer binding of the same name
_NO_BINDINGS: dict[str, _Params | _File | _Param] = {}  # a scope without bindings (only read)


def _const_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


class _Tables:
    """The ``[params_loading]`` knowledge as the collector reads it: made once per knowledge (shared by
    every file's collector, never modified)."""

    def __init__(self, knowledge: Knowledge) -> None:
        table = knowledge.get("params_loading", {})
        self.loader_classes = frozenset(table.get("loader_classes", []))
        self.loaders = frozenset(table.get("loaders", [])) | {f"{cls}.load" for cls in self.loader_classes}
        self.dvc = frozenset(table.get("dvc", []))
        self.wrappers = frozenset(table.get("wrappers", []))
        self.openers = frozenset(table.get("openers", []))
        self.opener_methods = frozenset(table.get("opener_methods", []))
        self.joins = frozenset(table.get("joins", []))
        self.inert = frozenset(table.get("inert", []))
        self.optional_methods = frozenset(table.get("optional_methods", ["get"]))
        self.write_methods = frozenset(table.get("write_methods", []))
        self.file_inert = frozenset(table.get("file_inert", []))
        self.suffixes = tuple(table.get("suffixes", [".yaml", ".yml", ".json", ".toml"]))
        #: A string literal whose value ends in one of the suffixes (a quote right after it): the only source of
        #: a params-like file name (a suffix in a comment or a sentence of a docstring is not one).
        self.file_literal = re.compile("[\"'][^\"'\n]*(?:" + "|".join(map(re.escape, self.suffixes)) + ")[\"']")
        #: Suffixes without quotes and newlines (all but a strange knowledge's): ``file_literal`` is then found
        #: from their occurrences followed by a quote (see :meth:`names_file`).
        self.plain_suffixes = all(suffix and not any(c in suffix for c in "\"'\n") for suffix in self.suffixes)
        self.suffix_quote = re.compile("(?:" + "|".join(map(re.escape, self.suffixes)) + ")[\"']")
        self.call_pattern = re.compile(table.get("call_pattern", "(?i)param"))
        self.read_openers = frozenset(table.get("read_openers", []))
        self.read_methods = frozenset(table.get("read_methods", []))
        self.reader_pattern = re.compile(table.get("reader_pattern", "(?!)"))
        self.writer_pattern = re.compile(table.get("writer_pattern", "(?!)"))
        self.hydra_main = frozenset(table.get("hydra_main", []))
        self.hydra_compose = frozenset(table.get("hydra_compose", []))
        self.schema_methods = frozenset(table.get("schema_methods", []))
        self.schema_functions = frozenset(table.get("schema_functions", []))
        self.schema_function_names = frozenset(name.rsplit(".", 1)[-1] for name in self.schema_functions)
        #: The last names of a callee ``_schema_call`` may accept, besides the file's classes.
        self.schema_heads = self.schema_methods | self.schema_function_names
        self.model_bases = frozenset(table.get("model_bases", []))
        self.settings_bases = frozenset(table.get("settings_bases", []))
        self.dataclass_decorators = frozenset(table.get("dataclass_decorators", []))
        self.missing_key_errors = frozenset(table.get("missing_key_errors", []))
        #: Every callee name ``_call_origin`` tests by name: one test for the many calls it has nothing to say about.
        self.origin_names = self.openers | self.joins | self.loaders | self.dvc | self.hydra_compose | self.wrappers
        #: The callee names ``visit_Call`` follows the result of (besides names like a loader's).
        self.making_names = self.loaders | self.dvc | self.hydra_compose

    def names_file(self, source: str) -> bool:
        """Does ``source`` hold a string literal ending in one of the suffixes (``file_literal.search``)?

        The pattern, tried at every quote of the text, was slow; with plain suffixes its matches are exactly
        a suffix followed by a quote with a quote before it on its line (the last such quote opens the literal:
        no quote, no newline lies between). ``suffix_quote`` finds the former (the suffixes' common first
        character is its fast prefix); a match it skips, overlapping one it found, ends at the same quote
        with only the suffixes' own characters more before it: the same answer."""
        if not self.plain_suffixes:
            return self.file_literal.search(source) is not None
        for match in self.suffix_quote.finditer(source):
            at = match.start()
            before = source[source.rfind("\n", 0, at) + 1:at]
            if "\"" in before or "'" in before:
                return True
        return False


@lru_cache(maxsize=4096)
def _named_like_loader(tables: _Tables, name: str) -> bool:
    """Is ``name`` a function (not a class: those are capitalised) named like a config loader, and not an
    inert one? Depends on the knowledge and the name only: memoised across files."""
    last = name.rsplit(".", 1)[-1]
    return name not in tables.inert and last[:1].islower() and bool(tables.call_pattern.search(last))


@lru_cache(maxsize=4096)
def _path_like(name: str) -> bool:
    """Is a parameter or keyword ``name`` one that may name a file (``PATH_PARAMETER``)? Memoised: few names recur."""
    return PATH_PARAMETER.search(name) is not None


class ParamsCollector:
    """Visitor of the shared traversal (not a rule): fills a :class:`ParamsFacts`."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        tables = self._tables = ctx.knowledge.derived(_Tables)
        self.loaders = tables.loaders
        self.loader_classes = tables.loader_classes
        self._loader_instances: dict[str, str] = {}  # name -> the loader class it is an instance of
        self.dvc = tables.dvc
        self.wrappers = tables.wrappers
        self.openers = tables.openers
        self.opener_methods = tables.opener_methods
        self.joins = tables.joins
        self.inert = tables.inert
        self.optional_methods = tables.optional_methods
        self.write_methods = tables.write_methods
        self.file_inert = tables.file_inert
        self.suffixes = tables.suffixes
        self.read_openers = tables.read_openers
        self.read_methods = tables.read_methods
        self.reader_pattern = tables.reader_pattern
        self.writer_pattern = tables.writer_pattern
        self.hydra_main = tables.hydra_main
        self.hydra_compose = tables.hydra_compose
        self.schema_methods = tables.schema_methods
        self.schema_functions = tables.schema_functions
        self.model_bases = tables.model_bases
        self.settings_bases = tables.settings_bases
        self.dataclass_decorators = tables.dataclass_decorators
        self.missing_key_errors = tables.missing_key_errors
        self._origin_names = tables.origin_names
        self._making_names = tables.making_names
        self.facts = ParamsFacts()
        self._bound: set[str] = set()  # every name ever bound in some scope (a cheap test before a lookup)
        self._loader_like: dict[str, bool] = {}
        self._reader_like: dict[str, bool] = {}
        #: Does the file hold a string naming a params-like file at all? (else no file name can escape)
        self._file_literals = tables.names_file(ctx.source)
        self._schema_function_names = tables.schema_function_names
        self._source_index: dict[tuple[object, ...], int] = {}
        self._origins: dict[ast.AST, _Origin] = {}  # memo: a Call's origin is computed once
        self._scopes: dict[int, dict[str, _Params | _File | _Param]] = {}  # id(scope node) or 0 (module) -> bindings
        self._pending_function: ast.FunctionDef | ast.AsyncFunctionDef | None = None
        self._returns: dict[str, _Params] = {}  # module-level functions of this file returning params
        self._schema_cache: dict[str, tuple[list[SchemaField], bool, bool] | None] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.ClassDef):
                self.classes[stmt.name] = stmt
            elif isinstance(stmt, (ast.If, ast.Try)):
                for inner in ast.iter_child_nodes(stmt):
                    if isinstance(inner, ast.ClassDef):
                        self.classes[inner.name] = inner
        #: The callee's last name of every call ``_schema_call`` may accept (none without a class of the file).
        self._schema_heads = tables.schema_heads.union(self.classes) if self.classes else frozenset()

    # -- bindings ----------------------------------------------------------------------------
    def _scope_key(self) -> int:
        for scope in reversed(self.ctx.scopes):
            if not isinstance(scope, ast.ClassDef) or scope is self.ctx.scopes[-1]:
                return id(scope)
        return 0

    def _bind(self, name: str, origin: _Origin) -> None:
        if origin is None and name not in self._bound:
            return  # nothing to shadow: every name of a scope's bindings is in _bound, and _lookup finds no other
        key = self._scope_key()
        scope = self._scopes.get(key)
        if origin is None:
            if scope is not None and name in scope:
                scope[name] = _SHADOW
            elif key != 0 and self._lookup(name) is not None:
                self._scopes.setdefault(key, {})[name] = _SHADOW
            return
        if scope is None:
            scope = self._scopes[key] = {}
        scope[name] = origin
        self._bound.add(name)

    def _lookup(self, name: str) -> _Params | _File | _Param | None:
        if name not in self._bound:
            return None
        scopes = self.ctx.scopes
        bindings = self._scopes
        innermost = len(scopes) - 1
        for index in range(innermost, -1, -1):
            scope = scopes[index]
            if index != innermost and isinstance(scope, ast.ClassDef):
                continue  # a class body's names are not visible from its methods
            found = bindings.get(id(scope), _NO_BINDINGS).get(name)
            if found is not None:
                return None if found is _SHADOW else found
            if self._assigns(scope, name):
                return None  # a local of this function shadows the outer binding
        found = bindings.get(0, _NO_BINDINGS).get(name)
        return None if found is _SHADOW else found

    def _assigns(self, scope: ast.AST, name: str) -> bool:
        """Is ``name`` a parameter of the function ``scope``? (then an outer binding is shadowed)"""
        if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        args = scope.args
        for group in (args.posonlyargs, args.args, args.kwonlyargs):
            for arg in group:
                if arg.arg == name:
                    return True
        return (args.vararg is not None and args.vararg.arg == name) or (args.kwarg is not None and args.kwarg.arg == name)

    def _source(self, kind: str, name: str = "", certain: bool = True, relative: bool = False,
                config_path: str = "", line: int = 0, argument: str = "", function: str = "") -> int:
        key = (kind, name, certain, relative, config_path, argument, function)
        index = self._source_index.get(key)
        if index is None:
            index = self._source_index[key] = len(self.facts.sources)
            self.facts.sources.append(ParamSource(kind, name, certain, relative, config_path, line, argument, function))
        return index

    # -- where a value comes from ----------------------------------------------------------
    def _name(self, node: ast.AST) -> str | None:
        """The resolved dotted name of a callee, or the bare name of a local one."""
        name = self.ctx.qualname(node)
        if name is not None:
            return name
        return node.id if isinstance(node, ast.Name) else self._local_name(node)

    def _local_name(self, node: ast.AST) -> str | None:
        """The name of a callee that does not resolve to a library name: a local one's."""
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute) and node.attr == "load" and isinstance(node.value, ast.Name) \
                and node.value.id in self._loader_instances:
            return f"{self._loader_instances[node.value.id]}.load"  # `yaml.load(f)` on a ruamel YAML() instance
        return None

    def origin(self, node: ast.AST | None) -> _Origin:
        """What ``node`` evaluates to, as far as params are concerned."""
        if node is None:
            return None
        if isinstance(node, ast.Call):
            origins = self._origins
            if node in origins:
                return origins[node]
            result = origins[node] = self._call_origin(node)
            return result
        if isinstance(node, ast.Name):
            return self._lookup(node.id)
        text = _const_str(node)
        if text is not None:
            return _File(text) if _file_like(text) else None
        if isinstance(node, ast.Subscript):
            base = self.origin(node.value)
            key = _const_str(node.slice)
            if isinstance(base, _Params) and key is not None:
                return _Params(base.source, (*base.path, key))
            return None
        if isinstance(node, ast.Attribute):
            base = self.origin(node.value)
            if isinstance(base, _Params) and not node.attr.startswith("__"):
                return _Params(base.source, (*base.path, node.attr))
            if isinstance(base, _File) and node.attr in ("parent", "name", "stem"):
                return None
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            right = self.origin(node.right) if isinstance(node.right, (ast.Name, ast.Constant)) else None
            if isinstance(right, _File):
                return _File(right.name, relative_to_file=_mentions_file(node.left) or self._relative(node.left))
            return None
        if isinstance(node, ast.Await):
            return self.origin(node.value)
        return None

    def _relative(self, node: ast.AST) -> bool:
        origin = self.origin(node) if isinstance(node, ast.Name) else None
        return isinstance(origin, _File) and origin.relative_to_file

    def _call_origin(self, node: ast.Call) -> _Origin:
        func = node.func
        name = self._name(func)
        first = node.args[0] if node.args else None
        named = name in self._origin_names  # else none of the tests of the name below holds (most calls)
        if named and name in self.openers:
            inner = self.origin(first)
            return inner if isinstance(inner, (_File, _Param)) else None
        if named and name in self.joins:
            last = node.args[-1] if node.args else None
            text = _const_str(last)
            return _File(text, relative_to_file=any(_mentions_file(arg) for arg in node.args)) if text else None
        if isinstance(func, ast.Attribute) and func.attr in self.opener_methods:
            base = self.origin(func.value)
            if isinstance(base, (_File, _Param)):
                return base
        if named:
            if name in self.loaders:
                arg = first if first is not None else next((k.value for k in node.keywords if k.arg in ("stream", "fp", "f", "file", "s")), None)
                found = self.origin(arg)
                line = node.lineno
                if isinstance(found, _File):
                    return _Params(self._source("file", found.name, True, found.relative_to_file, line=line), ())
                function = found.function if isinstance(found, _Param) else ""
                return _Params(self._source("file", "", False, line=line, function=function), ())
            if name in self.dvc:
                return _Params(self._source("dvc", line=node.lineno), ())
            if name in self.hydra_compose:
                config = next((_const_str(k.value) for k in node.keywords if k.arg == "config_name"), None) or _const_str(first) or ""
                return _Params(self._source("hydra", config, True, line=node.lineno), ())
            if name in self.wrappers and first is not None:
                inner = self.origin(first)
                return inner if isinstance(inner, _Params) else None
        if isinstance(func, ast.Attribute) and func.attr in self.optional_methods and node.args:
            base = self.origin(func.value)
            key = _const_str(node.args[0])
            if isinstance(base, _Params) and key is not None:
                return _Params(base.source, (*base.path, key))
            return None
        head = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        schema = self._schema_call(node) if head in self._schema_heads else None  # (see visit_Call)
        if schema is not None:
            return schema[1]
        if isinstance(func, ast.Name) and func.id in self._returns and func.id not in self.ctx.imports:
            return self._returns[func.id]
        like = self._loader_like.get(name) if name else False  # _looks_like_loader's memo read here: most calls
        if like is None:
            like = self._looks_like_loader(name)
        if like:
            given = [first] if first is not None else [k.value for k in node.keywords if k.arg]
            argument = next((found for found in map(self._as_file, map(self.origin, given)) if found is not None), None)
            return _Params(self._source("call", name or "", line=node.lineno,
                                        argument=argument.name if argument is not None else ""), ())
        return None

    def _looks_like_loader(self, name: str | None) -> bool:
        """A function (not a class: those are capitalised) named like a config loader: ``load_params``."""
        if not name:
            return False
        known = self._loader_like.get(name)
        if known is None:
            known = self._loader_like[name] = name not in self.classes and _named_like_loader(self._tables, name)
        return known

    @staticmethod
    def _as_file(origin: _Origin) -> _File | None:
        return origin if isinstance(origin, _File) else None

    # -- config classes ---------------------------------------------------------------------
    def _schema_call(self, node: ast.Call) -> tuple[str, _Params, ast.AST] | None:
        """``(class name, params origin, params argument)`` of a validation into a class of this file."""
        func = node.func
        if not self.classes:
            return None  # no class of this file to validate into
        cls: str | None = None
        arg: ast.AST | None = None
        if isinstance(func, ast.Attribute):
            if func.attr in self.schema_methods and isinstance(func.value, ast.Name):
                cls, arg = func.value.id, (node.args[0] if node.args else None)
            elif func.attr in self._schema_function_names:
                cls, arg = self._schema_function_call(node)
        elif isinstance(func, ast.Name):
            if func.id in self.classes:
                starred = [k.value for k in node.keywords if k.arg is None]
                if len(starred) == 1 and not node.args:
                    cls, arg = func.id, starred[0]
            elif func.id in self._schema_function_names:
                cls, arg = self._schema_function_call(node)
        else:
            return None  # a callee without a name (only a Name has an ``id``): no class, no library function
        if cls is None or cls not in self.classes or cls in self.ctx.imports or arg is None:
            return None
        origin = self.origin(arg)
        if not isinstance(origin, _Params):
            return None
        return cls, origin, arg

    def _schema_function_call(self, node: ast.Call) -> tuple[str | None, ast.AST | None]:
        """(class name, params argument) of ``from_dict(data_class=Params, data=params)``-like calls."""
        if self._name(node.func) not in self.schema_functions:
            return None, None
        values = {k.arg: k.value for k in node.keywords}
        target = values.get("data_class", node.args[0] if node.args else None)
        arg = values.get("data", node.args[1] if len(node.args) > 1 else None)
        return (target.id if isinstance(target, ast.Name) else None), arg

    def _class_fields(self, name: str, seen: frozenset[str] = frozenset()) -> tuple[list[SchemaField], bool, bool] | None:
        """(fields, open, settings) of a config class of this file; None when it is not one."""
        if name in self._schema_cache:
            return self._schema_cache[name]
        node = self.classes.get(name)
        if node is None or name in seen:
            return None
        seen = seen | {name}
        fields: dict[str, SchemaField] = {}
        is_model = any(self._name(_decorator_func(d)) in self.dataclass_decorators for d in node.decorator_list)
        open_ = False
        settings = False
        for base in node.bases:
            base_name = self._name(base.value if isinstance(base, ast.Subscript) else base)
            if isinstance(base, ast.Name) and base.id in self.classes and base.id not in self.ctx.imports:
                inherited = self._class_fields(base.id, seen)
                if inherited is None:
                    open_ = True
                    continue
                is_model = True
                for item in inherited[0]:
                    fields[item.name] = item
                open_ = open_ or inherited[1]
                settings = settings or inherited[2]
            elif base_name in self.model_bases:
                is_model = True
            elif base_name in self.settings_bases:
                is_model = settings = True
            elif base_name != "object":
                open_ = True
        if any(k.arg == "extra" and _const_str(k.value) == "allow" for k in node.keywords):
            open_ = True
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                if stmt.target.id.startswith("_") or "ClassVar" in ast.unparse(stmt.annotation):
                    continue
                key, required = self._field_key(stmt)
                nested = self._nested(stmt.annotation, seen)
                if nested is None:
                    fields[key] = SchemaField(key, required, None, False)
                else:
                    fields[key] = SchemaField(key, required, nested[0], nested[1])
            elif isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "model_config" for t in stmt.targets):
                text = ast.unparse(stmt.value)
                if "alias_generator" in text or re.search(r"extra\W+allow", text):
                    open_ = True
            elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
                text = ast.unparse(stmt)
                if "alias_generator" in text or re.search(r"extra\W+(allow|Extra\.allow)", text):
                    open_ = True
        result = (list(fields.values()), open_, settings) if is_model else None
        self._schema_cache[name] = result
        return result

    def _field_key(self, stmt: ast.AnnAssign) -> tuple[str, bool]:
        """The key a field reads (its alias when given) and whether the params file must define it."""
        key = stmt.target.id if isinstance(stmt.target, ast.Name) else ""
        value = stmt.value
        if value is None:
            return key, True
        if isinstance(value, ast.Call) and self._name(value.func) in ("pydantic.Field", "pydantic.fields.Field", "dataclasses.field", "attr.ib", "attrs.field", "attr.field"):
            keywords = {k.arg: k.value for k in value.keywords if k.arg}
            for alias_key in ("validation_alias", "alias"):
                alias = _const_str(keywords.get(alias_key))
                if alias:
                    key = alias
                    break
            has_default = ("default" in keywords or "default_factory" in keywords or "factory" in keywords
                           or (bool(value.args) and not (isinstance(value.args[0], ast.Constant) and value.args[0].value is Ellipsis)))
            return key, not has_default
        return key, False

    def _nested(self, annotation: ast.AST, seen: frozenset[str]) -> tuple[list[SchemaField], bool] | None:
        """Fields of the config class an annotation names (through Optional/Annotated/``X | None``)."""
        node = annotation
        while True:
            if isinstance(node, ast.Subscript) and isinstance(node.value, (ast.Name, ast.Attribute)):
                head = node.value.id if isinstance(node.value, ast.Name) else node.value.attr
                if head in _WRAPPING_TYPES:
                    inner = node.slice
                    node = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
                    continue
                return [], True  # list[...], dict[...]: any keys below
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
                sides = [side for side in (node.left, node.right) if not (isinstance(side, ast.Constant) and side.value is None)]
                if len(sides) == 1:
                    node = sides[0]
                    continue
                return [], True
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                try:
                    node = ast.parse(node.value, mode="eval").body
                except SyntaxError:
                    return [], True
                continue
            break
        label = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if label is None:
            return [], True
        if label in _SCALAR_TYPES:
            return None
        if label in self.classes and label not in self.ctx.imports:
            found = self._class_fields(label, seen)
            if found is not None:
                return found[0], found[1]
            return None if _is_enum(self.classes[label]) else ([], True)
        return [], True  # an imported class, Any, a dict: any keys below count as read

    # -- recording ------------------------------------------------------------------------------
    def _record(self, origin: _Params, path: tuple[str, ...], kind: str, node: ast.AST) -> None:
        if kind == "key" and not path:
            return  # the whole object named, nothing read
        self.facts.accesses.append(ParamAccess(origin.source, list(path), kind, getattr(node, "lineno", 0), self._guarded()))

    def _guarded(self) -> bool:
        for parent in self.ctx.parents:
            if isinstance(parent, ast.Try) or type(parent).__name__ == "TryStar":
                for handler in getattr(parent, "handlers", []):
                    kinds = handler.type
                    names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
                    for kind in names:
                        label = kind.id if isinstance(kind, ast.Name) else kind.attr if isinstance(kind, ast.Attribute) else None
                        if label in self.missing_key_errors and not any(
                                isinstance(inner, ast.Raise) for inner in ast.walk(handler)):
                            return True  # handled (a handler that raises again only logs it)
        return False

    def _climb(self, node: ast.AST, origin: _Params) -> None:
        """Follow subscripts, attributes and mapping methods up from ``node`` and record the use."""
        parents = self.ctx.parents
        index = len(parents) - 1
        while index >= 0 and parents[index] is not node:
            index -= 1
        path = origin.path
        current: ast.AST = node
        optional = False
        while index > 0:
            parent = parents[index - 1]
            if isinstance(parent, ast.Subscript) and parent.value is current:
                key = _const_str(parent.slice)
                if key is None:
                    kind = "write" if isinstance(parent.ctx, (ast.Store, ast.Del)) else "value"
                    self._record(origin, path, kind, parent)
                    return
                path = (*path, key)
                current = parent
                index -= 1
                continue
            if isinstance(parent, ast.Attribute) and parent.value is current:
                attr = parent.attr
                grand = parents[index - 2] if index >= 2 else None
                if isinstance(grand, ast.Call) and grand.func is parent:
                    if attr in self.optional_methods:
                        key = _const_str(grand.args[0]) if grand.args else None
                        if key is None:
                            self._record(origin, path, "value", grand)
                            return
                        path = (*path, key)
                        optional = True
                        current = grand
                        index -= 2
                        continue
                    if attr in self.write_methods:
                        key = _const_str(grand.args[0]) if grand.args else None
                        self._record(origin, (*path, key) if key and attr in ("setdefault", "pop") else path, "write", grand)
                        return
                    # items(), keys(), copy() or any other method of the object: the object is used whole
                    self._record(origin, path, "value", grand)
                    return
                if attr.startswith("__"):
                    self._record(origin, path, "value", parent)
                    return
                path = (*path, attr)
                current = parent
                index -= 1
                continue
            if isinstance(parent, ast.Call) and current in parent.args and len(parent.args) == 1 and not parent.keywords \
                    and self._name(parent.func) in self.wrappers:
                current = parent  # Box(params)["x"]: the wrapper keeps the keys
                assert current is not None
                index -= 1
                continue
            break
        around = parents[index - 1] if index > 0 else None
        if isinstance(getattr(current, "ctx", None), (ast.Store, ast.Del)):
            self._record(origin, path, "write", current)
            return
        use = self._context(current, around, origin, path)
        if use is None:
            return
        if optional and use == "value":  # cfg.get("model") handed on whole: every key below it may be read,
            self.facts.accesses.append(ParamAccess(origin.source, list(path), "value", getattr(current, "lineno", 0), True))
            use = "optional"  # and none of them must exist (a guarded read is never called undefined)
        self._record(origin, path, "optional" if optional and use == "key" else use, current)

    def _context(self, current: ast.AST, parent: ast.AST | None, origin: _Params, path: tuple[str, ...]) -> str | None:
        """The kind of use of a params (sub)object by the expression around it; None: nothing to record."""
        if parent is None:
            return "key"
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            return "key" if all(isinstance(t, ast.Name) for t in targets) else "value"
        if isinstance(parent, ast.Return):
            return None  # visit_Return records the function as returning params (or a whole use)
        if isinstance(parent, ast.Compare):
            if current is not parent.left and any(isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops):
                key = _const_str(parent.left)
                if key is not None:
                    self._record(origin, (*path, key), "optional", parent)
                    return None
                return "value"
            return "key"
        if isinstance(parent, ast.Call):
            if current is parent.func:
                return "key"
            name = self._name(parent.func)
            if name in ("getattr", "hasattr") and parent.args and parent.args[0] is current and len(parent.args) >= 2:
                key = _const_str(parent.args[1])
                if key is None:
                    return "value"
                kind = "optional" if name == "hasattr" or len(parent.args) > 2 else "key"
                self._record(origin, (*path, key), kind, parent)
                return None
            if name in self.inert:
                return "key"
            if self._schema_call(parent) is not None:
                return None  # the class's fields are recorded by visit_Call
            return "value"
        if isinstance(parent, (ast.BinOp, ast.UnaryOp, ast.FormattedValue, ast.Expr, ast.If, ast.While, ast.IfExp,
                               ast.Assert, ast.BoolOp, ast.AugAssign)):
            return "key"
        if isinstance(parent, ast.Subscript) and parent.slice is current:
            return "key"
        return "value"

    # -- visitors -----------------------------------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        if isinstance(value, ast.Call):
            cls = self._name(value.func)
            if cls is not None and cls in self.loader_classes:
                self._loader_instances.update((t.id, cls) for t in node.targets if isinstance(t, ast.Name))
        origin = self.origin(value)
        bound = self._bound
        for target in node.targets:
            if isinstance(target, ast.Name) and (origin is not None or target.id in bound):  # (else _bind does nothing)
                self._bind(target.id, origin)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if isinstance(node.target, ast.Name) and node.value is not None:
            self._bind(node.target.id, self.origin(node.value))

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._bind(node.target.id, self.origin(node.value))

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if isinstance(item.optional_vars, ast.Name):
                self._bind(item.optional_vars.id, self.origin(item.context_expr))

    visit_AsyncWith = visit_With

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        # the traversal pushes the function's scope after this visit: bind parameters when the body starts
        self._pending_function = node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_arguments(self, node: ast.arguments) -> None:
        function = self._pending_function
        if function is None or function.args is not node:
            return
        self._pending_function = None
        positional = [*node.posonlyargs, *node.args] if node.posonlyargs else node.args  # (only read)
        defaults: dict[str, ast.expr] = {}
        if node.defaults or node.kw_defaults:  # most functions have none
            for arg, value in zip(positional[len(positional) - len(node.defaults):], node.defaults):
                defaults[arg.arg] = value
            for arg, default in zip(node.kwonlyargs, node.kw_defaults):
                if default is not None:
                    defaults[arg.arg] = default
            for parameter, default in defaults.items():
                origin = self.origin(default)
                if isinstance(origin, _File):
                    self._bind(parameter, origin)
        if len(self.ctx.scopes) == 1:  # a module-level function: parameters that may name a file it loads
            for arg in positional:
                if arg.arg not in defaults and _path_like(arg.arg):
                    self._bind(arg.arg, _Param(function.name))
        for decorator in function.decorator_list:
            if isinstance(decorator, ast.Call) and self._name(decorator.func) in self.hydra_main and positional:
                keywords = {k.arg: _const_str(k.value) for k in decorator.keywords}
                source = self._source("hydra", keywords.get("config_name") or "", True,
                                      config_path=keywords.get("config_path") or "", line=decorator.lineno)
                self._bind(positional[0].arg, _Params(source, ()))

    def visit_Name(self, node: ast.Name) -> None:
        if node.id not in self._bound or not isinstance(node.ctx, ast.Load):
            return
        origin = self._lookup(node.id)
        if isinstance(origin, _Params):
            self._climb(node, origin)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        # _schema_call accepts a callee whose last name is a schema method or function or a class of the file
        head = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        schema = self._schema_call(node) if head in self._schema_heads else None
        if schema is not None:
            cls, origin, _arg = schema
            found = self._class_fields(cls)
            if found is None:
                self._record(origin, origin.path, "value", node)
            else:
                self.facts.schemas.append(ParamSchema(origin.source, list(origin.path), cls, node.lineno,
                                                      found[0], found[1], found[2]))
            return
        name = self.ctx.call_name(node)  # the traversal's first visitor has resolved it: no second method call
        if name is None:
            name = func.id if isinstance(func, ast.Name) else self._local_name(func)
        if self._file_literals:
            self._note_read(node, name)
            if name not in self.loaders and name not in self.openers and name not in self.joins:
                self._file_escapes(node, name)
        like = self._loader_like.get(name) if name else False  # _looks_like_loader's memo read here: every call
        if like is None:
            like = self._looks_like_loader(name)
        if name in self._making_names or like or (isinstance(func, ast.Name) and func.id in self._returns):
            made = self.origin(node)
            if isinstance(made, _Params):
                self._climb(node, made)

    def visit_Return(self, node: ast.Return) -> None:
        origin = self.origin(node.value)
        if not isinstance(origin, _Params):
            return
        scopes = self.ctx.scopes
        function = scopes[-1] if scopes else None
        if len(scopes) == 1 and isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._returns[function.name] = origin
            self.facts.returns.append(ParamReturn(function.name, origin.source, list(origin.path)))
        else:  # a method or nested function: whoever calls it is not followed
            self._record(origin, origin.path, "value", node)

    def _note_read(self, node: ast.Call, name: str | None) -> None:
        """Record the params-like file ``node`` certainly reads: a loader's, a read-mode ``open``'s or a reading
        method's file, or the file given to a call named like a reader. Writers and other APIs read nothing."""
        func = node.func
        method = func.attr if isinstance(func, ast.Attribute) else None
        given: list[ast.expr] = []
        if name in self.loaders:
            given = node.args[:1] or [k.value for k in node.keywords if k.arg in ("stream", "fp", "f", "file", "s")]
        elif name in self.read_openers:
            given = node.args[:1] if _reading_mode(node, 1) else []
        elif isinstance(func, ast.Attribute) and func.attr in self.read_methods:
            given = [func.value] if func.attr != "open" or _reading_mode(node, 0) else []
        else:
            last = (name or "").rsplit(".", 1)[-1] or method or ""
            if self._reads_by_name(last):
                given = node.args[:1] + [k.value for k in node.keywords if k.arg and _path_like(k.arg)]
        for arg in given:
            found = self.origin(arg)
            if isinstance(found, _File) and found.name.endswith(self.suffixes) and found.name not in self.facts.reads:
                self.facts.reads.append(found.name)

    def _reads_by_name(self, last: str) -> bool:
        """Is a call whose name ends in ``last`` named like a reader (and not like a writer)? Once per name."""
        known = self._reader_like.get(last)
        if known is None:
            known = self._reader_like[last] = bool(self.reader_pattern.search(last)) and not self.writer_pattern.search(last)
        return known

    def _file_escapes(self, node: ast.Call, name: str | None) -> None:
        """A params-like file name given to a call that is not a loader (``HfArgumentParser.parse_yaml_file
        ("params.yaml")``, a subprocess running another program on it): all of its keys may be read there."""
        method = node.func.attr if isinstance(node.func, ast.Attribute) else None
        if name in self.file_inert or (method is not None and "." + method in self.file_inert):
            return
        if isinstance(node.func, ast.Attribute) and method in self.opener_methods:
            return
        helper = name if self._looks_like_loader(name) else ""  # a project helper may load what it is given
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(arg, ast.Starred):
                arg = arg.value
            if isinstance(arg, (ast.List, ast.Tuple)):
                candidates = list(arg.elts)
            else:
                candidates = [arg]
            for candidate in candidates:
                origin = self.origin(candidate) if isinstance(candidate, (ast.Name, ast.Constant, ast.BinOp, ast.Call)) else None
                if isinstance(origin, _File) and origin.name.endswith(self.suffixes):
                    source = self._source("file", origin.name, True, origin.relative_to_file, line=node.lineno,
                                          function=helper or "")
                    self.facts.accesses.append(ParamAccess(source, [], "value", node.lineno, False))

    def finish(self) -> None:
        """Drop sources nothing used (calls that merely looked like config loaders), renumbering the rest."""
        facts = self.facts
        used = {a.source for a in facts.accesses} | {s.source for s in facts.schemas} | {r.source for r in facts.returns}
        if len(used) == len(facts.sources):
            return
        mapping = {old: new for new, old in enumerate(sorted(used))}
        facts.sources = [facts.sources[old] for old in sorted(used)]
        for access in facts.accesses:
            access.source = mapping[access.source]
        for schema in facts.schemas:
            schema.source = mapping[schema.source]
        for returned in facts.returns:
            returned.source = mapping[returned.source]


PATH_PARAMETER = re.compile(r"(?i)path|file|^fn?$|^fp$|yaml|yml|json|toml|param|conf|cfg")


def _reading_mode(call: ast.Call, position: int) -> bool:
    """Does ``open``'s mode (positional argument ``position`` or ``mode=``) read? Absent: yes; not a literal: unknown, no."""
    mode: ast.AST | None = call.args[position] if len(call.args) > position else None
    mode = next((k.value for k in call.keywords if k.arg == "mode"), mode)
    if mode is None:
        return True
    text = _const_str(mode)
    return text is not None and not any(letter in text for letter in "wax")


def _file_like(text: str) -> bool:
    return 2 < len(text) < 260 and "." in text and " " not in text and "\n" not in text


def _decorator_func(node: ast.AST) -> ast.AST:
    return node.func if isinstance(node, ast.Call) else node


def _mentions_file(node: ast.AST) -> bool:
    """``Path(__file__).parent``-like: an expression built on ``__file__``."""
    return any(isinstance(n, ast.Name) and n.id == "__file__" for n in ast.walk(node))


def _is_enum(node: ast.ClassDef) -> bool:
    return any("Enum" in ast.unparse(base) for base in node.bases)
