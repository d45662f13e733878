"""ML0304 reports a configuration file the code reads but the repository lacks: only a name that reaches a
reader counts (a loader, ``open`` in a reading mode, ``read_text()``, a helper named like a reader); a name
the code writes or hands to another API (a run's record, an uploaded asset) is not a read."""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint.config.settings import Settings
from mllint.engine.session import Session
from mllint.testing import write_repo

#: Training code with a configuration that exists, so that only the missing-file check can report.
BASE = ("import json\nimport os\nimport yaml\nfrom pathlib import Path\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "cfg = json.load(open('config.json'))\nLogisticRegression(C=cfg['C']).fit([[0]], [0])\n")


def missing(tmp_path: Path, code: str) -> list[str]:
    root = write_repo(tmp_path / "repo", {"train.py": BASE + code, "config.json": '{"C": 1.0}\n'})
    findings = Session(root, Settings(select=["ML0304"])).check(use_cache=False, jobs=1).findings
    return [f.message for f in findings]


@pytest.mark.parametrize("code", [
    "params = yaml.safe_load(open('params.yaml'))\n",
    "with open('params.yaml') as f:\n    params = yaml.safe_load(f)\n",
    "params = json.loads(Path('hparams.json').read_text())\n",
    "text = open(os.path.join(os.path.dirname(__file__), 'params.yaml'), 'r').read()\n",
    "PARAMS = 'params.yaml'\ndef main():\n    return load_params(PARAMS)\n",
    "with Path('hparams.yaml').open() as f:\n    print(f.read())\n",
])
def test_a_read_of_a_missing_params_file_is_reported(tmp_path, code):
    messages = missing(tmp_path, code)
    assert len(messages) == 1 and "train.py reads '" in messages[0], messages


@pytest.mark.parametrize("code", [
    "def save(params, out):\n    with open(os.path.join(out, 'params.yaml'), 'w') as f:\n        yaml.dump(params, f)\n",
    "def save(params, out):\n    params.save_to_yaml(os.path.join(out, 'params.yaml'))\n",
    "def log(experiment, hyp):\n    experiment.log_asset_data(hyp, name='hyperparameters.json')\n",
    "Path('runs/params.yaml').write_text(yaml.safe_dump(cfg))\n",
    "json.dump(cfg, open('hparams.json', mode='w'))\n",
    "print('write your parameters to params.yaml')\n",
    "def open_any(name, mode):\n    return open('params.yaml', mode)\n",
])
def test_a_params_file_only_written_or_named_is_not_a_read(tmp_path, code):
    assert missing(tmp_path, code) == []


def test_a_read_params_file_that_exists_is_not_reported(tmp_path):
    root = write_repo(tmp_path / "repo", {"train.py": BASE + "params = yaml.safe_load(open('params.yaml'))\n",
                                          "config.json": '{"C": 1.0}\n', "params.yaml": "C: 1.0\n"})
    assert Session(root, Settings(select=["ML0304"])).check(use_cache=False, jobs=1).findings == []
