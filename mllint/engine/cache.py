"""The result cache: per-file findings and facts keyed by content hash, per settings fingerprint.

Lives in ``.mllint_cache/`` (or ``--cache-dir``) with a ``CACHEDIR.TAG`` and a ``.gitignore`` so
that backup tools and git skip it. Stored as JSON (never pickle: a cache inside a checked repository
must not be able to run code). A corrupt, foreign or concurrently written cache is ignored and
rebuilt; failing to write it is not an error.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from mllint import __version__
from mllint.core.findings import Finding

TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by mllint.\n"
FORMAT = 3  # entries: [digest, findings, facts, stat key or None]
FINDING_KEYS = frozenset(f.name for f in dataclasses.fields(Finding))
KEEP = 4  # result files kept (one per settings fingerprint, e.g. pre-commit's and CI's)


class ResultCache:
    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.directory = directory
        self.file = directory / f"results-{fingerprint}.json"
        self.fingerprint = fingerprint
        self.entries: dict[str, list[Any]] = {}
        self.dirty = False

    def load(self) -> None:
        try:
            if self.file.is_symlink() or self.directory.is_symlink():
                return
            with self.file.open("rb") as handle:
                data = json.load(handle)
            if (isinstance(data, dict) and data.get("format") == FORMAT and data.get("version") == __version__
                    and data.get("fingerprint") == self.fingerprint and isinstance(data.get("entries"), dict)):
                self.entries = {
                    k: v for k, v in data["entries"].items()
                    if isinstance(v, list) and len(v) == 4 and isinstance(v[0], str)
                    and isinstance(v[1], list) and isinstance(v[2], dict) and (v[3] is None or isinstance(v[3], list))
                    and all(isinstance(f, dict) and isinstance(f.get("code"), str) and f.keys() <= FINDING_KEYS for f in v[1])
                }
        except (OSError, ValueError, RecursionError, TypeError, AttributeError, MemoryError):
            self.entries = {}

    def get(self, path: str, digest: str) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
        entry = self.entries.get(path)
        if entry and entry[0] == digest:
            return entry[1], entry[2]
        return None

    def stat_matches(self, path: str, key: list[int]) -> bool:
        """True when the entry was recorded for a file of this size, mtime and inode (no need to read it)."""
        entry = self.entries.get(path)
        return entry is not None and entry[3] is not None and entry[3] == key

    def put(self, path: str, digest: str, findings: list[dict[str, Any]], facts: dict[str, Any],
            stat_key: list[int] | None = None) -> None:
        self.entries[path] = [digest, findings, facts, stat_key]
        self.dirty = True

    def retain(self, paths: set[str]) -> None:
        stale = [p for p in self.entries if p not in paths]
        for path in stale:
            del self.entries[path]
        self.dirty = self.dirty or bool(stale)

    def save(self) -> None:
        """Write atomically (temp file + rename). A cache directory that is a symlink is never used: a
        checked repository must not be able to redirect mllint's writes outside itself."""
        if not self.dirty:
            return
        payload = {"format": FORMAT, "version": __version__, "fingerprint": self.fingerprint, "entries": self.entries}
        try:
            text = json.dumps(payload, separators=(",", ":"))  # one C-encoder call: 2-3x faster than json.dump
        except (TypeError, ValueError, RecursionError):
            return  # unserialisable facts: run without a cache rather than fail
        tmp = None
        try:
            if self.directory.is_symlink() or self.file.parent.is_symlink():
                return
            self.directory.mkdir(parents=True, exist_ok=True)
            _create(self.directory / "CACHEDIR.TAG", TAG)
            _create(self.directory / ".gitignore", "# Created by mllint\n*\n")
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self.file)  # rename replaces a symlink itself, never its target
            tmp = None
            others = sorted(self.directory.glob("results-*.json"), key=lambda p: p.lstat().st_mtime, reverse=True)
            for old in others[KEEP:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def _create(path: Path, text: str) -> None:
    """Create ``path`` with ``text`` unless something (even a dangling symlink) is already there."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
