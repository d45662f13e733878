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


def add_keyword(call: ast.Call, name: str, value: str) -> TextEdit:
    """Insert ``name=value`` as the call's last argument (``f()`` → ``f(name=value)``)."""
    items = arguments_in_order(call)
    if items:
        return insert(end_of(items[-1]), f", {name}={value}")
    end_line, end_col = end_of(call)
    return insert((end_line, end_col - 1), f"{name}={value}")  # just before the closing parenthesis


def remove_argument(call: ast.Call, argument: ast.AST) -> TextEdit:
    """Delete one argument with the comma that separates it from its neighbour."""
    items = arguments_in_order(call)
    index = next(i for i, item in enumerate(items) if item is argument)
    if index + 1 < len(items):
        return delete(start_of(argument), start_of(items[index + 1]))
    if index > 0:
        return delete(end_of(items[index - 1]), end_of(argument))
    end_line, end_col = end_of(call)
    return delete(start_of(argument), (end_line, end_col - 1))  # the only argument: up to ")"
