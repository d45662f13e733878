"""Where CI formats (sarif, github, gitlab, junit) put a finding, and its line-independent fingerprint.

CI systems want paths relative to the repository checkout, a file for every result (repository
findings without a file are anchored on the repository's root file, e.g. ``README.md``), and line
numbers that exist in the file: a notebook finding's line is counted inside its cell, so it is mapped
to the line of the raw ``.ipynb`` that holds that source line (Jupyter stores one JSON string per
line), or reported on the whole notebook when that cannot be verified; the message names the cell.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from mllint.core.findings import Finding

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult


MAX_NOTEBOOK_BYTES = 50_000_000
ROOT_FILES = ("README.md", "README.rst", "README.txt", "README", "pyproject.toml", "setup.py", "setup.cfg",
              "requirements.txt")


@dataclass(frozen=True)
class Place:
    path: str  # POSIX, relative to the repository checkout (or "." when the tree is empty)
    line: int | None  # a real line of the file, or None for a whole-file finding
    column: int | None
    end_line: int | None
    end_column: int | None
    prefix: str  # "cell 3, line 2: " for notebook findings, else ""


def checkout_prefix(result: RunResult) -> str:
    """The checked root relative to its git work tree (``"svc/ml/"``), so paths are repository-relative."""
    inventory = getattr(result, "inventory", None)
    git_root = getattr(inventory, "git_root", None)
    if not git_root:
        return ""
    try:
        rel = Path(result.root).resolve().relative_to(Path(git_root).resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel in ("", ".") else rel + "/"


def anchor_file(result: RunResult) -> str:
    """The file a repository-wide finding is shown on: the README or project file, else the first file."""
    files = list(getattr(getattr(result, "inventory", None), "files", None) or [])
    present = set(files)
    for name in ROOT_FILES:
        if name in present or (Path(result.root) / name).is_file():
            return name
    return files[0] if files else "."


@dataclass(frozen=True)
class CellInfo:
    """What a person sees of a notebook cell: its execution count (``[In 12]``), its id, its first line."""

    execution_count: int | None
    cell_id: str | None
    first_line: str

    def label(self, index: int) -> str:
        """``cell 3 [In 12]``, or ``cell 3 (id 9f2c1a)`` for a cell never run, or ``cell 3``."""
        if self.execution_count is not None:
            return f"cell {index} [In {self.execution_count}]"
        if self.cell_id:
            return f"cell {index} (id {self.cell_id[:12]})"
        return f"cell {index}"


def cell_info(root: Path, rel: str, cell: int) -> CellInfo | None:
    """The execution count, id and first non-blank source line of cell ``cell`` (0-based, as in JSON)."""
    path = Path(root) / rel
    try:
        stat = path.stat()
    except (OSError, ValueError):  # ValueError: a NUL in a name that came from a report, not the disk
        return None
    return _cells(str(path), stat.st_mtime_ns, stat.st_size).get(cell)


@lru_cache(maxsize=64)
def _cells(path: str, _mtime: int, _size: int) -> dict[int, CellInfo]:
    from mllint.core.reads import read_regular

    try:
        cells = json.loads(read_regular(path, MAX_NOTEBOOK_BYTES).decode("utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError, MemoryError):
        return {}
    out = {}
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        if not isinstance(cell, dict):
            continue
        source = cell.get("source")
        text = "".join(source) if isinstance(source, list) and all(isinstance(p, str) for p in source) else \
            source if isinstance(source, str) else ""
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        count = cell.get("execution_count")
        cell_id = cell.get("id")
        out[index] = CellInfo(count if isinstance(count, int) and not isinstance(count, bool) else None,
                              cell_id if isinstance(cell_id, str) else None, first[:60] + ("…" if len(first) > 60 else ""))
    return out


def display_location(finding: Finding, root: Path) -> str:
    """``path:line:col``; in a notebook ``nb.ipynb:cell 3 [In 12]:2:15`` (the 0-based index as in JSON, then
    what Jupyter shows: the execution count, or the cell id of a cell never run)."""
    if finding.path is None or finding.cell is None:
        return finding.location()
    info = cell_info(root, finding.path, finding.cell)
    label = info.label(finding.cell) if info else f"cell {finding.cell}"
    parts = [finding.path, label]
    if finding.line is not None:
        parts += [str(finding.line), str(finding.column if finding.column is not None else 1)]
    return ":".join(parts)


def place(finding: Finding, result: RunResult, prefix: str | None = None, anchor: str | None = None, describe_cell: bool = False) -> Place:
    """Where a CI format shows ``finding``; ``describe_cell`` names a notebook cell as Jupyter shows it
    (``cell 3 [In 12] (first line)``) in the message prefix, for formats read by people (GitHub annotations)."""
    prefix = checkout_prefix(result) if prefix is None else prefix
    if finding.path is None:
        return Place(prefix + (anchor or anchor_file(result)), None, None, None, None, "")
    path = prefix + finding.path
    if finding.cell is not None:
        info = cell_info(Path(result.root), finding.path, finding.cell) if describe_cell else None
        label = info.label(finding.cell) if info else f"cell {finding.cell}"
        if info and info.first_line:
            label += f" ({info.first_line})"
        where = label + (f", line {finding.line}" if finding.line else "")
        raw = notebook_line(Path(result.root) / finding.path, finding.cell, finding.line) if finding.line else None
        return Place(path, raw, None, None, None, f"{where}: ")
    return Place(path, finding.line, finding.column, finding.end_line, finding.end_column, "")


def notebook_line(path: Path, cell: int, line: int) -> int | None:
    """The line of the raw notebook file holding ``line`` of cell ``cell``, or None if unsure."""
    try:
        stat = path.stat()
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return None
    return _notebook_lines(str(path), stat.st_mtime_ns, stat.st_size).get((cell, line))


@lru_cache(maxsize=64)
def _notebook_lines(path: str, _mtime: int, _size: int) -> dict[tuple[int, int], int]:
    """(cell, line in cell) -> raw line, for cells whose source is a list of one-line JSON strings
    found, in order, as consecutive raw lines (how Jupyter writes notebooks)."""
    from mllint.core.reads import read_regular

    try:
        text = read_regular(path, MAX_NOTEBOOK_BYTES).decode("utf-8")
        cells = json.loads(text)["cells"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError, MemoryError):
        return {}  # unreadable, not JSON, nested too deeply for the decoder: whole-notebook findings
    strings: list[tuple[int, str]] = []  # (raw line number, the JSON string on it)
    for number, raw in enumerate(text.splitlines(), start=1):
        token = raw.strip().rstrip(",")
        if len(token) >= 2 and token[0] == token[-1] == '"':
            try:
                strings.append((number, json.loads(token)))
            except ValueError:
                continue
    values = [value for _, value in strings]
    mapping: dict[tuple[int, int], int] = {}
    cursor = 0
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        source = cell.get("source") if isinstance(cell, dict) else None
        if not isinstance(source, list) or not source or not all(
                isinstance(item, str) and "\n" not in item.rstrip("\n") and item.count("\n") <= 1 for item in source):
            continue
        size = len(source)
        start = next((i for i in range(cursor, len(values) - size + 1) if values[i:i + size] == source), None)
        if start is None:
            continue
        for offset in range(size):
            mapping[(index, offset + 1)] = strings[start + offset][0]
        cursor = start + size
    return mapping


_DIGITS = re.compile(r"\d+")


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    """A stable id per finding that survives edits above it: rule, file, cell, message with numbers
    blanked, and the occurrence index among identical keys (never the line)."""
    import hashlib  # not at the top: only the formats with fingerprints need it (OpenSSL's import is ~4 ms)

    seen: Counter[str] = Counter()
    out = []
    for f in findings:
        key = "|".join((f.code, f.path or "", "" if f.cell is None else str(f.cell), _DIGITS.sub("#", f.message)))
        seen[key] += 1
        out.append(hashlib.sha256(f"{key}|{seen[key]}".encode("utf-8", "surrogateescape")).hexdigest()[:32])
    return out
