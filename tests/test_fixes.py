"""Code fixes (mllint/fix/code.py; rules attach text edits to their findings): every documented fix,
idempotence, notebooks, never unparseable output, safe/unsafe gating, the edits in the JSON output, the
CLI flags and how outputs show fixability."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mllint.catalogue.loader import load_catalogue
from mllint.catalogue.rule import CodeRule, FixExample
from mllint.config.settings import Settings
from mllint.core.findings import Edit
from mllint.engine.session import Session
from mllint.fix.code import FileChange, apply_edits, fix_files
from mllint.testing import notebook_json

CATALOGUE = load_catalogue()
FIXABLE = [rule for rule in CATALOGUE.code_rules() if rule.fixes]
PYTHON = [sys.executable, "-m", "mllint"]


def _cases():
    for rule in FIXABLE:
        for index, example in enumerate(rule.fixes):
            yield pytest.param(rule, example, id=f"{rule.code}-fix-{index}")


def _dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _fix(root: Path, rel: str, codes: str | set[str], unsafe: bool) -> list[FileChange]:
    selected = [codes] if isinstance(codes, str) else sorted(codes)
    report = fix_files(Session(root, Settings(select=selected)), [rel], unsafe=unsafe)
    assert not report.problems, report.problems
    return report.changes


def _text(data: bytes) -> str:
    return data.decode("utf-8")


def _setup(root: Path, example: FixExample, before: str) -> None:
    for rel, content in example.files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(_dedent(content))
    (root / example.path).parent.mkdir(parents=True, exist_ok=True)
    (root / example.path).write_text(before)


def test_at_least_six_rules_are_fixable_and_document_their_fixes():
    assert len(FIXABLE) >= 6, [r.code for r in FIXABLE]
    for rule in FIXABLE:
        assert issubclass(rule, CodeRule)


def test_apply_edits_counts_lines_and_characters_from_one():
    text = "a = 1\nb = 'é' + x.values\n"
    edits = [Edit("m.py", _pos(2, 13), _pos(2, 19), "to_numpy()"), Edit("m.py", _pos(1, 1), _pos(1, 1), "# hi\n")]
    assert apply_edits(text, edits) == "# hi\na = 1\nb = 'é' + x.to_numpy()\n"
    with pytest.raises(ValueError):
        apply_edits(text, [Edit("m.py", _pos(9, 1), _pos(9, 1), "x")])


def _pos(line: int, column: int):
    from mllint.core.findings import Position

    return Position(line, column)


@pytest.mark.parametrize("rule, example", list(_cases()))
def test_fix_example(rule, example, tmp_path):
    before, after = _dedent(example.before), _dedent(example.after)
    _setup(tmp_path, example, before)
    if example.unsafe:  # an unsafe fix is not applied by --fix alone
        assert not _fix(tmp_path, example.path, rule.code, unsafe=False)
    results = _fix(tmp_path, example.path, rule.code, unsafe=True)
    others = {item.path: _text(item.after) for item in results if item.path != example.path}
    assert others == {rel: _dedent(text) for rel, text in example.files_after.items()}
    for rel, text in others.items():
        (tmp_path / rel).write_text(text)
    mine = [item for item in results if item.path == example.path]
    assert len(mine) == 1, results
    assert _text(mine[0].after) == after, mine[0].diff()
    ast.parse(mine[0].after)
    assert mine[0].fixed and all(f.fix.applicability == ("unsafe" if example.unsafe else "safe") for f in mine[0].fixed)
    # idempotence: the fixed file has nothing left to fix
    (tmp_path / example.path).write_bytes(mine[0].after)
    assert not _fix(tmp_path, example.path, rule.code, unsafe=True)


@pytest.mark.parametrize("rule, example", list(_cases()))
def test_fix_example_inside_a_notebook(rule, example, tmp_path):
    """The same fix in a notebook cell after a magic line: only the cell's source changes, the magic stays."""
    before, after = _dedent(example.before), _dedent(example.after)
    for rel, content in example.files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(_dedent(content))
    # a trailing statement: a cell's last expression is displayed, which some rules do not report
    data = json.loads(notebook_json(["%matplotlib inline\n" + before + "pass", "print('done')"], markdown_first=True))
    (tmp_path / "explore.ipynb").write_text(json.dumps(data, indent=1))
    results = [item for item in _fix(tmp_path, "explore.ipynb", rule.code, unsafe=True) if item.path == "explore.ipynb"]
    assert len(results) == 1
    fixed = json.loads(results[0].after)
    assert "".join(fixed["cells"][1]["source"]) == "%matplotlib inline\n" + after + "pass"
    assert fixed["cells"][0] == data["cells"][0] and fixed["cells"][2] == data["cells"][2]
    assert fixed["metadata"] == data["metadata"]


