"""The service's record of what it was asked: one JSON line per predicted row, rotated by size.

Each line holds the time, the model version, the row's inputs and the prediction. The drift check
reads the most recent rows back (:func:`read_window`), across rotated files, so recent traffic can
be compared with the training data.
"""

from __future__ import annotations

import json
import logging
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pandas as pd


class RequestLog:
    """Appends predicted rows to a size-rotated JSON lines file (thread-safe, one handler per file)."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._logger = logging.Logger(f"request-log:{path}")
        handler = RotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
        self._logger.addHandler(handler)

    def append(
        self, version: str, records: list[dict[str, float]], predictions: pd.DataFrame
    ) -> None:
        """Write one line per record: inputs, predicted label and probability."""
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        for inputs, output in zip(records, predictions.to_dict(orient="records"), strict=True):
            line = {"time": now, "model_version": version, "inputs": inputs, **output}
            self._logger.info(json.dumps(line))

    def close(self) -> None:
        """Flush and close the file."""
        for handler in list(self._logger.handlers):
            handler.close()
            self._logger.removeHandler(handler)


def log_files(path: Path) -> list[Path]:
    """The log and its rotated predecessors, newest first (``x.jsonl``, ``x.jsonl.1``, ...)."""
    rotated = sorted(
        (p for p in path.parent.glob(path.name + ".*") if p.suffix[1:].isdigit()),
        key=lambda p: int(p.suffix[1:]),
    )
    return [p for p in [path, *rotated] if p.is_file()]


def read_window(path: Path, rows: int) -> pd.DataFrame:
    """The inputs of the most recent ``rows`` logged predictions (oldest first)."""
    files = log_files(path)
    if not files:
        raise FileNotFoundError(f"no request log at {path}: serve some requests or pass a CSV")
    lines: list[str] = []
    for file in files:
        lines = file.read_text(encoding="utf-8").splitlines() + lines
        if len(lines) >= rows:
            break
    recent = [json.loads(line)["inputs"] for line in lines[-rows:] if line.strip()]
    return pd.DataFrame.from_records(recent)
