"""Experiment tracking and the model registry (MLflow).

Every evaluated run logs its params, metrics, git commit and data hash, and the model itself (with
its signature and an input example), registered under ``tracking.registered_model`` and given the
alias ``challenger``; promotion (``promote.py``) moves the alias ``champion``. The store is a local
SQLite database (``sqlite:///mlflow.db``, artifacts in ``mlruns/``; no server) unless the
``MLFLOW_TRACKING_URI`` environment variable names another one (a team server).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from {{cookiecutter.package_name}}.config import Params
from {{cookiecutter.package_name}}.model import load_registered, log_model

if TYPE_CHECKING:
    from mlflow import MlflowClient

CHAMPION = "champion"
_URI_VARIABLES = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")
CHALLENGER = "challenger"


@dataclass(frozen=True)
class Registered:
    """A model version in the registry and the run that logged it."""

    name: str
    version: str
    run_id: str


def tracking_uri(params: Params) -> str:
    """MLFLOW_TRACKING_URI if set, else the local store from params."""
    return os.environ.get("MLFLOW_TRACKING_URI") or params.tracking.uri


def git_commit() -> str:
    """The commit the code was run from ("unknown" outside git), with "-dirty" for local changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


def flatten(params: Params) -> dict[str, str]:
    """params.yaml as MLflow params: dotted keys, string values."""
    flat: dict[str, str] = {}

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        else:
            flat[prefix] = str(value)

    walk("", params.model_dump(mode="json"))
    return flat


@contextmanager
def store(params: Params) -> Iterator[MlflowClient]:
    """The configured store as MLflow's current one (telemetry off: runs stay offline).

    MLflow records the URI it is given in the process environment; the previous environment is
    restored on exit, so the next call still sees the user's own MLFLOW_TRACKING_URI (or none).
    """
    import mlflow

    saved = {name: os.environ.get(name) for name in _URI_VARIABLES}
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    uri = tracking_uri(params)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)  # the registry lives in the same store
    try:
        yield mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def log_run(
    params: Params, metrics: dict[str, float], data_md5: str, model: object, example: pd.DataFrame
) -> Registered:
    """Log one evaluated run with its model; register the model and mark it ``challenger``."""
    import mlflow

    local = not os.environ.get("MLFLOW_TRACKING_URI")
    with store(params) as mlflow_client:
        experiment = mlflow_client.get_experiment_by_name(params.tracking.experiment)
        if experiment is None:
            location = params.tracking.artifacts.resolve().as_uri() if local else None
            experiment_id = mlflow_client.create_experiment(
                params.tracking.experiment, artifact_location=location
            )
        else:
            experiment_id = experiment.experiment_id
        with mlflow.start_run(experiment_id=experiment_id) as run:
            mlflow.log_params(flatten(params))
            mlflow.log_metrics(metrics)
            mlflow.set_tags({"git_commit": git_commit(), "data_md5": data_md5})
            version = log_model(model, example, params.tracking.registered_model)
    registered = Registered(params.tracking.registered_model, version, run.info.run_id)
    set_alias(params, CHALLENGER, registered.version)
    return registered


def set_alias(params: Params, alias: str, version: str) -> None:
    """Point ``alias`` at a version of the registered model."""
    with store(params) as mlflow_client:
        mlflow_client.set_registered_model_alias(params.tracking.registered_model, alias, version)


def alias_version(params: Params, alias: str) -> str | None:
    """The version an alias points at, or None when the model or the alias does not exist."""
    from mlflow.exceptions import MlflowException

    with store(params) as mlflow_client:
        try:
            found = mlflow_client.get_model_version_by_alias(
                params.tracking.registered_model, alias
            )
        except MlflowException:
            return None
    return str(found.version)


def load_version(params: Params, version: str) -> object:
    """Load one registered version of the model."""
    with store(params):
        return load_registered(f"models:/{params.tracking.registered_model}/{version}")
