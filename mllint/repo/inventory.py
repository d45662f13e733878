"""File discovery: what is in the checked tree, from the git index when there is one.

Inside a git work tree the inventory is ``git ls-files`` (tracked plus untracked-but-not-ignored);
elsewhere a walk that honours ``.gitignore`` files. Default excludes (virtualenvs, caches, build
dirs) and the user's ``exclude``/``extend-exclude`` apply to both. Symlinks that leave the root are
never followed. Only ``git`` is ever run, read-only, through :func:`mllint.core.git.run_git`.

Whatever could not be looked at is recorded in ``Inventory.blind`` (git refused the repository or
timed out, a path could not be read): the engine reports it (ML0005) instead of passing silently.
A code file that cannot even be ``lstat``-ed (a path longer than the system allows) stays in the
inventory, so that the code pass reports it as skipped (ML0003).
"""

from __future__ import annotations

import os
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

from mllint.core.git import GitRun, run_git
from mllint.core.patterns import PathPatterns

CODE_SUFFIXES = (".py", ".ipynb")
GIT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Blind:
    """Something discovery could not look at: the reason, and the path when it is one file."""

    message: str
    path: str | None = None


@dataclass
class Inventory:
    """The files of the checked tree, relative POSIX paths, sorted."""

    root: Path
    files: list[str] = field(default_factory=list)
    git_root: Path | None = None
    tracked: set[str] | None = None  # tracked files (relative to root) when inside git
    blind: list[Blind] = field(default_factory=list)  # what could not be looked at (reported as ML0005)

    @property
    def is_git(self) -> bool:
        return self.git_root is not None

    def code_files(self) -> list[str]:
        return [f for f in self.files if f.endswith(CODE_SUFFIXES)]


def _has_dot_git(root: Path) -> bool:
    try:
        return any(os.path.lexists(folder / ".git") for folder in (root, *root.parents))
    except (OSError, ValueError):
        return False


_GIT_WARNING = "warning: could not open directory '"


def _git_warnings(stderr: bytes, root: Path) -> list[Blind]:
    """Folders ``git ls-files`` could not open (too long a path, no permission): reported, not skipped.
    (git cuts its message at 4 KB: for a path that long, the reason is lost and the path shortened.)"""
    out = []
    for line in stderr.decode("utf-8", "surrogateescape").splitlines():
        line = line.strip()
        if not line.startswith(_GIT_WARNING):
            continue
        rest = line[len(_GIT_WARNING):]
        where, quote, reason = rest.rpartition("': ")
        if not quote:
            where, reason = rest.rstrip("'"), "cannot open it (git's message was cut short: the path is too long)"
        out.append(Blind(f"folder not read by git: {reason}", where.rstrip("/") or None))
    return out


def _git_blind(root: Path, run: GitRun) -> Blind | None:
    """Why git's silence about ``root`` must be reported (None: the tree is simply not in git)."""
    without = "the version-control rules judged the tree without git"
    if run.refused and "bare repository" in run.problem:
        return Blind(f"git refused a bare repository inside the checked tree ({run.problem}): {without}; a bare "
                     "repository found by walking up from the code is never used (check the repository from its root)")
    if run.refused:
        return Blind(f"git refused to read the repository ({run.problem}): {without}; if you trust this checkout, "
                     "mark it with `git config --global --add safe.directory PATH`")
    if run.timed_out:
        return Blind(f"{run.problem}: {without}")
    if _has_dot_git(root):
        return Blind(f"a .git exists here or above, but git could not read it ({run.problem}): {without}")
    return None


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
    # Where the work tree's top is and which files git lists are independent questions: asked at once
    # (one git process fewer to wait for; the listing is used only when git knows the top).
    # One git call lists: -t tags each path, "?" for untracked-but-not-ignored, a letter for tracked ones.
    listings: list[GitRun] = []
    asking = threading.Thread(target=lambda: listings.append(run_git(
        ["ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard", "--", "."], root)), daemon=True)
    asking.start()
    located = run_git(["rev-parse", "--show-toplevel"], root)
    asking.join()
    top = Path(located.text().strip()) if located.ok and located.text().strip() else None
    listed = None
    if top is None:
        blind = _git_blind(root, located)
        if blind is not None:
            inventory.blind.append(blind)
    else:
        proc = listings[0] if listings else GitRun(False, problem="git did not answer")
        if proc.ok:
            entries = [p for p in proc.text().split("\0") if len(p) > 2]
            listed = sorted({p[2:] for p in entries})
            inventory.git_root = top
            inventory.tracked = {p[2:] for p in entries if p[0] != "?"}
            inventory.blind.extend(_git_warnings(proc.stderr, root))
        else:
            inventory.blind.append(Blind(f"git could not list the files ({proc.problem}); they were listed by walking "
                                         "the folder instead (honouring .gitignore), and the version-control rules "
                                         "judged the tree without git"))
    if listed is None:
        listed = _walk(root, excludes, inventory.blind)
    excluded = PathPatterns(excludes)  # remembered: a warm run needs no pathspec
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
        except FileNotFoundError:
            continue  # deleted since git listed it
        except (OSError, ValueError) as exc:
            if rel.endswith(CODE_SUFFIXES):
                files.append(rel)  # the code pass reports it (ML0003) with the reason
            else:
                inventory.blind.append(Blind(f"not read: {getattr(exc, 'strerror', None) or exc}", rel))
            continue
        if not stat.S_ISREG(mode):
            continue
        files.append(rel)
    inventory.files = files
    return inventory


def _walk(root: Path, excludes: list[str], blind: list[Blind]) -> list[str]:
    """Walk without git: honour nested .gitignore files, skip virtualenvs and symlinks leaving root."""
    import pathspec

    out: list[str] = []
    excluded = PathPatterns(excludes)
    specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []

    def unreadable(error: OSError) -> None:
        where = os.path.relpath(error.filename, root).replace(os.sep, "/") if error.filename else None
        blind.append(Blind(f"folder not read: {error.strerror or error}", where))

    for folder, dirs, names in os.walk(root, followlinks=False, onerror=unreadable):
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
            full = os.path.join(folder, name)
            try:
                if os.path.islink(full) or ignored(rel, True) or os.path.lexists(os.path.join(full, "pyvenv.cfg")):
                    continue
            except (OSError, ValueError) as exc:
                blind.append(Blind(f"folder not read: {getattr(exc, 'strerror', None) or exc}", rel))
                continue
            kept.append(name)
        dirs[:] = kept
        for name in sorted(names):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not ignored(rel, False):
                out.append(rel)
    return sorted(out)
