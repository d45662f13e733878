"""File discovery: what is in the checked tree, from the git index when there is one.

Inside a git work tree the inventory is ``git ls-files`` (tracked plus untracked-but-not-ignored);
elsewhere a walk that honours ``.gitignore`` files. Default excludes (virtualenvs, caches, build
dirs) and the user's ``exclude``/``extend-exclude`` apply to both. Symlinks that leave the root are
never followed. Only ``git`` is ever run, read-only.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from mllint.core.patterns import PathPatterns

CODE_SUFFIXES = (".py", ".ipynb")
GIT_TIMEOUT = 30
#: A checked repository's own .git/config must not make git run programs (fsmonitor hooks, external
#: diff drivers, textconv/clean filters) while mllint reads it.
SAFE_CONFIG = ("-c", "core.fsmonitor=false", "-c", "diff.external=", "-c", "core.hooksPath=/dev/null")


@dataclass
class Inventory:
    """The files of the checked tree, relative POSIX paths, sorted."""

    root: Path
    files: list[str] = field(default_factory=list)
    git_root: Path | None = None
    tracked: set[str] | None = None  # tracked files (relative to root) when inside git

    @property
    def is_git(self) -> bool:
        return self.git_root is not None

    def code_files(self) -> list[str]:
        return [f for f in self.files if f.endswith(CODE_SUFFIXES)]


def run_git(args: list[str], cwd: Path, timeout: float = GIT_TIMEOUT,
            ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[bytes] | None:
    """Run a read-only git command; None when git is missing, fails (exit code not in ``ok_codes``) or times out."""
    git = shutil.which("git")
    if git is None:
        return None
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        proc = subprocess.run(
            [git, *SAFE_CONFIG, *args], cwd=cwd, capture_output=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc if proc.returncode in ok_codes else None


def git_root(path: Path) -> Path | None:
    proc = run_git(["rev-parse", "--show-toplevel"], path)
    if proc is None:
        return None
    out = proc.stdout.decode("utf-8", "surrogateescape").strip()
    return Path(out) if out else None


def _inside(root: Path, path: Path) -> bool:
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return False
    return real == root or root in real.parents


def discover(root: Path, excludes: list[str]) -> Inventory:
    """Inventory of ``root`` (a directory)."""
    root = root.resolve()
    inventory = Inventory(root=root)
    top = git_root(root)
    listed = None
    if top is not None:
        # One git call: -t tags each path, "?" for untracked-but-not-ignored, a letter for tracked ones.
        proc = run_git(["ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard", "--", "."], root)
        if proc is not None:
            entries = [p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if len(p) > 2]
            listed = sorted({p[2:] for p in entries})
            inventory.git_root = top
            inventory.tracked = {p[2:] for p in entries if p[0] != "?"}
    if listed is None:
        listed = _walk(root, excludes)
    excluded = PathPatterns(excludes)
    files = []
    base = str(root)
    for rel in listed:
        if excluded(rel):
            continue
        full = os.path.join(base, rel)
        try:
            mode = os.lstat(full).st_mode
            if stat.S_ISLNK(mode):
                if not _inside(root, Path(full)):
                    continue
                mode = os.stat(full).st_mode
        except (OSError, ValueError):
            continue
        if not stat.S_ISREG(mode):
            continue
        files.append(rel)
    inventory.files = files
    return inventory


def _walk(root: Path, excludes: list[str]) -> list[str]:
    """Walk without git: honour nested .gitignore files, skip virtualenvs and symlinks leaving root."""
    import pathspec

    out: list[str] = []
    excluded = PathPatterns(excludes)
    specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(folder, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        specs = [(base, spec) for base, spec in specs if rel_dir == base or rel_dir.startswith(base + "/") or base == ""]
        if ".gitignore" in names:
            try:
                text = (Path(folder) / ".gitignore").read_text("utf-8", "replace")
                specs.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(text.splitlines())))
            except (OSError, ValueError):
                pass

        def ignored(rel: str, is_dir: bool) -> bool:
            if excluded(rel + "/" if is_dir else rel):
                return True
            for base, spec in specs:
                inner = rel[len(base) + 1:] if base else rel
                if spec.match_file(inner + ("/" if is_dir else "")):
                    return True
            return False

        kept = []
        for name in sorted(dirs):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            full = Path(folder) / name
            if full.is_symlink() or (full / "pyvenv.cfg").exists() or ignored(rel, True):
                continue
            kept.append(name)
        dirs[:] = kept
        for name in sorted(names):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not ignored(rel, False):
                out.append(rel)
    return sorted(out)
