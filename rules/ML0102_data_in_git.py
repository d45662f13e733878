"""ML0102 data-in-git: data or model files tracked by git directly, not through git-lfs or DVC."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from pydantic import Field

from mllint.analysis.context import is_test_path
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule, RuleOptions

FIXTURE_PATH = re.compile(r"(^|/)(tests?|testing|test_?data|testdata|test_?files|fixtures?)(/|$)", re.IGNORECASE)
BIG = "0123456789" * 300  # 3 KB: above the small threshold the examples set (the default is 1 MB)
SMALL_THRESHOLD = {"size-threshold": 2000}


class DataInGitOptions(RuleOptions):
    """``[tool.mllint.options.data-in-git]``."""

    size_threshold: int = Field(1_000_000, ge=1, description="Bytes; any tracked file above this counts as data.")
    max_findings: int = Field(20, ge=1, description="Findings listed one by one before the rest is summarised.")
    include_tests: bool = Field(False, description="Also report small data files under tests/ (fixtures).")


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size} B"  # pragma: no cover


def data_extension(rel: str, knowledge: dict) -> bool:
    table = knowledge.get("data_files", {})
    name = PurePosixPath(rel).name
    if name in table.get("not_data", ()):
        return False
    path = PurePosixPath(rel)
    suffix = path.suffix.lower().lstrip(".")
    if not suffix:
        return False
    if suffix in table.get("extensions", ()):
        return True
    folders = set(table.get("folders", ()))
    return suffix in table.get("media_extensions", ()) and any(part.lower() in folders for part in path.parts[:-1])


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
        `.gitattributes`). Small test fixtures under `tests/` are not reported.
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
    ]

    def check(self, repo):
        vcs = repo.vcs
        if not vcs.is_git:
            return
        options = self.options
        exempt = set(repo.knowledge.get("data_files", {}).get("size_exempt", ()))
        candidates: list[tuple[str, int, bool]] = []
        for rel in repo.files:
            if rel not in vcs.tracked or rel.startswith(".dvc/") or rel.endswith(".dvc"):
                continue
            size = vcs.size(rel)
            if size is None:
                continue
            by_extension = data_extension(rel, repo.knowledge) and (options.include_tests or not (is_test_path(rel) or FIXTURE_PATH.search(rel)))
            by_size = size > options.size_threshold and PurePosixPath(rel).name not in exempt
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
