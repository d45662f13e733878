"""The server's building blocks without a client: edit arithmetic, settings, crash isolation, notebooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mllint.catalogue.loader import load_catalogue
from mllint.core.findings import Edit, Position
from mllint.fix.code import apply_edits
from mllint.server.edits import diff_edits
from mllint.server.project import Project
from mllint.server.settings import ClientSettings, parse_client_settings


def test_diff_edits_are_minimal_and_round_trip() -> None:
    before = "import pandas as pd\nx = df.values\ny = 1\n"
    after = "import pandas as pd\nSEED = 42\nx = df.to_numpy()\ny = 1\n"
    edits = diff_edits(before, after, "a.py")
    assert apply_edits(before, edits) == after
    assert all(edit.path == "a.py" for edit in edits)
    assert any(edit.text == "to_numpy()" or "to_numpy()" in edit.text for edit in edits)
    assert not any("import pandas" in edit.text or "y = 1" in edit.text for edit in edits)  # unchanged lines stay


@pytest.mark.parametrize("before,after", [
    ("", "x = 1\n"), ("x = 1", "x = 2"), ("a\nb\nc", "a\nc"), ("a\r\nb\r\n", "a\r\nB\r\n"), ("é = 1\n", "é = 2\n"),
])
def test_diff_edits_round_trip(before: str, after: str) -> None:
    assert apply_edits(before, diff_edits(before, after, "a.py")) == after


def test_edit_json_contract() -> None:
    raw = {"path": "nb.ipynb", "cell": 2, "start": {"line": 3, "column": 4}, "end": {"line": 3, "column": 10}, "text": "y"}
    edit = Edit.from_json(raw)
    assert edit == Edit("nb.ipynb", Position(3, 4), Position(3, 10), "y", 2)
    assert edit.to_json() == raw


def test_client_settings_envelopes() -> None:
    assert parse_client_settings({"settings": {"select": ["ML03"], "run": "onSave"}}) == ClientSettings(("ML03",), (), "onSave")
    assert parse_client_settings({"mllint": {"ignore": "ML0301, ML0401"}}).ignore == ("ML0301", "ML0401")
    assert parse_client_settings({"run": "sometimes"}).run == "onType"
    previous = ClientSettings(select=("ML13",))
    assert parse_client_settings({"mllint": {"run": "onSave"}}, previous).select == ("ML13",)
    assert parse_client_settings(None) == ClientSettings()


def test_a_crashing_rule_costs_only_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rule = load_catalogue().by_code()["ML1303"]

    def boom(self, node):
        raise ZeroDivisionError("rule bug")

    monkeypatch.setattr(rule, "visit_Attribute", boom, raising=True)
    project = Project(tmp_path)
    project.reload()
    source = b"from sklearn.model_selection import train_test_split\ntrain_test_split(X, test_size=0.2, random_state=1)\nv = df.values\n"
    findings = project.analyze("train.py", source)
    found = [f.code for f in findings]
    assert "ML0301" in found  # the other rules still ran
    internal = [f for f in findings if f.code == "ML0004"]
    assert len(internal) == 1 and "ML1303" in internal[0].message and "rule bug" in internal[0].message


def test_fixer_edits_for_a_notebook_cell_keep_magics(tmp_path: Path) -> None:
    from mllint.testing import notebook_json

    project = Project(tmp_path)
    project.reload()
    data = notebook_json(["%matplotlib inline\nimport pandas as pd\nx = pd.read_csv('d').values\n"], markdown_first=True).encode()
    finding = next(f for f in project.analyze("nb.ipynb", data) if f.code == "ML1303")
    assert finding.cell == 1
    edits = project.fix_edits(finding)
    assert edits and all(edit.cell == 1 for edit in edits)
    cell = "".join(json.loads(data)["cells"][1]["source"])
    fixed = apply_edits(cell, edits)
    assert fixed == cell.replace(".values", ".to_numpy()")


def test_check_never_imports_the_server_stack(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "train.py").write_text("x = 1\n")
    code = ("import sys\nfrom mllint.cli import app\n"
            f"sys.argv = ['mllint', 'check', '--no-cache', {str(tmp_path)!r}]\n"
            "try:\n    app()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'mllint') and "
            "(m.startswith(('pygls', 'lsprotocol')) or m.startswith('mllint.server'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_diagnostic_fields(tmp_path: Path) -> None:
    from lsprotocol import types
    from pygls.workspace.position_codec import PositionCodec

    from mllint.core.findings import Finding
    from mllint.server.diagnostics import to_diagnostic

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("a\n")
    repo = Finding("ML0102", "data-in-git", 1, "repo", "error", "data in git", path="requirements.txt",
                   evidence=["data/x.csv", "requirements.txt", "missing.csv", "*.dvc"])
    diagnostic = to_diagnostic(repo, "pandas\n", PositionCodec(), tmp_path)
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.range.start == diagnostic.range.end == types.Position(line=0, character=0)
    related = diagnostic.related_information or []
    assert [item.location.uri for item in related] == [(tmp_path / "data" / "x.csv").resolve().as_uri()]
    unused = Finding("ML0002", "unused-suppression", 0, "code", "info", "unused", path="a.py", line=1, column=7)
    tagged = to_diagnostic(unused, "x = 1  # mllint: ignore[ML0301]\n", PositionCodec(), None)
    assert tagged.tags == [types.DiagnosticTag.Unnecessary]
    assert tagged.severity == types.DiagnosticSeverity.Information
    assert (tagged.range.start.character, tagged.range.end.character) == (6, 31)  # to the end of the line
    wide = Finding("ML0303", "hardcoded-path", 3, "code", "warning", "path", path="a.py", line=1, column=5,
                   end_line=1, end_column=8)
    assert to_diagnostic(wide, "x = '😀ab'\n", PositionCodec(), None).range.end.character == 8  # UTF-16: the emoji is 2 units
