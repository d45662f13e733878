"""The twelve-factor scorecard: one status per factor, derived from a run's findings and the rules that ran.

A factor is *satisfied* only when every one of its default rules actually ran and found nothing. It is
*violated* when a finding of that factor remains, *waived* when all its findings are waived by
configuration (the reason is kept), *partly checked* when its rules that ran found nothing but some of
its default rules did not run (disabled, or repository rules skipped because only files were checked)
or some code could not be read (template sources left out, files that did not parse),
and *not checked* when none of its rules ran. Rendered by ``output/markdown.py``, ``output/text.py``
and ``output/badge.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mllint.catalogue.index import FACTORS, OTHER_GROUPS, Declared, rule_index
from mllint.core.findings import Finding

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult


TWELVE = tuple(range(1, 13))
SATISFIED, VIOLATED, WAIVED, PARTLY, NOT_CHECKED = "satisfied", "violated", "waived", "partly checked", "not checked"

def rule_doc_url(code: str, base: str | None = None) -> str | None:
    """The page of a rule (``<base>/rules/<CODE>.md``) under the documentation URL the configuration names
    (``project-url``); None when it names none. No URL is ever guessed: the reference ships with mllint
    and ``mllint rule <CODE>`` renders it."""
    if not code.startswith("ML") and code != "index":  # a plugin's rule: the page its plugin declares, if any
        rule = rule_index().get(code)
        template = getattr(rule, "docs_url", "") if rule is not None else ""
        return template.format(code=code, name=getattr(rule, "name", "")) if template else None
    return f"{base.rstrip('/')}/rules/{code}.md" if base else None


def docs_base(result: RunResult) -> str | None:
    settings = getattr(result, "settings", None)
    return getattr(settings, "project_url", None) or None


@dataclass
class FactorStatus:
    factor: int
    title: str
    status: str
    findings: list[Finding] = field(default_factory=list)
    waived: list[Finding] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)  # codes of this factor's rules that ran
    skipped: list[str] = field(default_factory=list)  # codes of its default rules that did not run
    note: str = ""

    @property
    def counts(self) -> Counter[str]:
        return Counter(f.code for f in self.findings)

    @property
    def reasons(self) -> list[str]:
        """Distinct waiver reasons, each with the rule it waives: ``ML0601 (reason)``."""
        seen: dict[str, str] = {}
        for f in self.waived:
            seen.setdefault(f.code, f.waived or "")
        return [f"{code}: {reason}" for code, reason in seen.items()]


@dataclass
class Scorecard:
    factors: list[FactorStatus]
    other: list[FactorStatus]  # groups 0 (the tool), 13 (code smells), 14 (security), only when they have findings
    repo_rules_run: bool
    code_rules_run: bool

    @property
    def satisfied(self) -> int:
        return sum(1 for f in self.factors if f.status == SATISFIED)

    def count(self, status: str) -> int:
        return sum(1 for f in self.factors if f.status == status)

    def headline(self) -> str:
        return f"{self.satisfied}/12 factors satisfied"


def _ran(rule: Declared, result: RunResult | _ProjectView) -> bool:
    if rule.code not in result.enabled:
        return False
    return result.repo_rules_run if rule.kind == "repo" else result.code_rules_run


def build_scorecard(result: RunResult | _ProjectView) -> Scorecard:
    """Judge each factor from a ``RunResult``; never claims more than the rules that ran can show."""
    catalogue = rule_index()
    findings: dict[int, list[Finding]] = {}
    waived: dict[int, list[Finding]] = {}
    shown = {id(f) for f in result.findings}
    set_aside = [f for f in [*getattr(result, "baselined", []), *getattr(result, "unchanged", [])] if id(f) not in shown]
    for f in [*result.findings, *set_aside]:  # baselined debt still violates its factor (docs/adoption.md)
        findings.setdefault(f.factor, []).append(f)
    for f in result.waived:
        waived.setdefault(f.factor, []).append(f)
    unread = _unread_note(result)
    factors = []
    for number in TWELVE:
        rules = [r for r in catalogue.rules if r.factor == number]
        ran = [r.code for r in rules if _ran(r, result)]
        expected = [r.code for r in rules if getattr(r, "default_enabled", True)]
        skipped = [code for code in expected if code not in ran]
        item = FactorStatus(number, FACTORS[number], NOT_CHECKED, findings.get(number, []),
                            waived.get(number, []), ran, skipped)
        if item.findings:
            item.status = VIOLATED
        elif item.waived:
            item.status = WAIVED
        elif not ran:
            item.note = _not_checked_note(rules, result)
        elif skipped:
            item.status = PARTLY
            item.note = f"{', '.join(skipped)} did not run"
        elif unread:
            item.status = PARTLY  # what it found nothing in is not all there is
            item.note = unread
        else:
            item.status = SATISFIED
        factors.append(item)
    other = [FactorStatus(n, FACTORS[n], VIOLATED, findings[n], waived.get(n, []))
             for n in OTHER_GROUPS if findings.get(n)]
    return Scorecard(factors, other, result.repo_rules_run, result.code_rules_run)


@dataclass
class _ProjectView:
    """The part of a run that concerns one project of a monorepo (what build_scorecard reads)."""

    findings: list[Finding]
    waived: list[Finding]
    baselined: list[Finding]
    unchanged: list[Finding]
    enabled: frozenset[str]
    repo_rules_run: bool
    code_rules_run: bool


def project_of(finding: Finding, projects: list[str]) -> str:
    """The project folder a finding belongs to ("" for the repository root): the one its rule ran for,
    else the deepest project folder holding its file."""
    named = finding.data.get("project") if finding.data else None
    if named:
        return "" if named == "." else named
    if finding.path:
        owners = [p for p in projects if finding.path.startswith(p + "/")]
        if owners:
            return max(owners, key=len)
    return ""


def project_scorecards(result: RunResult) -> list[tuple[str, Scorecard]]:
    """One scorecard per project of a monorepo (empty for a single project), the root last."""
    projects = [project.path for project in getattr(result, "projects", [])]
    if not projects:
        return []

    def part(items: Iterable[Finding], folder: str) -> list[Finding]:
        return [f for f in items if project_of(f, projects) == folder]

    cards = []
    for folder in [*projects, ""]:
        view = _ProjectView(part(result.findings, folder), part(result.waived, folder),
                            part(getattr(result, "baselined", []), folder), part(getattr(result, "unchanged", []), folder),
                            result.enabled, result.repo_rules_run, result.code_rules_run)
        if folder or view.findings or view.waived:
            cards.append((folder, build_scorecard(view)))
    return cards


def _unread_note(result: RunResult | _ProjectView) -> str:
    """Why some code could not be read (template sources left out, files that did not parse), or ""."""
    parts = []
    templates = getattr(result, "templates", None)
    if templates is not None and templates.files:
        parts.append(f"{templates.files} file{'s' if templates.files != 1 else ''} of template sources not read")
    broken = {f.path for f in [*result.findings, *getattr(result, "baselined", [])] if f.code in ("ML0001", "ML0003")}
    if broken:
        parts.append(f"{len(broken)} code file{'s' if len(broken) != 1 else ''} could not be parsed or were skipped")
    return "; ".join(parts)


def _not_checked_note(rules: Sequence[Declared], result: RunResult | _ProjectView) -> str:
    if not rules:
        return "no rules for this factor yet"
    if not any(r.code in result.enabled for r in rules):
        return "its rules are not enabled"
    if any(r.kind == "repo" for r in rules) and not result.repo_rules_run:
        return "repository rules did not run"
    return "its rules did not run"


def status_text(item: FactorStatus) -> str:
    """``violated (3: ML0301 ×2, ML0302)``, ``waived (ML0601: reason)``, ``not checked (why)``…"""
    if item.status == VIOLATED:
        counts = ", ".join(f"{code} ×{n}" if n > 1 else code for code, n in sorted(item.counts.items()))
        text = f"violated ({len(item.findings)}: {counts})"
        if item.waived:
            text += f"; waived: {'; '.join(item.reasons)}"
        return text
    if item.status == WAIVED:
        return f"waived ({'; '.join(item.reasons)})"
    if item.note:
        return f"{item.status} ({item.note})"
    return item.status