@pytest.mark.parametrize("rule", FIXABLE, ids=lambda r: r.code)
def test_fixes_on_violating_examples_parse_and_converge(rule, tmp_path):
    """Every violating catalogue example: whatever the fixer does parses, and a second pass changes nothing."""
    from mllint.testing import example_bytes

    for index, example in enumerate(rule.violating):
        rel = example.path if example.cells is None else "nb.ipynb"
        target = tmp_path / str(index) / rel
        target.parent.mkdir(parents=True)
        target.write_bytes(example_bytes(example))
        results = _fix(target.parent, rel, rule.code, unsafe=True)
        for item in results:
            if rel.endswith(".ipynb"):
                for cell in json.loads(item.after)["cells"]:
                    from mllint.core.source import neutralise_cell

                    ast.parse(neutralise_cell("".join(cell["source"])))
            else:
                ast.parse(item.after)
            (target.parent / item.path).write_bytes(item.after)
        again = _fix(target.parent, rel, rule.code, unsafe=True)
        assert not again, f"{rule.code} example {index} does not converge"


def _project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(_dedent("""
        import torch
        import pandas as pd
        from torchvision.models import resnet18
        df = pd.read_csv("train.csv")
        X = df.values
        model = resnet18()
        out = model.forward(X)
    """))
    return tmp_path


def test_cli_fix_applies_only_safe_fixes_and_unsafe_on_request(tmp_path):
    root = _project(tmp_path)
    args = PYTHON + ["check", str(root), "--no-cache", "--select", "ML1303,ML1307"]
    diff = subprocess.run(args + ["--diff"], capture_output=True, text=True)
    assert diff.returncode == 1 and "+out = model(X)" in diff.stdout and "to_numpy" not in diff.stdout
    assert "model.forward" in (root / "train.py").read_text()  # --diff writes nothing
    subprocess.run(args + ["--fix"], capture_output=True, text=True)
    text = (root / "train.py").read_text()
    assert "out = model(X)" in text and "df.values" in text
    done = subprocess.run(args + ["--fix", "--unsafe-fixes", "-o", "json"], capture_output=True, text=True)
    assert "X = df.to_numpy()" in (root / "train.py").read_text()
    assert done.returncode == 0 and json.loads(done.stdout) == []


def test_json_carries_fix_and_text_formats_show_fixability(tmp_path):
    root = _project(tmp_path)
    args = PYTHON + ["check", str(root), "--no-cache", "--select", "ML1303,ML1307"]
    data = json.loads(subprocess.run(args + ["-o", "json"], capture_output=True, text=True).stdout)
    fixes = {item["code"]: item["fix"] for item in data}
    assert fixes["ML1307"]["applicability"] == "safe" and "model(...)" in fixes["ML1307"]["message"]
    assert fixes["ML1303"]["applicability"] == "unsafe"
    text = subprocess.run(args, capture_output=True, text=True).stdout
    assert "[*]" in text and "--unsafe-fixes" in text
    concise = subprocess.run(args + ["-o", "concise"], capture_output=True, text=True).stdout
    assert "[*]" in concise
    sarif = json.loads(subprocess.run(args + ["-o", "sarif"], capture_output=True, text=True).stdout)
    props = {r["ruleId"]: r["properties"].get("fix") for r in sarif["runs"][0]["results"]}
    assert props["ML1307"]["applicability"] == "safe" and props["ML1303"]["applicability"] == "unsafe"
    github = subprocess.run(args + ["-o", "github"], capture_output=True, text=True).stdout
    assert "fixable: `mllint check --fix`" in github and "--unsafe-fixes" in github
    markdown = subprocess.run(args + ["-o", "markdown"], capture_output=True, text=True).stdout
    assert "*(fixable)*" in markdown


