"""Every error path exits 2 with one line, never a traceback with exit 1 (docs/hardening.md, break 6).

Each hostile input of the second hardening round, and a variant: validated where it enters (a
configuration error names the key, a bad baseline names the entry), or contained where it is used
(one file's finding). Behind them, the top-level handler turns anything unexpected into exit 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mllint.testing import write_repo

HANG = 120


def mllint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, text=True, timeout=HANG,
                          env={**os.environ, "NO_COLOR": "1"})
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


def nested(depth: int, leaf: str = "1") -> str:
    return '{"a": ' * depth + leaf + "}" * depth


VALUES = "import pandas as pd\nx = pd.DataFrame().values\n"


def test_an_nbformat3_notebook_under_fix(tmp_path):
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": VALUES.splitlines(keepends=True), "language": "python", "outputs": []}]}]}
    root = write_repo(tmp_path / "repo", {"old.ipynb": json.dumps(v3), "worksheetless.ipynb": json.dumps({**v3, "worksheets": 5})})
    before = (root / "old.ipynb").read_bytes()
    proc = mllint(root, "check", "--no-cache", "--fix", "--unsafe-fixes", ".")
    assert proc.returncode == 1 and "old.ipynb: not fixed: only nbformat-4" in proc.stderr, proc.stderr
    assert (root / "old.ipynb").read_bytes() == before
    proc = mllint(root, "check", "--no-cache", "--diff", "--unsafe-fixes", ".")
    assert proc.returncode in (0, 1)


@pytest.mark.parametrize("fmt", ["github", "sarif", "gitlab", "junit", "markdown", "text", "concise", "json"])
@pytest.mark.parametrize("depth", [940, 990])
def test_deeply_nested_notebook_metadata_in_every_format(tmp_path, fmt, depth):
    cell = f'{{"cell_type": "code", "execution_count": null, "metadata": {nested(depth)}, "outputs": [], ' \
           f'"source": {json.dumps(VALUES.splitlines(keepends=True))}}}'
    text = f'{{"cells": [{cell}], "metadata": {{"kernelspec": {nested(depth)}}}, "nbformat": 4, "nbformat_minor": 5}}'
    root = write_repo(tmp_path / "repo", {"deep.ipynb": text})
    proc = mllint(root, "check", "--no-cache", "-o", fmt, ".")
    assert proc.returncode == 1, proc.stderr


@pytest.mark.parametrize("document", [
    "[tool.mllint]\nx = " + "[" * 5000 + "]" * 5000 + "\n",
    "[tool.mllint]\nx = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
    "[tool.mllint.options.code-style]\nselect = " + "[" * 200 + "]" * 200 + "\n",  # parses; too deep to use
])
def test_a_deeply_nested_pyproject_is_a_configuration_error(tmp_path, document):
    write_repo(tmp_path / "repo", {"pyproject.toml": document, "a.py": "x = 1\n"})
    proc = mllint(tmp_path, "check", "repo")
    assert proc.returncode == 2 and "pyproject.toml" in proc.stderr and "nested deeper" in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") <= 3


def test_a_deep_pyproject_of_a_subproject_is_not_a_crash(tmp_path):
    """Not the configuration, only a manifest read by the repository rules: the run goes on."""
    deep = "[project]\nname = 'x'\ndependencies = " + "[" * 5000 + "]" * 5000 + "\n"
    root = write_repo(tmp_path / "repo", {"sub/pyproject.toml": deep, "a.py": "import numpy\n"})
    proc = mllint(tmp_path, "check", "--no-cache", "-o", "json", "repo")
    assert proc.returncode == 1 and not [f for f in json.loads(proc.stdout) if f["code"] == "ML0004"]
    assert root.is_dir()


@pytest.mark.parametrize("content, expected", [
    ('{"version": 1, "findings": [{"code": "ML0001", "fingerprint": "x", "path": {}}]}', "findings[0].path"),
    ('{"version": 1, "findings": [{"code": "ML0001", "fingerprint": "x", "line": "7"}]}', "findings[0].line"),
    ('{"version": 1, "findings": [{"code": "ML0001", "fingerprint": "x", "cell": true}]}', "findings[0].cell"),
    ('{"version": 1, "findings": [{"code": 5, "fingerprint": "x"}]}', "findings[0].code"),
    ('{"version": 1, "findings": [{"code": "ML0001", "fingerprint": "x", "kind": "weird"}]}', "findings[0].kind"),
    ('{"version": 1, "findings": [7]}', "findings[0] must be an object"),
    ('{"version": {"a": 1}, "findings": []}', "unsupported baseline version"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"version": 1, "findings": [' + '{"a": ' * 5000 + "1" + "}" * 5000 + "]}", "nested too deeply"),
    (b"\xff\xfe not utf-8", "cannot read baseline"),
])
def test_an_ill_typed_or_deep_baseline_is_a_clean_error(tmp_path, content, expected):
    root = write_repo(tmp_path / "repo", {"a.py": "x = (\n"})
    path = root / ".mllint-baseline.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    for args in (("check", "--no-cache", "repo"), ("baseline", "--prune", "--no-cache", "repo")):
        proc = mllint(tmp_path, *args)
        assert proc.returncode == 2 and expected in proc.stderr, (args, proc.stderr)


def test_a_baseline_that_is_a_fifo_does_not_hang(tmp_path):
    root = write_repo(tmp_path / "repo", {"a.py": "x = (\n"})
    os.mkfifo(root / "fifo.json")
    proc = mllint(tmp_path, "check", "--no-cache", "--baseline", "repo/fifo.json", "repo")
    assert proc.returncode == 2 and "not a regular file" in proc.stderr, proc.stderr


def test_fix_repo_with_a_non_utf8_crlf_gitignore(tmp_path):
    ignore = b"# caf\xe9 (Latin-1)\r\ndata/\r\n"
    root = write_repo(tmp_path / "repo", {
        "train.py": "import pandas as pd\n", ".dvc/config": "[core]\n", "models/.gitignore": ignore,
        "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    outs: [models/model.pkl]\n",
    })
    plan = mllint(root, "fix", "--repo", ".")
    assert plan.returncode == 1 and "models/.gitignore" in plan.stdout, plan.stderr
    applied = mllint(root, "fix", "--repo", "--apply", ".")
    assert applied.returncode == 0, applied.stderr
    assert (root / "models/.gitignore").read_bytes() == ignore + b"/model.pkl\r\n"  # bytes kept, CRLF kept


def test_fix_repo_when_a_folder_in_the_way_is_a_file(tmp_path):
    root = write_repo(tmp_path / "repo", {"train.py": "import pandas as pd\n", ".github": "not a folder\n",
                                          "requirements.txt": "pandas==2.2.2\n"})
    proc = mllint(root, "fix", "--repo", "--apply", ".")
    assert proc.returncode == 2 and ".github/workflows/" in proc.stderr and "not written" in proc.stderr, proc.stderr
    assert (root / ".github").read_text() == "not a folder\n"
    assert "Wrote" in proc.stdout  # the other pieces were written


@pytest.mark.parametrize("table, key", [
    ("[tool.mllint.knowledge]\naliases = 5\n", "knowledge.aliases"),
    ("[tool.mllint.knowledge.aliases]\n'sklearn.x' = 5\n", "knowledge.aliases.sklearn.x"),
    ("[tool.mllint.knowledge]\nsplitters = ['a']\n", "knowledge.splitters"),
    ("[tool.mllint.knowledge.hyperparameter_exempt]\nkwargs = 'lr'\n", "knowledge.hyperparameter_exempt.kwargs"),
    ("[tool.mllint.knowledge.hyperparameter_exempt]\nkwargs = [1, 2]\n", "knowledge.hyperparameter_exempt.kwargs[0]"),
])
def test_ill_typed_knowledge_is_a_configuration_error(tmp_path, table, key):
    root = write_repo(tmp_path / "repo", {"pyproject.toml": table, "a.py": "import sklearn\nx = (\n"})
    proc = mllint(tmp_path, "check", "--no-cache", "repo")
    assert proc.returncode == 2 and f"key '{key}" in proc.stderr, proc.stderr
    assert root.is_dir()


def test_well_typed_knowledge_extensions_are_accepted(tmp_path):
    table = "[tool.mllint.knowledge.aliases]\n'mylib.split' = 'sklearn.model_selection'\n"
    write_repo(tmp_path / "repo", {"pyproject.toml": table, "a.py": "x = (\n"})
    proc = mllint(tmp_path, "check", "--no-cache", "-o", "json", "repo")
    assert proc.returncode == 1 and not [f for f in json.loads(proc.stdout) if f["code"] == "ML0004"]


SCRIPT = """
import sys
import mllint.engine.run as engine
def boom(*args, **kwargs):
    raise RuntimeError("an unforeseen failure\\nover two lines")
