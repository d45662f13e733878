"""Stage ``evaluate``: held-out metrics with a fixed schema, a ROC curve, a quality gate, tracking.

``metrics.json`` always has the same keys (see :class:`Metrics`), so ``dvc metrics diff`` and
dashboards can compare any two runs. The run and the model (with signature and input example) are
logged to MLflow and registered as the ``challenger``; ``models/registered.json`` records which
version that is, for the bundle. The stage fails when ROC AUC is below ``evaluate.min_roc_auc``.
Run it with ``python -m {{cookiecutter.package_name}}.evaluate``.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict
from sklearn import metrics as skm

from {{cookiecutter.package_name}}.config import Params, stage_main
from {{cookiecutter.package_name}}.data import file_md5
from {{cookiecutter.package_name}}.model import MODEL_FILE, for_registry, load, positive_probability
from {{cookiecutter.package_name}}.schema import FEATURES, TARGET
from {{cookiecutter.package_name}}.tracking import log_run

SCHEMA_VERSION = 1
REGISTERED_FILE = "registered.json"


class QualityGateError(RuntimeError):
    """The model is worse than the threshold in params.yaml."""


class Metrics(BaseModel):
    """The fixed schema of metrics.json."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    n_test: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    roc_auc: float
    log_loss: float


def compute_metrics(y_true: pd.Series, probability: pd.Series | np.ndarray) -> Metrics:
    """Classification metrics of the positive-class probabilities (labels at 0.5)."""
    probability = np.asarray(probability, dtype=float)
    predicted = (probability >= 0.5).astype(int)
    return Metrics(
        n_test=int(len(y_true)),
        accuracy=skm.accuracy_score(y_true, predicted),
        precision=skm.precision_score(y_true, predicted, zero_division=0),
        recall=skm.recall_score(y_true, predicted, zero_division=0),
        f1=skm.f1_score(y_true, predicted, zero_division=0),
        roc_auc=skm.roc_auc_score(y_true, probability),
        log_loss=skm.log_loss(y_true, probability, labels=[0, 1]),
    )


def roc_points(y_true: pd.Series, probability: pd.Series | np.ndarray) -> pd.DataFrame:
    """The ROC curve as a table (``dvc plots show`` draws it)."""
    fpr, tpr, _ = skm.roc_curve(y_true, probability)
    return pd.DataFrame({"fpr": fpr, "tpr": tpr})


def score(model: object, frame: pd.DataFrame) -> Metrics:
    """The metrics of a model on a labelled table of model inputs."""
    return compute_metrics(frame[TARGET], positive_probability(model, frame))


def run(params: Params) -> Metrics:
    """Score the persisted model on the test split, write metrics and plots, log and register it."""
    model = load(params.paths.models_dir / MODEL_FILE)
    test = pd.read_csv(params.paths.prepared_dir / "test.csv")
    probability = positive_probability(model, test)
    result = compute_metrics(test[TARGET], probability)
    params.paths.metrics.parent.mkdir(parents=True, exist_ok=True)
    params.paths.metrics.write_text(result.model_dump_json(indent=2) + "\n", encoding="utf-8")
    params.paths.plots_dir.mkdir(parents=True, exist_ok=True)
    roc_points(test[TARGET], probability).to_csv(params.paths.plots_dir / "roc.csv", index=False)
    registered = log_run(
        params,
        result.model_dump(exclude={"schema_version"}),
        file_md5(params.paths.raw),
        for_registry(params),
        test.loc[:, list(FEATURES)],
    )
    (params.paths.models_dir / REGISTERED_FILE).write_text(
        json.dumps(asdict(registered), indent=2) + "\n", encoding="utf-8"
    )
    if result.roc_auc < params.evaluate.min_roc_auc:
        raise QualityGateError(
            f"roc_auc {result.roc_auc:.4f} is below evaluate.min_roc_auc "
            f"{params.evaluate.min_roc_auc} (params.yaml)"
        )
    return result


if __name__ == "__main__":
    stage_main(run, __doc__)
