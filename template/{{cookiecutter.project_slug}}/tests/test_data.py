from pathlib import Path

import yaml

from {{cookiecutter.package_name}}.data import file_md5, ingest, load_raw
from {{cookiecutter.package_name}}.schema import RAW_FEATURES

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def test_ingest_reproduces_the_versioned_raw_data(tmp_path):
    tracked = yaml.safe_load((PROJECT_ROOT / "data/raw/breast_cancer.csv.dvc").read_text())
    path = ingest(tmp_path / "raw.csv")
    assert file_md5(path) == tracked["outs"][0]["md5"]
    assert path.stat().st_size == tracked["outs"][0]["size"]


def test_load_raw_validates_and_keeps_every_row(tmp_path):
    frame = load_raw(ingest(tmp_path / "raw.csv"))
    assert frame.shape == (569, len(RAW_FEATURES) + 1)
    assert set(frame["target"].unique()) == {0, 1}