engine.run = boom
from mllint.__main__ import main
sys.argv = ["mllint", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("verbose", [False, True])
def test_the_top_level_handler_exits_2_with_one_line(tmp_path, verbose):
    write_repo(tmp_path / "repo", {"a.py": "x = 1\n"})
    args = ["check", "repo", *(["--verbose"] if verbose else [])]
    proc = subprocess.run([sys.executable, "-c", SCRIPT, *args], cwd=tmp_path, capture_output=True, text=True, timeout=HANG)
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("mllint: error: internal error: RuntimeError: an unforeseen failure over two lines")
    assert ("Traceback" in proc.stderr) == verbose


def test_the_exit_without_interpreter_shutdown_writes_the_whole_report_and_keeps_the_code(tmp_path):
    """mllint ends with os._exit once the streams are flushed: a report far larger than a pipe's buffer
    arrives whole, and the exit code is the run's (1: findings; 0 with --exit-zero)."""
    split = "from sklearn.model_selection import train_test_split\na, b = train_test_split(X, test_size=0.25)\n"
    write_repo(tmp_path / "repo", {f"pkg/m{i:03}.py": split for i in range(150)})
    for extra, code in (([], 1), (["--exit-zero"], 0)):
        proc = subprocess.run([sys.executable, "-m", "mllint", "check", "repo", "-o", "json", *extra], cwd=tmp_path,
                              capture_output=True, text=True, timeout=HANG)
        assert proc.returncode == code, proc.stderr
        report = json.loads(proc.stdout)
        assert len(proc.stdout) > 65536 and sum(f["code"] == "ML0301" for f in report) == 150
