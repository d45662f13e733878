"""Batch prediction with the persisted pipeline: ``python -m {{cookiecutter.package_name}}.predict IN.csv OUT.csv``.

The service calls :func:`predict_frame` too, so offline and online predictions cannot diverge.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from sklearn.pipeline import Pipeline

from {{cookiecutter.package_name}}.schema import FEATURES, TARGET, InputSchema


def predict_frame(model: Pipeline, inputs: pd.DataFrame) -> pd.DataFrame:
    """Validated inputs -> one row per input with the predicted label and its probability."""
    valid = InputSchema.validate(inputs, lazy=True).loc[:, list(FEATURES)]
    probabilities = model.predict_proba(valid)
    labels = model.classes_[probabilities.argmax(axis=1)]
    return pd.DataFrame(
        {"label": labels.astype(int), "probability": probabilities.max(axis=1).astype(float)}
    )


def main(argv: list[str] | None = None) -> None:
    """Command line: read a CSV of inputs, write a CSV of predictions."""
    from {{cookiecutter.package_name}}.package import load_bundle

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("inputs", type=Path, help="CSV with one column per model input")
    parser.add_argument("output", type=Path, help="where to write label,probability")
    parser.add_argument("--bundle", type=Path, default=Path("bundle"), help="model bundle folder")
    args = parser.parse_args(argv)
    bundle = load_bundle(args.bundle)
    frame = pd.read_csv(args.inputs)
    frame = frame.drop(columns=[TARGET], errors="ignore")
    predict_frame(bundle.model, frame).to_csv(args.output, index=False)


if __name__ == "__main__":
    main()
