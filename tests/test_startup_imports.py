"""What a run imports: ``--version``, ``--help`` and a warm check import nothing they do not use.

A warm ``check`` (every file's results and every repository rule's result from the caches, text or
JSON output) imports neither typer (a plain command line is read without it: mllint/commands/quickline.py),
nor pydantic (the configuration comes from its validated snapshot; options are coerced without a
pydantic model per option), nor rich (no progress bar, no rich rendering),
nor libcst, nor PyYAML, nor any rule module (its results are cached), nor pathspec (the translation
of the exclusions is remembered). A cold run does import them: the test would catch a module list
that no longer tells the two apart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mllint.testing import write_repo

HEAVY = ("pydantic", "pydantic_core", "rich", "libcst", "yaml", "mllint_catalogue", "pathspec")
#: Standard-library modules a warm text check has no use for, whose import is measurable in one (shutil
#: pulls in zlib, bz2 and lzma; hashlib OpenSSL): ~8 ms of a ~100 ms run.
UNUSED_STDLIB = ("shutil", "hashlib", "bz2", "lzma")
#: Runs ``python -m mllint ARGS`` and prints the top-level names of the modules it imported.
PROBE = """
import json, os, runpy, sys
sys.argv = ["mllint", *json.loads(sys.argv[1])]
def _exit(status):  # mllint ends with os._exit (no interpreter shutdown): report the modules first
    raise SystemExit(status)
os._exit = _exit
code = 0
try:
    runpy.run_module("mllint", run_name="__main__")
except SystemExit as exc:
    code = exc.code
