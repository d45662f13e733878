"""A plain ``mllint check`` command line is read without typer (mllint/commands/quickline.py) into the very
options typer makes of it; anything else is left to typer. The table of options read there is compared
with ``check``'s declarations, and what both readers make of many command lines is compared too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, List, Optional, get_type_hints

import pytest
from typer.main import get_command
from typer.testing import CliRunner

import mllint.commands.check as check_command
from mllint import cli
from mllint.cli import app
from mllint.commands.check import SCOPES, CheckOptions
from mllint.commands.quickline import OPTIONS, read
from mllint.output import FORMATS
from mllint.testing import write_repo

#: check's options that only typer reads: help, and those that write files or keep running.
TYPER_ONLY = {"--help", "--show-settings", "--fix", "--unsafe-fixes", "--diff", "--add-ignore", "--watch"}


def _check_command() -> Any:
    """check's click command, as typer builds it (typer may bring its own click: no click classes here)."""
    return get_command(app).commands["check"]  # type: ignore[attr-defined]


def test_the_options_read_without_typer_are_checks_own():
    """Every name, what it takes and whether it repeats, as typer declares them; every other option of
    ``check`` is left to typer (so an option added to ``check`` is never misread: it is unknown here)."""
    hints = get_type_hints(cli.check)
    declared: dict[str, Any] = {}
    for param in _check_command().params:
        if param.param_type_name == "option":
            declared.update({name: param for name in (*param.opts, *param.secondary_opts)})
    assert set(OPTIONS) | TYPER_ONLY == set(declared) | {"--help"}  # click adds --help itself
    assert not set(OPTIONS) & TYPER_ONLY
    for name, (parameter, kind) in OPTIONS.items():
        option = declared[name]
        assert option.name == parameter, name
        assert option.is_flag == (kind == "flag") and not option.secondary_opts, name
        assert option.multiple == (kind == "texts"), name
        assert option.envvar is None, name
        annotation = hints[parameter]
        if kind in ("format", "scope"):
            assert tuple(choice.value for choice in annotation) == (FORMATS if kind == "format" else SCOPES), name
        elif kind == "jobs":
            assert annotation == Optional[int] and (option.min, option.max) == (1, None), name
        else:
            expected = {"flag": bool, "text": Optional[str], "texts": Optional[List[str]], "path": Optional[Path]}[kind]
            assert annotation == expected, name
    assert {field for field in CheckOptions.__dataclass_fields__} == {param.name for param in _check_command().params}


def _typer_reads(arguments: list[str], monkeypatch: pytest.MonkeyPatch) -> CheckOptions:
    """The options typer hands to the check command for ``mllint check ARGUMENTS``."""
    seen: list[CheckOptions] = []

    def run_check(options: CheckOptions) -> int:
        seen.append(options)
        return 0

    monkeypatch.setattr(check_command, "run_check", run_check)
    result = CliRunner().invoke(app, ["check", *arguments])
    assert result.exit_code == 0 and len(seen) == 1, result.output
    return seen[0]


PLAIN = [
    [],
    ["."],
    ["-o", "json", "."],
    ["--output-format=sarif", "src", "train.py"],
    ["--select", "ML01,ML02", "--select", "ML03", "--ignore=ML0401", "."],
    ["-j", "2", "--jobs=3", "."],
    ["--no-cache", "--exit-zero", "--force-exclude", "-v", "--statistics", "--no-baseline", "--show-baselined"],
    ["--changed-since", "origin/main", "--baseline", "b.json", "--config", "pyproject.toml", "--cache-dir", "/tmp/c",
     "--output-file", "report.json", "-o", "github"],
    ["--only", "code", "a.py", "--", "-odd.py", "--fix"],
    ["--extend-exclude", "legacy/", "--exclude", "build/", "--extend-select", "ML13", "--only=repo"],
    ["a b.py", "-", "nb/x.ipynb", "--verbose", "-o", "text", "-o", "concise"],
    ["--jobs", "+4", "--select", "ALL"],
]


@pytest.mark.parametrize("arguments", PLAIN, ids=[" ".join(a) or "(none)" for a in PLAIN])
def test_a_plain_command_line_reads_as_typer_reads_it(arguments, monkeypatch):
    quick = read(arguments)
    assert quick is not None
    assert quick == _typer_reads(arguments, monkeypatch)


LEFT_TO_TYPER = [
    ["--help"], ["--fix"], ["--diff", "."], ["--watch"], ["--show-settings"], ["--add-ignore"], ["--unsafe-fixes"],
    ["-ojson"], ["-vj2"], ["-h"], ["--unknown"], ["--jobs", "0"], ["--jobs", "two"], ["-o", "xml"], ["--only", "tests"],
    ["--select"], ["--no-cache=1"], ["--select", "-x"], ["--output-file="], [""], ["--outp", "json"],
]


@pytest.mark.parametrize("arguments", LEFT_TO_TYPER, ids=[" ".join(a) or "(empty)" for a in LEFT_TO_TYPER])
def test_any_other_command_line_is_left_to_typer(arguments):
    assert read(arguments) is None


def _mllint(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=300)


def test_both_readers_run_the_same_check(tmp_path):
    """The same check through both readers (``-o json`` is read without typer, ``-ojson`` by typer): the same
    report, messages and exit code, cold and warm, and for a configuration error."""
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "user-cache"))
    root = write_repo(tmp_path / "project", {
        "src/train.py": "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
                        "df = pd.read_csv('data/raw.csv')\ntrain, test = train_test_split(df, test_size=0.2)\n",
        "requirements.txt": "pandas\nscikit-learn\n",
    }, True)
    for _run in ("cold", "warm"):
        quick = _mllint(["check", "-o", "json", "-v", "."], root, env)
        typer_read = _mllint(["check", "-ojson", "-v", "."], root, env)
        assert quick.returncode == typer_read.returncode == 1
        assert quick.stdout == typer_read.stdout and json.loads(quick.stdout)
        assert quick.stderr == typer_read.stderr
    (root / "pyproject.toml").write_text("[tool.mllint]\nunknown-key = 1\n", encoding="utf-8")
    quick, typer_read = _mllint(["check", "."], root, env), _mllint(["check", "-otext", "."], root, env)
    assert quick.returncode == typer_read.returncode == 2 and "unknown-key" in quick.stderr
    assert (quick.stdout, quick.stderr) == (typer_read.stdout, typer_read.stderr)
    missing = _mllint(["check", "no/such/path"], root, env)
    assert missing.returncode == 2 and missing.stderr == "mllint: error: path does not exist: no/such/path\n"


def test_a_reader_that_goes_away_ends_the_check_quietly(tmp_path):
    """``mllint check | head -1``: the reader closes the pipe before the report is written. Both readers of the
    command line end as click does: exit 1, nothing on stderr (no internal error)."""
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "user-cache"))
    root = write_repo(tmp_path / "project", {"train.py": "import random\nx = random.random()\n"}, True)
    for args in (["check", "--exit-zero", "."], ["check", "--exit-zero", "-otext", "."]):
        proc = subprocess.Popen([sys.executable, "-m", "mllint", *args], cwd=root, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # before mllint writes its report
        stderr = proc.stderr.read()
        assert proc.wait(timeout=300) == 1 and stderr == b"", (args, stderr)
