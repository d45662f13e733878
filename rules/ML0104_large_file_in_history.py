"""ML0104 large-file-in-history: a blob above the size threshold anywhere in git history."""

from __future__ import annotations

from pathlib import PurePosixPath

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule, RuleOptions, option

BIG = "0123456789" * 300  # 3 KB: above the small threshold the examples set (the default is 1 MB)
SMALL = {"size-threshold": 2000}


class LargeFileOptions(RuleOptions):
    """``[tool.mllint.options.large-file-in-history]``."""

    size_threshold: int = option(1_000_000, "Bytes; blobs above this are reported.", ge=1)
    max_commits: int = option(20_000, "Scan at most this many of the most recent commits.", ge=1)
    timeout: float = option(30.0, "Seconds the whole history scan may take (then it is cut and says so).", gt=0)
    max_findings: int = option(20, "Blobs listed one by one before the rest is summarised.", ge=1)


def human_size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size} B"  # pragma: no cover


class LargeFileInHistory(RepoRule):
    code = "ML0104"
    name = "large-file-in-history"
    factor = 1
    severity = "warning"
    summary = "A file above the size threshold is stored in the git history (even if it was deleted since)."
    why = """
        Factor 1 (version control of code and data): a large blob committed once stays in every
        clone forever, even after `git rm`. It makes cloning and CI slow and usually means data or
        a model was versioned the wrong way; the right place is DVC or git-lfs.
    """
    how_to_fix = """
        Move the file to DVC or git-lfs, then rewrite the history to drop the blob
        (`git filter-repo --strip-blobs-bigger-than 1M` or `git lfs migrate import --include=...`)
        and force-push, coordinating with everyone who has a clone. A notebook is large because
        of its stored outputs: strip them (nbstripout) rather than moving the notebook out of git.
        A file with many large versions is reported once.
    """
    Options = LargeFileOptions
    violating = [
        RepoExample({"weights/model.bin": BIG, "train.py": "x = 1\n"}, options=SMALL),
        RepoExample({"data/big.csv": BIG}, options=SMALL),
        RepoExample({"notebooks/eda.ipynb": '{"cells": [], "x": "' + BIG + '"}'}, options=SMALL, note="a notebook with huge outputs"),
        RepoExample({"sub/project/dump.json": BIG, "sub/project/train.py": "x = 1\n"}, options=SMALL),
    ]
    compliant = [
        RepoExample({"train.py": "x = 1\n", "data/small.csv": "a,b\n1,2\n"}, options=SMALL),
        RepoExample({"weights/model.bin": BIG}, git=False, options=SMALL, note="no git history to scan"),
        RepoExample({"weights/model.bin": BIG}, note="below the default 1 MB threshold"),
        RepoExample({"poetry.lock": BIG, "pyproject.toml": "[project]\nname = 'x'\n"}, options=SMALL,
                    note="generated lock files are exempt"),
    ]

    def start(self, repo):
        """Start the history scan (git, the slowest input of the repository phase) in the background,
        on a private ``Vcs`` of this rule's view: its reads are noted in this rule's own log, and no
        state shared with the rules running meanwhile is touched."""
        if not repo.vcs.is_git:
            return
        from concurrent.futures import ThreadPoolExecutor

        from mllint.repo.vcs import Vcs

        options = self.options
        pool = ThreadPoolExecutor(max_workers=1)
        self._scan = pool.submit(Vcs(repo).history, options.size_threshold, options.max_commits, options.timeout)
        pool.shutdown(wait=False)

    def check(self, repo):
        vcs = repo.vcs
        if not vcs.is_git:
            return
        options = self.options
        exempt = set(repo.knowledge.get("data_files", {}).get("size_exempt", ()))
        started, self._scan = getattr(self, "_scan", None), None
        scan = started.result() if started is not None else vcs.history(options.size_threshold, options.max_commits, options.timeout)
        versions: dict[str, list[int]] = {}  # one finding per path, however many large versions it had
        for path, size in scan.blobs:
            if PurePosixPath(path).name not in exempt:
                versions.setdefault(path, []).append(size)
        paths = sorted(versions, key=lambda path: (-max(versions[path]), path))
        note = f" (note: {scan.cut})" if scan.cut else ""
        threshold = human_size(options.size_threshold)
        for path in paths[:options.max_findings]:
            sizes = versions[path]
            state = "still tracked" if path in vcs.tracked else "no longer in the work tree, but in the history"
            count = f"{len(sizes)} versions, the largest {human_size(max(sizes))}" if len(sizes) > 1 else human_size(sizes[0])
            yield RepoFinding(
                f"{path} ({count}, {state}) is stored in the git history above {threshold}: scanned "
                f"{scan.scanned_commits} commit(s) of all refs{note}; {_remedy(path)}",
                path=path,
                evidence=[path],
            )
        rest = paths[options.max_findings:]
        if rest:
            yield RepoFinding(
                f"{len(rest)} more files have blobs above {threshold} in the git history (e.g. {rest[0]}){note}",
                path=None,
                evidence=rest[:20],
            )


def _remedy(path: str) -> str:
    if path.endswith(".ipynb"):
        return ("its size is stored cell outputs: strip them before committing (nbstripout as a git filter or "
                "pre-commit hook, or `jupyter nbconvert --clear-output`) and drop the old blobs with "
                "`git filter-repo --strip-blobs-bigger-than`")
    return ("keep large files in DVC or git-lfs and drop the blob with `git filter-repo --strip-blobs-bigger-than` "
            "or `git lfs migrate import`")
