import json

from {{cookiecutter.package_name}}.evaluate import REGISTERED_FILE
from {{cookiecutter.package_name}}.tracking import (
    CHALLENGER,
    alias_version,
    flatten,
    git_commit,
    store,
    tracking_uri,
)


def test_store_leaves_the_environment_as_it_was(workspace, monkeypatch):
    import os

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    with store(workspace):
        pass
    assert "MLFLOW_TRACKING_URI" not in os.environ


def test_environment_variable_overrides_the_local_store(project_params, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert tracking_uri(project_params) == project_params.tracking.uri
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking.example:5000")
    assert tracking_uri(project_params) == "http://tracking.example:5000"


def test_flatten_uses_dotted_keys(project_params):
    flat = flatten(project_params)
    assert flat["seed"] == str(project_params.seed)
    assert flat["split.test_size"] == str(project_params.split.test_size)


def test_run_is_logged_with_commit_data_hash_and_model(workspace):
    with store(workspace) as mlflow_client:
        experiment = mlflow_client.get_experiment_by_name(workspace.tracking.experiment)
        runs = mlflow_client.search_runs([experiment.experiment_id])
    assert runs, "the evaluate stage logs one run"
    run = runs[0]
    assert run.data.metrics["roc_auc"] >= workspace.evaluate.min_roc_auc
    assert run.data.params["split.test_size"] == str(workspace.split.test_size)
    assert run.data.tags["git_commit"] == git_commit()
    assert len(run.data.tags["data_md5"]) == 32
    mlmodels = list(workspace.tracking.artifacts.rglob("MLmodel"))
    assert mlmodels, "the model is logged in the local artifact store"
    mlmodel = mlmodels[0].read_text()
    assert "signature:" in mlmodel and "saved_input_example_info" in mlmodel


def test_model_is_registered_as_the_challenger(workspace):
    registered = json.loads((workspace.paths.models_dir / REGISTERED_FILE).read_text())
    assert registered["name"] == workspace.tracking.registered_model
    assert alias_version(workspace, CHALLENGER) == registered["version"]
    with store(workspace) as mlflow_client:
        version = mlflow_client.get_model_version(registered["name"], registered["version"])
    assert version.run_id == registered["run_id"]
