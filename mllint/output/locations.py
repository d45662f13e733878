"""Where CI formats (sarif, github, gitlab, junit) put a finding, and its line-independent fingerprint.

CI systems want paths relative to the repository checkout, a file for every result (repository
findings without a file are anchored on the repository's root file, e.g. ``README.md``), and line
numbers that exist in the file: a notebook finding's line is counted inside its cell, so on the raw
``.ipynb`` it is reported at line 1 with the cell and line in the message.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

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


def checkout_prefix(result) -> str:
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


def anchor_file(result) -> str:
    """The file a repository-wide finding is shown on: the README or project file, else the first file."""
    files = list(getattr(getattr(result, "inventory", None), "files", None) or [])
    present = set(files)
    for name in ROOT_FILES:
        if name in present or (Path(result.root) / name).is_file():
            return name
    return files[0] if files else "."


def place(finding, result, prefix: str | None = None, anchor: str | None = None) -> Place:
    prefix = checkout_prefix(result) if prefix is None else prefix
    if finding.path is None:
        return Place(prefix + (anchor or anchor_file(result)), None, None, None, None, "")
    path = prefix + finding.path
    if finding.cell is not None:
        where = f"cell {finding.cell}" + (f", line {finding.line}" if finding.line else "")
        return Place(path, None, None, None, None, f"{where}: ")
    return Place(path, finding.line, finding.column, finding.end_line, finding.end_column, "")


_DIGITS = re.compile(r"\d+")


def fingerprints(findings) -> list[str]:
    """A stable id per finding that survives edits above it: rule, file, cell, message with numbers
    blanked, and the occurrence index among identical keys (never the line)."""
    seen: Counter = Counter()
    out = []
    for f in findings:
        key = "|".join((f.code, f.path or "", "" if f.cell is None else str(f.cell), _DIGITS.sub("#", f.message)))
        seen[key] += 1
        out.append(hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest()[:32])
    return out
