"""Text edits: the fix-edit contract of the JSON (docs/json.md) and the arithmetic to apply and derive them.

An edit replaces ``[start, end)`` of one file (or one notebook cell) by ``text``; lines are 1-based and
columns 0-based characters, as in ``fix.edits``. Lines are split on ``\\n`` only, as ``ast`` counts them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Edit:
    """Replace ``[(start_line, start_column), (end_line, end_column))`` of ``path`` (cell ``cell``) by ``text``."""

    path: str | None
    start_line: int
    start_column: int
    end_line: int
    end_column: int
    text: str
    cell: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], default_path: str | None, default_cell: int | None) -> Edit | None:
        """An edit from its JSON form (``{path, start: {line, column}, end: {...}, text[, cell]}``); None if malformed."""
        try:
            start, end = data["start"], data["end"]
            return cls(path=data.get("path") or default_path, start_line=int(start["line"]),
                       start_column=int(start["column"]), end_line=int(end["line"]), end_column=int(end["column"]),
                       text=str(data.get("text", data.get("content", ""))),
                       cell=data.get("cell", default_cell))
        except (KeyError, TypeError, ValueError):
            return None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "start": {"line": self.start_line, "column": self.start_column},
                               "end": {"line": self.end_line, "column": self.end_column}, "text": self.text}
        if self.cell is not None:
            out["cell"] = self.cell
        return out


def line_starts(text: str) -> list[int]:
    """Offset of the first character of each line (split on ``\\n``)."""
    starts = [0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def offset(starts: list[int], text: str, line: int, column: int) -> int:
    """Character offset of (1-based line, 0-based column), clamped to the text."""
    if line < 1:
        return 0
    if line > len(starts):
        return len(text)
    line_end = starts[line] - 1 if line < len(starts) else len(text)
    return min(starts[line - 1] + max(column, 0), line_end)


def position(starts: list[int], at: int) -> tuple[int, int]:
    """(1-based line, 0-based column) of a character offset."""
    import bisect

    index = bisect.bisect_right(starts, at) - 1
    return index + 1, at - starts[index]


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, list[Edit]]:
    """``text`` with the non-overlapping ``edits`` applied (earlier ones win); returns it and the edits applied."""
    starts = line_starts(text)
    spans = []
    for edit in edits:
        begin = offset(starts, text, edit.start_line, edit.start_column)
        end = offset(starts, text, edit.end_line, edit.end_column)
        if end < begin:
            continue
        spans.append((begin, end, edit))
    taken: list[tuple[int, int, Edit]] = []
    for begin, end, edit in spans:
        if any(begin < t_end and t_begin < end or (begin == end == t_begin == t_end) for t_begin, t_end, _ in taken):
            continue
        taken.append((begin, end, edit))
    out = text
    for begin, end, edit in sorted(taken, key=lambda item: (item[0], item[1]), reverse=True):
        out = out[:begin] + edit.text + out[end:]
    return out, [edit for _b, _e, edit in sorted(taken, key=lambda item: (item[0], item[1]))]


def diff_edits(before: str, after: str, path: str | None, cell: int | None = None) -> list[Edit]:
    """The smallest line-aligned edits turning ``before`` into ``after``, each trimmed to the characters that differ."""
    if before == after:
        return []
    old_lines = before.splitlines(keepends=True)
    new_lines = after.splitlines(keepends=True)
    starts = line_starts(before)
    old_offsets = [0]
    for line in old_lines:
        old_offsets.append(old_offsets[-1] + len(line))
    new_offsets = [0]
    for line in new_lines:
        new_offsets.append(new_offsets[-1] + len(line))
    edits: list[Edit] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        begin, end = old_offsets[i1], old_offsets[i2]
        new_begin, new_end = new_offsets[j1], new_offsets[j2]
        old_text, new_text = before[begin:end], after[new_begin:new_end]
        prefix = 0
        limit = min(len(old_text), len(new_text))
        while prefix < limit and old_text[prefix] == new_text[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and old_text[len(old_text) - 1 - suffix] == new_text[len(new_text) - 1 - suffix]:
            suffix += 1
        start_line, start_column = position(starts, begin + prefix)
        end_line, end_column = position(starts, end - suffix)
        edits.append(Edit(path, start_line, start_column, end_line, end_column,
                          new_text[prefix:len(new_text) - suffix], cell))
    return edits
