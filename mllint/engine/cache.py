"""The result cache: per-file findings and facts keyed by content hash, per settings fingerprint.

Lives in ``.mllint_cache/`` (or ``cache-dir``/``--cache-dir``) with a ``CACHEDIR.TAG`` and a
``.gitignore`` so that backup tools and git skip it; only a directory so tagged is ever read, written
or pruned (see :class:`ResultCache`). Stored as JSON (never pickle: a cache inside a checked repository
must not be able to run code). A corrupt, foreign or concurrently written cache is ignored and
rebuilt; failing to write it is not an error.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from mllint import __version__
from mllint.core.cachedir import TAG, is_tagged, prune
from mllint.core.findings import Finding
from mllint.core.writes import atomic_write, create_exclusive, inside

FORMAT = 3  # entries: [digest, findings, facts, stat key or None]
FINDING_KEYS = frozenset(f.name for f in dataclasses.fields(Finding))
KEEP = 4  # result files kept (one per settings fingerprint, e.g. pre-commit's and CI's)


class ResultCache:
    """The results file of one settings fingerprint in a cache directory mllint owns.

    mllint reads and writes only a directory it created and tagged (``CACHEDIR.TAG`` with mllint's
    signature), or an empty one it then tags. ``confine`` (the checked root, for the default and for a
    ``cache-dir`` from a configuration file) must contain the directory, symlinks resolved; a directory
    given on the command line (``--cache-dir``) is not confined, but it too must be mllint's own: a
    folder full of the user's files (``--cache-dir .``) is never written, never pruned. Pruning
    deletes only ``results-<fingerprint>.json`` files (32 hex digits), never anything else.
    """

    def __init__(self, directory: Path, fingerprint: str, confine: Path | None = None) -> None:
        self.directory = directory
        self.file = directory / f"results-{fingerprint}.json"
        self.fingerprint = fingerprint
        self.confine = confine
        self.entries: dict[str, list[Any]] = {}
        self.dirty = False
        self.problem: str | None = None  # why the directory is not used (None: used, or not needed yet)
        self.owned = False  # the directory exists and is mllint's (rules may memoise there)

    def _check(self, create: bool) -> bool:
        """Is the directory mllint's own? With ``create``, make and tag it when it is missing or empty."""
        directory = self.directory
        try:
            st = os.lstat(directory)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            self.problem = f"cache directory {directory} cannot be read: {exc.strerror or exc}"
            return False
        if st is not None and (stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode)):
            self.problem = f"cache directory {directory} is not a directory (or is a symbolic link): not used"
            return False
        if self.confine is not None and not inside(_existing(directory), self.confine):
            self.problem = f"cache directory {directory} resolves outside {self.confine}: not used"
            return False
        if st is None:
            if not create:
                return False
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                self.problem = f"cannot create cache directory {directory}: {exc.strerror or exc}"
                return False
            if self.confine is not None and not inside(directory, self.confine):  # a link raced in
                self.problem = f"cache directory {directory} resolves outside {self.confine}: not used"
                return False
            return self._tag()
        if is_tagged(directory):
            self.owned = True
            return True
        if create and _empty(directory):
            return self._tag()
        self.problem = (f"{directory} is not a cache directory mllint created (it has no CACHEDIR.TAG of mllint's): "
                        "the cache is neither read nor written there")
        return False

    def _tag(self) -> bool:
        try:
            create_exclusive(self.directory / "CACHEDIR.TAG", TAG)
            create_exclusive(self.directory / ".gitignore", "# Created by mllint\n*\n")
        except OSError as exc:
            self.problem = f"cannot tag cache directory {self.directory}: {exc.strerror or exc}"
            return False
        self.owned = is_tagged(self.directory)
        return self.owned

    def load(self) -> None:
        self.entries = {}
        if not self._check(create=False):
            return
        try:
            fd = os.open(self.file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
            with open(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return
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
        """Write atomically (mllint.core.writes) into mllint's own directory; keep the newest results files."""
        if not self.dirty:
            return
        payload = {"format": FORMAT, "version": __version__, "fingerprint": self.fingerprint, "entries": self.entries}
        try:
            text = json.dumps(payload, separators=(",", ":"))  # one C-encoder call: 2-3x faster than json.dump
        except (TypeError, ValueError, RecursionError):
            return  # unserialisable facts: run without a cache rather than fail
        if not self._check(create=True):
            return
        try:
            atomic_write(self.file, text, confine=self.directory)
        except OSError:
            return
        prune(self.directory, RESULTS, KEEP)


RESULTS = re.compile(r"results-[0-9a-f]{32}\.json")


def _empty(directory: Path) -> bool:
    try:
        with os.scandir(directory) as entries:
            return next(iter(entries), None) is None
    except OSError:
        return False


def _existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (what a confinement check can resolve)."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return path
