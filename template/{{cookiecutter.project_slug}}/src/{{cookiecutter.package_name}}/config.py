"""Run parameters: ``params.yaml`` loaded into a validated, immutable pydantic model.

Every seed, split ratio, hyperparameter, threshold and path lives in ``params.yaml``; code reads it
through :func:`load_params` only. An unknown key or an out-of-range value raises :class:`ParamsError`
with one line per problem, naming the key.
"""

from __future__ import annotations

from pathlib import Path

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

    def under(self, root: Path) -> PathsParams:
        """The same layout below another root (used by tests and sandboxes)."""
        return PathsParams(**{name: Path(root) / value for name, value in self})


class SplitParams(_Section):
    """How the held-out test set is drawn."""

    test_size: float = Field(gt=0.0, lt=1.0)
    stratify: bool = True


class ModelParams(_Section):
    """Hyperparameters of the logistic regression."""

    C: float = Field(gt=0.0)
    max_iter: int = Field(gt=0)


class EvaluateParams(_Section):
    """The quality gate."""

    min_roc_auc: float = Field(ge=0.0, le=1.0)


class DriftParams(_Section):
    """Reference binning and the drift threshold."""

    bins: int = Field(ge=2, le=100)
    psi_threshold: float = Field(gt=0.0)


class TrackingParams(_Section):
    """The default MLflow store and experiment."""

    uri: str = Field(min_length=1)
    experiment: str = Field(min_length=1)


class PackageParams(_Section):
    """The bundle version."""

    version: str = Field(pattern=r"^\d+\.\d+\.\d+([.-]?[0-9A-Za-z.]+)?$")


class Params(_Section):
    """The whole of params.yaml."""

    seed: int = Field(ge=0)
    paths: PathsParams
    split: SplitParams
    model: ModelParams
    evaluate: EvaluateParams
    drift: DriftParams
    tracking: TrackingParams
    package: PackageParams

    def with_root(self, root: Path) -> Params:
        """A copy whose paths all live under ``root``."""
        return self.model_copy(update={"paths": self.paths.under(root)})


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
