"""The result cache: per-file findings and facts keyed by content hash, per settings fingerprint.

``results-<fingerprint>.json`` holds each file's content digest, findings, stat key, facts digest and
summary (parsed? a notebook? how many lines: what a rule over every module's size asks without the facts);
the facts themselves (what repository rules read) are in ``facts-<fingerprint>-<shard>.json``, 16
files by a hash of the path, read only when a repository rule has to run again (its inputs changed:
``repocache.py``), and rewritten shard by shard: a warm run reads the small results file only.

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
from mllint.core.hashing import blake2b
from mllint.core.writes import atomic_write, create_exclusive, inside

FORMAT = 6  # entries: [digest, findings, stat key or None, facts digest, summary]; facts in SHARDS files beside
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
        self._shards: dict[int, dict[str, Any]] = {}  # facts files read so far: path -> [facts digest, facts]
        self._dirty_shards: set[int] = set()

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

    def ensure(self) -> bool:
        """Create and tag the directory now if needed (before anything is memoised in it); is it mllint's?"""
        if not self.owned:
            self._check(create=True)
        return self.owned

    def load(self) -> None:
        self.entries = {}
        self._shards = {}
        if not self._check(create=False):
            return
        data = _read_json(self.file)
        if (isinstance(data, dict) and data.get("format") == FORMAT and data.get("version") == __version__
                and data.get("fingerprint") == self.fingerprint and isinstance(data.get("entries"), dict)):
            try:
                self.entries = {
                    k: v for k, v in data["entries"].items()
                    if isinstance(v, list) and len(v) == 5 and isinstance(v[0], str) and isinstance(v[3], str)
                    and isinstance(v[1], list) and (v[2] is None or isinstance(v[2], list)) and _is_summary(v[4])
                    and all(isinstance(f, dict) and isinstance(f.get("code"), str) and f.keys() <= FINDING_KEYS for f in v[1])
                }
            except (TypeError, AttributeError):
                self.entries = {}

    def get(self, path: str, digest: str) -> list[dict[str, Any]] | None:
        """The cached findings of ``path`` when they were computed for this content digest."""
        entry = self.entries.get(path)
        if entry and entry[0] == digest:
            return list(entry[1])
        return None

    def stat_matches(self, path: str, key: list[int]) -> bool:
        """True when the entry was recorded for a file of this size, mtime and inode (no need to read it)."""
        entry = self.entries.get(path)
        return entry is not None and entry[2] is not None and entry[2] == key

    def set_stat(self, path: str, key: list[int]) -> None:
        entry = self.entries.get(path)
        if entry is not None and entry[2] != key:
            entry[2] = key
            self.dirty = True

    def put(self, path: str, digest: str, findings: list[dict[str, Any]], facts: dict[str, Any],
            stat_key: list[int] | None = None) -> None:
        digest_of_facts = facts_digest(facts)
        summary = [facts.get("parsed") is True, facts.get("notebook") is True, facts.get("lines", 0)]
        self.entries[path] = [digest, findings, stat_key, digest_of_facts, summary]
        self.dirty = True
        shard = self._shard(shard_of(path))
        if shard.get(path) != [digest_of_facts, facts]:
            shard[path] = [digest_of_facts, facts]
            self._dirty_shards.add(shard_of(path))

    def facts_digest(self, path: str) -> str | None:
        """The digest of the facts cached for ``path`` (what repository rules' results are keyed by)."""
        entry = self.entries.get(path)
        return str(entry[3]) if entry else None

    def summary(self, path: str) -> tuple[bool, bool, int] | None:
        """``(parsed, notebook, lines)`` of the facts cached for ``path``, without reading them."""
        entry = self.entries.get(path)
        return (entry[4][0], entry[4][1], entry[4][2]) if entry else None

    def facts(self, path: str) -> dict[str, Any] | None:
        """The cached facts of ``path`` (read from its shard on first use; None when missing or stale)."""
        entry = self.entries.get(path)
        if entry is None:
            return None
        found = self._shard(shard_of(path)).get(path)
        if isinstance(found, list) and len(found) == 2 and found[0] == entry[3] and isinstance(found[1], dict):
            return found[1]
        return None

    def _shard(self, index: int) -> dict[str, Any]:
        shard = self._shards.get(index)
        if shard is None:
            shard = {}
            if self.owned or self._check(create=False):
                data = _read_json(self._shard_file(index))
                if (isinstance(data, dict) and data.get("format") == FORMAT and data.get("version") == __version__
                        and data.get("fingerprint") == self.fingerprint and isinstance(data.get("facts"), dict)):
                    shard = data["facts"]
            self._shards[index] = shard
        return shard

    def _shard_file(self, index: int) -> Path:
        return self.directory / f"facts-{self.fingerprint}-{index:x}.json"

    def retain(self, paths: set[str]) -> None:
        stale = [p for p in self.entries if p not in paths]
        for path in stale:
            del self.entries[path]
            index = shard_of(path)
            if index in self._shards and self._shards[index].pop(path, None) is not None:
                self._dirty_shards.add(index)
        self.dirty = self.dirty or bool(stale)

    def save(self) -> None:
        """Write atomically (mllint.core.writes) into mllint's own directory; keep the newest results files."""
        if not self.dirty and not self._dirty_shards:
            return
        texts: list[tuple[Path, str]] = []
        try:
            if self.dirty:  # one C-encoder call per file: 2-3x faster than json.dump
                payload = {"format": FORMAT, "version": __version__, "fingerprint": self.fingerprint, "entries": self.entries}
                texts.append((self.file, json.dumps(payload, separators=(",", ":"))))
            for index in sorted(self._dirty_shards):
                payload = {"format": FORMAT, "version": __version__, "fingerprint": self.fingerprint,
                           "facts": self._shards[index]}
                texts.append((self._shard_file(index), json.dumps(payload, separators=(",", ":"))))
        except (TypeError, ValueError, RecursionError):
            return  # unserialisable facts: run without a cache rather than fail
        if not self._check(create=True):
            return
        for path, text in reversed(texts):  # the facts before the results that point to them
            try:
                atomic_write(path, text, confine=self.directory)
            except OSError:
                return
        self.dirty = False
        self._dirty_shards.clear()
        prune(self.directory, RESULTS, KEEP)
        prune(self.directory, FACTS, KEEP * SHARDS)


RESULTS = re.compile(r"results-[0-9a-f]{32}\.json")
FACTS = re.compile(r"facts-[0-9a-f]{32}-[0-9a-f]\.json")
SHARDS = 16  # facts files per fingerprint: a run that changes one file rewrites one sixteenth of the facts


def shard_of(path: str) -> int:
    return blake2b(path.encode("utf-8", "surrogateescape"), digest_size=1).digest()[0] % SHARDS


def _read_json(path: Path) -> Any:
    """A JSON file mllint wrote (None when missing, not a regular file, unreadable or not JSON)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return json.load(handle)
    except (OSError, ValueError, RecursionError, MemoryError):
        return None


def _is_summary(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], bool) and isinstance(value[1], bool)
            and type(value[2]) is int)


def facts_digest(facts: dict[str, Any]) -> str:
    """A digest of one file's facts (as JSON): equal facts, equal digest, whatever the file's other content.
    The line count is left out: it changes with every added line, and the one rule that needs it reads
    it through ``RepoModel.line_counts``, which depends on the files' content digests instead."""
    kept = {key: value for key, value in facts.items() if key != "lines"}
    text = json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


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
