import json

import numpy as np
import pandas as pd

from {{cookiecutter.package_name}}.drift import drift_report, psi
from {{cookiecutter.package_name}}.schema import FEATURES


def reference(workspace):
    return json.loads((workspace.paths.models_dir / "reference_stats.json").read_text())


def test_psi_is_zero_for_identical_distributions():
    values = np.linspace(0.0, 1.0, 101)
    edges = np.quantile(values, np.linspace(0.0, 1.0, 5)).tolist()
    counts, _ = np.histogram(values, bins=edges)
    assert psi((counts / counts.sum()).tolist(), edges, values) < 1e-3


def test_no_drift_on_the_training_data(workspace):
    train = pd.read_csv(workspace.paths.prepared_dir / "train.csv")
    report = drift_report(reference(workspace), train, workspace.drift.psi_threshold)
    assert report["drifted"] == []


def test_shifted_feature_is_reported(workspace):
    train = pd.read_csv(workspace.paths.prepared_dir / "train.csv")
    shifted = train.assign(**{FEATURES[0]: train[FEATURES[0]] * 2.0})
    report = drift_report(reference(workspace), shifted, workspace.drift.psi_threshold)
    assert FEATURES[0] in report["drifted"]


def test_drift_cli_exit_code(workspace, tmp_path):
    from {{cookiecutter.package_name}}.drift import main

    params_file = tmp_path / "params.yaml"
    import yaml

    params_file.write_text(yaml.safe_dump(workspace.model_dump(mode="json")))
    train = pd.read_csv(workspace.paths.prepared_dir / "train.csv")
    calm, shifted = tmp_path / "calm.csv", tmp_path / "shifted.csv"
    train.to_csv(calm, index=False)
    train.assign(mean_area=train["mean_area"] * 3.0).to_csv(shifted, index=False)
    assert main([str(calm), "--params", str(params_file)]) == 0
    assert main([str(shifted), "--params", str(params_file)]) == 1
