from pathlib import Path

import pytest
import yaml

from {{cookiecutter.package_name}}.config import ParamsError, load_params


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_project_params_are_valid(project_params):
    assert 0 < project_params.split.test_size < 1
    assert project_params.seed >= 0


def test_out_of_range_value_names_the_key(tmp_path, project_params):
    data = project_params.model_dump(mode="json")
    data["split"]["test_size"] = 1.5
    with pytest.raises(ParamsError, match="split.test_size"):
        load_params(write(tmp_path, data))


def test_unknown_key_is_rejected(tmp_path, project_params):
    data = project_params.model_dump(mode="json")
    data["model"]["n_estimators"] = 100
    with pytest.raises(ParamsError, match="model.n_estimators"):
        load_params(write(tmp_path, data))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ParamsError, match="cannot read"):
        load_params(tmp_path / "absent.yaml")


def test_with_root_moves_every_path(tmp_path, project_params):
    moved = project_params.with_root(tmp_path)
    for _name, path in moved.paths:
        assert Path(path).is_relative_to(tmp_path)
