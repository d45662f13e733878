import pandas as pd
import pandera.errors
import pytest

from {{cookiecutter.package_name}}.data import load_raw
from {{cookiecutter.package_name}}.prepare import to_snake_case
from {{cookiecutter.package_name}}.schema import (
    FEATURES,
    RAW_FEATURES,
    InputSchema,
    RawSchema,
    describe,
)


def test_raw_data_matches_the_schema(raw_path):
    frame = load_raw(raw_path)
    assert list(frame.columns) == [*RAW_FEATURES, "target"]
    assert len(frame) > 500


def test_raw_schema_rejects_negative_measurements(raw_frame):
    broken = raw_frame.copy()
    broken.loc[0, "mean radius"] = -1.0
    with pytest.raises(pandera.errors.SchemaErrors):
        RawSchema.validate(broken, lazy=True)


def test_raw_schema_rejects_unknown_labels(raw_frame):
    broken = raw_frame.copy()
    broken.loc[0, "target"] = 7
    with pytest.raises(pandera.errors.SchemaErrors):
        RawSchema.validate(broken, lazy=True)


def test_input_schema_requires_every_feature(raw_frame):
    inputs = to_snake_case(raw_frame).drop(columns=["target"])
    InputSchema.validate(inputs)
    with pytest.raises(pandera.errors.SchemaError):
        InputSchema.validate(inputs.drop(columns=[FEATURES[0]]))


def test_input_schema_rejects_missing_values(raw_frame):
    inputs = to_snake_case(raw_frame).drop(columns=["target"])
    inputs.loc[0, FEATURES[3]] = float("nan")
    with pytest.raises(pandera.errors.SchemaError):
        InputSchema.validate(inputs)


def test_describe_lists_every_input():
    description = describe(InputSchema)
    assert set(description["columns"]) == set(FEATURES)
    assert isinstance(pd.Series(description["columns"]).iloc[0]["nullable"], bool)
