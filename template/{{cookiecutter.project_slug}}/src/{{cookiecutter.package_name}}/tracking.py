"""Experiment tracking with MLflow: params, metrics, git commit and data hash of every evaluated run.

The store is the local file store from params.yaml (``file:./mlruns``, no server) unless the
``MLFLOW_TRACKING_URI`` environment variable names another one (a server, a database, Databricks).
"""

from __future__ import annotations

import os
import subprocess

from {{cookiecutter.package_name}}.config import Params


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


def log_run(params: Params, metrics: dict[str, float], data_md5: str) -> str:
    """Log one run; return its id."""
    import mlflow

    uri = tracking_uri(params)
    if uri.startswith("file:"):
        # MLflow 3 keeps the file store in maintenance mode behind this opt-in; it needs no server.
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(params.tracking.experiment)
    with mlflow.start_run() as run:
        mlflow.log_params(flatten(params))
        mlflow.log_metrics(metrics)
        mlflow.set_tags({"git_commit": git_commit(), "data_md5": data_md5})
    return run.info.run_id
