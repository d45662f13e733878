"""Findings as LSP diagnostics: range, severity, code and its documentation link, tags, related files.

Findings count lines from 1 and columns in characters from 1 (end exclusive); LSP counts both from 0,
columns in the client's position encoding (UTF-16 unless negotiated otherwise), which the codec
converts. A finding without a column covers its whole line; one without a line sits at the top.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from mllint.core.findings import Finding
from mllint.output.scorecard import rule_doc_url

SOURCE = "mllint"
SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
#: Findings about code that does nothing: editors grey it out.
UNNECESSARY = frozenset({"ML0002"})


@dataclass(frozen=True)
class Located:
    """A finding with the document it is shown on and its LSP diagnostic."""

    uri: str
    finding: Finding
    diagnostic: types.Diagnostic


def lsp_range(finding: Finding, text: str, codec: PositionCodec) -> types.Range:
    """The finding's span in ``text`` (the document it is shown on), in client units."""
    lines = text.split("\n")
    if finding.line is None:
        start = types.Position(line=0, character=0)
        return types.Range(start=start, end=start)
    line = max(finding.line - 1, 0)
    end_line = max((finding.end_line or finding.line) - 1, line)
    start_char = (finding.column - 1) if finding.column else 0
    if finding.end_column is not None:
        end_char = finding.end_column - 1
    else:  # no end known: to the end of the line
        end_char = len(lines[end_line].rstrip("\r")) if end_line < len(lines) else start_char
    if end_line == line and end_char < start_char:
        end_char = start_char
    return types.Range(start=_position(lines, line, start_char, codec), end=_position(lines, end_line, end_char, codec))


def _position(lines: list[str], line: int, character: int, codec: PositionCodec) -> types.Position:
    if line >= len(lines):
        return types.Position(line=line, character=0)
    text = lines[line].rstrip("\r")
    character = min(max(character, 0), len(text))
    return types.Position(line=line, character=codec.client_num_units(text[:character]))


def to_diagnostic(finding: Finding, text: str, codec: PositionCodec, root: Path | None = None,
                  docs_url: str | None = None) -> types.Diagnostic:
    """One finding as a diagnostic on the document whose content is ``text``."""
    tags = [types.DiagnosticTag.Unnecessary] if finding.code in UNNECESSARY else None
    return types.Diagnostic(
        range=lsp_range(finding, text, codec),
        message=finding.message,
        severity=SEVERITIES.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=types.CodeDescription(href=url) if (url := rule_doc_url(finding.code, docs_url)) else None,
        source=SOURCE,
        tags=tags,
        related_information=_related(finding, root),
        data={"name": finding.name, "factor": finding.factor, "kind": finding.kind,
              "fix": finding.fix.applicability if finding.fix else None},
    )


def _related(finding: Finding, root: Path | None) -> list[types.DiagnosticRelatedInformation] | None:
    """Files a repository finding names as its evidence, when they exist in the workspace."""
    if root is None or not finding.evidence:
        return None
    out: list[types.DiagnosticRelatedInformation] = []
    for item in finding.evidence:
        rel = item.split(":", 1)[0].rstrip("/")
        if not rel or rel == finding.path or any(ch in rel for ch in "*?[") or len(out) >= 20:
            continue
        target = root / rel
        if not target.exists():
            continue
        origin = types.Position(line=0, character=0)
        out.append(types.DiagnosticRelatedInformation(
            location=types.Location(uri=target.resolve().as_uri(), range=types.Range(start=origin, end=origin)),
            message=f"evidence: {rel}",
        ))
    return out or None


def overlaps(outer: types.Range, inner: types.Range) -> bool:
    """Do two ranges touch (an empty range at a diagnostic's edge counts)?"""
    def key(position: types.Position) -> tuple[int, int]:
        return position.line, position.character

    return key(outer.start) <= key(inner.end) and key(inner.start) <= key(outer.end)
