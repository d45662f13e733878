"""Promotion: the challenger replaces the champion only when it is better on a fixed evaluation set.

``python -m {{cookiecutter.package_name}}.promote`` scores the latest registered version (alias
``challenger``, written by the evaluate stage) and the registered ``champion`` on the same data
(``promote.eval_data``) and moves the ``champion`` alias to the challenger only when it wins by at
least ``promote.min_improvement`` on ``promote.metric``. Writes ``reports/promotion.json``; exits 0
when promoted, 1 when the champion stays, 2 on an error.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from {{cookiecutter.package_name}}.config import Params, ParamsError, load_params
from {{cookiecutter.package_name}}.evaluate import REGISTERED_FILE, score
from {{cookiecutter.package_name}}.tracking import CHAMPION, alias_version, load_version, set_alias

LOWER_IS_BETTER = frozenset({"log_loss"})


@dataclass(frozen=True)
class Decision:
    """Whether the challenger is promoted, on which scores, and why."""

    promoted: bool
    reason: str
    metric: str
    challenger_version: str
    challenger_score: float
    champion_version: str | None
    champion_score: float | None


def gain(metric: str, challenger: float, champion: float) -> float:
    """How much better the challenger is (positive: better), whatever the metric's direction."""
    return champion - challenger if metric in LOWER_IS_BETTER else challenger - champion


def decide(
    metric: str, challenger: float, champion: float | None, margin: float
) -> tuple[bool, str]:
    """The promotion rule: no champion yet, or better by at least ``margin``."""
    if champion is None:
        return True, "no champion yet"
    improvement = gain(metric, challenger, champion)
    if improvement >= margin:
        return True, f"{metric} better by {improvement:.4f} (margin {margin})"
    return False, f"{metric} changes by {improvement:+.4f}, less than the margin {margin}"


def run(params: Params) -> Decision:
    """Compare challenger and champion on the evaluation data; move the alias if the rule says so."""
    registered = json.loads((params.paths.models_dir / REGISTERED_FILE).read_text(encoding="utf-8"))
    version = str(registered["version"])
    frame = pd.read_csv(params.promote.eval_data)
    metric = params.promote.metric
    challenger = getattr(score(load_version(params, version), frame), metric)
    champion_version = alias_version(params, CHAMPION)
    champion = None
    if champion_version is not None:
        champion = getattr(score(load_version(params, champion_version), frame), metric)
    if champion_version == version:
        promoted, reason = False, f"version {version} already is the champion"
    else:
        promoted, reason = decide(metric, challenger, champion, params.promote.min_improvement)
    if promoted:
        set_alias(params, CHAMPION, version)
    decision = Decision(promoted, reason, metric, version, challenger, champion_version, champion)
    params.paths.plots_dir.mkdir(parents=True, exist_ok=True)
    (params.paths.plots_dir / "promotion.json").write_text(
        json.dumps(asdict(decision), indent=2) + "\n", encoding="utf-8"
    )
    return decision


def main(argv: list[str] | None = None) -> int:
    """Command line; 0 promoted, 1 the champion stays, 2 error."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    try:
        decision = run(load_params(args.params))
    except (ParamsError, OSError, KeyError) as exc:
        print(f"promotion failed: {exc}", file=sys.stderr)
        return 2
    verb = "promoted" if decision.promoted else "not promoted"
    print(f"challenger version {decision.challenger_version} {verb}: {decision.reason}")
    return 0 if decision.promoted else 1


if __name__ == "__main__":
    sys.exit(main())
