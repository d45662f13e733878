import json

import numpy as np
import pandas as pd
import pytest
import yaml

from {{cookiecutter.package_name}}.data import load_raw
from {{cookiecutter.package_name}}.drift import (
    DRIFT,
    NO_DRIFT,
    PREDICTION,
    TOO_FEW,
    check,
    compare,
    holm,
    main,
)
from {{cookiecutter.package_name}}.model import fit
from {{cookiecutter.package_name}}.package import Bundle
from {{cookiecutter.package_name}}.prepare import clean, split, to_snake_case
from {{cookiecutter.package_name}}.schema import FEATURES

SHIFTED = ["mean_radius", "mean_texture", "worst_area"]


def scaled(frame, columns=SHIFTED, factor=1.5):
    return frame.assign(**{name: frame[name] * factor for name in columns})


def test_holm_adjustment():
    adjusted = holm(np.array([0.01, 0.04, 0.03, 0.5]))
    np.testing.assert_allclose(adjusted, [0.04, 0.09, 0.09, 0.5])


def test_the_held_out_split_is_not_drift(bundle, test_split, workspace):
    report = check(bundle, test_split, workspace.drift)
    assert report.verdict == NO_DRIFT, report.drifted
    assert {column.name for column in report.columns} == {*FEATURES, PREDICTION}


def test_three_features_scaled_by_one_and_a_half_are_drift(bundle, test_split, workspace):
    report = check(bundle, scaled(test_split), workspace.drift)
    assert report.verdict == DRIFT
    assert set(SHIFTED) <= set(report.drifted)
    moved = {column.name: column for column in report.columns}
    assert all(moved[name].mean_shift_std > 0.5 for name in SHIFTED)


def test_prediction_drift_is_tested(bundle, test_split, workspace):
    """Inputs that push every prediction to one class move the prediction column."""
    sizes = [name for name in FEATURES if "radius" in name or "area" in name or "perimeter" in name]
    report = check(bundle, scaled(test_split, sizes, 3.0), workspace.drift)
    assert PREDICTION in report.drifted


def test_too_small_a_window_gets_no_verdict(bundle, test_split, workspace):
    small = scaled(test_split).head(workspace.drift.min_samples - 1)
    assert check(bundle, small, workspace.drift).verdict == TOO_FEW


def test_tiny_effects_are_not_alarms(workspace):
    """With a large window a tiny shift is significant; min_effect keeps it from being an alarm."""
    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"x": rng.normal(size=20000)})
    current = pd.DataFrame({"x": rng.normal(loc=0.05, size=20000)})
    report = compare(reference, current, workspace.drift)
    assert report.columns[0].p_adjusted < workspace.drift.alpha
    assert report.verdict == NO_DRIFT


def test_false_alarm_rate_on_fresh_held_out_splits(raw_path, project_params):
    """No drift by construction: ten re-splits, each model checked on its own held-out rows."""
    frame = clean(to_snake_case(load_raw(raw_path)))
    alarms = 0
    for seed in range(10):
        params = project_params.model_copy(update={"seed": seed})
        train, test = split(frame, params)
        model = fit(train, params)
        bundle = Bundle(model=model, reference=train[list(FEATURES)], manifest={"version": "0"})
        alarms += check(bundle, test, params.drift).verdict == DRIFT
    assert alarms <= 2


@pytest.fixture()
def params_file(workspace, tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(workspace.model_dump(mode="json")))
    return path


def test_cli_exit_codes_and_report(workspace, test_split, params_file, tmp_path):
    calm, shifted = tmp_path / "calm.csv", tmp_path / "shifted.csv"
    test_split.to_csv(calm, index=False)
    scaled(test_split).to_csv(shifted, index=False)
    assert main([str(calm), "--params", str(params_file)]) == 0
    assert main([str(shifted), "--params", str(params_file)]) == 1
    report = json.loads((workspace.paths.plots_dir / "drift.json").read_text())
    assert report["verdict"] == DRIFT and set(SHIFTED) <= set(report["drifted"])
    assert (workspace.paths.plots_dir / "drift.svg").read_text().startswith("<svg")
    assert main([str(tmp_path / "absent.csv"), "--params", str(params_file)]) == 2
    broken = test_split.assign(mean_radius=-1.0)
    broken.to_csv(tmp_path / "broken.csv", index=False)
    assert main([str(tmp_path / "broken.csv"), "--params", str(params_file)]) == 2


def test_cli_reads_the_request_log_by_default(workspace, test_split, params_file, tmp_path):
    from {{cookiecutter.package_name}}.requestlog import RequestLog

    log = RequestLog(tmp_path / "requests.jsonl", max_bytes=1 << 20, backups=2)
    records = scaled(test_split)[list(FEATURES)].to_dict(orient="records")
    outputs = pd.DataFrame({"label": [1] * len(records), "probability": [0.9] * len(records)})
    log.append("1", records, outputs)
    log.close()
    assert main(["--params", str(params_file), "--log", str(tmp_path / "requests.jsonl")]) == 1
    assert main(["--params", str(params_file), "--log", str(tmp_path / "none.jsonl")]) == 2
