"""Stage ``train``: fit one sklearn Pipeline (features + scaling + model) and persist it.

The persisted object is the whole pipeline, so whoever loads it (batch predict, the service)
applies exactly the preprocessing the model was trained with.
"""

from __future__ import annotations

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from {{cookiecutter.package_name}}.config import Params
from {{cookiecutter.package_name}}.features import feature_transformer
from {{cookiecutter.package_name}}.schema import TARGET, InputSchema


def build_pipeline(params: Params) -> Pipeline:
    """The model: derived features, standard scaling, logistic regression (params from params.yaml)."""
    return Pipeline(
        [
            ("features", feature_transformer()),
            ("scale", StandardScaler()),
            (
                "model",
                LogisticRegression(
                    C=params.model.C, max_iter=params.model.max_iter, random_state=params.seed
                ),
            ),
        ]
    )


def fit(train: pd.DataFrame, params: Params) -> Pipeline:
    """Validate the training inputs and fit the pipeline on them."""
    inputs = InputSchema.validate(train.drop(columns=[TARGET]), lazy=True)
    return build_pipeline(params).fit(inputs, train[TARGET])


def run(params: Params) -> None:
    """Fit on data/prepared/train.csv and write models/model.joblib."""
    train = pd.read_csv(params.paths.prepared_dir / "train.csv")
    pipeline = fit(train, params)
    params.paths.models_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, params.paths.models_dir / "model.joblib")
