"""Batch prediction with the bundled model: ``python -m {{cookiecutter.package_name}}.predict IN.csv OUT.csv``.

The service and the drift check call :func:`predict_frame` too, so offline and online predictions
cannot diverge.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from {{cookiecutter.package_name}}.model import positive_probability
from {{cookiecutter.package_name}}.schema import FEATURES, TARGET, InputSchema


def predict_frame(model: object, inputs: pd.DataFrame) -> pd.DataFrame:
    """Validated inputs -> one row per input with the predicted label and its probability."""
    valid = InputSchema.validate(inputs, lazy=True).loc[:, list(FEATURES)]
    positive = np.asarray(positive_probability(model, valid), dtype=float)
    labels = (positive >= 0.5).astype(int)
    return pd.DataFrame(
        {"label": labels, "probability": np.where(labels == 1, positive, 1.0 - positive)}
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
