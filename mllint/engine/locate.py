"""From the analysed program's coordinates to the file's own: characters, notebook cells, fix edits.

The stdlib ``ast`` counts columns in UTF-8 bytes and, for a notebook, lines of the joined cells.
Findings and edits are reported in characters (1-based) and, in notebooks, per cell. An edit that
would cross a cell boundary or touch a line the notebook reader neutralised (an IPython magic) makes
its fix unavailable: it could not be applied to the notebook as written. So does a carriage return
that ends a line on its own (old Mac line ends, some notebook exports): Python counts it as a line
break, edits count lines at line feeds only, so the positions would land on other lines.
"""

from __future__ import annotations

from mllint.analysis.edits import Point, RawFix
from mllint.core.findings import Edit, Finding, Fix, Position
from mllint.core.source import SourceUnit


def char_column(lines: list[str], line: int, byte_column: int) -> int:
    """The ast's UTF-8 byte offset on ``line`` (1-based) as a 0-based character offset."""
    if byte_column == 0 or not 0 < line <= len(lines):
        return byte_column
    text = lines[line - 1]
    if text.isascii():
        return byte_column
    return len(text.encode("utf-8")[:byte_column].decode("utf-8", "replace"))


def locate(finding: Finding, unit: SourceUnit, line: int | None, column: int | None,
           end_line: int | None, end_column: int | None, byte_columns: bool = True) -> Finding:
    """Set 1-based line/column (characters) on ``finding``, mapped to (cell, line) for notebooks."""
    if line is None:
        return finding
    lines = unit.lines()
    if byte_columns:
        column = None if column is None else char_column(lines, line, column)
        end_column = None if end_column is None or end_line is None else char_column(lines, end_line, end_column)
    if unit.line_map is not None:
        cell, cell_line = unit.line_map.locate(line)
        end_cell, end_cell_line = unit.line_map.locate(end_line or line)
        finding.cell = cell
        line = cell_line
        end_line = end_cell_line if end_cell == cell else cell_line
    finding.line = line
    finding.column = None if column is None else column + 1
    finding.end_line = end_line
    finding.end_column = None if end_column is None else end_column + 1
    return finding


def related(unit: SourceUnit, node: object, message: str) -> dict[str, object]:
    """A related location (SARIF ``relatedLocations``): line, column and notebook cell of ``node``."""
    line = getattr(node, "lineno", None)
    column = getattr(node, "col_offset", None)
    if line is not None and column is not None:
        column = char_column(unit.lines(), line, column)
    cell = None
    if unit.line_map is not None and line is not None:
        cell, line = unit.line_map.locate(line)
    return {"line": line, "column": None if column is None else column + 1, "cell": cell, "message": message}


def map_fix(raw: RawFix, path: str, unit: SourceUnit) -> Fix | None:
    """The rule's fix in the file's coordinates, or None when one of its edits cannot be placed."""
    if _lone_carriage_return(unit.text):
        return None
    edits: list[Edit] = []
    for edit in raw.edits:
        start = _place(raw_point=edit.start, unit=unit)
        end = _place(raw_point=edit.end, unit=unit)
        if start is None or end is None or start[0] != end[0]:
            return None
        cell = start[0]
        if cell is not None and not _untouched_by_magics(unit, cell, start[1].line, end[1].line):
            return None
        edits.append(Edit(path, start[1], end[1], edit.text, cell))
    return Fix(raw.applicability, raw.message, [*edits, *raw.other_files])


def _place(raw_point: Point, unit: SourceUnit) -> tuple[int | None, Position] | None:
    line, byte_column = raw_point
    lines = unit.lines()
    if not 0 < line <= len(lines):
        return None
    column = char_column(lines, line, byte_column) + 1
    if unit.line_map is None:
        return None, Position(line, column)
    cell, cell_line = unit.line_map.locate(line)
    return cell, Position(cell_line, column)


def _untouched_by_magics(unit: SourceUnit, cell: int, first: int, last: int) -> bool:
    """Lines ``first..last`` of ``cell`` read the same in the notebook as in the analysed program."""
    neutral = unit.cell_sources.get(cell, "").split("\n")
    raw = unit.raw_sources.get(cell, "").split("\n")
    return all(0 < n <= len(raw) and n <= len(neutral) and raw[n - 1] == neutral[n - 1] for n in range(first, last + 1))


def _lone_carriage_return(text: str) -> bool:
    """A carriage return not followed by a line feed: a line break to ``ast``, not to edits."""
    return "\r" in text and text.count("\r") != text.count("\r\n")
