import json

import numpy as np
import pandas as pd

from {{cookiecutter.package_name}}.evaluate import Metrics, compute_metrics, roc_points, score
from {{cookiecutter.package_name}}.model import MODEL_FILE, fit, load, positive_probability
from {{cookiecutter.package_name}}.predict import predict_frame
from {{cookiecutter.package_name}}.schema import FEATURES


def test_quality_on_the_held_out_split(workspace, test_split):
    metrics = json.loads(workspace.paths.metrics.read_text())
    assert metrics["roc_auc"] >= workspace.evaluate.min_roc_auc
    assert metrics["n_test"] == len(test_split)


def test_metrics_file_has_the_fixed_schema(workspace):
    metrics = json.loads(workspace.paths.metrics.read_text())
    assert set(metrics) == set(Metrics.model_fields)
    Metrics.model_validate(metrics)


def test_compute_metrics_on_a_perfect_ranking():
    y = pd.Series([0, 0, 1, 1])
    result = compute_metrics(y, pd.Series([0.1, 0.2, 0.8, 0.9]))
    assert result.roc_auc == 1.0
    assert result.accuracy == 1.0
    assert len(roc_points(y, pd.Series([0.1, 0.2, 0.8, 0.9]))) >= 2


def test_score_matches_the_metrics_file(workspace, test_split):
    persisted = load(workspace.paths.models_dir / MODEL_FILE)
    metrics = json.loads(workspace.paths.metrics.read_text())
    assert abs(score(persisted, test_split).roc_auc - metrics["roc_auc"]) < 1e-12


def test_training_is_reproducible(workspace, test_split):
    train = pd.read_csv(workspace.paths.prepared_dir / "train.csv")
    persisted = load(workspace.paths.models_dir / MODEL_FILE)
    refit = fit(train, workspace)
    inputs = test_split[list(FEATURES)]
    np.testing.assert_allclose(
        positive_probability(refit, inputs), positive_probability(persisted, inputs), rtol=1e-6
    )


def test_predictions_do_not_depend_on_row_or_column_order(bundle, test_split):
    inputs = test_split[list(FEATURES)]
    expected = predict_frame(bundle.model, inputs)
    shuffled = inputs.sample(frac=1.0, random_state=0)[list(reversed(FEATURES))]
    again = predict_frame(bundle.model, shuffled).set_index(shuffled.index).sort_index()
    np.testing.assert_allclose(again["probability"], expected["probability"], rtol=1e-6)
    assert (again["label"].to_numpy() == expected["label"].to_numpy()).all()


def test_larger_tumours_are_not_predicted_more_benign(bundle, test_split):
    """Behaviour check: scaling every size measurement up never raises P(benign) much."""
    inputs = test_split[list(FEATURES)].head(40)
    base = positive_probability(bundle.model, inputs)
    bigger = inputs.copy()
    size_columns = [name for name in FEATURES if "radius" in name or "area" in name]
    bigger[size_columns] = bigger[size_columns] * 1.5
    grown = positive_probability(bundle.model, bigger)
    assert (grown <= base + 0.05).mean() >= 0.9
