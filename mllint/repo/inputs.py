"""What a repository rule read: the inputs its result depends on, recorded so the result can be cached.

Every read of the repository model goes through one of its primitives (``read_text``, ``exists``,
``path_text``, ``is_dir``, ``listdir``, ``size``, ``git``, ``which``, the facts, the inventory), and each
primitive notes an :data:`Input` — a kind and a key — in the :class:`InputLog` of the rule (or model
part) that asked. An input's *value* is what the primitive saw: a content digest, an existence, a
listing, a git stamp. A rule's cached result is reused while every one of its inputs still has the
value it had (:meth:`Probe.unchanged`); a file whose size, modification time and inode are those
recorded is not read again (as for the per-file cache, files changed within two seconds of being
recorded are always re-read: racy timestamps).

Kinds and their values:

- ``files``: the inventory (every file's path, which are tracked, the git root, what discovery
  could not look at);
- ``facts``: the facts of every code file (a digest of each file's facts digest); ``digests``: the
  content digests of every code file (a rule that runs a tool over the sources);
- ``text``: a file of the tree read as text (key ``<limit>:<rel>``): digest of what was read, or none;
- ``exists``: whether a path (relative to the root, or absolute) exists; ``kind``: file, dir, other or
  missing; ``path``: an absolute path's text (files above the root: ``.gitattributes``, DVC config);
  ``dir``: a directory's listing; ``size``: a file's size;
- ``git``: ``refs`` (HEAD and every ref: what history and tracked state are read from), ``files``
  (the index, the repository's config and info files, the user's global and system git config,
  ignore and attributes files);
- ``which``: where a program is on PATH and that file's size and modification time;
- ``volatile``: something no record can capture (a tool that timed out): the result is never reused.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from mllint.core.hashing import blake2b
from mllint.core.programs import which

if TYPE_CHECKING:  # pragma: no cover
    from mllint.repo.inventory import Inventory

#: (kind, key): what was read.
Input = tuple[str, str]
#: What an input's value is stored as: JSON-friendly scalars and lists.
Value = Union[str, int, bool, None, list[Any]]
KINDS = ("files", "facts", "digests", "text", "exists", "kind", "path", "dir", "size", "git", "which", "volatile")
FRESH_NS = 2_000_000_000  # a file modified this recently is re-read on validation (racy mtime)
MAX_PATH_BYTES = 2_000_000


@dataclass
class InputLog:
    """The inputs one rule (or one part of the model: ``vcs``, ``manifests``…) read, and the parts it used."""

    inputs: set[Input] = field(default_factory=set)
    parts: set[str] = field(default_factory=set)

    def note(self, kind: str, key: str = "") -> None:
        self.inputs.add((kind, key))


def digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def _stat_tag(st: os.stat_result) -> list[int] | None:
    """Size, mtime and inode: lets a later run trust the recorded digest without reading (None: too fresh)."""
    if time.time_ns() - st.st_mtime_ns < FRESH_NS:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def read_limited(path: Path, limit: int, regular_only: bool = True) -> tuple[bytes | None, list[int] | None]:
    """A regular file's bytes when it is at most ``limit`` bytes (else None), and its stat tag."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None, None
        return path.read_bytes(), _stat_tag(st)
    except (OSError, ValueError):
        return None, None


def text_value(data: bytes | None, tag: list[int] | None) -> list[Any]:
    """The value of a ``text``/``path`` input: [digest or None, stat tag or None]."""
    return [digest(data) if data is not None else None, tag]


def split_text_key(key: str) -> tuple[int, str]:
    limit, _, rel = key.partition(":")
    return int(limit), rel


