"""Monitoring of the service: Prometheus metrics and structured (JSON) logs.

Exposed on ``/metrics``: request count and latency per route and status, the distribution of
predicted labels and probabilities, summaries of every input feature, and (from the default
registry's process collector) the process CPU time and resident memory.
"""

from __future__ import annotations

import json
import logging
import sys
import time

import pandas as pd
from prometheus_client import Counter, Histogram, Summary

REQUESTS = Counter("http_requests_total", "HTTP requests served.", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency in seconds.", ["method", "route"]
)
PREDICTIONS = Counter("model_predictions_total", "Predictions served, by label.", ["label"])
PROBABILITY = Histogram(
    "model_prediction_probability",
    "Probability of the predicted label.",
    buckets=(0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0),
)
FEATURES = Summary("model_input_feature", "Values of each input feature served.", ["feature"])


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any ``extra={"data": ...}``."""

    def format(self, record: logging.LogRecord) -> str:
        """Render one record as a JSON line."""
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data = getattr(record, "data", None)
        if data is not None:
            entry["data"] = data
        return json.dumps(entry, default=str)


def get_logger(name: str) -> logging.Logger:
    """A logger writing JSON lines to stderr (configured once)."""
    logger = logging.getLogger(name)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count a request and record its latency."""
    REQUESTS.labels(method=method, route=route, status=str(status)).inc()
    LATENCY.labels(method=method, route=route).observe(seconds)


def observe_prediction(inputs: pd.DataFrame, predictions: pd.DataFrame) -> None:
    """Record input feature values and the predicted labels/probabilities."""
    for name in inputs.columns:
        summary = FEATURES.labels(feature=name)
        for value in inputs[name].to_numpy(dtype=float):
            summary.observe(value)
    for label, probability in zip(predictions["label"], predictions["probability"], strict=True):
        PREDICTIONS.labels(label=str(label)).inc()
        PROBABILITY.observe(probability)
