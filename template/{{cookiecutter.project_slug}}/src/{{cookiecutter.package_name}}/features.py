"""Stage ``featurize`` and the feature functions used inside the persisted pipeline.

:func:`add_features` is stateless and runs inside the sklearn Pipeline (via
:func:`feature_transformer`), so training, batch prediction and the service compute features with
the same code. The stage itself records reference statistics of the training features, which the
drift check compares new data with.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from sklearn.preprocessing import FunctionTransformer

from {{cookiecutter.package_name}}.config import Params
from {{cookiecutter.package_name}}.schema import FEATURES, TARGET, FeatureSchema


def add_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Model inputs -> inputs plus derived ratios (no fitted state, safe to reuse anywhere)."""
    features = frame.loc[:, list(FEATURES)].copy()
    features["area_to_perimeter"] = features["mean_area"] / features["mean_perimeter"]
    features["concavity_ratio"] = features["worst_concavity"] / (1.0 + features["mean_concavity"])
    return features


def feature_transformer() -> FunctionTransformer:
    """The feature step of the model pipeline."""
    return FunctionTransformer(add_features, validate=False)


def reference_stats(features: pd.DataFrame, bins: int) -> dict:
    """Per-feature mean, std, quantile bin edges and bin shares: the drift reference."""
    stats = {}
    for name in features.columns:
        values = features[name].to_numpy(dtype=float)
        edges = np.unique(np.quantile(values, np.linspace(0.0, 1.0, bins + 1)))
        counts, _ = np.histogram(np.clip(values, edges[0], edges[-1]), bins=edges)
        stats[name] = {
            "mean": float(values.mean()),
            "std": float(values.std()),
            "edges": edges.tolist(),
            "shares": (counts / counts.sum()).tolist(),
        }
    return {"n_rows": int(len(features)), "features": stats}


def run(params: Params) -> None:
    """Build and validate the training features; save their reference statistics."""
    train = pd.read_csv(params.paths.prepared_dir / "train.csv")
    features = FeatureSchema.validate(add_features(train.drop(columns=[TARGET])), lazy=True)
    params.paths.models_dir.mkdir(parents=True, exist_ok=True)
    stats = reference_stats(features, params.drift.bins)
    (params.paths.models_dir / "reference_stats.json").write_text(
        json.dumps(stats, indent=2) + "\n", encoding="utf-8"
    )
