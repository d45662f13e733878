"""Applying code fixes (``mllint check --fix / --unsafe-fixes / --diff``): the edits findings carry.

A fixable finding carries its :class:`~mllint.core.findings.Fix`: text edits computed when the rule
found it, the same edits the JSON output and the language server show. Fixing runs in rounds: each
round applies every applicable fix whose edits do not overlap an edit already taken, keeps a file's
edits only if the file still parses afterwards, and checks the changed contents again through the
engine (as an in-memory overlay) until nothing applicable is left. Nothing is written until the
caller decides to (``--fix``); ``--diff`` prints the same changes.
"""

from __future__ import annotations

import ast
import codecs
import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mllint.core.findings import Edit, Finding
from mllint.core.source import SourceError, decode_python, neutralise_cell
from mllint.engine.run import Only, RunResult
from mllint.engine.session import Session

#: Rounds of apply-and-recheck; fixes converge in one or two, the bound stops a fix that would cycle.
MAX_ROUNDS = 10


@dataclass
class FileChange:
    """One file's content before and after the fixes, and the findings those fixes resolved."""

    path: str
    before: bytes
    after: bytes
    fixed: list[Finding] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """A unified diff ``git apply`` and ``patch`` accept: a last line without a newline is marked
        ``\\ No newline at end of file``, and only ``\\n`` ends a line (a CR, form feed or U+2028
        inside a line is content, as it is for git)."""
        before = _lines(self.before.decode("utf-8", "surrogateescape"))  # bytes that are not UTF-8 kept:
        after = _lines(self.after.decode("utf-8", "surrogateescape"))  # encode the diff the same way
        out = []
        for line in difflib.unified_diff(before, after, fromfile=f"a/{self.path}", tofile=f"b/{self.path}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)


def _lines(text: str) -> list[str]:
    """``text`` cut after each ``\\n`` only (``str.splitlines`` also cuts at ``\\r``, ``\\x0c``, U+2028…)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


@dataclass
class FixReport:
    """What the rounds changed, what could not be done, and the last round's result (what is left)."""

    changes: list[FileChange]
    problems: list[str]
    result: RunResult

    @property
    def fixed_count(self) -> int:
        return sum(len(change.fixed) for change in self.changes)


def applicable(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and bool(finding.fix.edits) and (finding.fix.applicability == "safe" or unsafe)


def fix(session: Session, result: RunResult, *, unsafe: bool, files: list[str] | None = None,
        only: Only = "all", use_cache: bool = True) -> FixReport:
    """Apply the applicable fixes of ``result`` in rounds; the disk is not touched."""
    originals: dict[str, bytes] = {}
    overlay: dict[str, bytes] = dict(session.overlay)
    fixed: dict[str, list[Finding]] = {}
    problems: list[str] = []
    for _round in range(MAX_ROUNDS):
        todo = [finding for finding in result.findings if applicable(finding, unsafe)]
        if not todo:
            break
        changed = _apply_round(session, todo, overlay, originals, fixed, problems)
        if not changed:
            break
        session = session.with_overlay(overlay)
        result = session.check(files=files, only=only, use_cache=use_cache)
    changes = [FileChange(path, originals[path], overlay[path], fixed.get(path, [])) for path in sorted(originals)]
    return FixReport([change for change in changes if change.changed], problems, result)


def fix_files(session: Session, paths: list[str], *, unsafe: bool) -> FixReport:
    """Fix only ``paths`` (code rules only, no cache): for tests and tools working on a few files."""
    result = session.check(files=paths, only="code", use_cache=False)
    return fix(session, result, unsafe=unsafe, files=paths, only="code", use_cache=False)


def fix_content(session: Session, path: str, data: bytes, *, unsafe: bool = False) -> bytes:
    """One file's content with its applicable fixes applied in rounds, in memory (code rules only):
    what an editor's "fix all" applies. Fixes that also edit another file are left out."""
    for _round in range(MAX_ROUNDS):
        todo = [finding for finding in session.analyze(path, data).findings
                if applicable(finding, unsafe) and finding.fix is not None
                and all(edit.path == path for edit in finding.fix.edits)]
        edits: list[Edit] = []
        for finding in _choose(todo):
            assert finding.fix is not None
            edits.extend(edit for edit in finding.fix.edits if edit not in edits)
        if not edits:
            break
        try:
            after = apply_edits_to_file(path, data, edits)
        except EditError:
            break
        if after == data:
            break
        data = after
    return data


def _apply_round(session: Session, todo: list[Finding], overlay: dict[str, bytes], originals: dict[str, bytes],
                 fixed: dict[str, list[Finding]], problems: list[str]) -> bool:
    """Take non-overlapping fixes, apply them file by file, keep what still parses. True if anything changed."""
    chosen = _choose(todo)
    while chosen:
        by_path: dict[str, list[Edit]] = {}
        for finding in chosen:
            assert finding.fix is not None
            for edit in finding.fix.edits:
                if edit not in by_path.setdefault(edit.path, []):
                    by_path[edit.path].append(edit)
        new: dict[str, bytes] = {}
        broken: set[str] = set()
        for path, edits in by_path.items():
            try:
                current = overlay[path] if path in overlay else session.read(path)
            except OSError as exc:
                problems.append(f"{path}: not fixed: cannot read it ({exc.strerror or exc})")
                broken.add(path)
                continue
            try:
                new[path] = apply_edits_to_file(path, current, edits)
            except EditError as exc:
                message = f"{path}: not fixed: {exc}"
                if message not in problems:
                    problems.append(message)
                broken.add(path)
        if broken:  # a fix touching a file whose edits do not apply cleanly is dropped, the others retried
            chosen = [f for f in chosen if f.fix is not None and not broken & {edit.path for edit in f.fix.edits}]
            continue
        changed = False
        for path, after in new.items():
            current = overlay[path] if path in overlay else session.read(path)
            originals.setdefault(path, current)
            changed = changed or after != current
            overlay[path] = after
        for finding in chosen:
            fixed.setdefault(finding.path or "", []).append(finding)
        return changed
    return False


def _choose(todo: list[Finding]) -> list[Finding]:
    """Fixes whose edits overlap none taken before (identical edits are shared), in report order."""
    taken: dict[tuple[str, int | None], list[Edit]] = {}
    chosen = []
    for finding in sorted(todo, key=Finding.sort_key):
        assert finding.fix is not None
        edits = finding.fix.edits
        if any(_conflicts(edit, other) for edit in edits for other in taken.get((edit.path, edit.cell), [])):
            continue
        for edit in edits:
            bucket = taken.setdefault((edit.path, edit.cell), [])
            if edit not in bucket:
                bucket.append(edit)
        chosen.append(finding)
    return chosen


def _key(edit: Edit) -> tuple[tuple[int, int], tuple[int, int]]:
    return (edit.start.line, edit.start.column), (edit.end.line, edit.end.column)


def _conflicts(a: Edit, b: Edit) -> bool:
    if a == b:
        return False
    (a_start, a_end), (b_start, b_end) = _key(a), _key(b)
    if a_start == a_end and b_start == b_end:
        return a_start == b_start  # two different insertions at one place: their order is unknown
    if a_start == a_end:
        return b_start < a_start < b_end
    if b_start == b_end:
        return a_start < b_start < a_end
    return a_start < b_end and b_start < a_end


# -- applying edits to a text, a .py file, a notebook --------------------------------------------
def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits (1-based line and character column positions) to ``text``."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(line: int, column: int) -> int:
        if not 0 < line <= len(lines) or not 0 < column <= len(lines[line - 1]) + 1:
            raise ValueError(f"position {line}:{column} is outside the text")
        return starts[line - 1] + column - 1

    spans = sorted(((offset(e.start.line, e.start.column), offset(e.end.line, e.end.column), e.text) for e in edits),
                   reverse=True)
    for start, end, replacement in spans:
        text = text[:start] + replacement + text[end:]
    return text


class EditError(ValueError):
    """A file's edits cannot be applied (the message says why); the file is left as it was."""


def apply_edits_to_file(path: str, data: bytes, edits: list[Edit]) -> bytes:
    """The file with ``edits`` applied; raises :class:`EditError` when they cannot be applied or the
    result would not parse."""
    try:
        if path.endswith(".ipynb"):
            after = _apply_to_notebook(data, edits)
        elif path.endswith(".py"):
            after = _apply_to_python(data, edits)
        else:
            after = apply_edits(data.decode("utf-8"), edits).encode("utf-8")
    except EditError:
        raise
    except UnicodeError as exc:
        raise EditError(f"cannot re-encode it ({getattr(exc, 'reason', exc)})") from None
    except SourceError as exc:
        raise EditError(exc.reason) from None
    except (ValueError, KeyError, IndexError, TypeError, RecursionError) as exc:
        raise EditError(f"its edits do not apply ({type(exc).__name__}: {exc})") from None
    if after is None:
        raise EditError("the fixed code would not parse")
    return after


def _apply_to_python(data: bytes, edits: list[Edit]) -> bytes | None:
    bom = data.startswith(codecs.BOM_UTF8)
    text = decode_python(data)
    encoding = _declared_encoding(data)
    after = apply_edits(text, edits)
    if not _parses(after):
        return None
    return (codecs.BOM_UTF8 if bom else b"") + after.encode(encoding)


def _declared_encoding(data: bytes) -> str:
    import re

    for raw in data.split(b"\n", 2)[:2]:
        match = re.match(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", raw)
        if match:
            return match.group(1).decode("ascii", "replace")
    return "utf-8"


def _apply_to_notebook(data: bytes, edits: list[Edit]) -> bytes | None:
    """The notebook with the cells' edits applied to its JSON text in place: every byte outside the
    changed source lines is kept (BOM, CRLF, indentation, escapes, number formatting, key order)."""
    from mllint.core.notebook_text import NotebookLayoutError, replace_source

    bom = data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    notebook: dict[str, Any] = json.loads(text)
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if notebook.get("nbformat") != 4 or not isinstance(cells, list):
        raise EditError("only nbformat-4 notebooks are fixed (open and save it in Jupyter to upgrade it)")
    by_cell: dict[int, list[Edit]] = {}
    for edit in edits:
        if edit.cell is None:
            return None
        by_cell.setdefault(edit.cell, []).append(edit)
    for index, cell_edits in sorted(by_cell.items()):
        raw = cells[index]["source"]
        source = "".join(raw) if isinstance(raw, list) else raw
        fixed = apply_edits(source, cell_edits)
        if not _parses(neutralise_cell(fixed)):
            return None
        try:
            text = replace_source(text, index, fixed)
        except NotebookLayoutError as exc:
            raise EditError(f"the notebook's JSON is laid out unexpectedly ({exc})") from None
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


# -- writing -------------------------------------------------------------------------------------
def write_changes(root: Path, changes: list[FileChange], problems: list[str] | None = None) -> list[str]:
    """Write the changed files inside ``root``, each atomically and never through a symlink leaving it
    (:func:`mllint.core.writes.atomic_write`). A file that cannot be written is left as it was and
    reported in ``problems`` (raised as :class:`OSError` when no list is given); returns the written."""
    from mllint.core.writes import atomic_write

    resolved = root.resolve()
    written = []
    for change in changes:
        if not change.changed:
            continue
        try:
            target = (root / change.path).resolve()
            if resolved not in target.parents:
                raise OSError(f"refusing to write {change.path}: it resolves outside {root}")
            atomic_write(target, change.after, confine=resolved)
        except OSError as exc:
            if problems is None:
                raise
            problems.append(f"{change.path}: not fixed: {exc}")
            continue
        written.append(change.path)
    return written
