"""Data drift check: new data vs the reference statistics saved at training time.

``python -m {{cookiecutter.package_name}}.drift NEW.csv`` computes the population stability index
(PSI) of every feature against ``models/reference_stats.json``, writes ``reports/drift.json`` and
exits with status 1 when any feature drifted past ``drift.psi_threshold``: the scheduled CI job
retrains when that happens.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import entropy

from {{cookiecutter.package_name}}.config import load_params
from {{cookiecutter.package_name}}.features import add_features
from {{cookiecutter.package_name}}.prepare import to_snake_case
from {{cookiecutter.package_name}}.schema import TARGET, InputSchema

EPSILON = 1e-6


def psi(reference_shares: list[float], edges: list[float], values: np.ndarray) -> float:
    """Population stability index of ``values`` against binned reference shares.

    PSI is the symmetric Kullback-Leibler divergence of the two binned distributions.
    """
    counts, _ = np.histogram(np.clip(values, edges[0], edges[-1]), bins=edges)
    current = np.clip(counts / max(counts.sum(), 1), EPSILON, None)
    expected = np.clip(np.asarray(reference_shares, dtype=float), EPSILON, None)
    return float(entropy(current, expected) + entropy(expected, current))


def drift_report(reference: dict, new: pd.DataFrame, threshold: float) -> dict:
    """PSI per feature and the list of drifted features."""
    inputs = InputSchema.validate(to_snake_case(new).drop(columns=[TARGET], errors="ignore"))
    features = add_features(inputs)
    scores = {
        name: psi(stats["shares"], stats["edges"], features[name].to_numpy(dtype=float))
        for name, stats in reference["features"].items()
    }
    drifted = sorted(name for name, score in scores.items() if score > threshold)
    return {"threshold": threshold, "n_rows": int(len(new)), "psi": scores, "drifted": drifted}


def main(argv: list[str] | None = None) -> int:
    """Command line; returns 1 when drift is detected."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "data", type=Path, help="CSV of new inputs (raw or model-input column names)"
    )
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--reference", type=Path, help="default: <models_dir>/reference_stats.json")
    args = parser.parse_args(argv)
    params = load_params(args.params)
    reference_path = args.reference or params.paths.models_dir / "reference_stats.json"
    reference = json.loads(reference_path.read_text(encoding="utf-8"))
    report = drift_report(reference, pd.read_csv(args.data), params.drift.psi_threshold)
    params.paths.plots_dir.mkdir(parents=True, exist_ok=True)
    (params.paths.plots_dir / "drift.json").write_text(json.dumps(report, indent=2) + "\n")
    if report["drifted"]:
        print(
            f"drift detected in {len(report['drifted'])} feature(s): {', '.join(report['drifted'])}"
        )
        return 1
    print(f"no drift (max PSI {max(report['psi'].values()):.4f} <= {params.drift.psi_threshold})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
