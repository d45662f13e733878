"""The rule catalogue: loads every rule file under ``rules/`` and indexes it by code and name.

``rules/`` is the single source of truth (one file per rule, named ``MLxxxx_<name>.py``); in an
installed wheel it lives at ``mllint/_catalogue``. Selectors (codes, prefixes, names, ``ALL``) are
resolved here too.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import NoReturn

from mllint.catalogue.rule import KINDS, SEVERITIES, CodeRule, RepoRule, Rule
from mllint.core.paths import catalogue_dir

CODE_PATTERN = re.compile(r"^ML(\d{2})(\d{2})$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
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
}


class CatalogueError(Exception):
    """A rule file does not declare what the catalogue requires."""


@dataclass(frozen=True)
class Catalogue:
    rules: tuple[type[Rule], ...]

    def by_code(self) -> dict[str, type[Rule]]:
        return {rule.code: rule for rule in self.rules}

    def names(self) -> dict[str, str]:
        """Lower-case rule name -> code (for suppressions and selectors)."""
        return {rule.name: rule.code for rule in self.rules}

    def get(self, key: str) -> type[Rule] | None:
        key = key.strip()
        for rule in self.rules:
            if rule.code == key.upper() or rule.name == key.lower():
                return rule
        return None

    def code_rules(self) -> list[type[CodeRule]]:
        return [rule for rule in self.rules if issubclass(rule, CodeRule)]

    def repo_rules(self) -> list[type[RepoRule]]:
        return [rule for rule in self.rules if issubclass(rule, RepoRule)]

    def expand(self, selector: str) -> set[str] | None:
        """Codes a selector stands for: ``ALL``, a code, a code prefix (``ML03``) or a name; None if none."""
        token = selector.strip()
        if token.upper() == "ALL":
            return {rule.code for rule in self.rules}
        rule = self.get(token)
        if rule is not None:
            return {rule.code}
        if re.fullmatch(r"ML\d{0,4}", token.upper()):
            codes = {r.code for r in self.rules if r.code.startswith(token.upper())}
            return codes or None
        return None


def _check(rule: type[Rule], path: Path) -> None:
    def fail(reason: str) -> NoReturn:
        raise CatalogueError(f"{path.name}: {reason}")

    for attr in ("code", "name", "factor", "kind", "severity", "summary", "why", "how_to_fix"):
        if not getattr(rule, attr, None) and attr != "factor":
            fail(f"rule {rule.__name__} does not set {attr!r}")
    match = CODE_PATTERN.match(rule.code)
    if match is None:
        raise CatalogueError(f"{path.name}: code {rule.code!r} is not ML + group + index")
    group = int(match.group(1))
    if group not in FACTORS or not (group == rule.factor or (group in (0, 13) and rule.factor in (0, 13))):
        fail(f"code group {group:02d} does not match factor {rule.factor}")
    if not NAME_PATTERN.match(rule.name):
        fail(f"name {rule.name!r} is not kebab-case")
    if rule.kind not in KINDS or rule.severity not in SEVERITIES:
        fail("kind/severity out of range")
    if not path.stem.startswith(rule.code):
        fail(f"file name must start with {rule.code}")


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
def load_catalogue() -> Catalogue:
    """Import every ``ML*.py`` rule file once per process and validate its declarations."""
    rules: list[type[Rule]] = []
    seen_codes: dict[str, str] = {}
    seen_names: dict[str, str] = {}
    for path in sorted(catalogue_dir().glob("ML*.py")):
        module = _load_module(path)
        found = [
            obj for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Rule) and obj not in (Rule, CodeRule, RepoRule)
            and obj.__module__ == module.__name__
        ]
        if len(found) != 1:
            raise CatalogueError(f"{path.name}: expected exactly one rule class, found {len(found)}")
        rule = found[0]
        _check(rule, path)
        if rule.code in seen_codes or rule.name in seen_names:
            raise CatalogueError(f"{path.name}: duplicate code or name {rule.code}/{rule.name}")
        seen_codes[rule.code] = path.name
        seen_names[rule.name] = path.name
        rules.append(rule)
    return Catalogue(tuple(sorted(rules, key=lambda r: r.code)))
