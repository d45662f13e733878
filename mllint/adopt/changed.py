"""Per-PR mode (``--changed-since REF``): which files changed since a git ref, and which findings count.

The changed set is every path that differs between the merge base of REF and HEAD and the work
tree (committed, staged or not, deleted or renamed), plus untracked files that are not ignored.
Only ``git`` is run, read-only, through :func:`mllint.core.git.run_git` (which neutralises every
program a repository's configuration could make git run: comparing with the work tree would
otherwise run its clean filters). A code finding counts when its file changed; a repository finding
counts when its path, or any file named or matched by its evidence, changed.
"""

from __future__ import annotations

from pathlib import Path

from mllint.core.findings import Finding
from mllint.core.git import run_git
from mllint.core.patterns import PathPatterns

GIT_TIMEOUT = 60.0


class ChangedError(Exception):
    """git is missing, the tree is not a repository or the ref is unknown; the CLI exits 2 on it."""


def _git(root: Path, *args: str) -> str:
    done = run_git(list(args), root, timeout=GIT_TIMEOUT)
    if not done.ok:
        raise ChangedError(done.problem)
    return done.text()


def changed_files(root: Path, ref: str) -> set[str]:
    """Paths (relative to ``root``, POSIX) changed since ``ref``; raises :class:`ChangedError`."""
    root = root.resolve()
    inside = run_git(["rev-parse", "--is-inside-work-tree"], root, timeout=GIT_TIMEOUT)
    if not inside.ok:
        if inside.refused or inside.timed_out:
            raise ChangedError(f"--changed-since: {inside.problem}")
        raise ChangedError(f"--changed-since needs a git repository, and {root} is not inside one") from None
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except ChangedError:
        raise ChangedError(f"--changed-since: unknown git ref {ref!r}") from None
    try:
        base = _git(root, "merge-base", ref, "HEAD").strip() or ref
    except ChangedError:
        base = ref
    out: set[str] = set()
    diff = _git(root, "-c", "core.quotepath=off", "diff", "--no-ext-diff", "--no-textconv", "--ignore-submodules=dirty", "--name-only", "--no-renames", "--relative", "-z", base, "--", ".")
    out.update(part for part in diff.split("\0") if part)
    untracked = _git(root, "-c", "core.quotepath=off", "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    out.update(part for part in untracked.split("\0") if part)
    return out


def counts(finding: Finding, changed: set[str]) -> bool:
    """Does this finding concern the change (and so count for the exit code)?"""
    if finding.path and finding.path in changed:
        return True
    if finding.kind != "repo":
        return False
    for item in finding.evidence:
        item = str(item).strip()
        if not item:
            continue
        item = item.split(":", 1)[0] if ":" in item and not item.startswith(("http:", "https:")) else item
        if item in changed:
            return True
        evidence = PathPatterns([item])
        if any(evidence(path) for path in changed):
            return True
    return False


def split_by_change(findings: list[Finding], changed: set[str]) -> tuple[list[Finding], list[Finding]]:
    """(findings that count, findings in unchanged files)."""
    inside: list[Finding] = []
    outside: list[Finding] = []
    for finding in findings:
        (inside if counts(finding, changed) else outside).append(finding)
    return inside, outside
