"""Run parameters: ``params.yaml`` loaded into a validated, immutable pydantic model.

Every seed, split ratio, hyperparameter, threshold and path lives in ``params.yaml``; code reads it
through :func:`load_params` only. An unknown key or an out-of-range value raises :class:`ParamsError`
with one line per problem, naming the key.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_PARAMS = Path("params.yaml")


class ParamsError(ValueError):
    """params.yaml is missing, unreadable or invalid."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PathsParams(_Section):
    """Where each stage reads and writes, relative to the project root."""

    raw: Path
    prepared_dir: Path
    models_dir: Path
    metrics: Path
    plots_dir: Path
    bundle_dir: Path
    request_log: Path

    def under(self, root: Path) -> PathsParams:
        """The same layout below another root (used by tests and sandboxes)."""
        return PathsParams(**{name: Path(root) / value for name, value in self})


class SplitParams(_Section):
    """How the held-out test set is drawn."""

    test_size: float = Field(gt=0.0, lt=1.0)
    stratify: bool = True


class ModelParams(_Section):
{%- if cookiecutter.model_family == "pytorch" %}
    """Hyperparameters of the multilayer perceptron and its training."""

    hidden_units: int = Field(ge=1, le=4096)
    epochs: int = Field(ge=1)
    batch_size: int = Field(ge=1)
    learning_rate: float = Field(gt=0.0)
    weight_decay: float = Field(ge=0.0)
{%- else %}
    """Hyperparameters of the logistic regression."""

    C: float = Field(gt=0.0)
    max_iter: int = Field(gt=0)
{%- endif %}


class EvaluateParams(_Section):
    """The quality gate."""

    min_roc_auc: float = Field(ge=0.0, le=1.0)


class DriftParams(_Section):
    """How drift is tested: false-alarm rate, smallest effect, smallest window, window size."""

    alpha: float = Field(gt=0.0, lt=1.0)
    min_effect: float = Field(ge=0.0, le=1.0)
    min_samples: int = Field(ge=5)
    window: int = Field(ge=5)


class MonitoringParams(_Section):
    """Rotation of the service's request log."""

    max_bytes: int = Field(ge=1024)
    backups: int = Field(ge=0)


class TrackingParams(_Section):
    """The default MLflow store, its artifact folder, the experiment and the registered model name."""

    uri: str = Field(min_length=1)
    artifacts: Path
    experiment: str = Field(min_length=1)
    registered_model: str = Field(min_length=1)


class PromoteParams(_Section):
    """When a retrained model (challenger) replaces the registered champion."""

    eval_data: Path
    metric: Literal["roc_auc", "accuracy", "f1", "log_loss"]
    min_improvement: float = Field(ge=0.0)


class Params(_Section):
    """The whole of params.yaml."""

    seed: int = Field(ge=0)
    paths: PathsParams
    split: SplitParams
    model: ModelParams
    evaluate: EvaluateParams
    drift: DriftParams
    monitoring: MonitoringParams
    tracking: TrackingParams
    promote: PromoteParams

    def with_root(self, root: Path) -> Params:
        """A copy whose paths (and local tracking store) all live under ``root``."""
        root = Path(root)
        tracking = self.tracking.model_copy(
            update={
                "uri": f"sqlite:///{(root / 'mlflow.db').as_posix()}",
                "artifacts": root / self.tracking.artifacts,
            }
        )
        promote = self.promote.model_copy(update={"eval_data": root / self.promote.eval_data})
        return self.model_copy(
            update={"paths": self.paths.under(root), "tracking": tracking, "promote": promote}
        )


def load_params(path: Path | str = DEFAULT_PARAMS) -> Params:
    """Read and validate params.yaml; raise ParamsError with a readable message if it is wrong."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ParamsError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ParamsError(f"{path} must contain a mapping of parameters")
    try:
        return Params.model_validate(data)
    except ValidationError as exc:
        lines = [f"invalid parameters in {path}:"]
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"])
            lines.append(f"  {key}: {error['msg']}")
        raise ParamsError("\n".join(lines)) from None


def stage_main(run: Callable[[Params], object], description: str | None = None) -> None:
    """Command line of one pipeline stage: ``python -m <module> [--params FILE]``; exit 2 on bad params."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--params", type=Path, default=DEFAULT_PARAMS)
    args = parser.parse_args()
    try:
        params = load_params(args.params)
    except ParamsError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
    run(params)
