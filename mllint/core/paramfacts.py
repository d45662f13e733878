"""Per-file facts about parameters: how a file loads a params file and which keys it reads.

The contract between the parameter collector (``mllint.analysis.paramreads``, run in the shared traversal)
and the pipeline rules (``mllint.repo.params``). Stored in the per-file facts as JSON under ``params``
(``None`` when the file touches no parameters), so it is cached with the file.

A *source* is where a params object comes from: a loader on a file (``yaml.safe_load(open("params.yaml"))``),
``dvc.api.params_show()``, a Hydra entry point, or the result of a call to a (project) function such as
``load_params()`` that the repository model resolves later. An *access* is one use of a params object
at a key path, of one kind:

- ``key``: the key is read and must exist (``params["train"]["lr"]``, ``cfg.train.lr``);
- ``optional``: the key is read but may be missing (``.get("lr", 0.1)``, ``"lr" in params``);
- ``value``: the object at the path is used whole (passed to a call, iterated, ``**``-unpacked, returned
  from a lambda...): every key below it counts as read;
- ``write``: the object at the path is modified (``params["x"] = 1``, ``.update()``, ``.setdefault()``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

ACCESS_KINDS = ("key", "optional", "value", "write")
SOURCE_KINDS = ("file", "dvc", "hydra", "call")


@dataclass
class ParamSource:
    """Where a params object comes from (see the module docstring)."""

    kind: str
    #: ``file``: the file name as written in the code ("" when the argument could not be resolved);
    #: ``hydra``: the config name; ``call``: the called function's dotted name as resolved in this file.
    name: str = ""
    #: ``file``: the loader's argument was resolved to a literal (False: the file is guessed from the
    #: string literals of the code, and only used to keep keys from being called unused).
    certain: bool = True
    #: ``file`` resolved relative to the checked file's folder (``Path(__file__).parent / "params.yaml"``).
    relative_to_file: bool = False
    #: ``hydra``: the ``config_path`` argument ("" when absent).
    config_path: str = ""
    line: int = 0
    #: ``call``: the file named by the call's first argument, when it is a literal ("" otherwise), for
    #: helpers that load the file they are given (``read_yaml("params.yaml")``).
    argument: str = ""
    #: ``file`` without a name: the module-level function whose parameter names the loaded file
    #: (``def load_params(path): yaml.safe_load(open(path))``; its callers' arguments name it).
    #: ``file`` with a name, used whole: the function the file name is given to (``load_params("p.yaml")``).
    function: str = ""


@dataclass
class ParamAccess:
    """One use of a params object: ``path`` below the object of ``sources[source]``."""

    source: int
    path: list[str]
    kind: str
    line: int
    #: Inside ``try:`` with a handler for KeyError/AttributeError/Exception (a missing key is handled).
    guarded: bool = False


@dataclass
class SchemaField:
    """A field of a config class (pydantic model or dataclass) that a params object is validated into."""

    name: str  # the key in the params file (the alias when one is given)
    required: bool
    #: Fields of a nested config class; None for a leaf.
    fields: list[SchemaField] | None = None
    #: The field accepts any keys below it (a dict, a list, an unknown class): all of them count as read.
    open: bool = False


@dataclass
class ParamSchema:
    """``Params.model_validate(data)`` / ``Params(**data)``: the class's fields are the keys read at ``path``."""

    source: int
    path: list[str]
    cls: str
    line: int
    fields: list[SchemaField] = field(default_factory=list)
    #: The class accepts keys it does not declare (unknown base, ``extra="allow"``, alias generator).
    open: bool = False
    #: Values may also come from elsewhere (pydantic-settings reads the environment): no field is required.
    settings: bool = False


@dataclass
class ParamReturn:
    """A function of this file returns a params object (or a config validated from one)."""

    function: str
    source: int
    path: list[str]


@dataclass
class ParamsFacts:
    sources: list[ParamSource] = field(default_factory=list)
    accesses: list[ParamAccess] = field(default_factory=list)
    schemas: list[ParamSchema] = field(default_factory=list)
    returns: list[ParamReturn] = field(default_factory=list)
    #: Names of params-like files the file certainly reads, as written in the code: a literal that reaches a
    #: loader, an ``open`` in read mode, ``read_text()``, or a helper named like a reader (``load_params(...)``).
    #: A name only written (``open(name, "w")``, ``save_to_yaml(name)``) or handed to another API is not read.
    reads: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.accesses or self.schemas or self.returns or self.reads)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> ParamsFacts:
        """Rebuild from :meth:`to_json`; raises ``ValueError`` on anything malformed (a forged or
        outdated cache entry must not reach a rule)."""
        if data is None:
            return cls()
        if not isinstance(data, dict) or set(data) != {"sources", "accesses", "schemas", "returns", "reads"}:
            raise ValueError("params facts: not a record")
        if not all(isinstance(data[key], list) for key in data):
            raise ValueError("params facts: a field is not a list")
        facts = cls(
            sources=[_record(ParamSource, item) for item in data["sources"]],
            accesses=[_record(ParamAccess, item) for item in data["accesses"]],
            schemas=[_record(ParamSchema, {**item, "fields": [_field(f) for f in _list(item, "fields")]})
                     for item in data["schemas"]],
            returns=[_record(ParamReturn, item) for item in data["returns"]],
            reads=data["reads"],
        )
        if not all(isinstance(name, str) for name in facts.reads):
            raise ValueError("params facts: reads is not a list of strings")
        count = len(facts.sources)
        indices = [a.source for a in facts.accesses] + [s.source for s in facts.schemas] + [r.source for r in facts.returns]
        if any(not 0 <= index < count for index in indices):
            raise ValueError("params facts: a record names a source that does not exist")
        if any(access.kind not in ACCESS_KINDS for access in facts.accesses) or \
                any(source.kind not in SOURCE_KINDS for source in facts.sources):
            raise ValueError("params facts: unknown kind")
        return facts


_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "bool": (bool,), "int": (int,), "list[str]": (list,)}


def _list(item: Any, key: str) -> list[Any]:
    value = item.get(key, []) if isinstance(item, dict) else None
    if not isinstance(value, list):
        raise ValueError(f"params facts: {key} is not a list")
    return value


def _record(cls: Any, item: Any) -> Any:
    """``cls(**item)`` after checking every field's presence and (simple) type."""
    names = {f.name: f.type for f in fields(cls)}
    if not isinstance(item, dict) or set(item) != set(names):
        raise ValueError(f"params facts: malformed {cls.__name__}")
    for name, kind in names.items():
        allowed = _TYPES.get(str(kind))
        value = item[name]
        if allowed is None:
            continue  # nested records, checked by their own builder
        if not isinstance(value, allowed) or (allowed == (int,) and isinstance(value, bool)):
            raise ValueError(f"params facts: {cls.__name__}.{name} has the wrong type")
        if str(kind) == "list[str]" and not (isinstance(value, list) and all(isinstance(part, str) for part in value)):
            raise ValueError(f"params facts: {cls.__name__}.{name} is not a list of strings")
    return cls(**item)


def _field(data: Any) -> SchemaField:
    if not isinstance(data, dict):
        raise ValueError("params facts: a schema field is not an object")
    nested = data.get("fields")
    if nested is not None and not isinstance(nested, list):
        raise ValueError("params facts: schema fields are not a list")
    built: SchemaField = _record(SchemaField, {**data, "fields": None if nested is None else [_field(item) for item in nested]})
    return built