def git_paths(git_root: Path) -> dict[str, Path]:
    """The git files whose change can change what git answers (index, config, info/attributes and
    exclude, packed refs), found without running git (a ``.git`` file points to a worktree's folder)."""
    dot = git_root / ".git"
    gitdir = dot
    try:
        if dot.is_file():
            text = dot.read_text("utf-8", "replace").strip()
            if text.startswith("gitdir:"):
                gitdir = (git_root / text[len("gitdir:"):].strip()).resolve()
    except OSError:
        pass
    common = gitdir
    try:
        pointer = gitdir / "commondir"
        if pointer.is_file():
            common = (gitdir / pointer.read_text("utf-8", "replace").strip()).resolve()
    except OSError:
        pass
    return {"gitdir": gitdir, "index": gitdir / "index", "HEAD": gitdir / "HEAD", "config": common / "config",
            "config.worktree": gitdir / "config.worktree", "attributes": common / "info" / "attributes",
            "exclude": common / "info" / "exclude", "packed-refs": common / "packed-refs", "refs": common / "refs",
            "reftable": common / "reftable"}


def user_git_files() -> list[Path]:
    """The user's and the system's git configuration, ignore and attributes files (git reads them too)."""
    home = Path(os.path.expanduser("~"))
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "git"
    files = [Path(os.environ.get("GIT_CONFIG_GLOBAL") or home / ".gitconfig"), xdg / "config", xdg / "ignore",
             xdg / "attributes", Path(os.environ.get("GIT_CONFIG_SYSTEM") or "/etc/gitconfig")]
    return files


def _stat_line(path: Path) -> str:
    try:
        st = path.stat()
    except (OSError, ValueError):
        return f"{path}:-"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def _refs_stamp(gitdir: Path, common: Path) -> str:
    """HEAD and every ref, read from the ref files (loose refs, packed refs, reftable), as one digest."""
    parts: list[str] = []
    for path in (gitdir / "HEAD", common / "packed-refs"):
        try:
            parts.append(f"{path.name}={path.read_bytes()!r}")
        except OSError:
            parts.append(f"{path.name}=-")
    for folder in (common / "refs", common / "reftable", gitdir / "refs"):
        for base, _dirs, names in os.walk(folder):
            for name in sorted(names):
                path = Path(base) / name
                try:
                    parts.append(f"{path}={path.read_bytes()!r}")
                except OSError:
                    parts.append(f"{path}=-")
    return digest("\n".join(sorted(parts)).encode("utf-8", "surrogateescape"))


def file_size(root: Path, rel: str, known: Mapping[str, int]) -> int | None:
    """The size of a file of the tree: as the code pass found it when it read or stat'ed the file (``known``),
    else stat'ed now (None when it cannot be). Asked of every file: no ``Path``."""
    found = known.get(rel)
    if found is None:
        try:
            found = os.stat(os.path.join(root, rel)).st_size
        except (OSError, ValueError):
            found = None
    return found


