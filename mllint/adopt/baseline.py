"""Baselines: accept today's findings explicitly and fail only on new ones (docs/adoption.md).

A baseline file (default ``.mllint-baseline.json``, reviewed into git) lists findings by a
*fingerprint* that survives unrelated edits: never a line number, but

- code findings: the rule, the path and the finding's source line with all whitespace removed,
  plus its nearest non-blank neighbours (for notebooks: the line and neighbours inside the cell,
  never the cell index, so inserting a cell above changes nothing);
- repository findings: the rule, the path and the evidence (or, without evidence, the message),
  numbers removed: sizes and counts change without the finding changing.

Matching is two-tier: first by full fingerprint (line + neighbours), then by the line alone
(``loose``) so that editing a neighbour does not resurrect a baselined finding. Identical findings
are matched as a multiset: a third copy of a twice-baselined line is new.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mllint import __version__
from mllint.adopt.baselinefile import DEFAULT_BASELINE as DEFAULT_BASELINE  # re-exported: the light module's
from mllint.adopt.baselinefile import BaselineError as BaselineError
from mllint.core.findings import Finding
from mllint.core.hashing import blake2b
from mllint.core.reads import depth_exceeds
from mllint.core.source import SourceError, decode_python, notebook_cells

FORMAT_VERSION = 1
_WHITESPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def normalise(line: str) -> str:
    """A source line without any whitespace: stable under re-indentation and spacing changes."""
    return _WHITESPACE.sub("", line)


def _digest(*parts: str) -> str:
    return blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


class SourceLines:
    """Reads the checked files once; gives the lines of a ``.py`` file or of one notebook cell."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[str, Any] = {}

    def lines(self, path: str, cell: int | None) -> list[str] | None:
        if path not in self._files:
            self._files[path] = self._load(path)
        loaded = self._files[path]
        if loaded is None:
            return None
        if isinstance(loaded, dict):
            source = loaded.get(cell)
            return None if source is None else str(source).split("\n")
        return list(loaded)

    def _load(self, path: str) -> Any:
        try:
            data = (self.root / path).read_bytes()
        except OSError:
            return None
        try:
            if path.endswith(".ipynb"):
                return dict(notebook_cells(data))
            return decode_python(data).split("\n")
        except SourceError:
            return None


def _neighbour(lines: list[str], index: int, step: int) -> str:
    index += step
    while 0 <= index < len(lines):
        text = normalise(lines[index])
        if text:
            return text
        index += step
    return ""


@dataclass(frozen=True)
class Key:
    """The two identities of a finding: ``exact`` (line and neighbours) and ``loose`` (line only)."""

    exact: str
    loose: str


def finding_key(finding: Finding, sources: SourceLines) -> Key:
    """Fingerprint one finding (see the module docstring)."""
    path = finding.path or ""
    if finding.kind == "repo" or finding.line is None or not finding.path:
        if finding.evidence:
            detail = "\n".join(sorted(_DIGITS.sub("#", str(item)) for item in finding.evidence))
        else:
            detail = _DIGITS.sub("#", finding.message)
        value = _digest(finding.code, path, "repo" if finding.kind == "repo" else "file", detail)
        return Key(value, value)
    lines = sources.lines(path, finding.cell)
    index = finding.line - 1
    if lines is None or not 0 <= index < len(lines):
        value = _digest(finding.code, path, "message", _DIGITS.sub("#", finding.message))
        return Key(value, value)
    here = normalise(lines[index])
    loose = _digest(finding.code, path, "line", here)
    exact = _digest(finding.code, path, "context", _neighbour(lines, index, -1), here, _neighbour(lines, index, 1))
    return Key(exact, loose)


@dataclass
class Entry:
    """One baselined finding as stored in the file (message and line are for human reviewers)."""

    code: str
    kind: str
    path: str | None
    fingerprint: str
    loose: str
    message: str
    line: int | None = None
    cell: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = {"code": self.code, "kind": self.kind, "path": self.path, "fingerprint": self.fingerprint, "loose": self.loose,
                "message": self.message, "line": self.line}
        if self.cell is not None:
            data["cell"] = self.cell
        return data


