"""The rule index: what every rule declares about itself, without importing any rule module.

Settings, selectors, waivers, per-file ignores, the scorecard and a warm run's reports need only
each rule's code, name, factor, kind, severity and summary; importing the 48 rule files (their
modules, regular expressions and option models) to learn that costs more than a warm run. The index
is built from the loaded catalogue once and remembered in the user's cache directory under mllint's
code stamp (``mllint/core/snapshots.py``): a later run reads one small JSON file instead.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from mllint.core.findings import Finding, Fix, Kind, Severity

if TYPE_CHECKING:  # pragma: no cover
    from mllint.catalogue.plugins import Plugin

FACTORS = {
    0: "The tool itself",
    1: "Version control of code and data",
    2: "Explicit feature dependencies",
    3: "Descriptive training and preprocessing",
    4: "Reproducible training",
    5: "Testing",
    6: "Drift and continuous training",
    7: "Tracking of results",
    8: "Experiments are not production",
    9: "No training/serving skew",
    10: "Comparable runs",
    11: "Monitoring",
    12: "Deployable artifacts",
    13: "ML code smells",
    14: "ML security",
}
#: Groups that are not one of the twelve factors: they are listed in reports but never scored.
OTHER_GROUPS = (0, 13, 14)
#: The origin of mllint's own rules (a plugin's rules carry their distribution and version).
BUILTIN = "mllint"
PLUGIN_SELECTOR = re.compile(r"X[A-Z]{0,3}\d{0,3}")
#: The entry-point group of rule plugins, and the variable that turns plugin discovery off.
GROUP = "mllint.rules"
DISABLE = "MLLINT_NO_PLUGINS"
#: Plugins registered in this process without being installed (mllint.testing uses it to run a
#: plugin's examples from its source tree).
_REGISTERED: list[Plugin] = []


class Declared(Protocol):
    """What a finding needs of its rule: a rule class or a :class:`RuleInfo`."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def factor(self) -> int: ...
    @property
    def kind(self) -> Kind: ...
    @property
    def severity(self) -> Severity: ...


def make_finding(rule: Declared, message: str, path: str | None, *, line: int | None = None,
                 column: int | None = None, end_line: int | None = None, end_column: int | None = None,
                 cell: int | None = None, fix: Fix | None = None, evidence: list[str] | None = None,
                 data: dict[str, str] | None = None) -> Finding:
    """A finding of ``rule`` with its declared code, name, factor, kind and severity."""
    return Finding(
        code=rule.code, name=rule.name, factor=rule.factor, kind=rule.kind, severity=rule.severity,
        message=message, path=path, line=line, column=column, end_line=end_line, end_column=end_column,
        cell=cell, fix=fix, evidence=evidence or [], data=data or {},
    )


class CatalogueError(Exception):
    """A rule file or a plugin does not declare what the catalogue requires."""


class Selectors:
    """Selector resolution over ``self.rules`` (anything with ``code`` and ``name``): shared by the loaded
    catalogue and the index."""

    rules: tuple[Any, ...]

    def names(self) -> dict[str, str]:
        """Lower-case rule name -> code (for suppressions and selectors)."""
        return {rule.name: rule.code for rule in self.rules}

    def _find(self, key: str) -> Any:
        key = key.strip()
        for rule in self.rules:
            if rule.code == key.upper() or rule.name == key.lower():
                return rule
        return None

    def expand(self, selector: str) -> set[str] | None:
        """Codes a selector stands for: ``ALL``, a code, a code prefix (``ML03``) or a name; None if none."""
        token = selector.strip()
        if token.upper() == "ALL":
            return {rule.code for rule in self.rules}
        rule = self._find(token)
        if rule is not None:
            return {rule.code}
        if re.fullmatch(r"ML\d{0,4}", token.upper()) or PLUGIN_SELECTOR.fullmatch(token.upper()):
            codes = {r.code for r in self.rules if r.code.startswith(token.upper())}
            return codes or None
        return None


@dataclass(frozen=True)
class RuleInfo:
    """A rule's declarations (``make_finding`` and the reports accept it where they take a rule class)."""

    code: str
    name: str
    factor: int
    kind: Kind
    severity: Severity
    summary: str
    default_enabled: bool = True
    takes_options: bool = False
    origin: str = BUILTIN
    docs_url: str = ""


@dataclass(frozen=True)
class RuleIndex(Selectors):
    rules: tuple[RuleInfo, ...]

    def by_code(self) -> dict[str, RuleInfo]:
        return {rule.code: rule for rule in self.rules}

    def get(self, key: str) -> RuleInfo | None:
        found = self._find(key)
        return found if isinstance(found, RuleInfo) else None

    def codes(self, kind: str) -> frozenset[str]:
        return frozenset(rule.code for rule in self.rules if rule.kind == kind)


def info_of(rule: Any) -> RuleInfo:
    return RuleInfo(code=rule.code, name=rule.name, factor=int(rule.factor), kind=rule.kind, severity=rule.severity,
                    summary=rule.summary, default_enabled=bool(getattr(rule, "default_enabled", True)),
                    takes_options=rule.Options is not None, origin=getattr(rule, "origin", BUILTIN),
                    docs_url=getattr(rule, "docs_url", ""))


def plugins_installed() -> bool:
    """Whether any rule plugin is installed (registered in this process, or an ``mllint.rules`` entry
    point). The entry-point scan is remembered under the modification times of ``sys.path``'s folders:
    installing or removing a package changes its folder."""
    if _REGISTERED:
        return True
    if os.environ.get(DISABLE, "").strip() not in ("", "0"):
        return False
    return _entry_points_installed()


@lru_cache(maxsize=1)
def _entry_points_installed() -> bool:
    """The entry-point scan, once per process (from the remembered answer while ``sys.path`` is unchanged)."""
    from mllint.core import snapshots

    stamps = []
    for entry in sys.path:
        try:
            stamps.append(f"{entry}:{os.stat(entry or '.').st_mtime_ns}")
        except OSError:
            stamps.append(entry)
    key = snapshots.key_of("plugins", *stamps)
    found = snapshots.load("plugins", key)
    if isinstance(found, bool):
        return found
    from importlib.metadata import entry_points

    found = bool(list(entry_points(group=GROUP)))
    snapshots.save("plugins", key, found)
    return found


@lru_cache(maxsize=1)
def rule_index() -> RuleIndex:
    """The index of the catalogue (from the snapshot when mllint's code is unchanged and no plugin is
    installed: a plugin's declarations are read from the plugin itself)."""
    from mllint.core import snapshots
    from mllint.core.stamp import code_stamp

    if plugins_installed():
        from mllint.catalogue.loader import load_catalogue

        return RuleIndex(tuple(info_of(rule) for rule in load_catalogue().rules))
    key = snapshots.key_of("rule-index", code_stamp())
    data = snapshots.load("catalogue", key)
    if isinstance(data, list):
        try:
            return RuleIndex(tuple(RuleInfo(**item) for item in data))
        except TypeError:
            pass
    from mllint.catalogue.loader import load_catalogue

    index = RuleIndex(tuple(info_of(rule) for rule in load_catalogue().rules))
    snapshots.save("catalogue", key, [asdict(rule) for rule in index.rules])
    return index
