"""End to end: a generated project installs from PyPI, then runs its pipeline, its tests and its
service offline, using the two commands its README gives.

The only step with network access downloads the generated project's exact pins from PyPI into a
wheelhouse under ``.cache/`` in this repository (git-ignored; skipped when it already holds them).
Everything after it is offline: ``make setup`` (a fresh venv, installed from the wheelhouse with
``PIP_NO_INDEX``), ``make run``, ``make test`` and the service check run in a network namespace
without network (``unshare -n``) when the machine allows one, else with proxies pointing nowhere.
Docker is not available on these machines: the Dockerfile is checked statically in
tests/test_template.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mllint.fix.scaffold import generate

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("MLLINT_TEMPLATE_CACHE", PROJECT / ".cache"))
PIP_CACHE = CACHE / "pip"
WHEELS = CACHE / "template-wheels"
VARIANTS = {
    "default": {},
    "custom-gitlab": {"project_name": "Churn Model 2", "ci_provider": "gitlab", "license": "BSD-3-Clause"},
}


def can_unshare_network() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    return subprocess.run([unshare, "-n", "true"], capture_output=True, check=False).returncode == 0


def offline(command: list[str]) -> list[str]:
    return ["unshare", "-n", *command] if OFFLINE_BY_NAMESPACE else command


OFFLINE_BY_NAMESPACE = can_unshare_network()


def base_env() -> dict[str, str]:
    # The generated project's make runs as a user's top-level make, not as a sub-make of ours.
    inherited = ("VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")
    env = {key: value for key, value in os.environ.items() if not key.startswith(inherited)}
    env.update(PIP_CACHE_DIR=str(PIP_CACHE), PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHON=sys.executable)
    env.pop("MLFLOW_TRACKING_URI", None)
    return env


def offline_env() -> dict[str, str]:
    env = base_env()
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(WHEELS))
    if not OFFLINE_BY_NAMESPACE:
        dead = "http://127.0.0.1:9"
        env.update(HTTP_PROXY=dead, HTTPS_PROXY=dead, http_proxy=dead, https_proxy=dead, NO_PROXY="")
    return env


def sh(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


def readme_commands(root: Path) -> list[str]:
    block = re.search(r"## Two commands\n\n```bash\n(.*?)```", (root / "README.md").read_text(), re.DOTALL).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


SERVICE_CHECK = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import pandas as pd
    from fastapi.testclient import TestClient
    from {package}.schema import FEATURES
    from {package}.service import create_app

    row = pd.read_csv("data/prepared/test.csv")[list(FEATURES)].head(1).to_dict(orient="records")
    with TestClient(create_app(Path("bundle"))) as client:
        health = client.get("/health")
        predict = client.post("/predict", json={{"records": row}})
        metrics = client.get("/metrics").text
    counted = [line for line in metrics.splitlines()
               if line.startswith('http_requests_total{{method="POST",route="/predict",status="200"}}')]
    print(json.dumps({{"health": health.status_code, "predict": predict.status_code, "body": predict.json(),
                      "counted": counted, "process": "process_resident_memory_bytes" in metrics}}))
""")


def fill_wheelhouse(root: Path) -> None:
    """Download the project's pinned requirements (and its build backend) from PyPI, once."""
    pyproject = (root / "pyproject.toml").read_text()
    build = re.search(r'requires = \["([^"]+)"\]', pyproject).group(1)
    key = hashlib.sha256((pyproject.split("[tool.", 1)[0] + sys.version).encode()).hexdigest()[:16]
    stamp = WHEELS / f".complete-{key}"
    if stamp.exists():
        return
    WHEELS.mkdir(parents=True, exist_ok=True)
    sh([sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(WHEELS), f"{root}[dev]", build,
        "editables~=0.3"], root, base_env(), timeout=1500)
    stamp.touch()


def make_project(tmp_path_factory, context: dict) -> Path:
    folder = context.get("project_name", "demo").lower().replace(" ", "-")
    return generate(tmp_path_factory.mktemp("e2e") / folder, no_input=True, extra_context=context)


@pytest.fixture(scope="module")
def default_project(tmp_path_factory) -> Path:
    """The default project after `make setup`: a fresh venv installed offline from the wheelhouse."""
    root = make_project(tmp_path_factory, VARIANTS["default"])
    fill_wheelhouse(root)
    sh(offline(["make", "setup"]), root, offline_env(), timeout=1500)
    return root


@pytest.fixture(scope="module", params=list(VARIANTS))
def project(request, tmp_path_factory, default_project):
    """Each variant, set up. Installing the dependencies costs minutes of disk I/O, so the other
    variant shares the default's venv (a symlink): its `make setup` then installs only itself."""
    if request.param == "default":
        root = default_project
    else:
        root = make_project(tmp_path_factory, VARIANTS[request.param])
        (root / ".venv").symlink_to(default_project / ".venv", target_is_directory=True)
        sh(offline(["make", "setup"]), root, offline_env(), timeout=600)
    package = next(p.name for p in (root / "src").iterdir() if (p / "__init__.py").exists())
    return root, package


def test_readme_commands_run_the_pipeline_and_the_tests_offline(project):
    root, _package = project
    commands = readme_commands(root)
    assert commands == ["make run", "make test"]
    outputs = [sh(offline(command.split()), root, offline_env()) for command in commands]

    metrics = json.loads((root / "metrics.json").read_text())
    assert metrics["schema_version"] == 1 and metrics["roc_auc"] >= 0.95
    manifest = json.loads((root / "bundle" / "manifest.json").read_text())
    assert manifest["version"] == "0.1.0" and len(manifest["git_commit"]) >= 40
    assert set(manifest["files"]) == {"model.joblib", "schema.json", "metrics.json", "reference_stats.json",
                                      "model_card.md"}
    assert (root / "reports" / "roc.csv").is_file()
    assert any((root / "mlruns").rglob("data_md5")), "MLflow run with the data hash tag in the local store"

    summaries = [line for line in outputs[1].stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    summary = summaries[-1] if summaries else outputs[1].stdout[-2000:]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 44 and "failed" not in summary and "error" not in summary, summary


def test_service_answers_and_counts_requests(project):
    root, package = project
    if not (root / "bundle" / "manifest.json").exists():
        sh(offline(["make", "run"]), root, offline_env())
    script = SERVICE_CHECK.format(package=package)
    result = sh(offline([str(root / ".venv" / "bin" / "python"), "-c", script]), root, offline_env())
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["health"] == 200 and report["predict"] == 200
    assert len(report["body"]["predictions"]) == 1 and report["body"]["model_version"] == "0.1.0"
    assert report["counted"] and float(report["counted"][0].split()[-1]) == 1.0
    assert report["process"]


def test_mllint_still_finds_nothing_after_a_run(project):
    """The files a run leaves (metrics.json, reports/, mlruns/, bundle/, .venv/) raise no finding."""
    root, _ = project
    if not (root / "bundle").exists():
        sh(offline(["make", "run"]), root, offline_env())
    result = subprocess.run([sys.executable, "-m", "mllint", "check", "--no-cache", "--select", "ALL",
                             "--output-format", "json", str(root)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []
