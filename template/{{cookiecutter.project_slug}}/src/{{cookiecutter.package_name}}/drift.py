"""Drift check: do recent inputs, and the predictions on them, still look like the training data.

``python -m {{cookiecutter.package_name}}.drift [CURRENT.csv]`` compares a window of inputs (a CSV,
or by default the most recent ``drift.window`` requests of the service's log) with the training
inputs saved in the bundle. Each input column and the predicted probability get a two-sample
Kolmogorov-Smirnov test; the p-values are Holm-corrected, so ``drift.alpha`` is the chance that one
check of an unchanged population raises any alarm, whatever the window size. A column drifts when
its corrected p-value is below alpha and its KS statistic is at least ``drift.min_effect`` (large
windows make tiny, harmless differences significant). Windows smaller than ``drift.min_samples``
get no verdict.

Writes ``reports/drift.json`` (per column: statistic, p-values, mean shift in reference standard
deviations) and ``reports/drift.svg``; exits 0 without drift (or without enough data), 1 on drift,
2 on an error (missing files, inputs that break the schema).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors
from scipy.stats import ks_2samp

from {{cookiecutter.package_name}}.config import DriftParams, ParamsError, load_params
from {{cookiecutter.package_name}}.package import Bundle, load_bundle
from {{cookiecutter.package_name}}.predict import predict_frame
from {{cookiecutter.package_name}}.prepare import to_snake_case
from {{cookiecutter.package_name}}.requestlog import read_window
from {{cookiecutter.package_name}}.schema import FEATURES, TARGET

PREDICTION = "predicted_probability"
NO_DRIFT, DRIFT, TOO_FEW = "no-drift", "drift", "insufficient-data"


@dataclass(frozen=True)
class ColumnDrift:
    """The test of one column: KS statistic, raw and Holm-corrected p-value, mean shift."""

    name: str
    statistic: float
    p_value: float
    p_adjusted: float
    mean_shift_std: float
    drifted: bool


@dataclass(frozen=True)
class DriftReport:
    """The verdict of one check and the evidence for it."""

    verdict: str
    n_reference: int
    n_current: int
    alpha: float
    min_effect: float
    min_samples: int
    model_version: str
    columns: list[ColumnDrift] = field(default_factory=list)

    @property
    def drifted(self) -> list[str]:
        """The columns that drifted, most significant first."""
        moved = [column for column in self.columns if column.drifted]
        return [column.name for column in sorted(moved, key=lambda column: column.p_adjusted)]

    def to_json(self) -> str:
        """The report as JSON (``drifted`` included)."""
        return json.dumps({**asdict(self), "drifted": self.drifted}, indent=2) + "\n"


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (family-wise error control, any dependence)."""
    count = len(p_values)
    order = np.argsort(p_values)
    scaled = np.minimum(1.0, (count - np.arange(count)) * p_values[order])
    adjusted = np.empty(count)
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted


def _mean_shift(reference: np.ndarray, current: np.ndarray) -> float:
    spread = float(np.std(reference)) or 1.0
    return float((np.mean(current) - np.mean(reference)) / spread)


def compare(
    reference: pd.DataFrame, current: pd.DataFrame, settings: DriftParams, model_version: str = ""
) -> DriftReport:
    """Test every column of ``reference`` (inputs and the prediction) against ``current``."""
    common = {
        "n_reference": len(reference),
        "n_current": len(current),
        "alpha": settings.alpha,
        "min_effect": settings.min_effect,
        "min_samples": settings.min_samples,
        "model_version": model_version,
    }
    if len(current) < settings.min_samples:
        return DriftReport(verdict=TOO_FEW, **common)
    names = list(reference.columns)
    tests = [
        ks_2samp(reference[name].to_numpy(float), current[name].to_numpy(float)) for name in names
    ]
    p_values = np.array([float(test.pvalue) for test in tests])
    adjusted = holm(p_values)
    columns = [
        ColumnDrift(
            name=name,
            statistic=float(test.statistic),
            p_value=float(p_value),
            p_adjusted=float(p_adjusted),
            mean_shift_std=_mean_shift(
                reference[name].to_numpy(float), current[name].to_numpy(float)
            ),
            drifted=bool(p_adjusted < settings.alpha and test.statistic >= settings.min_effect),
        )
        for name, test, p_value, p_adjusted in zip(names, tests, p_values, adjusted, strict=True)
    ]
    verdict = DRIFT if any(column.drifted for column in columns) else NO_DRIFT
    return DriftReport(verdict=verdict, columns=columns, **common)


