"""The model family, scikit-learn: one Pipeline (derived features, scaling, logistic regression).

Everything else (training, evaluation, the bundle, the service, drift, promotion) goes through the
functions here, so the persisted object always carries its own preprocessing and every consumer
scores it the same way.
"""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from {{cookiecutter.package_name}}.config import Params
from {{cookiecutter.package_name}}.features import feature_transformer
from {{cookiecutter.package_name}}.schema import FEATURES, TARGET, InputSchema

MODEL_FILE = "model.joblib"
FAMILY = "scikit-learn"


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


def save(model: Pipeline, path: Path) -> Path:
    """Persist the fitted pipeline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)
    return path


def load(path: Path) -> Pipeline:
    """Load a pipeline written by :func:`save` (only from this project's own models or bundle)."""
    return joblib.load(path)


def for_registry(params: Params) -> Pipeline:
    """What the evaluate stage logs to MLflow: the persisted pipeline itself."""
    return load(params.paths.models_dir / MODEL_FILE)


def positive_probability(model: Pipeline, inputs: pd.DataFrame) -> np.ndarray:
    """P(label = 1) for each row of validated model inputs."""
    positive = list(model.classes_).index(1)
    return model.predict_proba(inputs.loc[:, list(FEATURES)])[:, positive]


def log_model(model: Pipeline, example: pd.DataFrame, registered_name: str) -> str:
    """Log the pipeline to the active MLflow run with its signature and an input example; register it.

    Returns the registered version.
    """
    import mlflow.sklearn
    from mlflow.models import infer_signature

    signature = infer_signature(example, model.predict_proba(example))
    info = mlflow.sklearn.log_model(
        model,
        name="model",
        signature=signature,
        input_example=example.head(3),
        serialization_format="cloudpickle",
        registered_model_name=registered_name,
    )
    return str(info.registered_model_version)


def load_registered(uri: str) -> Pipeline:
    """Load a registered model (``models:/name@alias``) as the pipeline it was logged as."""
    import mlflow.sklearn

    return mlflow.sklearn.load_model(uri)
