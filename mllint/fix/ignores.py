"""``mllint check --add-ignore``: write ``# mllint: ignore[CODE]`` comments for current code findings.

Careful line edits, nothing else in the file changes (indentation, quotes, line endings, other
comments): the comment is appended to the finding's first line, or to its last line when the first
one ends inside a multi-line string or with a backslash continuation. A line that already carries an
``# mllint: ignore[...]`` gets the new codes merged into it. In notebooks only the cell's source line
changes: the JSON text is edited in place (mllint/core/notebook_text.py), every other byte kept.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from mllint.analysis.suppress import LINE_DIRECTIVE
from mllint.core.findings import Finding
from mllint.core.notebook_text import NotebookLayoutError, replace_source
from mllint.core.source import SourceError, decode_python, neutralise_cell
from mllint.core.writes import atomic_write

#: Engine findings that a comment cannot (or must not) silence.
NOT_SUPPRESSIBLE = {"ML0001", "ML0002", "ML0003", "ML0004"}
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


@dataclass
class IgnoreReport:
    added: int = 0
    files: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)  # findings that cannot be annotated (and why)
    failed: list[str] = field(default_factory=list)  # files that could not be read or written (left unchanged)


def unsafe_lines(source: str) -> set[int]:
    """1-based lines whose end is inside a string or continued by a backslash (no comment fits there)."""
    bad: set[int] = set()
    lines = source.split("\n")
    for number, line in enumerate(lines, start=1):
        if line.rstrip().endswith("\\") and "#" not in line:
            bad.add(number)
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.start[0] != token.end[0] and token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
                bad.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return set(range(1, len(lines) + 1))
    return bad


def annotate_line(line: str, codes: list[str]) -> str:
    """``line`` with ``# mllint: ignore[codes]`` appended or merged; keeps the line ending."""
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    match = LINE_DIRECTIVE.search(body)
    if match and match.group(1) is not None:
        present = [c.strip() for c in match.group(1).split(",") if c.strip()]
        merged = present + [c for c in codes if c not in present]
        inner = ", ".join(merged)
        start, end = match.span(1)
        return body[:start] + inner + body[end:] + ending
    if match:  # a bare `# mllint: ignore` already silences everything
        return line
    stripped = body.rstrip()
    return f"{stripped}  # mllint: ignore[{', '.join(codes)}]{body[len(stripped):]}{ending}"


def _targets(findings: list[Finding], source: str) -> tuple[dict[int, list[str]], list[Finding]]:
    """Line -> codes to add, and the findings that cannot be annotated."""
    bad = unsafe_lines(source)
    count = source.count("\n") + 1
    targets: dict[int, list[str]] = {}
    skipped = []
    for finding in findings:
        candidates = [finding.line, finding.end_line]
        line = next((n for n in candidates if n and 1 <= n <= count and n not in bad), None)
        if line is None:
            skipped.append(finding)
            continue
        codes = targets.setdefault(line, [])
        if finding.code not in codes:
            codes.append(finding.code)
    return targets, skipped


def _physical_lines(text: str) -> list[str]:
    """Lines split on ``\n`` only (as ``ast`` counts them), each keeping its ending."""
    return _LINE.findall(text)


def _edit_text(text: str, targets: dict[int, list[str]]) -> str:
    lines = _physical_lines(text)
    for number, codes in targets.items():
        if number - 1 < len(lines):
            lines[number - 1] = annotate_line(lines[number - 1], sorted(codes))
    return "".join(lines)


def _annotate_python(root: Path, path: Path, rel: str, findings: list[Finding], report: IgnoreReport) -> None:
    data = path.read_bytes()
    try:
        decode_python(data)
        text = data.decode("utf-8-sig")
    except SourceError as exc:
        report.problems.append(f"{rel}: not annotated: {exc.reason}")
        return
    except UnicodeDecodeError:
        report.problems.append(f"{rel}: not annotated: not UTF-8")
        return
    targets, skipped = _targets(findings, text)
    for finding in skipped:
        report.problems.append(f"{finding.location()}: {finding.code} not annotated: its lines end inside a string or a continuation")
    if not targets:
        return
    edited = _edit_text(text, targets)
    encoding = "utf-8"
    try:
        out = edited.encode(encoding)
    except UnicodeEncodeError:
        report.problems.append(f"{rel}: not annotated: cannot re-encode it")
        return
    if data.startswith(b"\xef\xbb\xbf"):
        out = b"\xef\xbb\xbf" + out
    atomic_write(path, out, confine=root)
    report.added += sum(len(codes) for codes in targets.values())
    report.files.add(rel)


def _annotate_notebook(root: Path, path: Path, rel: str, findings: list[Finding], report: IgnoreReport) -> None:
    """Annotate the cells' lines in the notebook's JSON text in place (mllint/core/notebook_text.py):
    every other byte of the file is kept."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
        notebook = json.loads(text)
        cells = notebook["cells"]
        if not isinstance(cells, list) or notebook.get("nbformat") != 4:
            raise TypeError("cells")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        report.problems.append(f"{rel}: not annotated: not an nbformat-4 notebook")
        return
    added = 0
    for index in sorted({f.cell for f in findings if f.cell is not None}):
        cell = cells[index] if 0 <= index < len(cells) else None
        raw = cell.get("source", "") if isinstance(cell, dict) else None
        if not isinstance(raw, (str, list)) or (isinstance(raw, list) and not all(isinstance(x, str) for x in raw)):
            continue
        source = "".join(raw) if isinstance(raw, list) else raw
        cell_findings = [f for f in findings if f.cell == index]
        targets, skipped = _targets(cell_findings, neutralise_cell(source))
        for finding in skipped:
            report.problems.append(f"{finding.location()}: {finding.code} not annotated")
        if not targets:
            continue
        try:
            text = replace_source(text, index, _edit_text(source, targets))
        except NotebookLayoutError as exc:
            report.problems.append(f"{rel}: not annotated: its JSON is laid out unexpectedly ({exc})")
            return
        added += sum(len(codes) for codes in targets.values())
    if not added:
        return
    atomic_write(path, (b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b"") + text.encode("utf-8"), confine=root)
    report.added += added
    report.files.add(rel)


def add_ignores(root: Path, findings: list[Finding]) -> IgnoreReport:
    """Annotate every current code finding that a comment can silence; returns what was done."""
    report = IgnoreReport()
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.kind != "code" or not finding.path or finding.line is None or finding.code in NOT_SUPPRESSIBLE:
            continue
        by_path.setdefault(finding.path, []).append(finding)
    for rel, items in sorted(by_path.items()):
        path = root / rel
        try:
            if rel.endswith(".ipynb"):
                _annotate_notebook(root, path, rel, items, report)
            else:
                _annotate_python(root, path, rel, items, report)
        except OSError as exc:
            report.failed.append(f"{rel}: not annotated: {exc.strerror or exc}")
    return report

