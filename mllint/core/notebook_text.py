"""Editing a notebook's JSON text in place: only the bytes of the changed cell lines change.

Re-serialising a notebook with ``json.dumps`` rewrites everything a fix did not touch: CRLF line ends,
4-space indentation, a BOM, ``\\u00e9``-style escapes and number formatting (``1.50`` becomes ``1.5``).
Instead, :func:`source_span` finds where ``cells[i].source`` sits in the raw text (the standard
library's decoder skips over each value and reports where it ends), and :func:`replace_source` writes
the new source there in the original's style: a list keeps its unchanged elements byte for byte and
its separators; a changed or new line is serialised with the escaping the original used.
"""

from __future__ import annotations

import difflib
import json
from json.decoder import scanstring  # type: ignore[attr-defined]  # C-accelerated, not in the stubs
import re
from dataclasses import dataclass

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


class NotebookLayoutError(ValueError):
    """The JSON text is not laid out as expected (the caller then leaves the file alone)."""


@dataclass(frozen=True)
class Span:
    start: int  # index of the value's first character
    end: int  # index just past its last character


def _skip(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return match.end() if match else index


def _object_members(text: str, start: int) -> list[tuple[str, Span]]:
    """(key, value span) of the JSON object starting at ``start`` (which must be ``{``)."""
    if text[start:start + 1] != "{":
        raise NotebookLayoutError("expected an object")
    members: list[tuple[str, Span]] = []
    index = _skip(text, start + 1)
    if text[index:index + 1] == "}":
        return members
    while True:
        if text[index:index + 1] != '"':
            raise NotebookLayoutError("expected a key")
        key, index = scanstring(text, index + 1)
        index = _skip(text, index)
        if text[index:index + 1] != ":":
            raise NotebookLayoutError("expected ':'")
        index = _skip(text, index + 1)
        _value, end = _DECODER.raw_decode(text, index)
        members.append((key, Span(index, end)))
        index = _skip(text, end)
        if text[index:index + 1] == ",":
            index = _skip(text, index + 1)
            continue
        if text[index:index + 1] == "}":
            return members
        raise NotebookLayoutError("expected ',' or '}'")


def _array_items(text: str, start: int) -> list[Span]:
    if text[start:start + 1] != "[":
        raise NotebookLayoutError("expected an array")
    items: list[Span] = []
    index = _skip(text, start + 1)
    if text[index:index + 1] == "]":
        return items
    while True:
        _value, end = _DECODER.raw_decode(text, index)
        items.append(Span(index, end))
        index = _skip(text, end)
        if text[index:index + 1] == ",":
            index = _skip(text, index + 1)
            continue
        if text[index:index + 1] == "]":
            return items
        raise NotebookLayoutError("expected ',' or ']'")


def source_span(text: str, cell: int) -> Span:
    """Where the ``source`` value of ``cells[cell]`` is in the notebook's JSON ``text``."""
    top = _skip(text, 0)
    cells = dict(_object_members(text, top)).get("cells")
    if cells is None:
        raise NotebookLayoutError("no cells")
    items = _array_items(text, cells.start)
    if not 0 <= cell < len(items):
        raise NotebookLayoutError(f"no cell {cell}")
    source = dict(_object_members(text, items[cell].start)).get("source")
    if source is None:
        raise NotebookLayoutError(f"cell {cell} has no source")
    return source


def _escaped_like(original: str) -> bool:
    """Does the file escape non-ASCII characters (``ensure_ascii``): no raw one, at least one escaped?"""
    return not any(ord(char) > 127 for char in original) and re.search(r"\\u(?!00[0-7])[0-9a-fA-F]{4}", original) is not None


def _string(value: str, ascii_only: bool) -> str:
    """One JSON string in the file's escaping style (Jupyter writes non-ASCII as is)."""
    return json.dumps(value, ensure_ascii=ascii_only)


def replace_source(text: str, cell: int, new_source: str) -> str:
    """``text`` with ``cells[cell].source`` set to ``new_source``, every other byte kept."""
    span = source_span(text, cell)
    raw = text[span.start:span.end]
    old = json.loads(raw)
    ascii_only = _escaped_like(text)
    if isinstance(old, str):
        return text[:span.start] + _string(new_source, ascii_only) + text[span.end:]
    if not isinstance(old, list) or not all(isinstance(item, str) for item in old):
        raise NotebookLayoutError(f"cell {cell}'s source is neither a string nor a list of strings")
    new_lines = new_source.splitlines(keepends=True)
    items = _array_items(text, span.start)
    if not items:  # an empty list: lay the new one out on one line
        return text[:span.start] + "[" + ", ".join(_string(line, ascii_only) for line in new_lines) + "]" + text[span.end:]
    raws = [text[item.start:item.end] for item in items]
    separator = text[items[0].end:items[1].start] if len(items) > 1 else _guess_separator(text, span, items[0])
    opening = text[span.start:items[0].start]
    closing = text[items[-1].end:span.end]
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(raws[i1:i2])
        else:
            out.extend(_string(line, ascii_only) for line in new_lines[j1:j2])
    if not out:
        return text[:span.start] + "[]" + text[span.end:]
    return text[:span.start] + opening + separator.join(out) + closing + text[span.end:]


def _guess_separator(text: str, span: Span, item: Span) -> str:
    """The separator of a one-element list: ',' plus the whitespace that precedes its element."""
    return "," + text[span.start + 1:item.start]
