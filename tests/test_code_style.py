"""ML0306 code-style: one ruff run over the checked files, options, the template, and ruff's absence."""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint.catalogue.loader import load_catalogue
from mllint.config.settings import Settings
from mllint.engine.session import Session

RULE = load_catalogue().get("ML0306")
MODULE = __import__(RULE.__module__, fromlist=["x"])
TEMPLATE = Path(__file__).resolve().parent.parent / "template"
MESSY = "import os, sys\ndef LoadData(Path):\n  Data = open(Path).read()\n  return Data\ndef Clean(x):\n    l = 1\n    return x\n"


def _run(root: Path, **settings) -> list:
    result = Session(root, Settings(select=["ML0306"], **settings)).check(use_cache=False, jobs=1)
    return [f for f in result.findings if f.code == "ML0306"]


def test_reports_count_top_codes_and_command(make_repo):
    root = make_repo({"train.py": MESSY, "prep.py": MESSY})
    [finding] = _run(root)
    assert finding.path is None and finding.kind == "repo"
    assert "ruff reports" in finding.message and "per 1,000 lines" in finding.message
    assert "D103 ×4" in finding.message and "F401" in finding.message
    assert "`ruff check --isolated --select E4,E7,E9,F,N,D1 " in finding.message


def test_only_checked_files_are_passed_to_ruff(make_repo):
    root = make_repo({"vendor/messy.py": MESSY, "vendor/more.py": MESSY,
                      "train.py": '"""Train."""\n\n\ndef fit(x):\n    """Fit."""\n    return x\n'})
    assert _run(root)  # counted while vendor/ is checked ...
    assert not _run(root, extend_exclude=["vendor"])  # ... and ruff never sees it once excluded


def test_threshold_and_selection_are_options(make_repo):
    root = make_repo({"train.py": MESSY})
    assert _run(root)
    assert not _run(root, options={"code-style": {"max-per-kloc": 10_000}})
    assert not _run(root, options={"ML0306": {"select": ["E9"]}})  # only syntax errors counted
    assert not _run(root, options={"code-style": {"min-issues": 100}})


def test_project_ruff_config_is_respected(make_repo):
    root = make_repo({"train.py": MESSY, "ruff.toml": '[lint]\nselect = ["E9"]\n'})
    assert not _run(root)
    root = make_repo({"train.py": MESSY, "ruff.toml": '[lint]\nselect = ["D", "N"]\n'})
    [finding] = _run(root)
    assert "the project's ruff config (ruff.toml)" in finding.message and "F401" not in finding.message
    assert not _run(root, options={"code-style": {"use-project-config": False, "select": ["E9"]}})


def test_no_ruff_is_a_notice_not_a_crash(make_repo, monkeypatch, capsys):
    root = make_repo({"train.py": MESSY})
    monkeypatch.setattr(MODULE, "find_ruff", lambda: None)
    assert _run(root) == []
    assert "ML0306 code-style skipped: ruff is not installed" in capsys.readouterr().err


def test_failing_ruff_is_a_notice_not_a_crash(make_repo, monkeypatch, capsys):
    root = make_repo({"train.py": MESSY})
    monkeypatch.setattr(MODULE, "find_ruff", lambda: "/bin/false")
    result = Session(root, Settings(select=["ML0306", "ML0004"])).check(use_cache=False, jobs=1)
    assert result.findings == []
    assert "ruff failed (exit 1)" in capsys.readouterr().err
    root2 = make_repo({"train.py": MESSY, "ruff.toml": "this is not toml ==="})
    assert _run(root2) == []
    assert "ruff failed" in capsys.readouterr().err


def test_silent_on_the_templates_generated_project(tmp_path):
    if not (TEMPLATE / "cookiecutter.json").is_file():
        pytest.fail("template/ is missing")
    from cookiecutter.main import cookiecutter

    out = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(tmp_path)))
    assert list(out.rglob("*.py")), "the template generated no Python files"
    assert _run(out) == []


def test_invalid_syntax_reports_are_ignored(tmp_path):
    (tmp_path / "bad.py").write_text("def f(:\n    pass\n")
    counts = MODULE.run_ruff(tmp_path, ["bad.py"], MODULE.ruff_arguments(MODULE.CodeStyleOptions(), None))
    assert counts == MODULE.Counter()


def test_ruff_gets_the_thread_count_it_is_given_and_its_own_default_otherwise(tmp_path, monkeypatch):
    (tmp_path / "a.py").write_text("import os\n")
    envs: list[dict[str, str]] = []
    real = MODULE.run_tool

    def recording(command, timeout, memory, **kwargs):
        envs.append(kwargs["env"])
        return real(command, timeout, memory, **kwargs)

    monkeypatch.setattr(MODULE, "run_tool", recording)
    monkeypatch.delenv("RAYON_NUM_THREADS", raising=False)
    arguments = MODULE.ruff_arguments(MODULE.CodeStyleOptions(), None)
    counted = MODULE.run_ruff(tmp_path, ["a.py"], arguments, 1)
    assert counted["F401"] == 1 and counted == MODULE.run_ruff(tmp_path, ["a.py"], arguments)
    assert envs[0]["RAYON_NUM_THREADS"] == "1" and "RAYON_NUM_THREADS" not in envs[1]
