"""``--output-format markdown``: the twelve-factor scorecard, for ``$GITHUB_STEP_SUMMARY`` and PR comments.

A table with one row per factor, the overall ``N/12 factors satisfied``, then the findings grouped by
factor with links to the rule reference; long lists fold into ``<details>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mllint.adopt.apply import marks
from mllint.core.findings import Finding
from mllint.output.escape import code_span, visible
from mllint.output.scorecard import (
    NOT_CHECKED,
    PARTLY,
    SATISFIED,
    VIOLATED,
    WAIVED,
    build_scorecard,
    docs_base,
    project_scorecards,
    rule_doc_url,
    status_text,
)

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult

ICONS = {SATISFIED: "✅", VIOLATED: "❌", WAIVED: "⚠️", PARTLY: "◐", NOT_CHECKED: "➖"}
FOLD_AFTER = 5  # findings lists longer than this go into a collapsed <details>
LIST_AT_MOST = 100  # per factor: a step summary is limited to 1 MiB; the full list is in json/sarif
_SPECIAL = re.compile(r"([\\*_~\[\]|])")
_CODE_SPAN = re.compile(r"(`[^`\n]+`)")


def escape(text: str, table: bool = False) -> str:
    """Message text safe in a list item or (``table``) a table cell: no HTML, no accidental markup;
    the message's own `code spans` are kept (in a table only their ``|`` is escaped, as GFM requires)."""
    out = []
    for i, part in enumerate(_CODE_SPAN.split(visible(text))):
        if i % 2:
            out.append(part.replace("|", "\\|") if table else part)
        else:
            out.append(_SPECIAL.sub(r"\\\1", html.escape(part, quote=False)).replace("`", "\\`"))
    return "".join(out)


def _rule_ref(code: str, name: str, base: str | None) -> str:
    """A link to the rule's page when ``project-url`` names the documentation, else the rule as code."""
    url = rule_doc_url(code, base)
    return f"[{code} {name}]({url})" if url else f"**{code}** {escape(name)}"


def _finding_line(f: Finding, aside: dict[int, str], base: str | None = None) -> str:
    where = f" {code_span(f.location())}" if f.path else " (repository)"
    mark = f" *({aside[id(f)]})*" if id(f) in aside else ""
    fixable = f" *(fixable{'' if f.fix.applicability == 'safe' else ' with --unsafe-fixes'})*" if f.fix is not None else ""
    return f"- {_rule_ref(f.code, f.name, base)}{where}: {escape(f.message)}{fixable}{mark}"


def _listing(findings: Sequence[Finding], what: str, aside: dict[int, str], base: str | None = None) -> list[str]:
    items = [_finding_line(f, aside, base) for f in findings[:LIST_AT_MOST]]
    if len(findings) > LIST_AT_MOST:
        items.append(f"- … and {len(findings) - LIST_AT_MOST} more (all of them: `--output-format json` or `sarif`)")
    if len(items) <= FOLD_AFTER:
        return [*items, ""]
    return [f"<details><summary>{len(findings)} {what}</summary>", "", *items, "", "</details>", ""]


def render(result: RunResult, **_kwargs: object) -> str:
    base = docs_base(result)
    card = build_scorecard(result)
    aside = marks(result)
    total = sum(1 for f in result.findings if id(f) not in aside)
    lines = [
        f"## mllint: {card.headline()}",
        "",
        f"{code_span(result.root.name or str(result.root))} · {result.files_checked} code files · "
        f"{total} finding{'s' if total != 1 else ''}" + (f" · {len(result.waived)} waived" if result.waived else ""),
        "",
        "| | Factor | Status |",
        "|:-:|---|---|",
    ]
    for item in card.factors:
        lines.append(f"| {ICONS[item.status]} | {item.factor}. {item.title} | {escape(status_text(item), table=True)} |")
    for item in card.other:
        lines.append(f"| {ICONS[VIOLATED]} | {item.title} | {escape(status_text(item), table=True)} |")
    lines += [
        "",
        (f"**{card.headline()}** · {card.count(VIOLATED)} violated · {card.count(WAIVED)} waived · "
        f"{card.count(PARTLY)} partly checked · {card.count(NOT_CHECKED)} not checked"),
        "",
    ]
    per_project = project_scorecards(result)
    if per_project:
        lines += ["### Per project", "", "| Project | Satisfied | Violated factors |", "|---|:-:|---|"]
        for folder, project_card in per_project:
            violated = ", ".join(str(item.factor) for item in project_card.factors if item.status == VIOLATED) or "—"
            label = code_span(f"{folder}/") if folder else "(repository root)"
            lines.append(f"| {label} | {project_card.satisfied}/12 | {violated} |")
        lines.append("")
    if not card.repo_rules_run:
        lines += [("> Repository rules did not run (only files were checked), so factors they judge are not "
                  "claimed as satisfied."), ""]
    if aside:
        lines += [(f"> {len(aside)} finding{'s' if len(aside) != 1 else ''} accepted in the baseline or outside "
                  "`--changed-since` do not fail the run but still count against their factor here."), ""]
    groups = [item for item in [*card.factors, *card.other] if item.findings]
    if groups:
        lines += ["### Findings by factor", ""]
        for item in groups:
            label = f"Factor {item.factor}: {item.title}" if 1 <= item.factor <= 12 else item.title
            lines += [f"#### {ICONS[VIOLATED]} {label} ({len(item.findings)})", ""]
            lines += _listing(item.findings, "findings", aside, base)
    waived = [f for item in card.factors for f in item.waived]
    if waived:
        lines += ["### Waived", ""]
        lines += _listing(waived, "waived findings", aside, base)
        reasons = sorted({f"{f.code}: {f.waived}" for f in waived})
        lines += [f"Reasons: {escape('; '.join(reasons))}", ""]
    index = rule_doc_url("index", base)
    lines.append(f"[Rule reference]({index}) · each rule page says why it matters and how to fix it." if index else
                 "Rule reference: `mllint rule <CODE>` says why a rule matters and how to fix it (`mllint rules` lists them).")
    return "\n".join(lines) + "\n"
