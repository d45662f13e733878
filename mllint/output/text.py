"""``--output-format text`` (default): ``path:line:col: CODE name message``, then the twelve-factor scorecard.

Every piece of text the repository chose (paths, messages, waiver reasons, baseline entries) goes
through :func:`mllint.output.escape.log_line`: no line of the report is the repository's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mllint.adopt.apply import marks as adoption_marks
from mllint.adopt.apply import summary_lines as adoption_lines
from mllint.output.escape import log_line
from mllint.output.fixmarks import mark as fix_mark
from mllint.output.fixmarks import summary as fix_summary
from mllint.output.locations import cell_info, display_location
from mllint.output.scorecard import (
    NOT_CHECKED,
    SATISFIED,
    VIOLATED,
    WAIVED,
    build_scorecard,
    project_scorecards,
    status_text,
)

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult


STYLES = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"
STATUS_STYLES = {SATISFIED: "\033[32m", VIOLATED: "\033[31m", WAIVED: "\033[33m"}


def render(result: RunResult, color: bool = False, **_kwargs: object) -> str:
    def paint(text: str, style: str) -> str:
        return f"{style}{text}{RESET}" if color else text

    lines = []
    aside = adoption_marks(result)  # shown with --show-baselined, but not failing the run
    for f in result.findings:
        code = paint(f.code, STYLES.get(f.severity, ""))
        mark = paint(f" [{aside[id(f)]}]", DIM) if id(f) in aside else ""
        lines.append(f"{paint(log_line(display_location(f, result.root)), BOLD)}: {code} {f.name} {log_line(f.message)}{fix_mark(f)}{mark}")
        if f.cell is not None and f.path is not None:
            info = cell_info(result.root, f.path, f.cell)
            if info is not None and info.first_line:
                lines.append(paint(log_line(f"    {info.label(f.cell)} starts: {info.first_line}"), DIM))
    if lines:
        lines.append("")
    total = sum(1 for f in result.findings if id(f) not in aside)
    if total:
        lines.append(paint(f"Found {total} finding{'s' if total != 1 else ''} in {result.files_checked} code files.", BOLD))
    elif getattr(result, "baselined", None) or getattr(result, "unchanged", None):
        # Known findings set aside still violate their factors: "All checks passed" would contradict the scorecard.
        lines.append(paint(f"No new findings ({result.files_checked} code files); the known findings below still count "
                           "in the scorecard.", BOLD))
    else:
        lines.append(paint(f"All checks passed ({result.files_checked} code files).", BOLD))
    fixable = fix_summary(result.findings)
    if fixable:
        lines.append(fixable)
    templates = getattr(result, "templates", None)
    if templates is not None and templates.files:
        shown = ", ".join(f"{root}/" for root in templates.roots[:3]) + (f" and {len(templates.roots) - 3} more" if len(templates.roots) > 3 else "")
        lines.append(paint(log_line(f"Skipped {templates.files} file{'s' if templates.files != 1 else ''} of project-template sources "
                                    f"({shown}): check a project generated from the template, or set templates = \"check\"."), DIM))
    for f in result.waived:
        lines.append(paint(f"  waived: {f.code} {f.name} ({log_line(f.waived or '')})", DIM))
    lines += [paint(log_line(line), DIM) for line in adoption_lines(result)]
    lines += ["", *scorecard_lines(result, paint)]
    return "\n".join(lines) + "\n"


def scorecard_lines(result: RunResult, paint: Callable[[str, str], str]) -> list[str]:
    """The scorecard as text: checked factors one per line, the unchecked ones folded into one line."""
    if not result.repo_rules_run:  # files only (pre-commit) or --only code: no factor can be judged whole
        return [paint("Twelve-factor scorecard: run `mllint check` on the whole repository to see it.", DIM)]
    card = build_scorecard(result)
    lines = []
    per_project = project_scorecards(result)
    if per_project:
        lines.append(paint(f"Twelve-factor scorecard per project ({len(per_project)} projects):", BOLD))
        for folder, project_card in per_project:
            violated = [str(item.factor) for item in project_card.factors if item.status == VIOLATED]
            label = f"{folder}/" if folder else "(repository root)"
            detail = f" · violated: {', '.join(violated)}" if violated else ""
            lines.append(f"  {log_line(label):<45} {project_card.satisfied}/12 satisfied{detail}")
        lines += ["", paint("Whole repository:", BOLD)]
    lines.append(paint(f"Twelve-factor scorecard: {card.headline()}", BOLD))
    unchecked = []
    for item in [*card.factors, *card.other]:
        if item.status == NOT_CHECKED:
            unchecked.append(str(item.factor))
            continue
        label = f"{item.factor:>2} {item.title}" if 1 <= item.factor <= 12 else f"   {item.title}"
        lines.append(f"  {label:<45} {paint(log_line(status_text(item)), STATUS_STYLES.get(item.status, ''))}")
    if unchecked:
        lines.append(paint(f"  not checked: factor{'s' if len(unchecked) > 1 else ''} {', '.join(unchecked)} (no enabled rule ran)", DIM))
    return lines
