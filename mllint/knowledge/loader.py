"""ML-library knowledge as data: the TOML tables under ``rules/knowledge/``, validated, merged with the user's.

Which calls split data, which take ``random_state``, which kwargs are hyperparameters, which packages
are trackers: rules read these tables instead of hard-coding names. Every top-level table is defined
in exactly one file (file stems are not namespaces) and validated against its model
(``mllint/knowledge/model.py``) the first time a process needs it; an error names the file and the
key (``rules/knowledge/splits.toml: splitters.x.kwargs: expected a list of strings, got a string``).
Users extend the tables in ``[tool.mllint.knowledge]`` (same shape as the files; lists are extended
without duplicates, tables merged key by key, other values replaced); the result is validated the
same way. Validated results are remembered across runs (``snapshot.py``), so a warm run neither
parses the TOML nor builds the models.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mllint.core.paths import catalogue_dir
from mllint.core.tomlsafe import TomlError
from mllint.core.tomlsafe import loads as toml_loads
from mllint.knowledge import snapshot
from mllint.knowledge.aliases import canonical
from mllint.knowledge.errors import KnowledgeError, Problem
from mllint.knowledge.runtime import Knowledge

if TYPE_CHECKING:  # pragma: no cover - pydantic is imported only when plugins bring knowledge
    from mllint.knowledge.plugins import PluginKnowledge

__all__ = ["KnowledgeError", "Knowledge", "builtin_knowledge", "canonical", "knowledge_dir", "load_builtin",
           "load_knowledge", "merged", "table_files"]

#: Where problems of the user's extensions come from (the config layer names the file).
USER = ""


def knowledge_dir() -> Path:
    return catalogue_dir() / "knowledge"


@lru_cache(maxsize=1)
def _builtin() -> tuple[Knowledge, str]:
    return load_builtin(knowledge_dir())


def builtin_knowledge() -> Knowledge:
    """Every ``rules/knowledge/*.toml`` table, validated once per process (raises :class:`KnowledgeError`)."""
    return _builtin()[0]


def load_builtin(directory: Path, *, remember: bool = True) -> tuple[Knowledge, str]:
    """The tables of ``directory/*.toml`` and their snapshot key; raises :class:`KnowledgeError` naming the
    file and the key of every problem."""
    sources = [(path, path.read_bytes()) for path in sorted(directory.glob("*.toml"))]
    key = snapshot.key_of(snapshot.models_stamp().encode(), *(part for path, data in sources for part in (path.name.encode(), data)))
    tables = snapshot.load(key) if remember else None
    if tables is None:
        shown = _shown(directory)
        tables, owners = _parse(sources, shown)
        _check(tables, lambda table: f"{shown}/{owners[table]}" if table in owners else shown)
        if remember:
            snapshot.save(key, tables)
    return Knowledge(tables), key


def load_knowledge(user: Mapping[str, Any] | None = None, plugins: Sequence[PluginKnowledge] = ()) -> Knowledge:
    """Built-in knowledge, the installed plugins' files (``mllint.knowledge.plugins``), then the user's
    extensions (``[tool.mllint.knowledge]``), validated; raises :class:`KnowledgeError` (problems of the
    extensions have an empty ``source``)."""
    if plugins:
        return _with_plugins(user or {}, tuple(plugins))
    if not user:
        return builtin_knowledge()
    text = json.dumps(user, sort_keys=True, default=repr)
    found = _EXTENDED.get(text)
    if found is None:
        found = _EXTENDED[text] = _extend(user, text)
        while len(_EXTENDED) > 8:
            del _EXTENDED[next(iter(_EXTENDED))]
    return found


_EXTENDED: dict[str, Knowledge] = {}
_PLUGGED: dict[tuple[str, tuple[tuple[str, int], ...]], Knowledge] = {}


def _with_plugins(user: Mapping[str, Any], plugins: tuple[PluginKnowledge, ...]) -> Knowledge:
    """The built-in tables with the plugins' tables and entries, then the user's extensions (which may
    extend a plugin's table: it is validated with the plugin's model)."""
    stamp = tuple((str(item.path), _mtime(item.path)) for item in plugins)
    key = (json.dumps(user, sort_keys=True, default=repr), stamp)
    found = _PLUGGED.get(key)
    if found is not None:
        return found
    from mllint.knowledge.plugins import with_plugins
    from mllint.knowledge.validate import check, check_extension

    base = builtin_knowledge().plain()
    tables = with_plugins(base, plugins)
    if user:
        models = {table: model for item in plugins for table, model in item.models.items()}
        check_extension({k: v for k, v in user.items() if k not in models}, base, USER)
        tables = merged(tables, user)
        check({k: v for k, v in tables.items() if k in base}, lambda table: USER)
        problems = []
        for table in (k for k in user if k in models):
            try:
                models[table].model_validate(tables[table])
            except ValueError as exc:  # pydantic's ValidationError
                problems.append(Problem(USER, table, str(exc).splitlines()[-1].strip()))
        if problems:
            raise KnowledgeError(problems)
    found = _PLUGGED[key] = Knowledge(tables)
    while len(_PLUGGED) > 8:
        del _PLUGGED[next(iter(_PLUGGED))]
    return found


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _extend(user: Mapping[str, Any], text: str) -> Knowledge:
    base, base_key = _builtin()
    key = snapshot.key_of(base_key.encode(), text.encode())
    tables = snapshot.load(key)
    if tables is None:
        from mllint.knowledge.validate import check, check_extension

        check_extension(user, base.plain(), USER)
        tables = merged(base.plain(), user)
        check(tables, lambda table: USER)
        snapshot.save(key, tables)
    return Knowledge(tables)


def table_files(directory: Path | None = None) -> dict[str, str]:
    """Which file defines each table (``{"splitters": "splits.toml", ...}``), in file order."""
    folder = directory if directory is not None else knowledge_dir()
    sources = [(path, path.read_bytes()) for path in sorted(folder.glob("*.toml"))]
    return _parse(sources, _shown(folder))[1]


def merged(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``extra`` merged into a copy of ``base`` (``base`` is not modified; untouched tables are shared):
    tables recursively, lists extended without duplicates, other values replaced."""
    result = dict(base)
    for key, value in extra.items():
        current = result.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            result[key] = merged(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            extended = list(current)
            for item in value:
                if item not in extended:
                    extended.append(item)
            result[key] = extended
        else:
            result[key] = value
    return result


def _parse(sources: list[tuple[Path, bytes]], shown: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Every file's tables in one dict, and the file each table comes from (problems name ``shown/<file>``)."""
    tables: dict[str, Any] = {}
    owners: dict[str, str] = {}
    problems: list[Problem] = []
    for path, data in sources:
        try:
            content = toml_loads(data.decode("utf-8"))
        except (TomlError, UnicodeDecodeError) as exc:
            problems.append(Problem(f"{shown}/{path.name}", "", f"cannot read TOML: {exc}"))
            continue
        for table, value in content.items():
            if table in owners:
                problems.append(Problem(f"{shown}/{path.name}", table, f"table already defined in {owners[table]} (a table lives in one file)"))
                continue
            tables[table] = value
            owners[table] = path.name
    if problems:
        raise KnowledgeError(problems)
    return tables, owners


def _check(tables: dict[str, Any], source_of: Callable[[str], str]) -> None:
    from mllint.knowledge.validate import check

    check(tables, source_of)


def _shown(directory: Path) -> str:
    """The folder as problems name it: ``rules/knowledge`` (the path a contributor edits)."""
    return f"{directory.parent.name}/{directory.name}"
