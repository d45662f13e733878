"""Hover on a diagnostic's range: the rule's summary, why it matters and where its documentation is."""

from __future__ import annotations

import inspect

from lsprotocol import types

from mllint.catalogue.index import FACTORS
from mllint.catalogue.loader import Catalogue
from mllint.output.scorecard import rule_doc_url
from mllint.server.diagnostics import Located


def _contains(span: types.Range, at: types.Position) -> bool:
    start, end = (span.start.line, span.start.character), (span.end.line, span.end.character)
    return start <= (at.line, at.character) <= end


def rule_markdown(located: Located, catalogue: Catalogue) -> str:
    finding = located.finding
    rule = catalogue.by_code().get(finding.code)
    title = f"**{finding.code}** `{finding.name}` — factor {finding.factor}: {FACTORS.get(finding.factor, '')}"
    parts = [title, "", finding.message]
    if rule is not None:
        parts += ["", inspect.cleandoc(rule.summary)]
        parts += ["", "**Why:** " + inspect.cleandoc(rule.why)]
    if finding.fix is not None:
        parts += ["", f"**Fix ({finding.fix.applicability}):** {finding.fix.message}"]
    parts += ["", f"`mllint rule {finding.code}` shows its documentation."]
    return "\n".join(parts)


def hover(located: list[Located], at: types.Position, catalogue: Catalogue) -> types.Hover | None:
    """The rules of every diagnostic under ``at``, or None."""
    hits = [item for item in located if _contains(item.diagnostic.range, at)]
    if not hits:
        return None
    text = "\n\n---\n\n".join(rule_markdown(item, catalogue) for item in hits)
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                       range=hits[0].diagnostic.range)
