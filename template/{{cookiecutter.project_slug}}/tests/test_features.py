import numpy as np
import pandas as pd

from {{cookiecutter.package_name}}.features import add_features, feature_transformer, run
from {{cookiecutter.package_name}}.prepare import to_snake_case
from {{cookiecutter.package_name}}.schema import DERIVED_FEATURES, FEATURES


def inputs(raw_frame: pd.DataFrame) -> pd.DataFrame:
    return to_snake_case(raw_frame).drop(columns=["target"])


def test_add_features_appends_ratios(raw_frame):
    frame = inputs(raw_frame)
    features = add_features(frame)
    assert list(features.columns) == [*FEATURES, *DERIVED_FEATURES]
    expected = frame["mean_area"] / frame["mean_perimeter"]
    np.testing.assert_allclose(features["area_to_perimeter"], expected)


def test_add_features_ignores_column_order_and_extras(raw_frame):
    frame = inputs(raw_frame)
    shuffled = frame[list(reversed(frame.columns))].assign(extra=1.0)
    pd.testing.assert_frame_equal(add_features(shuffled), add_features(frame))


def test_feature_transformer_is_stateless(raw_frame):
    frame = inputs(raw_frame)
    transformer = feature_transformer().fit(frame.head(5))
    pd.testing.assert_frame_equal(transformer.transform(frame), add_features(frame))


def test_run_writes_the_training_inputs_as_drift_reference(workspace):
    reference = pd.read_csv(run(workspace))
    train = pd.read_csv(workspace.paths.prepared_dir / "train.csv")
    assert list(reference.columns) == list(FEATURES)
    pd.testing.assert_frame_equal(reference, train[list(FEATURES)])
