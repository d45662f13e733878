"""Shared fixtures: one real pipeline run in a temporary workspace, reused by the model tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from {{cookiecutter.package_name}}.config import Params, load_params
from {{cookiecutter.package_name}}.data import ingest
from {{cookiecutter.package_name}}.package import Bundle, load_bundle
from {{cookiecutter.package_name}}.pipeline import run

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project_params() -> Params:
    """The project's own params.yaml."""
    return load_params(PROJECT_ROOT / "params.yaml")


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory, project_params: Params) -> Params:
    """Params whose paths live in a temporary folder where the whole pipeline has run."""
    root = tmp_path_factory.mktemp("workspace")
    params = project_params.with_root(root)
    params = params.model_copy(
        update={"tracking": params.tracking.model_copy(update={"uri": (root / "mlruns").as_uri()})}
    )
    ingest(params.paths.raw)
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
