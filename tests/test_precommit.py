"""The pre-commit hooks (.pre-commit-hooks.yaml) run by the real pre-commit, via ``pre-commit try-repo``.

try-repo on this checkout installs the hook environment from the local tree (pip, with its configured
indexes), then runs both hooks in a temporary git repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mllint.testing import notebook_json, write_repo

PROJECT = Path(__file__).resolve().parents[1]
SPLIT = "from sklearn.model_selection import train_test_split\na, b = train_test_split([1, 2, 3, 4], test_size=0.25)\n"


def test_hook_manifest_declares_both_hooks():
    hooks = {hook["id"]: hook for hook in yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"mllint", "mllint-repo"}
    code, repo = hooks["mllint"], hooks["mllint-repo"]
    assert code["types_or"] == ["python", "jupyter"] and code["require_serial"] is True
    assert code.get("pass_filenames", True) is True and code["entry"] == "mllint check --force-exclude"
    assert repo["pass_filenames"] is False and repo["always_run"] is True
    assert repo["entry"] == "mllint check --only repo ."
    assert code["language"] == repo["language"] == "python"


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess:
    assert (PROJECT / ".git").exists(), "try-repo needs this project to be a git checkout"
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT), "--all-files", "--verbose"],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def hook_output(out: str, hook_id: str) -> str:
    """The part of pre-commit's output that belongs to one hook."""
    start = out.index(f"- hook id: {hook_id}\n")
    rest = out[start + 1:]
    end = rest.find("- hook id: ")
    return rest if end < 0 else rest[:end]


def test_hooks_fail_on_a_messy_repository(tmp_path, pre_commit_home):
    repo = write_repo(tmp_path / "messy", {
        "train.py": SPLIT,
        "nb/explore.ipynb": notebook_json([SPLIT]),
        "data/table.csv": "a,b\n1,2\n",
        "README.md": "# messy\n",
        "legacy/old.py": SPLIT,
        "pyproject.toml": '[tool.mllint]\nextend-exclude = ["legacy/"]\n',
    })
    proc = try_repo(repo, pre_commit_home)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    code = hook_output(out, "mllint")
    assert "train.py:2:" in code and "nb/explore.ipynb:cell 0:2:" in code and "ML0301" in code
    assert "ML0501" not in code  # repository rules never run on the files pre-commit passes
    assert "legacy/old.py" not in out  # the project's excludes hold for the files pre-commit passes
    repo_part = hook_output(out, "mllint-repo")
    assert "ML0501" in repo_part and "ML0301" not in repo_part
    assert "mllint (code rules)" in out and "mllint (repository rules)" in out


def test_hooks_pass_on_a_clean_repository(tmp_path, pre_commit_home):
    repo = write_repo(tmp_path / "clean", {
        "src/model.py": "def predict(x):\n    return x\n",
        "tests/test_model.py": "from src.model import predict\n\n\ndef test_predict():\n    assert predict(1) == 1\n",
        "README.md": "# clean\n",
        # the hooks read the project's configuration (other repository rules would want CI, a lock file...)
        "pyproject.toml": '[tool.mllint]\nselect = ["ML0301", "ML0501"]\n',
    })
    proc = try_repo(repo, pre_commit_home)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert out.count("Passed") >= 2


def test_the_two_hooks_share_the_cache_without_mixing_results(cli, make_repo):
    """Both hooks run on one tree with one cache: --only repo must neither report code findings read
    from the cache nor leave entries without them for the next full run."""
    repo = make_repo({"train.py": SPLIT, "README.md": "# x\n"})
    for _ in range(2):
        only_repo = cli("check", "--only", "repo", "-o", "concise", repo).stdout
        assert "ML0501" in only_repo and "ML0301" not in only_repo
    full = cli("check", "-o", "concise", repo).stdout
    assert "ML0301" in full and "ML0501" in full
    assert "ML0301" not in cli("check", "--only", "repo", "-o", "concise", repo).stdout


def test_force_exclude_applies_the_excludes_to_named_files(cli, make_repo, monkeypatch):
    repo = make_repo({"legacy/old.py": SPLIT, "train.py": SPLIT,
                      "pyproject.toml": '[tool.mllint]\nextend-exclude = ["legacy/"]\nselect = ["ML0301"]\n'})
    monkeypatch.chdir(repo)
    named = cli("check", "--no-cache", "-o", "concise", "legacy/old.py", "train.py")
    assert "legacy/old.py" in named.stdout and "train.py" in named.stdout  # named files are checked...
    forced = cli("check", "--no-cache", "--force-exclude", "-o", "concise", "legacy/old.py", "train.py")
    assert "legacy/old.py" not in forced.stdout and "train.py:2:" in forced.stdout  # ...unless forced
    only_excluded = cli("check", "--no-cache", "--force-exclude", "legacy/old.py")
    assert only_excluded.exit_code == 0
