"""The rule catalogue: loads every rule file under ``rules/``, and the installed plugins' rules.

``rules/`` is the single source of truth of the built-in rules (one file per rule, named
``MLxxxx_<name>.py``); in an installed wheel it lives at ``mllint/_catalogue``. Third-party rules come
from packages registered under the ``mllint.rules`` entry-point group (``mllint.catalogue.plugins``);
their codes are ``X`` + three letters + three digits. Selectors (codes, prefixes, names, ``ALL``) are
resolved here too.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import NoReturn

from mllint.catalogue.index import _REGISTERED, Selectors, rule_index

# Re-exported: callers of the loader (the CLI, plugins, tests) find them here too.
from mllint.catalogue.index import BUILTIN as BUILTIN
from mllint.catalogue.index import FACTORS as FACTORS
from mllint.catalogue.index import OTHER_GROUPS as OTHER_GROUPS
from mllint.catalogue.index import CatalogueError as CatalogueError
from mllint.catalogue.plugins import Plugin, PluginError, describe, discover, knowledge_of, validate
from mllint.catalogue.rule import KINDS, SEVERITIES, CodeRule, RepoRule, Rule
from mllint.core.hashing import blake2b
from mllint.core.paths import catalogue_dir
from mllint.knowledge.plugins import PluginKnowledge

CODE_PATTERN = re.compile(r"^ML(\d{2})(\d{2})$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Catalogue(Selectors):
    rules: tuple[type[Rule], ...]
    plugins: tuple[Plugin, ...] = ()

    def builtins(self) -> list[type[Rule]]:
        """mllint's own rules (the ones the documentation describes)."""
        return [rule for rule in self.rules if rule.origin == BUILTIN]

    def knowledge_sources(self) -> tuple[PluginKnowledge, ...]:
        """The plugins' knowledge files (with their tables' models), merged after the built-in ones."""
        return tuple(item for plugin in self.plugins for item in knowledge_of(plugin))

    def stamp(self) -> str:
        """What cached results depend on besides mllint itself: each plugin's origin and rule sources."""
        parts = []
        for plugin in self.plugins:
            parts.append(plugin.origin or plugin.name)
            for item in [*(inspect.getfile(rule) for rule in plugin.rules), *map(str, plugin.knowledge)]:
                try:
                    stat = Path(item).stat()
                    parts.append(f"{item}:{stat.st_size}:{stat.st_mtime_ns}")
                except OSError:
                    parts.append(item)
        return blake2b("|".join(parts).encode(), digest_size=8).hexdigest() if parts else ""

    def by_code(self) -> dict[str, type[Rule]]:
        return {rule.code: rule for rule in self.rules}

    def get(self, key: str) -> type[Rule] | None:
        found = self._find(key)
        return found if found is None or isinstance(found, type) else None

    def code_rules(self) -> list[type[CodeRule]]:
        return [rule for rule in self.rules if issubclass(rule, CodeRule)]

    def repo_rules(self) -> list[type[RepoRule]]:
        return [rule for rule in self.rules if issubclass(rule, RepoRule)]


def _check(rule: type[Rule], where: str, plugin: bool = False) -> None:
    def fail(reason: str) -> NoReturn:
        raise CatalogueError(f"{where}: {reason}")

    for attr in ("code", "name", "factor", "kind", "severity", "summary", "why", "how_to_fix"):
        if not getattr(rule, attr, None) and attr != "factor":
            fail(f"rule {rule.__name__} does not set {attr!r}")
    if plugin:
        if not isinstance(rule.factor, int) or rule.factor not in FACTORS:
            fail(f"rule {rule.code}: factor {rule.factor!r} is not one of {sorted(FACTORS)}")
    else:
        match = CODE_PATTERN.match(rule.code)
        if not match:
            fail(f"code {rule.code!r} is not ML + group + index")
        group = int(match.group(1))
        if group not in FACTORS or not (group == rule.factor or (group in (0, 13) and rule.factor in (0, 13))):
            fail(f"code group {group:02d} does not match factor {rule.factor}")
        if not where.startswith(rule.code):
            fail(f"file name must start with {rule.code}")
    if not NAME_PATTERN.match(rule.name):
        fail(f"name {rule.name!r} is not kebab-case")
    if rule.kind not in KINDS or rule.severity not in SEVERITIES:
        fail("kind/severity out of range")
    if rule.kind != ("code" if issubclass(rule, CodeRule) else "repo" if issubclass(rule, RepoRule) else ""):
        fail(f"rule {rule.code} derives from neither CodeRule nor RepoRule")


