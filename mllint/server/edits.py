"""From text changes to edits: the smallest edits that turn a document's text into its fixed text.

Quick fixes send a finding's own fix edits (``fix.edits``, the JSON contract). Fix-all and the ignore
action change the text as a whole (``mllint.fix.code`` applies the fixes in rounds); the client gets
the difference as :class:`~mllint.core.findings.Edit` objects, trimmed to the characters that differ.
"""

from __future__ import annotations

import bisect
import difflib

from mllint.core.findings import Edit, Position


def line_starts(text: str) -> list[int]:
    """Offset of the first character of each line (split on ``\\n``)."""
    starts = [0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def _position(starts: list[int], at: int) -> Position:
    """The 1-based line and character column of a character offset."""
    index = bisect.bisect_right(starts, at) - 1
    return Position(index + 1, at - starts[index] + 1)


def diff_edits(before: str, after: str, path: str, cell: int | None = None) -> list[Edit]:
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
        old_text, new_text = before[begin:end], after[new_offsets[j1]:new_offsets[j2]]
        prefix = 0
        limit = min(len(old_text), len(new_text))
        while prefix < limit and old_text[prefix] == new_text[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and old_text[len(old_text) - 1 - suffix] == new_text[len(new_text) - 1 - suffix]:
            suffix += 1
        edits.append(Edit(path, _position(starts, begin + prefix), _position(starts, end - suffix),
                          new_text[prefix:len(new_text) - suffix], cell))
    return edits
