"""Offline (batch) and online (API) predictions of the same rows are identical."""

import pandas as pd
from fastapi.testclient import TestClient

from {{cookiecutter.package_name}}.predict import main as batch_predict
from {{cookiecutter.package_name}}.schema import FEATURES
from {{cookiecutter.package_name}}.service import create_app


def test_batch_and_api_predictions_agree(workspace, test_split, tmp_path):
    inputs = tmp_path / "inputs.csv"
    output = tmp_path / "predictions.csv"
    test_split.to_csv(inputs, index=False)
    batch_predict([str(inputs), str(output), "--bundle", str(workspace.paths.bundle_dir)])
    offline = pd.read_csv(output)

    records = test_split[list(FEATURES)].to_dict(orient="records")
    with TestClient(create_app(workspace.paths.bundle_dir)) as client:
        online = pd.DataFrame(
            client.post("/predict", json={"records": records}).json()["predictions"]
        )

    assert len(offline) == len(online) == len(test_split)
    assert (offline["label"] == online["label"]).all()
    pd.testing.assert_series_equal(offline["probability"], online["probability"], rtol=1e-12)
