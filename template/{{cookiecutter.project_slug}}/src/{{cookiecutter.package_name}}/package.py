"""Stage ``package``: the deployable, versioned bundle the service and Docker image run from.

``bundle/`` holds the persisted model, the input schema, the metrics, the drift reference, a model
card and ``manifest.json``: the registered model name and version (the version the service
reports), the MLflow run, the git commit, the data hash, the serving settings and the SHA-256 of
every file. Run it with ``python -m {{cookiecutter.package_name}}.package``.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
from dataclasses import dataclass
from importlib.metadata import version as installed_version
from pathlib import Path

import pandas as pd

from {{cookiecutter.package_name}}.config import Params, stage_main
from {{cookiecutter.package_name}}.data import file_md5
from {{cookiecutter.package_name}}.evaluate import REGISTERED_FILE
from {{cookiecutter.package_name}}.features import REFERENCE_FILE
from {{cookiecutter.package_name}}.model import FAMILY, MODEL_FILE, load
from {{cookiecutter.package_name}}.schema import InputSchema, describe
from {{cookiecutter.package_name}}.tracking import git_commit

MANIFEST_FILE = "manifest.json"
PROJECT = "{{cookiecutter.project_slug}}"


@dataclass(frozen=True)
class Bundle:
    """A loaded bundle: the model, its drift reference and its manifest."""

    model: object
    reference: pd.DataFrame
    manifest: dict

    @property
    def version(self) -> str:
        """The registered model version recorded in the manifest."""
        return self.manifest["version"]

    @property
    def git_commit(self) -> str:
        """The commit of the code that built the bundle."""
        return self.manifest["git_commit"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def model_card(params: Params, metrics: dict, manifest: dict) -> str:
    """A short Markdown model card: what the model is, how it was made, how good it is."""
    rows = "\n".join(f"| {key} | {value} |" for key, value in metrics.items())
    hyperparameters = ", ".join(f"{key}={value}" for key, value in params.model)
    return f"""# Model card: {manifest["registered_model"]} version {manifest["version"]}

- **Task**: binary classification (malignant = 0, benign = 1) of breast tumour measurements.
- **Model**: {FAMILY} ({hyperparameters}, seed={params.seed}).
- **Data**: scikit-learn's bundled breast cancer data set, md5 `{manifest["data_md5"]}`;
  held-out share {params.split.test_size}.
- **Code**: git commit `{manifest["git_commit"]}`; MLflow run `{manifest["run_id"]}`.
- **Intended use**: a template example; not for medical decisions.
- **Inputs**: the 30 measurements in `schema.json`, validated on every request.

## Held-out metrics

| metric | value |
|---|---|
{rows}
"""


def run(params: Params) -> Path:
    """Assemble bundle/ from the model, its registration, the metrics and the drift reference."""
    bundle = params.paths.bundle_dir
    if bundle.exists():
        shutil.rmtree(bundle)
    bundle.mkdir(parents=True)
    models = params.paths.models_dir
    shutil.copy2(models / MODEL_FILE, bundle / MODEL_FILE)
    shutil.copy2(models / REFERENCE_FILE, bundle / REFERENCE_FILE)
    shutil.copy2(params.paths.metrics, bundle / "metrics.json")
    metrics = json.loads(params.paths.metrics.read_text(encoding="utf-8"))
    registered = json.loads((models / REGISTERED_FILE).read_text(encoding="utf-8"))
    (bundle / "schema.json").write_text(json.dumps(describe(InputSchema), indent=2) + "\n")
    manifest = {
        "name": PROJECT,
        "registered_model": registered["name"],
        "version": registered["version"],
        "run_id": registered["run_id"],
        "git_commit": git_commit(),
        "data_md5": file_md5(params.paths.raw),
        "python": platform.python_version(),
        "framework": {FAMILY: installed_version(FAMILY)},
        "serving": {
            "request_log": params.paths.request_log.as_posix(),
            "max_bytes": params.monitoring.max_bytes,
            "backups": params.monitoring.backups,
        },
    }
    (bundle / "model_card.md").write_text(model_card(params, metrics, manifest))
    manifest["files"] = {path.name: _sha256(path) for path in sorted(bundle.iterdir())}
    (bundle / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return bundle


def load_bundle(path: Path) -> Bundle:
    """Load a bundle, refusing one whose files do not match their recorded checksums."""
    manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        if _sha256(path / name) != digest:
            raise ValueError(f"bundle file {path / name} does not match manifest.json")
    return Bundle(
        model=load(path / MODEL_FILE),
        reference=pd.read_csv(path / REFERENCE_FILE),
        manifest=manifest,
    )


if __name__ == "__main__":
    stage_main(run, __doc__)