class Probe:
    """The current value of inputs, computed once per run (what a rule would see if it ran now)."""

    def __init__(self, root: Path, inventory: Inventory, facts_digest: str, content_digest: str,
                 overlay: dict[str, bytes] | None = None, file_set: set[str] | None = None,
                 sizes: Mapping[str, int] | None = None) -> None:
        self.root = root
        self.sizes: Mapping[str, int] = sizes if sizes is not None else {}  # as the model's (RepoModel.size)
        self.inventory = inventory
        self.facts_digest = facts_digest
        self.content_digest = content_digest
        self.overlay = overlay or {}
        self.file_set = file_set if file_set is not None else set(inventory.files)
        self._memo: dict[Input, Value] = {}
        self._files: str | None = None

    def files_digest(self) -> str:
        if self._files is None:
            inv = self.inventory
            parts = ["\0".join(inv.files), "\0".join(sorted(inv.tracked)) if inv.tracked is not None else "-",
                     str(inv.git_root), "\0".join(f"{b.message}\1{b.path}" for b in inv.blind)]
            self._files = digest("\n".join(parts).encode("utf-8", "surrogateescape"))
        return self._files

    def value(self, item: Input, recorded: Value = None) -> Value:
        """The value of ``item`` now. ``recorded`` (the stored value) lets a file whose stat tag is
        unchanged keep its recorded digest without being read."""
        if item in self._memo:
            return self._memo[item]
        found = self._compute(item, recorded)
        self._memo[item] = found
        return found

    def remember(self, item: Input, found: Value) -> None:
        """A value a primitive computed while reading (no second read for the record)."""
        self._memo.setdefault(item, found)

    def unchanged(self, recorded: list[list[Any]]) -> bool:
        """Do all ``[kind, key, value]`` records still hold?"""
        for record in recorded:
            if not (isinstance(record, list) and len(record) == 3 and isinstance(record[0], str)
                    and isinstance(record[1], str)):
                return False
            kind, key, value = record
            if kind not in KINDS or kind == "volatile" or not _same(kind, self.value((kind, key), value), value):
                return False
        return True

    # -- computing values ----------------------------------------------------------------------
    def _compute(self, item: Input, recorded: Value) -> Value:
        kind, key = item
        if kind == "files":
            return self.files_digest()
        if kind == "facts":
            return self.facts_digest
        if kind == "digests":
            return self.content_digest
        if kind == "text":
            limit, rel = split_text_key(key)
            if rel in self.overlay:
                data: bytes | None = self.overlay[rel]
                return text_value(data if data is not None and len(data) <= limit else None, None)
            return self._file_value(self.root / rel, limit, recorded)
        if kind == "path":
            return self._file_value(Path(key), MAX_PATH_BYTES, recorded)
        if kind == "exists":
            return key in self.file_set or os.path.exists(self.root / key)
        if kind == "kind":
            return path_kind(Path(key))
        if kind == "dir":
            return listing(Path(key))
        if kind == "size":
            return file_size(self.root, key, self.sizes)
        if kind == "git":
            return self._git(key)
        if kind == "which":
            return which_value(key)
        return None

    def _file_value(self, path: Path, limit: int, recorded: Value) -> Value:
        if isinstance(recorded, list) and len(recorded) == 2 and isinstance(recorded[1], list):
            try:
                st = path.stat()
                if stat.S_ISREG(st.st_mode) and [st.st_size, st.st_mtime_ns, st.st_ino] == recorded[1]:
                    return recorded
            except (OSError, ValueError):
                pass
        data, tag = read_limited(path, limit)
        return text_value(data, tag)

    def _git(self, key: str) -> Value:
        top = self.inventory.git_root
        if top is None:
            return None
        paths = git_paths(Path(top))
        if key == "refs":
            return _refs_stamp(paths["gitdir"], paths["refs"].parent)
        if key == "files":
            watched = [paths[name] for name in ("index", "config", "config.worktree", "attributes", "exclude")]
            return digest("\n".join(_stat_line(p) for p in [*watched, *user_git_files()]).encode("utf-8", "surrogateescape"))
        return None


def _same(kind: str, now: Value, recorded: Value) -> bool:
    """File contents compare by digest only (the stat tag is a shortcut, not part of the content)."""
    if kind in ("text", "path") and isinstance(now, list) and isinstance(recorded, list) and len(now) == 2 == len(recorded):
        return bool(now[0] == recorded[0])
    return bool(now == recorded)


def path_kind(path: Path) -> str:
    try:
        st = path.stat()
    except (OSError, ValueError):
        return "missing"
    if stat.S_ISREG(st.st_mode):
        return "file"
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    return "other"


def listing(path: Path) -> list[str] | None:
    try:
        return sorted(os.listdir(path))
    except (OSError, ValueError):
        return None


def which_value(name: str) -> list[Any] | None:
    found = which(name)
    if found is None:
        return None
    try:
        st = os.stat(found)
    except OSError:
        return [found, None, None, None]
    return [found, st.st_size, st.st_mtime_ns, st.st_ino]
