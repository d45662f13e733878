"""Version control of code and data, read from git and the DVC files (never the ``dvc`` binary).

What repository rules of factor 1 need: tracked files and their sizes, git-lfs attributes, ignore
status, large blobs in history (bounded by commit count and time), and the DVC project (``.dvc/``
config, ``dvc.yaml`` stages, ``dvc.lock``, ``*.dvc`` pointer files and the outputs they declare).
Only read-only ``git`` commands run, through :func:`mllint.core.git.run_git`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from mllint.core import relpath
from mllint.core.patterns import PathPatterns

if TYPE_CHECKING:  # pragma: no cover
    from mllint.repo.model import RepoModel

ARG_BATCH = 400  # paths per git command line
PROBE = "__mllint_probe__"
REMOTE_SECTION = re.compile(r"^\s*\[\s*['\"]?remote\s+\"[^\"]+\"['\"]?\s*\]", re.MULTILINE)


@dataclass
class DvcOutput:
    path: str  # relative to the checked root (POSIX)
    declared_in: str  # the dvc.yaml or .dvc file
    cache: bool = True


@dataclass
class HistoryScan:
    blobs: list[tuple[str, int]] = field(default_factory=list)  # (path relative to root, size)
    scanned_commits: int = 0
    total_commits: int = 0
    cut: str = ""  # why the scan did not cover the whole history ("" when it did)
    failed: bool = False


class Vcs:
    """Git and DVC facts of the checked root (lazily computed, memoised)."""

    def __init__(self, repo: RepoModel) -> None:
        self.repo = repo
        self.root = repo.root
        self.inventory = repo.inventory

    # -- git -------------------------------------------------------------------------------------
    @property
    def is_git(self) -> bool:
        return self.inventory.is_git

    @cached_property
    def prefix(self) -> str:
        """The checked root relative to the git root, with a trailing slash ("" at the git root)."""
        top = self.inventory.git_root
        if top is None:
            return ""
        try:
            rel = self.root.resolve().relative_to(Path(top).resolve()).as_posix()
        except ValueError:
            return ""
        return "" if rel in ("", ".") else rel + "/"

    @cached_property
    def tracked(self) -> set[str]:
        return set(self.inventory.tracked or ())

    def size(self, rel: str) -> int | None:
        """A file's size. Rules call ``repo.size`` instead: read through this part, the size would be an
        input of every rule that uses ``vcs``, and an edit of any file would recompute them all."""
        return self.repo.size(rel)

    def ancestors_to_git_root(self) -> list[Path]:
        """The root and its parents up to the git root (only the root outside git)."""
        out = [self.root]
        top = self.inventory.git_root
        if top is None:
            return out
        top = Path(top).resolve()
        for parent in self.root.resolve().parents:
            if top != parent and top not in parent.parents:
                break
            out.append(parent)
        return out

    def lfs_paths(self, paths: list[str]) -> set[str]:
        """The given tracked paths whose ``filter`` attribute is ``lfs``."""
        if not paths:
            return set()
        if not self.is_git:
            return {p for p in paths if self._lfs_pattern_match(p)}
        out: set[str] = set()
        for start in range(0, len(paths), ARG_BATCH):
            chunk = paths[start:start + ARG_BATCH]
            proc = self.repo.git(["check-attr", "-z", "filter", "--", *chunk])
            if not proc.ok:
                out |= {p for p in chunk if self._lfs_pattern_match(p)}
                continue
            parts = proc.text().split("\0")
            for index in range(0, len(parts) - 2, 3):
                if parts[index + 2] == "lfs":
                    out.add(parts[index])
        return out

    @cached_property
    def gitattributes_texts(self) -> list[str]:
        texts = [self.repo.read_text(rel) for rel in self.repo.files if relpath.name(rel) == ".gitattributes"]
        for folder in self.ancestors_to_git_root()[1:]:
            texts.append(self.repo.path_text(folder / ".gitattributes"))
        return [text for text in texts if text]

    @cached_property
    def uses_lfs(self) -> bool:
        return any(re.search(r"\bfilter\s*=\s*lfs\b", text) for text in self.gitattributes_texts)

    def _lfs_pattern_match(self, rel: str) -> bool:
        return self._lfs_patterns(rel)

    @cached_property
    def _lfs_patterns(self) -> PathPatterns:
        """The ``.gitattributes`` patterns with ``filter=lfs`` (git's attribute patterns: gitignore's dialect)."""
        patterns = []
        for text in self.gitattributes_texts:
            for line in text.splitlines():
                parts = line.split()
                if len(parts) >= 2 and "filter=lfs" in parts[1:]:
                    patterns.append(parts[0])
        return PathPatterns(patterns)

    def ignored(self, paths: list[str]) -> set[str] | None:
        """Which of the (untracked) paths git ignores; None when git cannot tell."""
        if not self.is_git:
            return None
        probes: dict[str, str] = {}
        for path in paths:  # a child probe also matches directory patterns ("prepared/") and ignored parents
            probes[path] = path
            probes[path + "/" + PROBE] = path
        names = list(probes)
        out: set[str] = set()
        for start in range(0, len(names), ARG_BATCH):
            chunk = names[start:start + ARG_BATCH]
            proc = self.repo.git(["-c", "core.quotePath=off", "check-ignore", "--", *chunk], ok_codes=(0, 1))
            if not proc.ok:
                return None
            for line in proc.text().splitlines():
                if line in probes:
                    out.add(probes[line])
        return out

    def history(self, threshold: int, max_commits: int, timeout: float) -> HistoryScan:
        """Blobs above ``threshold`` bytes reachable from any ref, under the checked root.

        ``timeout`` bounds the whole scan (all git commands together); ``max_commits`` bounds the walk.
        """
        import time

        deadline = time.monotonic() + timeout

        def left() -> float:
            return max(0.5, deadline - time.monotonic())

        scan = HistoryScan()
        count = self.repo.git(["rev-list", "--count", "--all"], state="refs", timeout=left())
        if not count.ok:
            scan.failed = True
            return scan
        try:
            scan.total_commits = int(count.stdout.decode().strip() or 0)
        except ValueError:
            scan.failed = True
            return scan
        args = ["-c", "core.quotePath=off", "rev-list", "--objects", "--all"]
        scan.scanned_commits = scan.total_commits
        if scan.total_commits > max_commits:
            args += [f"--max-count={max_commits}"]
            scan.scanned_commits = max_commits
            scan.cut = f"only the {max_commits} most recent of {scan.total_commits} commits were scanned"
        shallow = self.repo.git(["rev-parse", "--is-shallow-repository"], state="refs", timeout=left())
        if shallow.ok and shallow.stdout.decode().strip() == "true":
            scan.cut = (scan.cut + "; " if scan.cut else "") + "the clone is shallow, older history was not available"
        objects = self.repo.git(args, state="refs", timeout=left())
        sizes = self.repo.git(["cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectname) %(objectsize)"],
                              state="refs", timeout=left()) if objects.ok else None
        if not objects.ok or sizes is None or not sizes.ok:
            scan.failed = True
            scan.cut = f"the history scan did not finish within {timeout:g}s"
            return scan
        big: dict[str, int] = {}
        for line in sizes.stdout.decode("ascii", "replace").splitlines():
            kind, _, rest = line.partition(" ")
            if kind != "blob":
                continue
            sha, _, size = rest.partition(" ")
            if size.isdigit() and int(size) > threshold:
                big[sha] = int(size)
        if not big:
            return scan
        seen: set[str] = set()
        for line in objects.stdout.decode("utf-8", "surrogateescape").splitlines():
            sha, _, path = line.partition(" ")
            if sha not in big or not path or sha in seen:
                continue
            if self.prefix and not path.startswith(self.prefix):
                continue
            seen.add(sha)
            scan.blobs.append((path[len(self.prefix):], big[sha]))
        scan.blobs.sort(key=lambda item: (-item[1], item[0]))
        return scan

    # -- DVC --------------------------------------------------------------------------------------
    @cached_property
    def dvc_dir(self) -> Path | None:
        """The nearest ``.dvc/`` folder from the root up to the git root."""
        for folder in self.ancestors_to_git_root():
            if self.repo.is_dir(folder / ".dvc"):
                return folder / ".dvc"
        nested = sorted((rel for rel in self.repo.files if rel.endswith("/.dvc/config")), key=lambda rel: (rel.count("/"), rel))
        return self.root / PurePosixPath(nested[0]).parent if nested else None  # a DVC project in a subfolder

    @cached_property
    def dvc_yaml_files(self) -> list[str]:
        return [rel for rel in self.repo.files if relpath.name(rel) == "dvc.yaml"]

    @cached_property
    def dvc_pointer_files(self) -> list[str]:
        return [rel for rel in self.repo.files if rel.endswith(".dvc") and relpath.name(rel) != ".dvc"
                and not rel.startswith(".dvc/")]

    @property
    def uses_dvc(self) -> bool:
        return self.dvc_dir is not None or bool(self.dvc_yaml_files) or bool(self.dvc_pointer_files)

    def dvc_config_rel(self) -> str | None:
        """``.dvc/config`` relative to the root when it lies under it (else None)."""
        if self.dvc_dir is None:
            return None
        try:
            return (self.dvc_dir / "config").relative_to(self.root).as_posix()
        except ValueError:
            return None

    def dvc_config_texts(self) -> list[str]:
        if self.dvc_dir is None:
            return []
        texts = []
        for name in ("config", "config.local"):
            text = self.repo.path_text(self.dvc_dir / name, limit=1_000_000)
            if text is not None:
                texts.append(text)
        return texts

    @property
    def dvc_has_remote(self) -> bool:
        return any(REMOTE_SECTION.search(text) for text in self.dvc_config_texts())

    def dvc_stages(self, rel: str) -> dict[str, Any]:
        data = self.repo.read_yaml(rel)
        stages = data.get("stages") if isinstance(data, dict) else None
        return stages if isinstance(stages, dict) else {}

    @cached_property
    def dvc_outputs(self) -> list[DvcOutput]:
        outputs: list[DvcOutput] = []
        for rel in self.dvc_yaml_files:
            base = PurePosixPath(rel).parent
            for stage in self.dvc_stages(rel).values():
                if not isinstance(stage, dict):
                    continue
                wdir = stage.get("wdir")
                folder = base / wdir if isinstance(wdir, str) else base
                for key in ("outs", "metrics", "plots"):
                    for path, cache in _dvc_entries(stage.get(key)):
                        outputs.append(DvcOutput(_join(folder, path), rel, cache))
        for rel in self.dvc_pointer_files:
            data = self.repo.read_yaml(rel)
            if not isinstance(data, dict):
                continue
            base = PurePosixPath(rel).parent
            wdir = data.get("wdir")
            folder = base / wdir if isinstance(wdir, str) else base
            for path, cache in _dvc_entries(data.get("outs")):
                outputs.append(DvcOutput(_join(folder, path), rel, cache))
        return [out for out in outputs if out.path and not out.path.startswith("../") and "${" not in out.path]


def _dvc_entries(value: Any) -> list[tuple[str, bool]]:
    """(path, cache) of a DVC ``outs``/``metrics``/``plots`` list."""
    out: list[tuple[str, bool]] = []
    if not isinstance(value, list):
        return out
    for item in value:
        if isinstance(item, str):
            out.append((item, True))
        elif isinstance(item, dict):
            if "path" in item and isinstance(item["path"], str):  # .dvc file form
                out.append((item["path"], item.get("cache", True) is not False))
                continue
            for path, opts in item.items():
                if isinstance(path, str):
                    cache = not (isinstance(opts, dict) and opts.get("cache") is False)
                    out.append((path, cache))
    return out


def _join(folder: PurePosixPath, path: str) -> str:
    joined = os.path.normpath((folder / path).as_posix()).replace(os.sep, "/")
    return "" if joined == "." else joined.rstrip("/")
