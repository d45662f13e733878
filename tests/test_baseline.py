"""Baseline fingerprints survive unrelated edits; a baseline hides exactly the accepted findings."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mllint.adopt.baseline import Baseline, SourceLines, compare, finding_key
from mllint.config.settings import Settings
from mllint.core.findings import Finding
from mllint.engine.session import Session
from mllint.testing import notebook_json

SPLIT = "from sklearn.model_selection import train_test_split\n"


def _code_findings(root: Path):
    result = Session(root, Settings(select=["ML0301"])).check(use_cache=False, jobs=1)
    return [f for f in result.findings if f.code == "ML0301"]


def _keys(root: Path):
    findings = _code_findings(root)
    sources = SourceLines(root)
    return findings, [finding_key(f, sources) for f in findings]


def test_fingerprint_ignores_lines_inserted_above(make_repo):
    body = "X, y = [1, 2], [3, 4]\na, b, c, d = train_test_split(X, y, test_size=0.2)\nprint(a)\n"
    root = make_repo({"train.py": SPLIT + body})
    before, keys_before = _keys(root)
    (root / "train.py").write_text(SPLIT + "import os\n\n\n# a comment\nos.getcwd()\n" + body)
    after, keys_after = _keys(root)
    assert [f.line for f in before] != [f.line for f in after]  # the line moved ...
    assert keys_before == keys_after  # ... the fingerprint did not


def test_fingerprint_ignores_reindentation(make_repo):
    root = make_repo({"train.py": SPLIT + "if True:\n    X = [1, 2]\n    a, b = train_test_split(X, test_size=0.2)\n"})
    baseline = Baseline.from_findings(_code_findings(root), root)
    (root / "train.py").write_text(SPLIT + "if True:\n        X = [1,  2]\n        a, b = train_test_split( X, test_size = 0.2 )\n")
    findings = _code_findings(root)
    assert finding_key(findings[0], SourceLines(root)).exact == baseline.entries[0].fingerprint
    comparison = compare(findings, baseline, root)
    assert len(comparison.baselined) == 1 and not comparison.new and not comparison.fixed


def test_loose_match_when_a_neighbour_changes(make_repo):
    root = make_repo({"train.py": SPLIT + "X = [1, 2]\na, b = train_test_split(X, test_size=0.2)\n"})
    baseline = Baseline.from_findings(_code_findings(root), root)
    (root / "train.py").write_text(SPLIT + "X = [1, 2, 3]\na, b = train_test_split(X, test_size=0.2)\n")
    findings = _code_findings(root)
    assert finding_key(findings[0], SourceLines(root)).exact != baseline.entries[0].fingerprint
    assert len(compare(findings, baseline, root).baselined) == 1


def test_notebook_fingerprint_survives_a_cell_inserted_before(make_repo):
    cells = [SPLIT, "X = [1, 2]\na, b = train_test_split(X, test_size=0.2)\n"]
    root = make_repo({"nb.ipynb": notebook_json(cells)})
    before, keys_before = _keys(root)
    (root / "nb.ipynb").write_text(notebook_json([cells[0], "import os\nprint(os.getcwd())\n", cells[1]]))
    after, keys_after = _keys(root)
    assert [f.cell for f in before] == [1] and [f.cell for f in after] == [2]
    assert keys_before == keys_after


def test_new_copy_of_a_baselined_line_is_new(make_repo):
    line = "a, b = train_test_split(X, test_size=0.2)\n"
    root = make_repo({"train.py": SPLIT + "X = [1, 2]\n" + line})
    baseline = Baseline.from_findings(_code_findings(root), root)
    (root / "train.py").write_text(SPLIT + "X = [1, 2]\n" + line + "X = [1, 2]\n" + line)
    comparison = compare(_code_findings(root), baseline, root)
    assert len(comparison.baselined) == 1 and len(comparison.new) == 1  # which copy is new is arbitrary


def test_removed_finding_is_reported_fixed(make_repo):
    root = make_repo({"train.py": SPLIT + "X = [1]\na, b = train_test_split(X, test_size=0.2)\n"})
    baseline = Baseline.from_findings(_code_findings(root), root)
    (root / "train.py").write_text(SPLIT + "X = [1]\na, b = train_test_split(X, test_size=cfg)\n")
    comparison = compare(_code_findings(root), baseline, root)
    assert not comparison.baselined and not comparison.new and len(comparison.fixed) == 1


def test_repository_finding_fingerprint_ignores_counts_in_the_message(make_repo):
    root = make_repo({"train.py": "x = 1\n"})
    result = Session(root, Settings(select=["ML0501"])).check(use_cache=False, jobs=1)
    baseline = Baseline.from_findings(result.findings, root)
    (root / "more.py").write_text("y = 2\n")
    again = Session(root, Settings(select=["ML0501"])).check(use_cache=False, jobs=1)
    assert again.findings[0].message != result.findings[0].message  # "for 2 code file(s)"
    assert len(compare(again.findings, baseline, root).baselined) == 1


def test_baseline_file_is_deterministic_and_has_no_line_based_identity(make_repo, tmp_path):
    root = make_repo({"train.py": SPLIT + "X = [1]\na, b = train_test_split(X, test_size=0.2)\n"})
    baseline = Baseline.from_findings(_code_findings(root), root)
    assert baseline.dumps() == Baseline.from_findings(_code_findings(root), root).dumps()
    baseline.write(tmp_path / "b.json")
    data = json.loads((tmp_path / "b.json").read_text())
    entry = data["findings"][0]
    assert entry["code"] == "ML0301" and entry["path"] == "train.py"
    assert "3" not in entry["fingerprint"].split()  # an opaque hash, not "train.py:3"
    reread = Baseline.read(tmp_path / "b.json")
    assert [e.fingerprint for e in reread.entries] == [e.fingerprint for e in baseline.entries]


_LINES = st.text(alphabet="abcxyz_=()+ 0123", min_size=0, max_size=20)


def _finding(line: int) -> Finding:
    return Finding(code="ML0301", name="hardcoded-split", factor=3, kind="code", severity="warning",
                   message="hardcoded split", path="train.py", line=line, column=1)


@hsettings(max_examples=60, deadline=None)
@given(before=st.lists(_LINES, max_size=8), inserted=st.lists(_LINES, min_size=1, max_size=8),
       at=st.integers(min_value=0, max_value=8), indent=st.sampled_from(["", "  ", "\t", "        "]))
def test_property_a_finding_survives_insertions_above_and_reindentation(tmp_path_factory, before, inserted, at, indent):
    target = "a, b = train_test_split(X, test_size=0.2)"
    root = tmp_path_factory.mktemp("prop")
    original = [*before, target, "print(a)"]
    (root / "train.py").write_text("\n".join(original) + "\n")
    baseline = Baseline.from_findings([_finding(len(before) + 1)], root)
    position = min(at, len(before))
    edited = [*before[:position], *[x for x in inserted if "train_test_split" not in x], *before[position:]]
    edited = [indent + line for line in edited] + [indent + target, indent + "print(a)"]
    (root / "train.py").write_text("\n".join(edited) + "\n")
    moved = _finding(len(edited) - 1)
    comparison = compare([moved], baseline, root)
    assert comparison.baselined == [moved] and not comparison.new and not comparison.fixed
