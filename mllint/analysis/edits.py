"""Fixes as rules build them: text edits in the coordinates of the analysed program.

A rule that can fix what it reports attaches a :class:`RawFix` to the report. Its edits are spans of
the program the rule saw (``ast`` positions: 1-based lines, 0-based UTF-8 byte columns; for a
notebook, lines of the joined cells). The code pass turns them into :class:`~mllint.core.findings.Edit`
objects in the file's own coordinates (characters, and cell + line for notebooks), the same ones the
JSON output, ``--fix``/``--diff`` and the language server apply. Edits of another file (the params
file a value moves into) are given as final ``Edit`` objects already.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from mllint.core.findings import Applicability, Edit

#: (1-based line, 0-based UTF-8 byte column) as the stdlib ``ast`` reports positions.
Point = tuple[int, int]


@dataclass(frozen=True)
class TextEdit:
    """Replace ``[start, end)`` of the analysed program by ``text``."""

    start: Point
    end: Point
    text: str


@dataclass
class RawFix:
    """A rule's fix before it is mapped to the file: edits of this program, and of other files."""

    applicability: Applicability
    message: str
    edits: list[TextEdit] = field(default_factory=list)
    other_files: list[Edit] = field(default_factory=list)


def start_of(node: ast.AST) -> Point:
    return (getattr(node, "lineno"), getattr(node, "col_offset"))


def end_of(node: ast.AST) -> Point:
    end_line = getattr(node, "end_lineno", None)
    end_col = getattr(node, "end_col_offset", None)
    if end_line is None or end_col is None:
        raise ValueError("node has no end position")
    return (end_line, end_col)


def replace(node: ast.AST, text: str) -> TextEdit:
    """Replace the whole of ``node`` (its outer parentheses, if any, stay)."""
    return TextEdit(start_of(node), end_of(node), text)


def replace_span(start: Point, end: Point, text: str) -> TextEdit:
    return TextEdit(start, end, text)


def insert(at: Point, text: str) -> TextEdit:
    return TextEdit(at, at, text)


def delete(start: Point, end: Point) -> TextEdit:
    return TextEdit(start, end, "")


def arguments_in_order(call: ast.Call) -> list[ast.AST]:
    """The call's positional and keyword arguments in source order."""
    items: list[ast.AST] = [*call.args, *call.keywords]
    return sorted(items, key=start_of)


def _char_before(lines: list[str], at: Point) -> tuple[Point, str] | None:
    """The first character before ``at`` that is not white space (lines 1-based, byte columns)."""
    line, column = at
    while line >= 1:
        raw = lines[line - 1].encode("utf-8")[:column] if line <= len(lines) else b""
        stripped = raw.rstrip()
        if stripped:
            return (line, len(stripped) - 1), chr(stripped[-1])
        line -= 1
        column = len(lines[line - 1].encode("utf-8")) if line >= 1 else 0
    return None


def _char_after(lines: list[str], at: Point) -> tuple[Point, str] | None:
    """The first character at or after ``at`` that is not white space."""
    line, column = at
    while line <= len(lines):
        raw = lines[line - 1].encode("utf-8")
        rest = raw[column:]
        stripped = rest.lstrip()
        if stripped:
            return (line, column + len(rest) - len(stripped)), chr(stripped[0])
        line, column = line + 1, 0
    return None


def argument_span(call: ast.Call, argument: ast.AST, lines: list[str]) -> tuple[Point, Point]:
    """``argument``'s extent in ``call`` with the parentheses written around it (``f((x), y)``: the
    ``ast`` span of ``x`` leaves them out), never the call's own parentheses. ``lines`` are the
    program's lines (``FileContext.lines``)."""
    start, end = start_of(argument), end_of(argument)
    opening = _char_after(lines, end_of(call.func))  # the call's own "("
    if opening is None or opening[1] != "(":
        return start, end
    while True:
        before, after = _char_before(lines, start), _char_after(lines, end)
        if before is None or after is None or before[1] != "(" or after[1] != ")" or before[0] <= opening[0]:
            return start, end
        start, end = before[0], (after[0][0], after[0][1] + 1)


def add_keyword(call: ast.Call, name: str, value: str, lines: list[str]) -> TextEdit:
    """Insert ``name=value`` as the call's last argument (``f()`` → ``f(name=value)``), after the
    parentheses written around the last argument (``f(a, (b))``); ``lines`` are the program's lines."""
    items = arguments_in_order(call)
    if items:
        return insert(argument_span(call, items[-1], lines)[1], f", {name}={value}")
    end_line, end_col = end_of(call)
    return insert((end_line, end_col - 1), f"{name}={value}")  # just before the closing parenthesis


def remove_argument(call: ast.Call, argument: ast.AST, lines: list[str]) -> TextEdit:
    """Delete one argument with the comma that separates it from its neighbour; parentheses written
    around an argument go with it (``f(('S'), inplace=True)``); ``lines`` are the program's lines."""
    items = arguments_in_order(call)
    index = next(i for i, item in enumerate(items) if item is argument)

    def span(node: ast.AST) -> tuple[Point, Point]:
        return argument_span(call, node, lines)

    if index + 1 < len(items):
        return delete(span(argument)[0], span(items[index + 1])[0])
    if index > 0:
        return delete(span(items[index - 1])[1], span(argument)[1])
    end_line, end_col = end_of(call)
    return delete(span(argument)[0], (end_line, end_col - 1))  # the only argument: up to ")"
