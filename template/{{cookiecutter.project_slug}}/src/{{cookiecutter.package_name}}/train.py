"""Stage ``train``: fit the model on the training split and persist it (``python -m {{cookiecutter.package_name}}.train``).

The persisted object carries its own preprocessing (see ``model.py``), so whoever loads it (batch
prediction, the service, the registry) applies exactly what the model was trained with.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from {{cookiecutter.package_name}}.config import Params, stage_main
from {{cookiecutter.package_name}}.model import MODEL_FILE, fit, save


def run(params: Params) -> Path:
    """Fit on data/prepared/train.csv and write the model into models/."""
    train = pd.read_csv(params.paths.prepared_dir / "train.csv")
    return save(fit(train, params), params.paths.models_dir / MODEL_FILE)


if __name__ == "__main__":
    stage_main(run, __doc__)
