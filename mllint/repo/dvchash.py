"""DVC's content hashes, computed without DVC: what ``dvc.lock`` records for a dependency.

- DVC 3 (entries with ``hash: md5``): the MD5 of the file's bytes.
- DVC 2 (entries without ``hash``, "md5-dos2unix"): the MD5 after turning CRLF into LF, for files DVC
  takes for text (its ``istextblock`` test on the first 512 bytes); binary files as they are.
- Directories (``<md5>.dir``): the MD5 of the JSON list ``[{"md5": ..., "relpath": ...}]`` of every file
  below, sorted by path, ``json.dumps(..., sort_keys=True)`` -- as DVC writes its ``.dir`` objects.

Hashes are memoised by (path, size, mtime) in the run's cache directory, and bounded: files larger than
``max_file_bytes`` or directories of more than ``max_dir_files`` files are not hashed (``None``), so a
check never reads a data lake. ``.dvcignore`` at the root is honoured (gitignore patterns); a folder holding its own ``.dvcignore``
is not hashed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from mllint.core.patterns import PathPatterns

TEXT_CHARS = bytes(range(32, 127)) + b"\n\r\t\f\b"
TEXT_PROBE = 512
CHUNK = 1 << 20
MEMO_FILE = "dvc-md5.json"


def is_text_block(block: bytes) -> bool:
    """DVC's ``istextblock``: no NUL byte and at most 30% of other control/non-ASCII bytes."""
    if not block:
        return True
    if b"\x00" in block:
        return False
    nontext = block.translate(None, TEXT_CHARS)
    return len(nontext) / len(block) <= 0.30


def file_md5(path: Path, dos2unix: bool, crlf: bool = False) -> str | None:
    """The MD5 DVC records for one file (``dos2unix``: the DVC 2 algorithm).

    ``crlf``: the MD5 the file would have with Windows line endings (a lock file written on Windows,
    checked out with LF by git); None when the file is not text or already has CR bytes.
    """
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        first = handle.read(CHUNK)
        is_text = is_text_block(first[:TEXT_PROBE])
        text = dos2unix and is_text
        if crlf and (not is_text or b"\r" in first):
            return None
        chunk = first
        while chunk:
            if crlf:
                if b"\r" in chunk:
                    return None
                chunk = chunk.replace(b"\n", b"\r\n")
            digest.update(chunk.replace(b"\r\n", b"\n") if text else chunk)
            chunk = handle.read(CHUNK)
    return digest.hexdigest()


@dataclass
class DvcHasher:
    """Hashes files and folders of one checked root the way DVC does, within limits, memoised."""

    root: Path
    cache_dir: Path | None = None
    max_file_bytes: int = 256 * 1024 * 1024
    max_dir_files: int = 10_000
    _memo: dict[str, list[object]] = field(default_factory=dict)
    _loaded: bool = False
    _dirty: bool = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self.cache_dir is None:
            return
        try:
            data = json.loads((self.cache_dir / MEMO_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict):
            self._memo = {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, list) and len(v) == 3}

    def save(self) -> None:
        if not self._dirty or self.cache_dir is None:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_dir / (MEMO_FILE + ".tmp")
            tmp.write_text(json.dumps(self._memo), "utf-8")
            os.replace(tmp, self.cache_dir / MEMO_FILE)
        except OSError:
            pass
        self._dirty = False

    def file(self, rel: str, dos2unix: bool, crlf: bool = False) -> str | None:
        """The file's MD5 (``crlf``: with Windows line endings, see :func:`file_md5`), or None when it is
        missing, unreadable, outside the root or too large."""
        path = self.root / rel
        try:
            if path.is_symlink() or not path.is_file():
                return None
            resolved = path.resolve()
            if self.root.resolve() not in resolved.parents:
                return None
            stat = path.stat()
        except OSError:
            return None
        if stat.st_size > self.max_file_bytes:
            return None
        self._load()
        key = f"{'d2u' if dos2unix else 'md5'}{'-crlf' if crlf else ''}:{rel}"
        stamp = [stat.st_size, stat.st_mtime_ns]
        cached = self._memo.get(key)
        if cached is not None and cached[:2] == stamp and isinstance(cached[2], (str, type(None))):
            return cached[2]
        try:
            value = file_md5(path, dos2unix, crlf)
        except OSError:
            return None
        self._memo[key] = [*stamp, value]
        self._dirty = True
        return value

    def directory(self, rel: str, dos2unix: bool, crlf: bool = False) -> str | None:
        """The ``<md5>.dir`` hash of a folder (``crlf``: its text files with Windows line endings), or
        None when it cannot be computed within the limits."""
        files = self.listing(rel)
        if files is None:
            return None
        entries: list[dict[str, str]] = []
        for inner in files:
            path = f"{rel}/{inner}" if rel else inner
            value = self.file(path, dos2unix, crlf)
            if value is None and crlf:
                value = self.file(path, dos2unix)  # binary files keep their bytes
            if value is None:
                return None
            entries.append({"md5": value, "relpath": inner})
        entries.sort(key=lambda item: item["relpath"].split("/"))
        payload = json.dumps(entries, sort_keys=True).encode("utf-8")
        return hashlib.md5(payload, usedforsecurity=False).hexdigest() + ".dir"

    def listing(self, rel: str) -> list[str] | None:
        """The files DVC hashes in folder ``rel`` (paths inside it), without those ``.dvcignore`` leaves out;
        None when it is not a folder, holds too many files, or has a ``.dvcignore`` of its own."""
        base = self.root / rel
        if base.is_symlink() or not base.is_dir():
            return None
        ignored = self._dvcignore()
        out: list[str] = []
        for folder, dirs, files in os.walk(base):
            dirs.sort()
            if ".dvcignore" in files:
                return None  # nested .dvcignore files: DVC's merging rules are not re-implemented
            for name in files:
                inner = (Path(folder) / name).relative_to(base).as_posix()
                if ignored is not None and ignored(f"{rel}/{inner}" if rel else inner):
                    continue
                out.append(inner)
                if len(out) > self.max_dir_files:
                    return None
        return out

    def _dvcignore(self) -> PathPatterns | None:
        try:
            text = (self.root / ".dvcignore").read_text("utf-8", "replace")
        except OSError:
            return None
        return PathPatterns(line for line in text.splitlines() if not line.lstrip().startswith("#"))