def with_predictions(bundle: Bundle, inputs: pd.DataFrame) -> pd.DataFrame:
    """Model inputs plus the bundled model's predicted probability of the positive class."""
    frame = inputs.loc[:, list(FEATURES)].reset_index(drop=True)
    predictions = predict_frame(bundle.model, frame)
    positive = np.where(
        predictions["label"] == 1, predictions["probability"], 1.0 - predictions["probability"]
    )
    return frame.assign(**{PREDICTION: positive})


def check(bundle: Bundle, current: pd.DataFrame, settings: DriftParams) -> DriftReport:
    """Drift of ``current`` inputs (raw or model-input column names) against the bundle's reference."""
    inputs = to_snake_case(current).drop(columns=[TARGET], errors="ignore")
    return compare(
        with_predictions(bundle, bundle.reference),
        with_predictions(bundle, inputs),
        settings,
        bundle.version,
    )


def svg(report: DriftReport) -> str:
    """A bar chart of the KS statistic per column (red: drifted), the effect floor as a line."""
    width, label_width, row = 640, 230, 16
    height = row * len(report.columns) + 50
    scale = width - label_width - 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        f'<text x="4" y="14" font-weight="bold">Drift: {report.verdict} '
        f"(n={report.n_current} vs {report.n_reference}, alpha={report.alpha})</text>",
    ]
    for index, column in enumerate(report.columns):
        y = 28 + index * row
        colour = "#c0392b" if column.drifted else "#7f8c8d"
        parts.append(f'<text x="4" y="{y + 11}">{column.name}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y + 2}" width="{column.statistic * scale:.1f}" '
            f'height="{row - 4}" fill="{colour}"/>'
        )
    floor = label_width + report.min_effect * scale
    parts.append(
        f'<line x1="{floor:.1f}" y1="24" x2="{floor:.1f}" y2="{height - 18}" stroke="black" '
        'stroke-dasharray="4 2"/>'
    )
    parts.append(
        f'<text x="{label_width}" y="{height - 4}">KS statistic (0 to 1); dashed: min_effect</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line; 0 no drift (or too little data), 1 drift, 2 error."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "current", nargs="?", type=Path, help="CSV of inputs (default: the request log)"
    )
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--bundle", type=Path, help="default: paths.bundle_dir")
    parser.add_argument("--log", type=Path, help="request log to read (default: paths.request_log)")
    args = parser.parse_args(argv)
    try:
        params = load_params(args.params)
        bundle = load_bundle(args.bundle or params.paths.bundle_dir)
        if args.current is not None:
            current = pd.read_csv(args.current)
        else:
            current = read_window(args.log or params.paths.request_log, params.drift.window)
        report = check(bundle, current, params.drift)
    except (ParamsError, OSError, ValueError, KeyError, pandera.errors.SchemaErrors) as exc:
        print(f"drift check failed: {exc}", file=sys.stderr)
        return 2
    params.paths.plots_dir.mkdir(parents=True, exist_ok=True)
    (params.paths.plots_dir / "drift.json").write_text(report.to_json(), encoding="utf-8")
    (params.paths.plots_dir / "drift.svg").write_text(svg(report), encoding="utf-8")
    if report.verdict == TOO_FEW:
        print(f"no verdict: {report.n_current} rows, drift.min_samples is {report.min_samples}")
        return 0
    if report.verdict == DRIFT:
        moved = {column.name: column for column in report.columns}
        details = ", ".join(
            f"{name} (KS {moved[name].statistic:.2f}, mean {moved[name].mean_shift_std:+.2f} sd)"
            for name in report.drifted
        )
        print(f"drift in {len(report.drifted)} column(s): {details}")
        return 1
    worst = max(report.columns, key=lambda column: column.statistic)
    print(
        f"no drift in {report.n_current} rows (largest KS statistic {worst.statistic:.3f} "
        f"for {worst.name}, corrected p {worst.p_adjusted:.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