sys.stderr.write("\\nMODULES " + json.dumps(sorted({name.split(".")[0] for name in sys.modules})) + "\\n")
sys.exit(code)
"""


def _imported(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)
    line = [row for row in proc.stderr.splitlines() if row.startswith("MODULES ")][-1]
    return set(json.loads(line[len("MODULES "):])), proc


@pytest.fixture
def env(tmp_path):
    environment = dict(os.environ)
    environment["XDG_CACHE_HOME"] = str(tmp_path / "user-cache")  # snapshots of this test only
    environment.pop("PYDANTIC_DISABLE_PLUGINS", None)
    return environment


@pytest.fixture
def project(tmp_path):
    return write_repo(tmp_path / "project", {
        "pyproject.toml": "[tool.mllint]\nextend-select = ['ML13']\n[tool.mllint.options.large-file-in-history]\n",
        "src/train.py": "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
                        "df = pd.read_csv('data/raw.csv')\ntrain, test = train_test_split(df, test_size=0.2)\n",
        "params.yaml": "split:\n  test_size: 0.2\n", "requirements.txt": "pandas\nscikit-learn\n",
        "dvc.yaml": "stages:\n  train:\n    cmd: python src/train.py\n",
    }, True)


@pytest.mark.parametrize("output", ["text", "json"])
def test_a_warm_check_imports_no_heavy_module(project, env, output):
    args = ["check", "-o", output, str(project)]
    cold, first = _imported(args, project, env)
    assert first.returncode in (0, 1), first.stderr
    assert {"pydantic", "mllint_catalogue", "yaml", "pathspec"} <= cold, "a cold run validates the config and runs the rules"
    warm, second = _imported(args, project, env)
    assert second.returncode == first.returncode and second.stdout == first.stdout
    assert warm & set(HEAVY) == set(), f"a warm {output} check imported {sorted(warm & set(HEAVY))}"
    assert {"typer", "click"} & warm == set(), "a plain check command line is read without the CLI framework"


def test_a_warm_text_check_imports_no_archive_or_hash_module(project, env):
    """Nor shutil (a program is looked up in PATH without it: mllint/core/programs.py) nor hashlib (only
    the formats with fingerprints use it). The first run after the cold one is not the one measured: it
    ran from the project folder (``sys.path[0]``), whose new cache directory changed the folder, so that
    run read the installed entry points again (importlib.metadata imports shutil)."""
    args = ["check", str(project)]
    for _ in range(2):
        _imported(args, project, env)
    warm, proc = _imported(args, project, env)
    assert proc.returncode in (0, 1), proc.stderr
    assert warm & set(UNUSED_STDLIB) == set(), f"a warm text check imported {sorted(warm & set(UNUSED_STDLIB))}"
    assert "importlib" in warm  # the probe saw the run's modules at all


def test_a_warm_check_parses_no_pyproject_without_a_mllint_table(tmp_path, env):
    """Most projects' pyproject.toml has no [tool.mllint]: once a run parsed it, a later run with the same
    bytes imports no TOML parser (the knowledge tables come from their snapshot too); a malformed one is
    still reported every time."""
    root = write_repo(tmp_path / "plain", {"pyproject.toml": "[project]\nname = 'plain'\n", "m.py": "x = 1\n"}, True)
    args = ["check", "-o", "json", str(root)]
    cold, first = _imported(args, root, env)
    parsers = {"tomllib", "tomli"}  # the standard library's from Python 3.11, its backport before
    assert cold & parsers and first.returncode in (0, 1), first.stderr
    warm, second = _imported(args, root, env)
    assert not warm & parsers and second.stdout == first.stdout
    (root / "pyproject.toml").write_text("[project\nname = 'plain'\n", encoding="utf-8")
    _broken, third = _imported(args, root, env)
    assert third.returncode == 2 and "pyproject.toml" in third.stderr


def test_a_changed_configuration_is_validated_again(project, env):
    args = ["check", "-o", "json", str(project)]
    _imported(args, project, env)
    (project / "pyproject.toml").write_text("[tool.mllint]\nextend-select = ['ML13']\nunknown-key = 1\n", encoding="utf-8")
    modules, proc = _imported(args, project, env)
    assert proc.returncode == 2 and "unknown-key" in proc.stderr and "pydantic" in modules


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["check", "--help"]])
def test_version_and_help_import_neither_pydantic_nor_rich(tmp_path, env, args):
    modules, proc = _imported(args, tmp_path, env)
    assert proc.returncode == 0 and proc.stdout
    assert modules & set(HEAVY) == set()
    if args == ["--version"]:
        assert "typer" not in modules and proc.stdout.startswith("mllint ")


def test_a_one_file_run_imports_the_code_rules_and_the_repository_rules_it_reruns(project, env):
    """After an edit of one module, the run analyses that file (every code rule's module) and reruns the
    repository rules whose inputs changed; the modules of the others, whose findings come from the
    repository-rule cache, are not imported, nor is pydantic (options not configured are their defaults)."""
    args = ["check", "-o", "json", str(project)]
    _imported(args, project, env)
    (project / "src" / "train.py").write_text((project / "src" / "train.py").read_text() + "# one more line\n")
    probe = PROBE.replace('name.split(".")[0] for name in sys.modules', 'name for name in sys.modules')
    proc = subprocess.run([sys.executable, "-c", probe, json.dumps(args)], cwd=project, capture_output=True, text=True,
                          env=env, timeout=300)
    line = [row for row in proc.stderr.splitlines() if row.startswith("MODULES ")][-1]
    modules = json.loads(line[len("MODULES "):])
    rules = {name.split(".")[1].split("_")[0] for name in modules if name.startswith("mllint_catalogue.")}
    # The rules' options are their defaults (the configuration's options table is empty): no pydantic.
    assert "pydantic" not in {name.split(".")[0] for name in modules}
    from mllint.catalogue.index import rule_index

    index = rule_index()
    assert index.codes("code") <= rules | {rule.code for rule in index.rules if not rule.default_enabled}
    repo_rules = rules & index.codes("repo")
    assert repo_rules and len(repo_rules) < len(index.codes("repo")) // 2, sorted(repo_rules)


def test_a_warm_check_reads_no_knowledge_tables(project, env):
    """The fingerprint needs only which packages' version floors matter (remembered under the knowledge's
    inputs), so a warm run neither loads the knowledge snapshot nor imports its loader."""
    args = ["check", "-o", "json", str(project)]
    _imported(args, project, env)
    probe = PROBE.replace('name.split(".")[0] for name in sys.modules', 'name for name in sys.modules')
    proc = subprocess.run([sys.executable, "-c", probe, json.dumps(args)], cwd=project, capture_output=True, text=True,
                          env=env, timeout=300)
    line = [row for row in proc.stderr.splitlines() if row.startswith("MODULES ")][-1]
    modules = set(json.loads(line[len("MODULES "):]))
    assert "mllint.knowledge.loader" not in modules and "mllint.knowledge.snapshot" not in modules