@dataclass
class Baseline:
    entries: list[Entry] = field(default_factory=list)

    @classmethod
    def from_findings(cls, findings: Iterable[Finding], root: Path) -> Baseline:
        sources = SourceLines(root)
        entries = []
        for finding in findings:
            key = finding_key(finding, sources)
            entries.append(Entry(finding.code, finding.kind, finding.path, key.exact, key.loose, finding.message,
                                 finding.line, finding.cell))
        return cls(entries)

    def sorted_entries(self) -> list[Entry]:
        return sorted(self.entries, key=lambda e: (e.path or "", e.code, e.cell if e.cell is not None else -1,
                                                   e.line or 0, e.fingerprint))

    def dumps(self) -> str:
        data = {
            "version": FORMAT_VERSION,
            "generator": f"mllint {__version__}",
            "comment": "Accepted mllint findings; `mllint check` fails only on findings not listed here. "
                       "Regenerate with `mllint baseline`, drop fixed ones with `mllint baseline --prune`.",
            "findings": [entry.to_json() for entry in self.sorted_entries()],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def write(self, path: Path, confine: Path | None = None) -> None:
        """Write atomically; never through a symlink, and inside ``confine`` when given (raises OSError)."""
        from mllint.core.writes import atomic_write

        atomic_write(path, self.dumps(), confine=confine)

    @classmethod
    def read(cls, path: Path) -> Baseline:
        """Parse and validate a baseline file (every field's type); raises :class:`BaselineError`."""
        from mllint.core.reads import read_regular

        try:
            data = json.loads(read_regular(path, MAX_BASELINE_BYTES).decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise BaselineError(f"cannot read baseline {path}: {exc}") from None
        except (RecursionError, MemoryError):
            raise BaselineError(f"cannot read baseline {path}: nested too deeply or too large") from None
        if depth_exceeds(data, MAX_BASELINE_DEPTH):  # Python 3.12+ decodes deeper documents than 3.10 does
            raise BaselineError(f"cannot read baseline {path}: nested too deeply") from None
        if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
            raise BaselineError(f"{path} is not an mllint baseline (expected an object with a 'findings' list)")
        if data.get("version") != FORMAT_VERSION:
            version = data.get("version")
            shown = repr(version)[:40] if isinstance(version, (str, int, float)) or version is None else type(version).__name__
            raise BaselineError(f"{path}: unsupported baseline version {shown} (expected {FORMAT_VERSION})")
        return cls([_entry(path, number, item) for number, item in enumerate(data["findings"])])


MAX_BASELINE_BYTES = 100_000_000
MAX_BASELINE_DEPTH = 32  # a baseline is four levels deep
#: Field -> (accepted types, may be null); ``bool`` is never accepted where an int is meant.
_FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "code": ((str,), False), "fingerprint": ((str,), False), "kind": ((str,), True), "path": ((str,), True),
    "loose": ((str,), True), "message": ((str,), True), "line": ((int,), True), "cell": ((int,), True),
}


def _entry(path: Path, number: int, item: Any) -> Entry:
    """One validated entry of ``findings``; raises BaselineError naming the entry and the key."""
    if not isinstance(item, dict):
        raise BaselineError(f"{path}: findings[{number}] must be an object")
    for key, (types, nullable) in _FIELDS.items():
        value = item.get(key)
        if value is None and (nullable or key not in ("code", "fingerprint")):
            continue
        if isinstance(value, bool) or not isinstance(value, types):
            expected = " or ".join(t.__name__ for t in types) + (" or null" if nullable else "")
            raise BaselineError(f"{path}: findings[{number}].{key} must be {expected.replace('str', 'a string').replace('int', 'an integer')}")
    kind = item.get("kind") or "code"
    if kind not in ("code", "repo"):
        raise BaselineError(f"{path}: findings[{number}].kind must be \"code\" or \"repo\"")
    return Entry(item["code"], kind, item.get("path"), item["fingerprint"], item.get("loose") or item["fingerprint"],
                 item.get("message") or "", item.get("line"), item.get("cell"))


@dataclass
class Comparison:
    """A run's findings split against a baseline."""

    new: list[Finding] = field(default_factory=list)
    baselined: list[Finding] = field(default_factory=list)
    fixed: list[Entry] = field(default_factory=list)  # baseline entries nothing matched any more
    untouched: list[Entry] = field(default_factory=list)  # entries outside what this run checked


def compare(findings: Iterable[Finding], baseline: Baseline, root: Path, *, checked_paths: set[str] | None = None,
            code_rules_run: bool = True, repo_rules_run: bool = True, enabled: frozenset[str] | set[str] | None = None) -> Comparison:
    """Match ``findings`` against ``baseline``. Entries outside what this run checked (other files,
    repository rules not run, rules disabled) are neither matched nor reported as fixed."""
    sources = SourceLines(root)
    result = Comparison()
    exact: dict[str, list[Entry]] = {}
    loose: dict[str, list[Entry]] = {}
    for entry in baseline.entries:
        exact.setdefault(entry.fingerprint, []).append(entry)
    used: set[int] = set()
    keyed = [(finding, finding_key(finding, sources)) for finding in findings]
    pending: list[tuple[Finding, Key]] = []
    for finding, key in keyed:  # tier 1: line and neighbours
        bucket = exact.get(key.exact, [])
        match = next((e for e in bucket if id(e) not in used), None)
        if match is not None:
            used.add(id(match))
            result.baselined.append(finding)
        else:
            pending.append((finding, key))
    for entry in baseline.entries:
        if id(entry) not in used:
            loose.setdefault(entry.loose, []).append(entry)
    for finding, key in pending:  # tier 2: the line alone
        bucket = loose.get(key.loose, [])
        match = next((e for e in bucket if id(e) not in used), None)
        if match is not None:
            used.add(id(match))
            result.baselined.append(finding)
        else:
            result.new.append(finding)
    for entry in baseline.entries:
        if id(entry) in used:
            continue
        if _in_scope(entry, checked_paths, code_rules_run, repo_rules_run, enabled):
            result.fixed.append(entry)
        else:
            result.untouched.append(entry)
    return result


def _in_scope(entry: Entry, checked_paths: set[str] | None, code_rules_run: bool, repo_rules_run: bool,
              enabled: frozenset[str] | set[str] | None) -> bool:
    if enabled is not None and entry.code not in enabled:
        return False
    if entry.kind == "repo":
        return repo_rules_run
    return code_rules_run and (checked_paths is None or entry.path in checked_paths)
