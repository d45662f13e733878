from {{cookiecutter.package_name}}.tracking import flatten, git_commit, tracking_uri


def test_environment_variable_overrides_the_local_store(project_params, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert tracking_uri(project_params) == project_params.tracking.uri
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking.example:5000")
    assert tracking_uri(project_params) == "http://tracking.example:5000"


def test_flatten_uses_dotted_keys(project_params):
    flat = flatten(project_params)
    assert flat["model.C"] == str(project_params.model.C)
    assert flat["seed"] == str(project_params.seed)


def test_pipeline_run_is_logged_with_commit_and_data_hash(workspace):
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=workspace.tracking.uri)
    experiment = client.get_experiment_by_name(workspace.tracking.experiment)
    runs = client.search_runs([experiment.experiment_id])
    assert runs, "the evaluate stage logs one run"
    run = runs[0]
    assert run.data.metrics["roc_auc"] >= workspace.evaluate.min_roc_auc
    assert run.data.params["split.test_size"] == str(workspace.split.test_size)
    assert run.data.tags["git_commit"] == git_commit()
    assert len(run.data.tags["data_md5"]) == 32
