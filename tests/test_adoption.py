"""The adoption path end to end: mllint baseline, check with a baseline, --changed-since, --add-ignore."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mllint.testing import git, notebook_json

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "messy-ml-repo"
SPLIT = "from sklearn.model_selection import train_test_split\n"
ONLY = 'select = ["ML0301", "ML0501"]\n'  # mllint.toml: keeps these tests independent of other rules


def _json(result) -> list[dict]:
    return json.loads(result.stdout)


def test_messy_example_baseline_then_only_new_findings_fail(cli, tmp_path):
    root = tmp_path / "messy"
    shutil.copytree(EXAMPLE, root)
    before = cli("check", "--no-cache", "-o", "json", root)
    assert before.exit_code == 1 and len(_json(before)) >= 2

    made = cli("baseline", "--no-cache", root)
    assert made.exit_code == 0, made.output
    assert (root / ".mllint-baseline.json").is_file()
    clean = cli("check", "--no-cache", root)
    assert clean.exit_code == 0, clean.output
    assert f"baselined: {len(_json(before))} findings" in clean.output

    train = root / "train.py"
    train.write_text(train.read_text() + '\nimport os\nX_a, X_b = train_test_split(X_test, test_size=0.3, random_state=int(os.environ["SEED"]))\n')
    after = cli("check", "--no-cache", "-o", "json", root)
    assert after.exit_code == 1
    new = _json(after)
    assert [(f["code"], f["path"]) for f in new] == [("ML0301", "train.py")]
    assert "0.3" in new[0]["message"]
    assert set(new[0]) == {"code", "name", "factor", "kind", "severity", "message", "path", "line", "column",
                           "end_line", "end_column", "cell", "fix"}

    shown = cli("check", "--no-cache", "-o", "json", "--show-baselined", root)
    assert shown.exit_code == 1  # the baselined ones are listed but the exit code is still the new one's
    assert len(_json(shown)) == len(_json(before)) + 1
    everything = cli("check", "--no-cache", "-o", "json", "--no-baseline", root)
    assert len(_json(everything)) == len(_json(before)) + 1


def test_fixed_findings_are_reported_and_pruned(cli, make_repo):
    root = make_repo({"train.py": SPLIT + "X = [1]\na, b = train_test_split(X, test_size=0.2)\nc, d = train_test_split(X, test_size=0.5)\n",
                      "tests/test_x.py": "def test_x():\n    assert True\n", "mllint.toml": ONLY})
    assert cli("baseline", "--no-cache", root).exit_code == 0
    (root / "train.py").write_text(SPLIT + "X = [1]\na, b = train_test_split(X, test_size=0.2)\n")
    result = cli("check", "--no-cache", root)
    assert result.exit_code == 0
    assert "fixed: 1 baselined finding" in result.output and "test_size=0.5" in result.output
    pruned = cli("baseline", "--prune", "--no-cache", root)
    assert pruned.exit_code == 0 and "Pruned 1" in pruned.output
    data = json.loads((root / ".mllint-baseline.json").read_text())
    assert len(data["findings"]) == 1 and "0.2" in data["findings"][0]["message"]
    assert "fixed:" not in cli("check", "--no-cache", root).output


def test_prune_adds_nothing_new(cli, make_repo):
    root = make_repo({"train.py": SPLIT + "X = [1]\na, b = train_test_split(X, test_size=0.2)\n",
                      "tests/test_x.py": "def test_x():\n    assert True\n", "mllint.toml": ONLY})
    assert cli("baseline", "--no-cache", root).exit_code == 0
    (root / "train.py").write_text(SPLIT + "X = [1]\na, b = train_test_split(X, test_size=0.2)\nc, d = train_test_split(X, test_size=0.4)\n")
    assert cli("baseline", "--prune", "--no-cache", root).exit_code == 0
    assert cli("check", "--no-cache", root).exit_code == 1


def test_explicit_baseline_file_and_errors(cli, make_repo, tmp_path):
    root = make_repo({"train.py": SPLIT + "X = [1]\na, b = train_test_split(X, test_size=0.2)\n", "mllint.toml": ONLY})
    target = tmp_path / "accepted.json"
    assert cli("baseline", "--no-cache", "--baseline", target, root).exit_code == 0
    assert not (root / ".mllint-baseline.json").exists()
    assert cli("check", "--no-cache", root).exit_code == 1
    assert cli("check", "--no-cache", "--baseline", target, root).exit_code == 0
    missing = cli("check", "--no-cache", "--baseline", tmp_path / "nope.json", root)
    assert missing.exit_code == 2
    (tmp_path / "bad.json").write_text("[1, 2]")
    assert cli("check", "--no-cache", "--baseline", tmp_path / "bad.json", root).exit_code == 2


def test_changed_since_counts_only_changed_files(cli, make_repo):
    root = make_repo({"old.py": SPLIT + "X = [1]\na, b = train_test_split(X, test_size=0.2)\n",
                      "tests/test_x.py": "def test_x():\n    assert True\n", "mllint.toml": ONLY})
    git(root, "tag", "base")
    (root / "new.py").write_text(SPLIT + "X = [1]\nc, d = train_test_split(X, test_size=0.3)\n")
    git(root, "add", "new.py")
    git(root, "commit", "-q", "-m", "feature")
    (root / "wip.py").write_text("print('untracked, not ignored')\n")

    result = cli("check", "--no-cache", "-o", "json", "--changed-since", "base", root)
    assert result.exit_code == 1
    assert [f["path"] for f in _json(result)] == ["new.py"]
    head = cli("check", "--no-cache", "-o", "json", "--changed-since", "HEAD", root)
    assert head.exit_code == 0 and _json(head) == []
    text = cli("check", "--no-cache", "--changed-since", "HEAD", root)
    assert "unchanged files: 2 findings" in text.output
    shown = cli("check", "--no-cache", "-o", "json", "--show-baselined", "--changed-since", "HEAD", root)
    assert shown.exit_code == 0 and len(_json(shown)) == 2

    (root / "old.py").write_text((root / "old.py").read_text() + "print(a)\n")  # touching a file makes it count
    touched = cli("check", "--no-cache", "-o", "json", "--changed-since", "HEAD", root)
    assert touched.exit_code == 1 and [f["path"] for f in _json(touched)] == ["old.py"]
    assert cli("check", "--no-cache", "--changed-since", "no-such-ref", root).exit_code == 2


def test_changed_since_repository_finding_counts_when_its_evidence_changed(cli, make_repo):
    root = make_repo({"train.py": "x = 1\n", "tests/test_x.py": "def test_x():\n    assert True\n", "mllint.toml": ONLY})
    git(root, "tag", "base")
    git(root, "rm", "-q", "tests/test_x.py")
    git(root, "commit", "-q", "-m", "drop tests")
    result = cli("check", "--no-cache", "-o", "json", "--select", "ML0501", "--changed-since", "base", root)
    assert result.exit_code == 1 and [f["code"] for f in _json(result)] == ["ML0501"]
    (root / "train.py").write_text("x = 2\n")
    git(root, "tag", "later")
    assert cli("check", "--no-cache", "--select", "ML0501", "--changed-since", "later", root).exit_code == 0


def test_changed_since_with_baseline(cli, make_repo):
    root = make_repo({"a.py": SPLIT + "X = [1]\na, b = train_test_split(X, test_size=0.2)\n",
                      "tests/test_x.py": "def test_x():\n    assert True\n", "mllint.toml": ONLY})
    assert cli("baseline", "--no-cache", root).exit_code == 0
    git(root, "add", ".mllint-baseline.json")
    git(root, "commit", "-q", "-m", "baseline")
    (root / "a.py").write_text("import os\n" + (root / "a.py").read_text())
    result = cli("check", "--no-cache", "--changed-since", "HEAD", root)
    assert result.exit_code == 0, result.output  # a.py changed, but its only finding is baselined


def test_add_ignore_python_keeps_formatting(cli, make_repo):
    source = (SPLIT + "X = [1]\r\n"
              "if True:\n    a, b = train_test_split(X,   test_size=0.2)  # keep me\n"
              "c, d = train_test_split(\n    X, test_size=0.3)\n"
              "doc = '''a\nb'''; e, f = train_test_split(X, test_size=0.4)\n")
    root = make_repo({"train.py": source, "tests/test_x.py": "def test_x():\n    assert True\n", "mllint.toml": ONLY})
    result = cli("check", "--no-cache", "--add-ignore", root)
    assert result.exit_code == 0, result.output
    edited = (root / "train.py").read_bytes().decode()
    old_lines, new_lines = source.split("\n"), edited.split("\n")
    assert len(old_lines) == len(new_lines)
    changed = [(o, n) for o, n in zip(old_lines, new_lines) if o != n]
    assert changed == [
        ("    a, b = train_test_split(X,   test_size=0.2)  # keep me",
         "    a, b = train_test_split(X,   test_size=0.2)  # keep me  # mllint: ignore[ML0301]"),
        ("c, d = train_test_split(", "c, d = train_test_split(  # mllint: ignore[ML0301]"),
        ("b'''; e, f = train_test_split(X, test_size=0.4)",  # the first line ends inside the string
         "b'''; e, f = train_test_split(X, test_size=0.4)  # mllint: ignore[ML0301]"),
    ]
    assert "X = [1]\r\n" in edited
    again = cli("check", "--no-cache", "-o", "json", root)
    assert again.exit_code == 0 and _json(again) == []


def test_add_ignore_merges_into_an_existing_directive():
    from mllint.fix.ignores import annotate_line

    assert annotate_line("x = f()  # mllint: ignore[ML0101]\n", ["ML0301"]) == "x = f()  # mllint: ignore[ML0101, ML0301]\n"
    assert annotate_line("x = f()\n", ["ML0301", "ML0302"]) == "x = f()  # mllint: ignore[ML0301, ML0302]\n"
    assert annotate_line("x = f()  # mllint: ignore\n", ["ML0301"]) == "x = f()  # mllint: ignore\n"


def test_add_ignore_notebook_edits_only_the_cell_line(cli, make_repo):
    cells = [SPLIT + "%matplotlib inline\n", "X = [1]\na, b = train_test_split(X, test_size=0.2)\nprint(a)\n"]
    original = notebook_json(cells)
    root = make_repo({"nb.ipynb": original, "tests/test_x.py": "def test_x():\n    assert True\n", "mllint.toml": ONLY})
    result = cli("check", "--no-cache", "--add-ignore", root)
    assert result.exit_code == 0, result.output
    edited = (root / "nb.ipynb").read_text()
    diff = [(o, n) for o, n in zip(original.split("\n"), edited.split("\n")) if o != n]
    assert len(original.split("\n")) == len(edited.split("\n"))
    assert len(diff) == 1 and diff[0][1].endswith('test_size=0.2)  # mllint: ignore[ML0301]\\n",')
    assert json.loads(edited)["cells"][0] == json.loads(original)["cells"][0]


def test_add_ignore_keeps_an_unusual_notebook_layout_byte_for_byte(cli, make_repo):
    cells = [SPLIT, "X = [1]\na, b = train_test_split(X, test_size=0.2)\n"]
    odd = json.dumps(json.loads(notebook_json(cells)), indent=3, separators=(",", " : "))  # json.dumps cannot redo it
    root = make_repo({"nb.ipynb": odd.replace("\n", "\r\n"), "tests/test_x.py": "def test_x():\n    assert True\n",
                      "mllint.toml": ONLY})
    result = cli("check", "--no-cache", "--add-ignore", root)
    assert result.exit_code == 0, result.output  # annotated: the JSON text is edited in place
    edited = (root / "nb.ipynb").read_bytes().decode()
    before = odd.replace("\n", "\r\n").split("\r\n")
    after = edited.split("\r\n")
    changed = [(o, n) for o, n in zip(before, after) if o != n]
    assert len(before) == len(after) and len(changed) == 1
    assert changed[0][1] == changed[0][0].replace('test_size=0.2)\\n"', 'test_size=0.2)  # mllint: ignore[ML0301]\\n"')


def test_partial_runs_do_not_report_out_of_scope_entries_as_fixed(cli, make_repo, monkeypatch):
    root = make_repo({"a.py": SPLIT + "X = [1]\na, b = train_test_split(X, test_size=0.2)\n",
                      "b.py": SPLIT + "X = [1]\nc, d = train_test_split(X, test_size=0.3)\n", "mllint.toml": ONLY})
    assert cli("baseline", "--no-cache", root).exit_code == 0
    code_only = cli("check", "--no-cache", "--only", "code", root)
    assert code_only.exit_code == 0 and "fixed:" not in code_only.output  # ML0501 did not run: not "fixed"
    monkeypatch.chdir(root)
    one_file = cli("check", "--no-cache", "a.py")
    assert one_file.exit_code == 0 and "baselined: 1 finding" in one_file.output and "fixed:" not in one_file.output


def test_changed_since_outside_git_is_a_usage_error(cli, make_repo):
    root = make_repo({"a.py": "x = 1\n"}, use_git=False)
    result = cli("check", "--no-cache", "--changed-since", "HEAD", root)
    assert result.exit_code == 2


def test_show_baselined_marks_them_in_text(cli, make_repo):
    root = make_repo({"a.py": SPLIT + "X = [1]\na, b = train_test_split(X, test_size=0.2)\n",
                      "tests/test_x.py": "def test_x():\n    assert True\n", "mllint.toml": ONLY})
    assert cli("baseline", "--no-cache", root).exit_code == 0
    (root / "a.py").write_text((root / "a.py").read_text() + "c, d = train_test_split(X, test_size=0.4)\n")
    result = cli("check", "--no-cache", "--show-baselined", root)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("a.py:")]
    assert len(lines) == 2 and sum(line.endswith("[baselined]") for line in lines) == 1
    assert "Found 1 finding" in result.output
