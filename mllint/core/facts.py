"""Per-file facts: the small summary of each code file that repository rules consume (map/reduce).

Collected during the single traversal of a file (``mllint.analysis.facts``), cached with its
findings as JSON, and reduced by the repository model. :meth:`FileFacts.from_json` validates every
field, so a forged or outdated cache entry is rejected instead of reaching a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from sys import intern
from typing import Any, NamedTuple, TypeVar

from mllint.core.paramfacts import ParamsFacts
from mllint.core.secretfacts import SecretHit


class Definition(NamedTuple):
    """A public top-level definition: its name, ``function`` or ``class``, and its line."""

    name: str
    kind: str
    line: int


class Returned(NamedTuple):
    """What a decorated top-level function returns (a pipeline step's outputs): the decorator's resolved name,
    the returned value's label (a variable, a dict key, an ``Annotated`` output name, a resolved call) and
    the line of the ``return``."""

    decorator: str
    value: str
    line: int


@dataclass
class FileFacts:
    """What repository rules may know about one code file (a ``.py`` file or a notebook)."""

    path: str
    notebook: bool = False
    test: bool = False
    #: False when the file could not be parsed (or was skipped): the lists below are then empty.
    parsed: bool = False
    lines: int = 0
    #: Absolute module names imported (relative ones keep their leading dots).
    imports: list[str] = field(default_factory=list)
    defs: list[Definition] = field(default_factory=list)
    #: Resolved dotted names of calls; unresolved method calls as ``.method``.
    calls: list[str] = field(default_factory=list)
    #: Identifiers and attribute names referenced (for test references).
    names: list[str] = field(default_factory=list)
    #: String literals that look like file paths (contain a dot or a slash).
    strings: list[str] = field(default_factory=list)
    #: Top-level imported module -> first line importing it (absolute imports).
    import_lines: dict[str, int] = field(default_factory=dict)
    #: Top-level modules only imported optionally: under ``try/except ImportError``, ``if TYPE_CHECKING`` or an
    #: availability check (``if is_x_available():``), or deferred into a function.
    optional_imports: list[str] = field(default_factory=list)
    #: Calls made at module level (outside any def/class), named as in ``calls``.
    module_calls: list[str] = field(default_factory=list)
    #: Has an ``if __name__ == "__main__":`` block (a script).
    main_guard: bool = False
    #: Modules an import may load, for the import graph: ``import a.b`` -> a.b; ``from a import b`` ->
    #: a, a.b; relative ones keep their dots. Imports under ``if TYPE_CHECKING:`` never run: left out.
    import_targets: list[str] = field(default_factory=list)
    #: How the file loads a params file and which keys it reads (None: it touches no parameters).
    params: ParamsFacts | None = None
    #: Credentials in string literals and notebook outputs (where and what kind, never the value).
    secrets: list[SecretHit] = field(default_factory=list)
    #: What decorated top-level functions return (``@step def evaluate() -> ...: return metrics``).
    returns: list[Returned] = field(default_factory=list)

    @classmethod
    def empty(cls, path: str, *, test: bool = False) -> FileFacts:
        """The facts of a file that was not (or could not be) analysed."""
        return cls(path=path, notebook=path.endswith(".ipynb"), test=test)

    def to_json(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in _ORDER}  # not asdict: it deep-copies every string
        for name in _STRING_LISTS:
            data[name] = list(data[name])
        data["import_lines"] = dict(self.import_lines)
        data["defs"] = [list(item) for item in self.defs]
        data["params"] = None if self.params is None else self.params.to_json()
        data["secrets"] = [hit.to_json() for hit in self.secrets]
        data["returns"] = [list(item) for item in self.returns]
        return data

    @classmethod
    def from_json(cls, data: object) -> FileFacts:
        """Rebuild facts from :meth:`to_json`'s output; raises ``ValueError`` on anything else."""
        if not isinstance(data, dict) or set(data) != _FIELDS:
            raise ValueError("not a facts record")
        for name, kind in _SCALARS.items():
            if not isinstance(data[name], kind) or (kind is int and isinstance(data[name], bool)):
                raise ValueError(f"facts field {name!r} has the wrong type")
        for name in _STRING_LISTS:  # element types checked in C (map(type, ...)): thousands of names a file
            value = data[name]
            if not isinstance(value, list) or not _STR.issuperset(map(type, value)):
                raise ValueError(f"facts field {name!r} is not a list of strings")
        lines = data["import_lines"]
        if not isinstance(lines, dict) or not _STR.issuperset(map(type, lines)) or not _INT.issuperset(map(type, lines.values())):
            raise ValueError("facts field 'import_lines' is not a mapping of lines")
        defs = _triples(data, "defs", Definition)
        params = None if data["params"] is None else ParamsFacts.from_json(data["params"])
        if not isinstance(data["secrets"], list):
            raise ValueError("facts field 'secrets' is not a list")
        secrets = [SecretHit.from_json(item) for item in data["secrets"]]
        returns = _triples(data, "returns", Returned)
        return cls(**{**data, "defs": defs, "params": params, "secrets": secrets, "returns": returns})


_Triple = TypeVar("_Triple", Definition, Returned)


def _triples(data: dict[str, Any], name: str, record: type[_Triple]) -> list[_Triple]:
    """The ``[str, str, int]`` records of field ``name`` (definitions, returned values)."""
    out = []
    for item in data[name] if isinstance(data[name], list) else [None]:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)
                and isinstance(item[1], str) and type(item[2]) is int):
            raise ValueError(f"facts field {name!r} is malformed")
        out.append(record(*item))
    return out


_STR = frozenset({str})  # exact types: what JSON and the workers produce (a bool is no line number)
_INT = frozenset({int})
_ORDER = tuple(f.name for f in fields(FileFacts))
_FIELDS = frozenset(_ORDER)
_SCALARS: dict[str, type] = {"path": str, "notebook": bool, "test": bool, "parsed": bool, "lines": int,
                             "main_guard": bool}
_STRING_LISTS = ("imports", "calls", "names", "strings", "optional_imports", "module_calls", "import_targets")


def shared_strings(data: dict[str, Any]) -> dict[str, Any]:
    """One file's facts (their cached form) with the strings of its name lists interned, in place.

    The same identifiers, modules and calls recur in every file of a repository; a process that keeps
    every file's facts (the main process of a run, until the repository rules) then holds each once.
    """
    for name in _STRING_LISTS:
        value = data.get(name)
        if isinstance(value, list):
            try:
                data[name] = list(map(intern, value))  # in C: every item is a str (to_json's lists)
            except TypeError:
                data[name] = [intern(item) if type(item) is str else item for item in value]
    lines = data.get("import_lines")
    if isinstance(lines, dict):
        try:
            data["import_lines"] = dict(zip(map(intern, lines), lines.values()))
        except TypeError:
            data["import_lines"] = {intern(key) if type(key) is str else key: line for key, line in lines.items()}
    return data
