"""ML0102 data-in-git: data or model files tracked by git directly, not through git-lfs or DVC."""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath

from mllint.analysis.context import is_test_path
from mllint.catalogue.remedy import Plan
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule, RuleOptions, option
from mllint.core import relpath
from mllint.core.findings import Finding

#: ``url = ../storage`` / ``url = dvc-storage`` in .dvc/config: a remote that is a local folder.
LOCAL_REMOTE = re.compile(r"^\s*url\s*=\s*(?!\w+://)([^\s#]+)\s*$", re.MULTILINE)
FIXTURE_PATH = re.compile(r"(^|/)(tests?|testing|test_?data|testdata|test_?files|fixtures?)(/|$)", re.IGNORECASE)
BIG = "0123456789" * 300  # 3 KB: above the small threshold the examples set (the default is 1 MB)
SMALL_THRESHOLD = {"size-threshold": 2000}


class DataInGitOptions(RuleOptions):
    """``[tool.mllint.options.data-in-git]``."""

    size_threshold: int = option(1_000_000, "Bytes; any tracked file above this counts as data.", ge=1)
    max_findings: int = option(20, "Findings listed one by one before the rest is summarised.", ge=1)
    include_tests: bool = option(False, "Also report small data files under tests/ (fixtures).")


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size} B"  # pragma: no cover


def data_extension(rel: str, knowledge: dict) -> bool:
    table = knowledge.get("data_files", {})
    if relpath.name(rel) in table.get("not_data", ()):
        return False
    suffix = relpath.suffix(rel).lower().lstrip(".")
    if not suffix:
        return False
    if suffix in table.get("extensions", ()):
        return True
    folders = set(table.get("folders", ()))
    return suffix in table.get("media_extensions", ()) and any(part.lower() in folders for part in relpath.folders(rel))


