"""The pipeline without DVC: ``python -m {{cookiecutter.package_name}}.pipeline [STAGE ...]``.

Runs the stages of dvc.yaml (prepare -> featurize -> train -> evaluate -> package) in order, or only
the named ones, with the same functions DVC's commands run (each stage is also a module of its own:
``python -m {{cookiecutter.package_name}}.train``). ``ingest`` (re)creates the raw data from its
source; prepare does it when the raw file is missing (a fresh clone without ``dvc pull``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from {{cookiecutter.package_name}} import evaluate, features, package, prepare, train
from {{cookiecutter.package_name}}.config import Params, ParamsError, load_params
from {{cookiecutter.package_name}}.data import ingest

STAGES = {
    "prepare": prepare.run,
    "featurize": features.run,
    "train": train.run,
    "evaluate": evaluate.run,
    "package": package.run,
}


def run(params: Params, stages: list[str] | None = None) -> None:
    """Run the given stages (default: all, in order)."""
    selected = stages or list(STAGES)
    for name in selected:
        print(f"== stage {name}")
        STAGES[name](params)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stages", nargs="*", metavar="STAGE", help=f"ingest, {', '.join(STAGES)}")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--output", type=Path, help="ingest only: write here instead of paths.raw")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.stages) - {*STAGES, "ingest"})
    if unknown:
        parser.error(f"unknown stage(s): {', '.join(unknown)}")
    try:
        params = load_params(args.params)
    except ParamsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.stages == ["ingest"]:
        print(f"ingested {ingest(args.output or params.paths.raw)}")
        return 0
    run(params, [stage for stage in args.stages if stage != "ingest"] or None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
