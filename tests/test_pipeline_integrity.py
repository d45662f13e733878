"""Pipeline integrity (ML0403-ML0407): the stage model, the params-key collector, DVC's hashes, the rules."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mllint.config.settings import Settings
from mllint.core.paramfacts import ParamsFacts
from mllint.engine.session import Session
from mllint.repo.dvchash import DvcHasher, is_text_block
from mllint.testing import write_repo

SESSION = Session(Path.cwd(), Settings(select=[]))


def params_facts(source: str, path: str = "train.py") -> ParamsFacts:
    facts = SESSION.analyze(path, source.encode()).facts
    assert facts.params is not None
    return facts.params


def accesses(source: str, path: str = "train.py") -> set[tuple[str, str]]:
    """(dotted key, kind) of every params access the collector records in ``source``."""
    facts = SESSION.analyze(path, source.encode()).facts
    return {(".".join(a.path), a.kind) for a in (facts.params.accesses if facts.params else [])}


def check(root: Path, select: str = "ML04"):
    return Session(root, Settings(select=[select])).check(use_cache=False, jobs=1)


def findings(root: Path, select: str = "ML04") -> list:
    return check(root, select).findings


# -- the issue's acceptance case ------------------------------------------------------------------------
DVC_YAML = """\
stages:
  train:
    cmd: python src/train.py
    deps:
      - src/train.py
      - data.csv
    params:
      - train.C
      - train.penalty
    outs:
      - model.pkl
