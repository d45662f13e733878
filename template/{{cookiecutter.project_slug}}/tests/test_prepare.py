import pandas as pd

from {{cookiecutter.package_name}}.prepare import clean, run, split, to_snake_case
from {{cookiecutter.package_name}}.schema import FEATURES


def test_to_snake_case_renames_raw_columns(raw_frame):
    renamed = to_snake_case(raw_frame)
    assert list(renamed.columns) == [*FEATURES, "target"]


def test_clean_drops_duplicates(raw_frame):
    frame = to_snake_case(raw_frame)
    doubled = pd.concat([frame, frame.head(5)], ignore_index=True)
    assert len(clean(doubled)) == len(frame)


def test_split_is_reproducible_and_stratified(raw_frame, project_params):
    frame = clean(to_snake_case(raw_frame))
    train_a, test_a = split(frame, project_params)
    train_b, test_b = split(frame, project_params)
    pd.testing.assert_frame_equal(train_a, train_b)
    pd.testing.assert_frame_equal(test_a, test_b)
    assert len(train_a) + len(test_a) == len(frame)
    assert abs(train_a["target"].mean() - test_a["target"].mean()) < 0.15


def test_run_writes_both_splits(workspace):
    train = pd.read_csv(workspace.paths.prepared_dir / "train.csv")
    test = pd.read_csv(workspace.paths.prepared_dir / "test.csv")
    assert not set(map(tuple, train.to_numpy())) & set(map(tuple, test.to_numpy()))
    run(workspace)
    pd.testing.assert_frame_equal(train, pd.read_csv(workspace.paths.prepared_dir / "train.csv"))
