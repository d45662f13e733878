"""Getting raw data: ingestion from the source and validated loading.

The source here is the breast cancer data set that ships inside scikit-learn, so nothing is
downloaded; replace :func:`ingest` with your own source. The raw file is versioned by DVC
(``data/raw/breast_cancer.csv.dvc``), never by git.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
from sklearn.datasets import load_breast_cancer

from {{cookiecutter.package_name}}.schema import RawSchema


def ingest(path: Path) -> Path:
    """Write the raw data set to ``path`` as CSV (the same bytes DVC tracks)."""
    frame = load_breast_cancer(as_frame=True).frame
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def load_raw(path: Path) -> pd.DataFrame:
    """Read the raw CSV and validate it against the raw schema (raises pandera errors)."""
    return RawSchema.validate(pd.read_csv(path), lazy=True)


def file_md5(path: Path) -> str:
    """The MD5 of a file, as DVC records it: identifies the exact data a model saw."""
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