@pytest.mark.parametrize("source, fixed", [
    # proven torch modules: a torch.nn class, moved to a device; an instance of a module class of the file
    ("import torch\nfrom torch import nn\nnet = nn.Linear(4, 2).to('cuda')\ny = net.forward(x)\n", True),
    ("import torch\nfrom torch import nn\nclass Net(nn.Module):\n    pass\nclass Big(Net):\n    pass\n"
     "m = Big()\ny = m.forward(x)\n", True),
    ("import torch\nfrom transformers import AutoModelForCausalLM\n"
     "lm = AutoModelForCausalLM.from_pretrained('gpt2').cuda()\ny = lm.forward(ids)\n", True),
    ("import torch\nfrom diffusers.modeling_utils import ModelMixin\nclass GNN(ModelMixin):\n    pass\n"
     "gnn = GNN.from_pretrained('fusing/gnn').to('cuda')\ny = gnn.forward(batch)\n", True),
    # not proven: a parameter, whatever torch.load unpickled, a model of another file, a put-in-eval unknown
    ("import torch\ndef evaluate(net, loader):\n    return [net.forward(x) for x, _ in loader]\n", False),
    ("import torch\nmodel = torch.load('model.pt')\ny = model.forward(x)\n", False),
    ("import torch\nfrom .models import build\nmodel = build(cfg)\nmodel.eval()\ny = model.forward(x)\n", False),
    ("import torch\nclass Trainer:\n    def __init__(self, model):\n        self.model = model\n"
     "    def step(self, x):\n        return self.model.forward(x)\n", False),
])
def test_forward_fix_only_where_the_receiver_is_proven_a_module(tmp_path, source, fixed):
    """ML1307 reports every direct forward() call but offers `x(...)` only for a proven nn.Module:
    an object of unknown type may have `forward` without `__call__`."""
    (tmp_path / "train.py").write_text(source)
    findings = Session(tmp_path, Settings(select=["ML1307"])).check(files=["train.py"], only="code", use_cache=False).findings
    assert [f.code for f in findings] == ["ML1307"]
    fix = findings[0].fix
    if fixed:
        assert fix is not None and fix.applicability == "safe"
    else:
        assert fix is None


def test_all_fixes_on_the_golden_fixtures_parse_converge_and_clear_what_they_fix(tmp_path):
    """Every fixable rule at once, unsafe included, on the realistic fixture files and the messy example."""
    import shutil

    from mllint.core.source import neutralise_cell

    fixtures = Path(__file__).parent / "fixtures" / "code"
    messy = Path(__file__).resolve().parent.parent / "examples" / "messy-ml-repo"
    files = [p for p in fixtures.iterdir() if p.suffix in (".py", ".ipynb")]
    files += [p for p in messy.rglob("*") if p.suffix in (".py", ".ipynb")]
    codes = {rule.code for rule in FIXABLE}
    changed = 0
    for index, source in enumerate(sorted(files)):
        root = tmp_path / str(index)
        root.mkdir()
        shutil.copy(source, root / source.name)
        results = _fix(root, source.name, codes, unsafe=True)
        for item in results:
            if source.suffix == ".ipynb":
                for cell in json.loads(item.after)["cells"]:
                    if cell["cell_type"] == "code":
                        ast.parse(neutralise_cell("".join(cell["source"])))
            else:
                ast.parse(item.after)
            changed += item.changed
            (root / item.path).write_bytes(item.after)
        again = _fix(root, source.name, codes, unsafe=True)
        assert not again, f"{source.name}: fixes do not converge"
    assert changed >= 5


def test_json_fix_edits_applied_give_the_fix_and_fix_applies_exactly_them(tmp_path):
    """The edits in the JSON are the fix: applied by a client they give what `--fix` writes."""
    source = "import pandas as pd\ndf = pd.read_csv('x.csv')\nX = df.values\ny = df['label'].values\n"
    (tmp_path / "train.py").write_text(source)
    args = PYTHON + ["check", str(tmp_path), "--no-cache", "--select", "ML1303"]
    data = json.loads(subprocess.run(args + ["-o", "json"], capture_output=True, text=True).stdout)
    edits = [Edit.from_json(edit) for item in data for edit in item["fix"]["edits"]]
    assert len(edits) == 2 and all(edit.path == "train.py" and edit.text == "to_numpy()" for edit in edits)
    expected = apply_edits(source, edits)
    assert "X = df.to_numpy()" in expected and "y = df['label'].to_numpy()" in expected
    subprocess.run(args + ["--fix", "--unsafe-fixes"], capture_output=True, text=True)
    assert (tmp_path / "train.py").read_text() == expected


def test_notebook_edits_carry_their_cell(tmp_path):
    (tmp_path / "nb.ipynb").write_text(notebook_json(["import pandas as pd\ndf = pd.read_csv('x')",
                                                      "%matplotlib inline\nX = df.values\nprint(X)"], markdown_first=True))
    args = PYTHON + ["check", str(tmp_path), "--no-cache", "--select", "ML1303", "-o", "json"]
    data = json.loads(subprocess.run(args, capture_output=True, text=True).stdout)
    [edit] = data[0]["fix"]["edits"]
    assert edit == {"path": "nb.ipynb", "start": {"line": 2, "column": 8}, "end": {"line": 2, "column": 14},
                    "text": "to_numpy()", "cell": 2}
