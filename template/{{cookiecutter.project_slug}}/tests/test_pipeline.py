import json
from pathlib import Path

import yaml

from {{cookiecutter.package_name}}.package import load_bundle
from {{cookiecutter.package_name}}.pipeline import STAGES, main


def test_stages_match_dvc_yaml():
    dvc = yaml.safe_load((Path(__file__).resolve().parents[1] / "dvc.yaml").read_text())
    assert list(dvc["stages"]) == list(STAGES)


def test_bundle_is_complete_and_versioned(workspace):
    bundle = load_bundle(workspace.paths.bundle_dir)
    assert bundle.version == workspace.package.version
    names = {path.name for path in workspace.paths.bundle_dir.iterdir()}
    assert names == {
        "model.joblib",
        "schema.json",
        "metrics.json",
        "reference_stats.json",
        "model_card.md",
        "manifest.json",
    }
    manifest = json.loads((workspace.paths.bundle_dir / "manifest.json").read_text())
    assert len(manifest["data_md5"]) == 32


def test_invalid_params_fail_clearly(tmp_path, capsys):
    bad = tmp_path / "params.yaml"
    bad.write_text("seed: -1\n")
    assert main(["--params", str(bad)]) == 2
    assert "seed" in capsys.readouterr().err
