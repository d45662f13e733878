"""Shared fixtures: one real pipeline run in a temporary workspace, reused by the model tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from {{cookiecutter.package_name}}.config import Params, load_params
from {{cookiecutter.package_name}}.data import ingest
from {{cookiecutter.package_name}}.package import Bundle, load_bundle
from {{cookiecutter.package_name}}.pipeline import run

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _offline_tracking() -> Iterator[None]:
    """Tests use their own stores, never a team server named by MLFLOW_TRACKING_URI."""
    mp = pytest.MonkeyPatch()
    mp.delenv("MLFLOW_TRACKING_URI", raising=False)
    mp.delenv("REQUEST_LOG", raising=False)
    yield
    mp.undo()


@pytest.fixture(scope="session")
def project_params() -> Params:
    """The project's own params.yaml."""
    return load_params(PROJECT_ROOT / "params.yaml")


@pytest.fixture(scope="session")
def pipeline_workspace(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[Path, Params], Params]:
    """A factory of fresh workspaces: paths under a folder of their own, the raw data ingested, and a
    registered model and experiment of their own in one test tracking store (created once: it is
    the slow part)."""
    store = tmp_path_factory.mktemp("tracking") / "mlflow.db"

    def moved_to(root: Path, params: Params) -> Params:
        moved = params.with_root(root)
        name = f"{params.tracking.registered_model}-{root.name}"
        tracking = moved.tracking.model_copy(
            update={
                "uri": f"sqlite:///{store.as_posix()}",
                "registered_model": name,
                "experiment": name,
            }
        )
        moved = moved.model_copy(update={"tracking": tracking})
        ingest(moved.paths.raw)
        return moved

    return moved_to


@pytest.fixture(scope="session")
def weak_model() -> dict[str, float]:
    """Hyperparameters that train a clearly weaker model (for the promotion tests)."""
{%- if cookiecutter.model_family == "pytorch" %}
    return {"epochs": 1, "learning_rate": 0.001}
{%- else %}
    return {"C": 1e-6, "max_iter": 1}
{%- endif %}


@pytest.fixture(scope="session")
def workspace(
    tmp_path_factory: pytest.TempPathFactory,
    project_params: Params,
    pipeline_workspace: Callable[[Path, Params], Params],
) -> Params:
    """Params whose paths live in a temporary folder where the whole pipeline has run."""
    params = pipeline_workspace(tmp_path_factory.mktemp("workspace"), project_params)
    run(params)
    return params


@pytest.fixture(scope="session")
def bundle(workspace: Params) -> Bundle:
    return load_bundle(workspace.paths.bundle_dir)


@pytest.fixture(scope="session")
def test_split(workspace: Params) -> pd.DataFrame:
    return pd.read_csv(workspace.paths.prepared_dir / "test.csv")


@pytest.fixture(scope="session")
def raw_path(project_params: Params) -> Path:
    """The project's raw data file (ingested from the source if DVC has not checked it out)."""
    path = PROJECT_ROOT / project_params.paths.raw
    return path if path.exists() else ingest(path)


@pytest.fixture()
def raw_frame(raw_path: Path) -> pd.DataFrame:
    """A small slice of the raw data set (raw column names)."""
    return pd.read_csv(raw_path).head(50)
