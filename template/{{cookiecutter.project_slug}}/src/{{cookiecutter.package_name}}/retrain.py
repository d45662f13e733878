"""Continuous training, one turn of the loop: drift -> retrain -> challenger vs champion -> publish.

``python -m {{cookiecutter.package_name}}.retrain [CURRENT.csv] [--force]`` (the scheduled CI job):

1. the drift check on the recorded requests (or a CSV); without drift nothing changes;
2. refresh the raw data from its source and ``dvc add`` it, then ``dvc repro``: the pipeline trains,
   evaluates and registers a challenger;
3. promotion on the fixed evaluation set (``promote.py``);
4. promoted: commit ``dvc.lock``, the metrics and plots and the data's ``.dvc`` file, ``dvc push`` the
   data and models, and write ``reports/retrain.md`` (``dvc metrics diff``) for the pull request;
   not promoted: restore the committed pipeline state, so the working tree is as before.

Writes ``reports/retrain.json`` with the outcome (``no-drift``, ``insufficient-data``, ``promoted``,
``kept``); exits 0 on any outcome, 2 on an error.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from {{cookiecutter.package_name}} import drift, promote
from {{cookiecutter.package_name}}.config import Params, ParamsError, load_params
from {{cookiecutter.package_name}}.data import ingest
from {{cookiecutter.package_name}}.package import load_bundle
from {{cookiecutter.package_name}}.requestlog import read_window

#: What a promotion commits: the pipeline's lock, its git-tracked metrics and plots (the data's
#: .dvc file is added from params.paths.raw).
COMMITTED = ("dvc.lock", "metrics.json", "reports/roc.csv")


@dataclass(frozen=True)
class Outcome:
    """What one turn of the loop did."""

    outcome: str
    detail: str


class Workspace:
    """The version-control side of the loop: DVC and git in the project folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _run(self, *command: str) -> str:
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True, check=True)
        return done.stdout

    def refresh_data(self, params: Params) -> None:
        """Re-ingest the raw data from its source and record it with ``dvc add``."""
        ingest(params.paths.raw)
        self._run("dvc", "add", str(params.paths.raw))

    def reproduce(self) -> None:
        """Run the stages whose inputs changed."""
        self._run("dvc", "repro")

    def publish(self, paths: list[str], message: str) -> str:
        """Commit the pipeline state, push data and models; return the metrics diff (Markdown)."""
        self._run("git", "add", "--", *paths)
        self._run("git", "commit", "--quiet", "-m", message)
        self._run("dvc", "push")
        return self._run("dvc", "metrics", "diff", "--md", "HEAD~1")

    def restore(self, paths: list[str]) -> None:
        """Put the committed pipeline state back (files and DVC-tracked outputs)."""
        tracked = self._run("git", "ls-files", "--", *paths).split()
        if tracked:
            self._run("git", "checkout", "--", *tracked)
        self._run("dvc", "checkout", "--quiet")


def turn(
    params: Params, workspace: Workspace, current: pd.DataFrame | None, force: bool
) -> Outcome:
    """One turn of the loop (see the module docstring)."""
    if not force:
        if current is None:
            current = read_window(params.paths.request_log, params.drift.window)
        report = drift.check(load_bundle(params.paths.bundle_dir), current, params.drift)
        if report.verdict != drift.DRIFT:
            return Outcome(report.verdict, f"{report.n_current} rows checked: nothing to retrain")
    paths = [*COMMITTED, f"{params.paths.raw}.dvc"]
    workspace.refresh_data(params)
    workspace.reproduce()
    decision = promote.run(params)
    if not decision.promoted:
        workspace.restore(paths)
        return Outcome("kept", decision.reason)
    message = f"Retrain: promote model version {decision.challenger_version} ({decision.reason})"
    diff = workspace.publish(paths, message)
    params.paths.plots_dir.mkdir(parents=True, exist_ok=True)
    (params.paths.plots_dir / "retrain.md").write_text(f"{message}\n\n{diff}", encoding="utf-8")
    return Outcome("promoted", decision.reason)


def main(argv: list[str] | None = None) -> int:
    """Command line; 0 whatever the outcome, 2 on an error."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "current", nargs="?", type=Path, help="CSV of inputs (default: the request log)"
    )
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--force", action="store_true", help="retrain without waiting for drift")
    args = parser.parse_args(argv)
    try:
        params = load_params(args.params)
        current = pd.read_csv(args.current) if args.current else None
        outcome = turn(params, Workspace(Path.cwd()), current, args.force)
    except (ParamsError, OSError, ValueError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        print(f"retraining failed: {exc}\n{detail}", file=sys.stderr)
        return 2
    params.paths.plots_dir.mkdir(parents=True, exist_ok=True)
    (params.paths.plots_dir / "retrain.json").write_text(
        json.dumps({"outcome": outcome.outcome, "detail": outcome.detail}) + "\n", encoding="utf-8"
    )
    print(f"{outcome.outcome}: {outcome.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
