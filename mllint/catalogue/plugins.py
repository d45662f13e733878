"""Third-party rules: rule packages that register under the ``mllint.rules`` entry-point group.

A package declares, in its ``pyproject.toml``::

    [project.entry-points."mllint.rules"]
    acme = "mllint_acme_rules:plugin"

where ``plugin`` is a :class:`Plugin`: a name, a code prefix (``X`` + three upper-case letters, so
codes never collide with mllint's ``ML`` codes), its rule classes (ordinary ``CodeRule``/``RepoRule``
subclasses, codes ``<prefix>`` + three digits) and optionally knowledge TOML files merged into the
ML-library knowledge. A plugin that cannot be imported or does not declare what the catalogue
requires is a :class:`~mllint.catalogue.loader.CatalogueError` naming it (the CLI exits 2), never a
traceback. ``MLLINT_NO_PLUGINS=1`` turns plugin discovery off. See docs/plugins.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mllint.catalogue.rule import Rule
from mllint.catalogue.index import DISABLE, GROUP, plugins_installed
from mllint.knowledge.errors import KnowledgeError
from mllint.knowledge.loader import builtin_knowledge
from mllint.knowledge.plugins import PluginKnowledge, split

if TYPE_CHECKING:  # pragma: no cover
    from importlib import metadata

    from pydantic import BaseModel

PREFIX_PATTERN = re.compile(r"^X[A-Z]{3}$")


@dataclass(frozen=True)
class Plugin:
    """What a rule package registers: its rules, their code prefix, and its knowledge files."""

    name: str
    prefix: str
    rules: Sequence[type[Rule]]
    knowledge: Sequence[Path] = ()
    #: Models of the plugin's own knowledge tables (``{"acme_tracking": AcmeTracking}``): a table a plugin
    #: file defines must have one (entries for mllint's tables are validated by mllint's models).
    tables: Mapping[str, type[BaseModel]] = field(default_factory=dict)
    #: Where the rules' pages are: a URL with ``{code}`` and/or ``{name}`` (reports and editors link there).
    docs_url: str = ""
    #: Filled by discovery: the distribution and version the plugin comes from ("" when registered directly).
    origin: str = field(default="", compare=False)
    #: Filled by discovery: the entry point that registers it (``acme = mllint_acme_rules:plugin``).
    entry: str = field(default="", compare=False)


class PluginError(Exception):
    """A plugin that cannot be loaded or does not declare what the catalogue requires."""


def discover() -> list[Plugin]:
    """Every plugin installed in this environment (``mllint.rules`` entry points), in name order."""
    if os.environ.get(DISABLE, "").strip() not in ("", "0"):
        return []
    if not plugins_installed():  # the scan's answer remembered while sys.path's folders are unchanged
        return []
    found: list[Plugin] = []
    for entry in sorted(_entry_points(), key=lambda e: e.name):
        dist = getattr(entry, "dist", None)
        origin = f"{dist.name} {dist.version}" if dist is not None else entry.value
        where = f"plugin {entry.name!r} (entry point {entry.name} = {entry.value}, from {origin})"
        try:
            obj = entry.load()
            plugin = obj() if callable(obj) and not isinstance(obj, Plugin) else obj
        except Exception as exc:  # whatever a broken package raises: name it, do not crash
            raise PluginError(f"{where} failed to load: {type(exc).__name__}: {exc}") from None
        if not isinstance(plugin, Plugin):
            raise PluginError(f"{where} is not an mllint.catalogue.plugins.Plugin (got {type(plugin).__name__})")
        found.append(Plugin(plugin.name, plugin.prefix, tuple(plugin.rules), tuple(Path(p) for p in plugin.knowledge),
                            dict(plugin.tables), plugin.docs_url, origin, f"{entry.name} = {entry.value}"))
    return found


def _entry_points() -> Iterator[metadata.EntryPoint]:
    from importlib import metadata  # imported only when a plugin may be installed (~20 ms)

    return iter(metadata.entry_points(group=GROUP))


def describe(plugin: Plugin) -> str:
    """``plugin 'acme' (entry point acme = mllint_acme_rules:plugin, from mllint-acme-rules 0.1.0)``."""
    details = [f"entry point {plugin.entry}" if plugin.entry else "", f"from {plugin.origin}" if plugin.origin else ""]
    shown = ", ".join(part for part in details if part)
    return f"plugin {plugin.name!r}" + (f" ({shown})" if shown else "")


def validate(plugin: Plugin) -> None:
    """The plugin-level checks (rule-level ones are the catalogue's): a valid prefix, codes under it,
    knowledge files that exist."""
    where = describe(plugin)
    if not PREFIX_PATTERN.match(plugin.prefix or ""):
        raise PluginError(f"{where}: prefix {plugin.prefix!r} is not X + three upper-case letters (e.g. XACM)")
    if not plugin.rules:
        raise PluginError(f"{where}: declares no rules")
    for rule in plugin.rules:
        if not (isinstance(rule, type) and issubclass(rule, Rule)):
            raise PluginError(f"{where}: {rule!r} is not a rule class (CodeRule or RepoRule)")
        code = getattr(rule, "code", "")
        if not re.fullmatch(re.escape(plugin.prefix) + r"\d{3}", str(code)):
            raise PluginError(f"{where}: rule {rule.__name__} has code {code!r}; its codes must be {plugin.prefix} + three digits")
    for item in knowledge_of(plugin):
        try:
            split(item, builtin_knowledge().plain())
        except KnowledgeError as exc:
            raise PluginError(f"{where}: invalid knowledge:\n  " + "\n  ".join(str(p) for p in exc.problems)) from None


def knowledge_of(plugin: Plugin) -> list[PluginKnowledge]:
    """The plugin's knowledge files as the knowledge layer takes them."""
    return [PluginKnowledge(Path(path), f"plugin {plugin.name!r} {Path(path).name}", dict(plugin.tables))
            for path in plugin.knowledge]