"""
PARAMS = "train:\n  C: 1.0\n  max_iter: 100\nlegacy_seed: 3\n"
TRAIN = 'import yaml\nfrom features import build\n\nparams = yaml.safe_load(open("params.yaml"))["train"]\nmodel = build(C=params["C"], max_iter=params["max_iter"])\n'
FEATURES = "def build(**kw):\n    return kw\n"


def test_the_issue_case_reports_three_rules_where_it_says(tmp_path):
    root = write_repo(tmp_path / "r", {"dvc.yaml": DVC_YAML, "params.yaml": PARAMS, "src/train.py": TRAIN,
                                      "src/features.py": FEATURES, "data.csv": "a\n1\n"})
    found = {(f.code, f.path): f for f in findings(root)}
    assert set(found) == {("ML0403", "dvc.yaml"), ("ML0404", "params.yaml"), ("ML0405", "params.yaml")}
    assert "src/features.py" in found["ML0403", "dvc.yaml"].message and found["ML0403", "dvc.yaml"].line == 4
    assert "`train.penalty`" in found["ML0404", "params.yaml"].message
    assert "`legacy_seed`" in found["ML0405", "params.yaml"].message and found["ML0405", "params.yaml"].line == 4


def test_a_consistent_pipeline_gets_none(tmp_path):
    consistent = DVC_YAML.replace("      - src/train.py\n", "      - src/train.py\n      - src/features.py\n")
    consistent = consistent.replace("      - train.penalty\n", "      - train.max_iter\n")
    root = write_repo(tmp_path / "r", {"dvc.yaml": consistent, "params.yaml": "train:\n  C: 1.0\n  max_iter: 100\n",
                                      "src/train.py": TRAIN, "src/features.py": FEATURES, "data.csv": "a\n1\n"})
    assert findings(root) == []


# -- the collector: which keys are read, and how ------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    ('import yaml\np = yaml.safe_load(open("params.yaml"))\nx = p["a"]["b"]\n', {("a.b", "key")}),
    ('import yaml\nwith open("params.yaml") as f:\n    p = yaml.safe_load(f)\nx = p.get("a", {}).get("b", 1)\n', {("a.b", "optional")}),
    ('import yaml\np = yaml.safe_load(open("params.yaml"))\nif "lr" in p["train"]:\n    pass\n', {("train.lr", "optional")}),
    ('import yaml\np = yaml.safe_load(open("params.yaml"))\nfit(**p["model"])\n', {("model", "value")}),
    ('import yaml\np = yaml.safe_load(open("params.yaml"))\nfor k, v in p["grid"].items():\n    pass\n', {("grid", "value")}),
    ('import yaml\np = yaml.safe_load(open("params.yaml"))\np["x"] = 1\n', {("x", "write")}),
    ('import yaml\np = yaml.safe_load(open("params.yaml"))\nname = p["model"]["kind"].upper()\n', {("model.kind", "value")}),
    ('import dvc.api\np = dvc.api.params_show()\nlr = p["train"]["lr"]\n', {("train.lr", "key")}),
    ('import yaml\np = yaml.safe_load(open("params.yaml"))\ntry:\n    x = p["a"]\nexcept KeyError:\n    x = 0\n', {("a", "key")}),
    ('import yaml\nfrom pathlib import Path\nROOT = Path(__file__).parent\np = yaml.safe_load((ROOT / "params.yaml").read_text())\nz = p["z"]\n', {("z", "key")}),
    ('import yaml\np = yaml.safe_load(open("params.yaml"))\ndef f(p):\n    return p["local"]\nq = p["top"]\n', {("top", "key")}),
    ('import yaml\np = yaml.safe_load(open("params.yaml"))\np = other()\ny = p["not_params"]\n', set()),
    ('import hydra\n@hydra.main(config_path="conf", config_name="config")\ndef main(cfg):\n    lr = cfg.optim.lr\n', {("optim.lr", "key")}),
    ('from omegaconf import OmegaConf\ncfg = OmegaConf.load("params.yaml")\nlr = cfg.train.lr\nm = cfg.train.model.keys()\n',
     {("train.lr", "key"), ("train.model", "value")}),
])
def test_collector_records_each_read_precisely(source, expected):
    assert accesses(source) == expected


def test_guarded_reads_are_marked():
    params = params_facts('import yaml\np = yaml.safe_load(open("params.yaml"))\ntry:\n    x = p["a"]\nexcept KeyError:\n    x = 0\n')
    assert [a.guarded for a in params.accesses] == [True]


def test_config_class_fields_are_the_keys_read():
    source = '''
import yaml
from pydantic import BaseModel, ConfigDict, Field

class Train(BaseModel):
    lr: float
    epochs: int = 10
    decay: float = Field(alias="weight-decay")
    extras: dict[str, float] = {}

class Params(BaseModel):
    train: Train
    seed: int | None = None

def load(path="params.yaml"):
    return Params.model_validate(yaml.safe_load(open(path)))
'''
    params = params_facts(source, "config.py")
    assert [r.function for r in params.returns] == ["load"]
    (schema,) = params.schemas
    fields = {f.name: f for f in schema.fields}
    assert set(fields) == {"train", "seed"} and fields["train"].required and not fields["seed"].required
    nested = {f.name: (f.required, f.fields is None or f.open) for f in fields["train"].fields}
    assert nested == {"lr": (True, True), "epochs": (False, True), "weight-decay": (True, True), "extras": (False, True)}


# -- across files ----------------------------------------------------------------------------------------
STAGE = "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py, utils.py]\n    params: [train.lr]\n"


def test_a_helper_that_returns_params_is_followed_into_its_callers(tmp_path):
    utils = 'import yaml\n\n\ndef get_params():\n    with open("params.yaml") as f:\n        return yaml.safe_load(f)\n'
    train = 'from utils import get_params\n\np = get_params()\nlr = p["train"]["lr"]\nbs = p["train"]["batch"]\n'
    root = write_repo(tmp_path / "r", {"dvc.yaml": STAGE, "params.yaml": "train:\n  lr: 1\n  momentum: 2\n",
                                      "train.py": train, "utils.py": utils})
    found = sorted((f.code, f.message.split("`")[1]) for f in findings(root))
    assert found == [("ML0404", "train.batch"), ("ML0405", "train.momentum")]


def test_a_helper_whose_calls_are_not_followed_keeps_every_key_used(tmp_path):
    utils = 'import yaml\n\n\ndef read():\n    return yaml.safe_load(open("params.yaml"))\n'
    train = 'import utils\n\nfit(utils.read())\n'
    root = write_repo(tmp_path / "r", {"dvc.yaml": STAGE, "params.yaml": "train:\n  lr: 1\n  momentum: 2\n",
                                      "train.py": train, "utils.py": utils})
    assert [f.code for f in findings(root)] == []


def test_a_params_file_given_to_another_program_is_not_judged(tmp_path):
    train = 'import subprocess\n\nsubprocess.run(["trainer", "--config", "params.yaml"])\n'
    root = write_repo(tmp_path / "r", {"dvc.yaml": STAGE, "params.yaml": "train:\n  lr: 1\n  momentum: 2\n",
                                      "train.py": train, "utils.py": ""})
    assert [f.code for f in findings(root)] == []


# -- commands and imports -------------------------------------------------------------------------------
@pytest.mark.parametrize("cmd, expected", [
    ("python src/train.py --epochs 3", ["src/train.py"]),
    ("PYTHONPATH=src python -u -W ignore src/train.py", ["src/train.py"]),
    ("mkdir -p out && python3 src/train.py", ["src/train.py"]),
    ("cd src && python train.py", ["src/train.py"]),
    ("torchrun --nproc_per_node=2 src/train.py", ["src/train.py"]),
    ("uv run python -m pkg.train", ["pkg/train.py"]),
    ("python -c 'import pkg'", None),
    ("Rscript analyse.R", None),
    ("python missing.py", None),
])
def test_stage_commands_resolve_to_entry_points(tmp_path, cmd, expected):
    files = {"dvc.yaml": f"stages:\n  s:\n    cmd: {cmd}\n", "src/train.py": "x = 1\n", "pkg/__init__.py": "", "pkg/train.py": "x = 1\n"}
    root = write_repo(tmp_path / "r", files)
    pipeline = check(root, "ML0403").model.pipeline
    entries = pipeline.entry_points(pipeline.stages[0])
    assert (None if entries is None else [e.path for e in entries]) == expected


def test_transitive_and_package_imports_are_deps(tmp_path):
    files = {
        "dvc.yaml": "stages:\n  s:\n    cmd: python -m pkg.train\n    deps: [pkg/train.py]\n",
        "pkg/__init__.py": "from pkg.registry import REGISTRY\n", "pkg/registry.py": "REGISTRY = {}\n",
        "pkg/train.py": "from .model import fit\nimport numpy\n\nfit()\n", "pkg/model.py": "from pkg import layers\n\n\ndef fit():\n    return layers\n",
        "pkg/layers.py": "x = 1\n", "pkg/unused.py": "x = 2\n",
    }
    (finding,) = findings(write_repo(tmp_path / "r", files), "ML0403")
    assert set(finding.evidence) == {"pkg/__init__.py", "pkg/registry.py", "pkg/model.py", "pkg/layers.py"}


# -- DVC's hashes (expected values computed by DVC 3.67.1 on the same bytes) -------------------------
def _dvc_data(root: Path) -> None:
    (root / "data/sub").mkdir(parents=True)
    (root / "data/crlf.csv").write_bytes(b"a,b\r\n1,2\r\n")
    (root / "data/sub/bin.dat").write_bytes(bytes(range(256)) * 4)
    (root / "data/sub/t.txt").write_bytes(b"x\n")


def test_file_and_folder_hashes_match_dvc(tmp_path):
    _dvc_data(tmp_path)
    hasher = DvcHasher(tmp_path)
    assert hasher.file("data/crlf.csv", dos2unix=False) == "b202f333fba4fd38d4b8e5e693077aab"
    assert hasher.file("data/crlf.csv", dos2unix=True) == "e5ebd4c02cefbe7955977c67ada242b7"
    assert hasher.file("data/sub/bin.dat", dos2unix=True) == "b2ea9f7fcea831a4a63b213f41a8855b"  # binary: as is
    assert hasher.directory("data", dos2unix=False) == "5d4a5dd7bf5cb8d74fcf57f0835408b9.dir"
    assert hasher.directory("data", dos2unix=True) == "51ac7fb870f04eea07590f55521a2e35.dir"
    assert is_text_block(b"") and not is_text_block(b"a\x00b")


def test_hashes_are_bounded_and_memoised(tmp_path):
    _dvc_data(tmp_path)
    assert DvcHasher(tmp_path, max_file_bytes=10).file("data/sub/bin.dat", False) is None
    assert DvcHasher(tmp_path, max_dir_files=2).directory("data", False) is None
    cache = tmp_path / "cache"
    first = DvcHasher(tmp_path, cache)
    value = first.file("data/sub/t.txt", False)
    first.save()
    assert value == hashlib.md5(b"x\n").hexdigest() and (cache / "dvc-md5.json").is_file()
    assert DvcHasher(tmp_path, cache).file("data/sub/t.txt", False) == value


def test_lock_with_a_changed_folder_dependency_is_stale(tmp_path):
    _dvc_data(tmp_path)
    lock = ("schema: '2.0'\nstages:\n  s:\n    cmd: python t.py\n    deps:\n    - path: data\n      hash: md5\n"
            "      md5: 5d4a5dd7bf5cb8d74fcf57f0835408b9.dir\n")
    root = write_repo(tmp_path, {"dvc.yaml": "stages:\n  s:\n    cmd: python t.py\n    deps: [data, t.py]\n",
                                 "dvc.lock": lock, "t.py": "x = 1\n"})
    assert findings(root, "ML0406") == []
    (root / "data/sub/t.txt").write_bytes(b"y\n")
    (finding,) = findings(root, "ML0406")
    assert "data changed" in finding.message and finding.path == "dvc.lock" and finding.line == 3 and "stage s is" in finding.message


def test_dvc2_lock_entries_hash_text_with_crlf_turned_into_lf(tmp_path):
    script = "print('train')\n"
    lock = ("schema: '2.0'\nstages:\n  s:\n    cmd: python t.py\n    deps:\n    - path: t.py\n"
            f"      md5: {hashlib.md5(script.encode()).hexdigest()}\n")
    root = write_repo(tmp_path, {"dvc.yaml": "stages:\n  s:\n    cmd: python t.py\n    deps: [t.py]\n", "dvc.lock": lock,
                                 "t.py": script.replace("\n", "\r\n").encode()})
    assert findings(root, "ML0406") == []
    (root / "t.py").write_bytes(b"print('other')\r\n")
    assert [f.code for f in findings(root, "ML0406")] == ["ML0406"]


def test_params_facts_survive_the_cache_and_forged_records_are_refused():
    from mllint.core.facts import FileFacts

    facts = SESSION.analyze("config.py", b'import yaml\np = yaml.safe_load(open("params.yaml"))\nx = p["a"]\n').facts
    assert FileFacts.from_json(facts.to_json()) == facts
    forged = facts.to_json()
    forged["params"]["accesses"][0]["source"] = 7
    with pytest.raises(ValueError):
        FileFacts.from_json(forged)
    forged = facts.to_json()
    forged["secrets"] = [{"line": 1, "column": 1, "kind": "x", "cell": None, "where": "elsewhere"}]
    with pytest.raises(ValueError):
        FileFacts.from_json(forged)
