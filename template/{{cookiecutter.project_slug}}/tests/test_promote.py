"""Promotion, on a registry of its own: a worse challenger never replaces the champion."""

import json

import pytest

from {{cookiecutter.package_name}} import evaluate, features, prepare, train
from {{cookiecutter.package_name}}.promote import decide, gain, main, run
from {{cookiecutter.package_name}}.tracking import CHAMPION, alias_version


def test_decide_needs_the_margin():
    assert decide("roc_auc", 0.95, None, 0.01) == (True, "no champion yet")
    assert decide("roc_auc", 0.97, 0.95, 0.01)[0]
    assert not decide("roc_auc", 0.955, 0.95, 0.01)[0]
    assert not decide("roc_auc", 0.90, 0.95, 0.0)[0]


def test_lower_is_better_for_log_loss():
    assert gain("log_loss", 0.1, 0.3) == pytest.approx(0.2)
    assert decide("log_loss", 0.1, 0.3, 0.05)[0]
    assert not decide("log_loss", 0.3, 0.1, 0.0)[0]


@pytest.fixture(scope="module")
def registry(tmp_path_factory, project_params, pipeline_workspace):
    params = pipeline_workspace(tmp_path_factory.mktemp("promotion"), project_params)
    prepare.run(params)
    features.run(params)
    return params


def train_and_register(params, **model):
    params = params.model_copy(update={"model": params.model.model_copy(update=model)})
    train.run(params)
    try:
        evaluate.run(params)
    except evaluate.QualityGateError:
        pass  # a poor challenger is registered all the same; promotion must reject it
    return json.loads((params.paths.models_dir / evaluate.REGISTERED_FILE).read_text())["version"]


def test_the_champion_changes_only_for_a_better_challenger(registry, weak_model):
    weak = train_and_register(registry, **weak_model)
    first = run(registry)
    assert first.promoted and first.reason == "no champion yet"
    assert alias_version(registry, CHAMPION) == weak

    assert not run(registry).promoted  # the same version again

    strong = train_and_register(registry)
    better = run(registry)
    assert better.promoted, better.reason
    assert better.champion_version == weak and better.challenger_score > better.champion_score
    assert alias_version(registry, CHAMPION) == strong

    again_weak = train_and_register(registry, **weak_model)
    worse = run(registry)
    assert not worse.promoted and worse.challenger_version == again_weak
    assert alias_version(registry, CHAMPION) == strong
    report = json.loads((registry.paths.plots_dir / "promotion.json").read_text())
    assert report["promoted"] is False and report["champion_version"] == strong


def test_cli_exit_code_says_whether_promoted(registry, tmp_path):
    import yaml

    params_file = tmp_path / "params.yaml"
    params_file.write_text(yaml.safe_dump(registry.model_dump(mode="json")))
    assert main(["--params", str(params_file)]) == 1  # the latest challenger is the weak one
    assert main(["--params", str(tmp_path / "absent.yaml")]) == 2
