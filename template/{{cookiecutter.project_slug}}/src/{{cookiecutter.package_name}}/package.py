"""Stage ``package``: the deployable, versioned bundle the service and Docker image run from.

``bundle/`` holds the persisted pipeline, the input schema, the metrics, the drift reference, a
model card and ``manifest.json`` (version, git commit, data hash, file checksums).
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
from dataclasses import dataclass
from pathlib import Path

import joblib
import sklearn
from sklearn.pipeline import Pipeline

from {{cookiecutter.package_name}}.config import Params
from {{cookiecutter.package_name}}.data import file_md5
from {{cookiecutter.package_name}}.schema import InputSchema, describe
from {{cookiecutter.package_name}}.tracking import git_commit

MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
PROJECT = "{{cookiecutter.project_slug}}"


@dataclass(frozen=True)
class Bundle:
    """A loaded bundle: the pipeline and its manifest."""

    model: Pipeline
    manifest: dict

    @property
    def version(self) -> str:
        """The version recorded in the manifest."""
        return self.manifest["version"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def model_card(params: Params, metrics: dict, commit: str, data_md5: str) -> str:
    """A short Markdown model card: what the model is, how it was made, how good it is."""
    rows = "\n".join(f"| {key} | {value} |" for key, value in metrics.items())
    return f"""# Model card: {PROJECT} {params.package.version}

- **Task**: binary classification (malignant = 0, benign = 1) of breast tumour measurements.
- **Model**: scikit-learn Pipeline (derived features, standard scaling, logistic regression,
  C={params.model.C}, max_iter={params.model.max_iter}, seed={params.seed}).
- **Data**: scikit-learn's bundled breast cancer data set, md5 `{data_md5}`;
  held-out share {params.split.test_size}.
- **Code**: git commit `{commit}`.
- **Intended use**: a template example; not for medical decisions.
- **Inputs**: the 30 measurements in `schema.json`, validated on every request.

## Held-out metrics

| metric | value |
|---|---|
{rows}
"""


def run(params: Params) -> Path:
    """Assemble bundle/ from the model, metrics and reference statistics."""
    bundle = params.paths.bundle_dir
    if bundle.exists():
        shutil.rmtree(bundle)
    bundle.mkdir(parents=True)
    shutil.copy2(params.paths.models_dir / MODEL_FILE, bundle / MODEL_FILE)
    shutil.copy2(params.paths.models_dir / "reference_stats.json", bundle / "reference_stats.json")
    shutil.copy2(params.paths.metrics, bundle / "metrics.json")
    metrics = json.loads(params.paths.metrics.read_text(encoding="utf-8"))
    (bundle / "schema.json").write_text(json.dumps(describe(InputSchema), indent=2) + "\n")
    commit, data_md5 = git_commit(), file_md5(params.paths.raw)
    (bundle / "model_card.md").write_text(model_card(params, metrics, commit, data_md5))
    files = {path.name: _sha256(path) for path in sorted(bundle.iterdir())}
    manifest = {
        "name": PROJECT,
        "version": params.package.version,
        "git_commit": commit,
        "data_md5": data_md5,
        "python": platform.python_version(),
        "scikit_learn": sklearn.__version__,
        "files": files,
    }
    (bundle / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return bundle


def load_bundle(path: Path) -> Bundle:
    """Load a bundle, refusing one whose files do not match their recorded checksums."""
    manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        if _sha256(path / name) != digest:
            raise ValueError(f"bundle file {path / name} does not match manifest.json")
    return Bundle(model=joblib.load(path / MODEL_FILE), manifest=manifest)