class DataInGit(RepoRule):
    code = "ML0102"
    name = "data-in-git"
    factor = 1
    severity = "warning"
    summary = "A data or model file is tracked by git directly instead of through git-lfs or DVC."
    why = """
        Factor 1 (version control of code and data): git stores every version of every file in
        full, forever. Data and model files bloat every clone, cannot be diffed, and get replaced
        in place without a record of which data trained which model. DVC and git-lfs keep a small
        pointer in git and the content in a cache or remote, versioned with the code.
    """
    how_to_fix = """
        Move the file out of git and under DVC (`git rm --cached data/train.csv && dvc add
        data/train.csv`, commit the `.dvc` file) or git-lfs (`git lfs track "*.csv"`, commit
        `.gitattributes`). Small test fixtures under `tests/` are not reported, nor are outputs that
        DVC itself keeps in git (`cache: false`), empty placeholders, and large files that are not
        data (notebooks, documents, images outside data folders, web assets); a large notebook
        is reported by ML0104 with the right remedy (strip its outputs). DVC's own storage (its
        cache, or a local remote inside the repository) committed to git is reported too.
    """
    Options = DataInGitOptions
    violating = [
        RepoExample({"data/churn.csv": "age,churn\n30,0\n", "train.py": "x = 1\n"}),
        RepoExample({"models/model.pkl": "not really a pickle", "serve.py": "x = 1\n"}),
        RepoExample({"weights/model.bin": BIG}, options=SMALL_THRESHOLD, note="a large file, whatever its name"),
        RepoExample({"data/train.parquet": "PAR1", ".gitattributes": "*.png filter=lfs diff=lfs merge=lfs -text\n"},
                    note="git-lfs is set up, but not for this file"),
        RepoExample({"sub/ckpt/epoch=3.ckpt": "x", "sub/train.py": "x = 1\n"}),
        RepoExample({"data/images/cat_001.jpg": "jpg", "data/images/dog_001.jpg": "jpg"}, note="images in a data folder"),
        RepoExample({".dvc/config": "[core]\n    remote = local\n['remote \"local\"']\n    url = ../dvc-storage\n",
                     "dvc-storage/files/md5/ab/cdef0123": "blob", "data.csv.dvc": "outs:\n- md5: ab\n  path: data.csv\n"},
                    note="a local DVC remote inside the repository, committed to git"),
        RepoExample({".dvc/config": "[core]\n", ".dvc/cache/files/md5/ab/cdef0123": "blob", "train.py": "x = 1\n"},
                    note="the DVC cache committed to git"),
    ]
    compliant = [
        RepoExample({"data/churn.csv": "age,churn\n", ".gitattributes": "*.csv filter=lfs diff=lfs merge=lfs -text\n"},
                    note="tracked through git-lfs"),
        RepoExample({"data/churn.csv.dvc": "outs:\n- md5: abc\n  path: churn.csv\n", "data/.gitignore": "/churn.csv\n"},
                    note="tracked through DVC: only the pointer is in git"),
        RepoExample({"tests/fixtures/sample.csv": "a,b\n1,2\n", "src/model.py": "x = 1\n"}, note="a small test fixture"),
        RepoExample({"test_data/sample.npy": "x", "src/model.py": "x = 1\n"}, note="test data folders are fixtures too"),
        RepoExample({"data/churn.csv": "a,b\n"}, git=False, note="not a git repository (ML0101 says so)"),
        RepoExample({".gitignore": "*.pkl\n", "train.py": "x = 1\n", "README.md": "# model\n"}),
        RepoExample({"docs/guide.md": BIG[:1500]}, options=SMALL_THRESHOLD, note="below the threshold"),
        RepoExample({"docs/img/architecture.png": "png", "README.md": "![](docs/img/architecture.png)\n"},
                    note="documentation images are not data"),
        RepoExample({"notebooks/eda.ipynb": BIG, "docs/slides.pdf": BIG, "docs/assets/dashboard.png": BIG, "site/bundle.js": BIG},
                    options=SMALL_THRESHOLD, note="notebooks, documents and web assets are not data, however large "
                                                 "(notebook outputs are ML0104's business)"),
        RepoExample({"dvc.yaml": "stages:\n  evaluate:\n    cmd: python evaluate.py\n    metrics:\n    - metrics.json:\n"
                                 "        cache: false\n    plots:\n    - plots/roc.csv:\n        cache: false\n",
                     "metrics.json": "{}", "plots/roc.csv": "fpr,tpr\n0,0\n", "evaluate.py": "x = 1\n"},
                    note="DVC metrics and plots declared `cache: false` are meant to be in git"),
        RepoExample({"data/.gitkeep": "", "data/tracker.db": "", "train.py": "x = 1\n"}, note="empty placeholders"),
    ]

    @classmethod
    def remedy(cls, findings: list[Finding], plan: Plan) -> None:
        """With DVC to set up (ML0103), its piece says how to move these files into DVC."""
        if plan.has("ML0103"):
            plan.handled.add(cls.code)  # the finding stays until the files are moved
        else:
            super().remedy(findings, plan)

    def check(self, repo):
        vcs = repo.vcs
        if not vcs.is_git:
            return
        yield from self._dvc_storage_in_git(repo)
        options = self.options
        table = repo.knowledge.get("data_files", {})
        exempt = set(table.get("size_exempt", ()))
        not_by_size = set(table.get("not_data_by_size", ()))
        in_git_by_design = {out.path for out in vcs.dvc_outputs if not out.cache}  # `cache: false`: DVC keeps them in git
        candidates: list[tuple[str, int, bool]] = []
        for rel in repo.files:
            if rel not in vcs.tracked or rel.startswith(".dvc/") or rel.endswith(".dvc") or rel in in_git_by_design:
                continue
            by_extension = data_extension(rel, repo.knowledge) and (options.include_tests or not (is_test_path(rel) or FIXTURE_PATH.search(rel)))
            sized = relpath.name(rel) not in exempt and relpath.suffix(rel).lower().lstrip(".") not in not_by_size
            if not by_extension and not sized:
                continue  # never data, whatever its size (a module, a notebook): its size is not read, so an edit does not re-run the rule
            size = repo.size(rel)  # the rule's own input (a part would make every rule using vcs depend on it)
            if not size:
                continue  # unreadable, or an empty placeholder
            by_size = sized and size > options.size_threshold
            if by_extension or by_size:
                candidates.append((rel, size, by_extension))
        if not candidates:
            return
        lfs = vcs.lfs_paths([rel for rel, _size, _ext in candidates])
        reported = [item for item in candidates if item[0] not in lfs]
        for rel, size, by_extension in reported[:options.max_findings]:
            reason = "a data/model file" if by_extension else f"above the {human_size(options.size_threshold)} threshold"
            yield RepoFinding(
                f"{rel} ({human_size(size)}, {reason}) is tracked by git directly: looked for a git-lfs filter in "
                f".gitattributes or a DVC pointer file; track it with `dvc add {rel}` (commit {rel}.dvc) or "
                "`git lfs track`",
                path=rel,
                evidence=[rel, ".gitattributes", f"{rel}.dvc"],
            )
        rest = reported[options.max_findings:]
        if rest:
            yield RepoFinding(
                f"{len(rest)} more data/model files are tracked by git directly (e.g. {rest[0][0]}); "
                "track them with DVC or git-lfs",
                path=None,
                evidence=[rel for rel, _s, _e in rest[:20]],
            )

    def _dvc_storage_in_git(self, repo):
        """Files of the DVC cache (``.dvc/cache/``) or of a local DVC remote inside the repository,
        committed to git: the content DVC keeps out of git is in git after all."""
        vcs = repo.vcs
        folders = []
        config = vcs.dvc_config_rel()
        if config is not None:
            base = PurePosixPath(config).parent
            folders.append(f"{base}/cache/")
            for text in vcs.dvc_config_texts():
                for url in LOCAL_REMOTE.findall(text):
                    target = posixpath.normpath((base / url).as_posix())
                    if not target.startswith("..") and not posixpath.isabs(target):
                        folders.append(target.rstrip("/") + "/")
        for folder in folders:
            committed = sorted(rel for rel in vcs.tracked if rel.startswith(folder))
            if committed:
                yield RepoFinding(
                    f"{len(committed)} file(s) of DVC storage ({folder}) are tracked by git (e.g. {committed[0]}): the "
                    f"content DVC keeps out of git is committed; `git rm -r --cached {folder}` and add it to .gitignore",
                    path=committed[0],
                    evidence=committed[:20],
                )
