"""Stage ``featurize`` and the feature functions used inside the persisted model.

:func:`add_features` is stateless and runs inside the model (via :func:`feature_transformer`), so
training, batch prediction and the service compute features with the same code. The stage
validates the training features and saves the training inputs as the drift reference: the
population later inputs are tested against (``drift.py``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.preprocessing import FunctionTransformer

from {{cookiecutter.package_name}}.config import Params, stage_main
from {{cookiecutter.package_name}}.schema import FEATURES, TARGET, FeatureSchema

REFERENCE_FILE = "drift_reference.csv"


def add_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Model inputs -> inputs plus derived ratios (no fitted state, safe to reuse anywhere)."""
    features = frame.loc[:, list(FEATURES)].copy()
    features["area_to_perimeter"] = features["mean_area"] / features["mean_perimeter"]
    features["concavity_ratio"] = features["worst_concavity"] / (1.0 + features["mean_concavity"])
    return features


def feature_transformer() -> FunctionTransformer:
    """The feature step of the model pipeline."""
    return FunctionTransformer(add_features, validate=False)


def run(params: Params) -> Path:
    """Validate the training features; write the training inputs as the drift reference."""
    train = pd.read_csv(params.paths.prepared_dir / "train.csv")
    FeatureSchema.validate(add_features(train.drop(columns=[TARGET])), lazy=True)
    params.paths.models_dir.mkdir(parents=True, exist_ok=True)
    reference = params.paths.models_dir / REFERENCE_FILE
    train.loc[:, list(FEATURES)].to_csv(reference, index=False)
    return reference


if __name__ == "__main__":
    stage_main(run, __doc__)