def _load_module(path: Path) -> ModuleType:
    name = f"mllint_catalogue.{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CatalogueError(f"{path.name}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=1)
def _builtin_rules() -> tuple[type[Rule], ...]:
    """Import every ``ML*.py`` rule file once per process and validate its declarations."""
    return tuple(_rule_in(path) for path in _builtin_files().values())


def builtin_rules(codes: Iterable[str]) -> dict[str, type[Rule]]:
    """The built-in rules of ``codes`` (unknown codes left out), importing only their files: a run that
    analyses a few files and takes the other repository rules' results from the cache imports no other
    rule module. Each is checked as the whole catalogue checks it; the rule index (built from the whole,
    validated catalogue of this code) vouches for the codes and names being unique."""
    files = _builtin_files()
    return {code: _rule_in(files[code]) for code in codes if code in files}


@lru_cache(maxsize=1)
def _builtin_files() -> dict[str, Path]:
    """Rule code -> its ``ML*.py`` file, in file order."""
    return {path.name.split("_", 1)[0]: path for path in sorted(catalogue_dir().glob("ML*.py"))}


@lru_cache(maxsize=None)
def _rule_in(path: Path) -> type[Rule]:
    """The one rule class of a rule file (imported once per process), its declarations checked."""
    module = _load_module(path)
    found = [
        obj for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Rule) and obj not in (Rule, CodeRule, RepoRule)
        and obj.__module__ == module.__name__
    ]
    if len(found) != 1:
        raise CatalogueError(f"{path.name}: expected exactly one rule class, found {len(found)}")
    _check(found[0], path.name)
    found[0].origin = BUILTIN
    return found[0]




@contextmanager
def registered(plugin: Plugin) -> Iterator[None]:
    """Add ``plugin`` to the catalogue while the block runs (as if it were installed)."""
    _REGISTERED.append(plugin)
    load_catalogue.cache_clear()
    rule_index.cache_clear()
    try:
        yield
    finally:
        _REGISTERED.remove(plugin)
        load_catalogue.cache_clear()
        rule_index.cache_clear()


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The built-in rules and every plugin's, validated together: codes and names are unique."""
    rules: list[type[Rule]] = []
    seen: dict[str, str] = {}
    rules.extend(_builtin_rules())  # each marked BUILTIN where it is loaded (_rule_in)
    try:
        plugins = [*discover(), *_REGISTERED]
    except PluginError as exc:
        raise CatalogueError(str(exc)) from None
    own_tables: dict[str, str] = {}
    for plugin in plugins:
        try:
            validate(plugin)
        except PluginError as exc:
            raise CatalogueError(str(exc)) from None
        for table in plugin.tables:
            if table in own_tables:
                raise CatalogueError(f"{describe(plugin)}: knowledge table {table!r} is already {own_tables[table]}'s")
            own_tables[table] = describe(plugin)
        for rule in plugin.rules:
            _check(rule, describe(plugin), plugin=True)
            rule.origin = plugin.origin or plugin.name
            rule.docs_url = plugin.docs_url
            rules.append(rule)
    for rule in rules:
        for key in (rule.code, rule.name):
            if key in seen:
                raise CatalogueError(f"{rule.code} {rule.name} (from {rule.origin}): {key} is already used by {seen[key]}")
            seen[key] = f"{rule.code} (from {rule.origin})"
    return Catalogue(tuple(sorted(rules, key=lambda r: r.code)), tuple(plugins))
