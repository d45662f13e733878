"""One turn of the continuous-training loop, with the DVC/git side recorded instead of run."""

import pandas as pd
import pytest

from {{cookiecutter.package_name}}.pipeline import run as run_pipeline
from {{cookiecutter.package_name}}.retrain import COMMITTED, Workspace, turn
from {{cookiecutter.package_name}}.schema import FEATURES
from {{cookiecutter.package_name}}.tracking import CHAMPION, alias_version


class RecordingWorkspace(Workspace):
    """Runs the pipeline in-process with the given hyperparameters; records what it would commit."""

    def __init__(self, params, **model):
        super().__init__(params.paths.bundle_dir.parent)
        self.params = params.model_copy(update={"model": params.model.model_copy(update=model)})
        self.calls = []

    def refresh_data(self, params):
        self.calls.append("refresh")

    def reproduce(self):
        self.calls.append("reproduce")
        run_pipeline(self.params, ["train", "evaluate", "package"])

    def publish(self, paths, message):
        self.calls.append(("publish", tuple(paths), message))
        return "| Path | Metric | HEAD | workspace | Change |\n"

    def restore(self, paths):
        self.calls.append(("restore", tuple(paths)))


@pytest.fixture(scope="module")
def loop(tmp_path_factory, project_params, pipeline_workspace):
    params = pipeline_workspace(tmp_path_factory.mktemp("loop"), project_params)
    run_pipeline(params)
    return params


@pytest.fixture(scope="module")
def drifted(loop):
    test = pd.read_csv(loop.paths.prepared_dir / "test.csv")
    return test.assign(**{name: test[name] * 1.5 for name in FEATURES[:3]})


def test_no_drift_changes_nothing(loop):
    workspace = RecordingWorkspace(loop)
    outcome = turn(loop, workspace, pd.read_csv(loop.paths.prepared_dir / "test.csv"), force=False)
    assert outcome.outcome == "no-drift" and workspace.calls == []


def test_drift_retrains_and_publishes_a_better_model(loop, drifted):
    workspace = RecordingWorkspace(loop)
    outcome = turn(loop, workspace, drifted, force=False)
    assert outcome.outcome == "promoted", outcome.detail
    assert workspace.calls[:2] == ["refresh", "reproduce"]
    kind, paths, message = workspace.calls[2]
    assert kind == "publish" and set(COMMITTED) <= set(paths)
    assert f"{loop.paths.raw}.dvc" in paths and "promote model version" in message
    assert (loop.paths.plots_dir / "retrain.md").read_text().startswith("Retrain: promote")
    assert alias_version(loop, CHAMPION) is not None


def test_a_worse_challenger_is_not_published(loop, drifted, weak_model):
    champion = alias_version(loop, CHAMPION)
    workspace = RecordingWorkspace(loop, **weak_model)
    outcome = turn(loop, workspace, drifted, force=False)
    assert outcome.outcome == "kept", outcome.detail
    assert workspace.calls[-1][0] == "restore" and set(COMMITTED) <= set(workspace.calls[-1][1])
    assert not any(call[0] == "publish" for call in workspace.calls if isinstance(call, tuple))
    assert alias_version(loop, CHAMPION) == champion
