"""Stage ``prepare``: raw data -> clean, renamed, split train/test tables (``python -m {{cookiecutter.package_name}}.prepare``).

Functions here are pure (data frame in, data frame out) and unit-tested in tests/test_prepare.py.
"""

from __future__ import annotations

import pandas as pd
from sklearn.model_selection import train_test_split

from {{cookiecutter.package_name}}.config import Params, stage_main
from {{cookiecutter.package_name}}.data import ingest, load_raw
from {{cookiecutter.package_name}}.schema import TARGET, LabelledInputSchema


def to_snake_case(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename raw columns (``mean radius``) to model input names (``mean_radius``)."""
    return frame.rename(columns=lambda name: name.strip().lower().replace(" ", "_"))


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop exact duplicate rows and validate the result against the labelled input schema."""
    deduplicated = frame.drop_duplicates(ignore_index=True)
    return LabelledInputSchema.validate(deduplicated, lazy=True)


def split(frame: pd.DataFrame, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train/test split with the ratio and seed from params (stratified on the target if asked)."""
    stratify = frame[TARGET] if params.split.stratify else None
    train, test = train_test_split(
        frame, test_size=params.split.test_size, random_state=params.seed, stratify=stratify
    )
    return train.reset_index(drop=True), test.reset_index(drop=True)


def run(params: Params) -> None:
    """Read raw data (ingesting it when a fresh clone has none), clean it, split it, write both tables."""
    if not params.paths.raw.exists():
        print(f"{params.paths.raw} is missing: ingesting it from the source")
        ingest(params.paths.raw)
    frame = clean(to_snake_case(load_raw(params.paths.raw)))
    train, test = split(frame, params)
    params.paths.prepared_dir.mkdir(parents=True, exist_ok=True)
    train.to_csv(params.paths.prepared_dir / "train.csv", index=False)
    test.to_csv(params.paths.prepared_dir / "test.csv", index=False)


if __name__ == "__main__":
    stage_main(run, __doc__)
