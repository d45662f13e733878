"""The result cache: per-file findings and facts keyed by content hash, per settings fingerprint.

Lives in ``.mllint_cache/`` (or ``--cache-dir``) with a ``CACHEDIR.TAG`` and a ``.gitignore`` so
that backup tools and git skip it. Stored as JSON (never pickle: a cache inside a checked repository
must not be able to run code). A corrupt, foreign or concurrently written cache is ignored and
rebuilt; failing to write it is not an error.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from mllint import __version__

TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by mllint.\n"
FORMAT = 2  # entries: [digest, findings, facts, stat key or None]
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
            if self.file.is_symlink():
                return
            with self.file.open("rb") as handle:
                data = json.load(handle)
            if (isinstance(data, dict) and data.get("format") == FORMAT and data.get("version") == __version__
                    and data.get("fingerprint") == self.fingerprint and isinstance(data.get("entries"), dict)):
                self.entries = {
                    k: v for k, v in data["entries"].items()
                    if isinstance(v, list) and len(v) == 4 and isinstance(v[0], str)
                    and isinstance(v[1], list) and isinstance(v[2], dict) and (v[3] is None or isinstance(v[3], list))
                    and all(isinstance(f, dict) for f in v[1])
                }
        except (OSError, ValueError, RecursionError, TypeError, AttributeError, MemoryError):
            self.entries = {}

    def get(self, path: str, digest: str) -> tuple[list[dict], dict] | None:
        entry = self.entries.get(path)
        if entry and entry[0] == digest:
            return entry[1], entry[2]
        return None

    def stat_matches(self, path: str, key: list[int]) -> bool:
        """True when the entry was recorded for a file of this size, mtime and inode (no need to read it)."""
        entry = self.entries.get(path)
        return bool(entry) and entry[3] is not None and entry[3] == key

    def put(self, path: str, digest: str, findings: list[dict], facts: dict, stat_key: list[int] | None = None) -> None:
        self.entries[path] = [digest, findings, facts, stat_key]
        self.dirty = True

    def retain(self, paths: set[str]) -> None:
        stale = [p for p in self.entries if p not in paths]
        for path in stale:
            del self.entries[path]
        self.dirty = self.dirty or bool(stale)

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tag = self.directory / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(TAG)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by mllint\n*\n")
            payload = {"format": FORMAT, "version": __version__, "fingerprint": self.fingerprint, "entries": self.entries}
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w") as handle:
                json.dump(payload, handle, separators=(",", ":"))
            os.replace(tmp, self.file)
            others = sorted(self.directory.glob("results-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in others[KEEP:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass
