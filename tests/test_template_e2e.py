"""End to end: a generated project installs from its lock file, then runs its pipeline, its tests, its
drift check, its service and its retraining loop offline, using the commands its README gives.

Two projects: the default (scikit-learn) and a PyTorch one. The only step with network access
downloads each project's locked requirements (hash-checked) from the package index into a
wheelhouse under ``.cache/`` in this repository (git-ignored; skipped when it already holds them);
the PyTorch lock pins torch's CPU build (``+cpu``, with its hash), which only the machine's wheel
folder has, so a CUDA build can never be pulled. Everything after that is offline:
``make setup`` (a fresh venv, ``pip install --require-hashes`` from the wheelhouse with
``PIP_NO_INDEX``), ``make run``, ``make test``, ``make drift``, the service and ``dvc`` run in a
network namespace without network (``unshare -n``) when the machine allows one, else with proxies
pointing nowhere. Docker is not available on these machines: the Dockerfile is checked statically
in tests/test_template.py.
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
import yaml

from mllint.fix.scaffold import generate

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("MLLINT_TEMPLATE_CACHE", PROJECT / ".cache"))
PIP_CACHE = CACHE / "pip"
WHEELS = CACHE / "template-wheels"
VARIANTS = {
    "default": {},
    "pytorch": {"project_name": "Tumour Net", "model_family": "pytorch", "ci_provider": "gitlab",
                "license": "BSD-3-Clause"},
}
SHIFTED = ("mean_radius", "mean_texture", "worst_area")


def can_unshare_network() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    return subprocess.run([unshare, "-n", "true"], capture_output=True, check=False).returncode == 0


def offline(command: list[str]) -> list[str]:
    return ["unshare", "-n", *command] if OFFLINE_BY_NAMESPACE else command


OFFLINE_BY_NAMESPACE = can_unshare_network()


def base_env(home: Path | None = None) -> dict[str, str]:
    # The generated project's make runs as a user's top-level make, not as a sub-make of ours.
    inherited = ("VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")
    env = {key: value for key, value in os.environ.items() if not key.startswith(inherited)}
    env.update(PIP_CACHE_DIR=str(PIP_CACHE), PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHON=sys.executable)
    env.pop("MLFLOW_TRACKING_URI", None)
    if home is not None:  # the DVC remote (~/.cache/dvc-storage/...) and git config of a fresh user
        env.update(HOME=str(home), GIT_AUTHOR_NAME="e2e", GIT_AUTHOR_EMAIL="e2e@example.com",
                   GIT_COMMITTER_NAME="e2e", GIT_COMMITTER_EMAIL="e2e@example.com")
    return env


def offline_env(home: Path | None = None) -> dict[str, str]:
    env = base_env(home)
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(WHEELS))
    if not OFFLINE_BY_NAMESPACE:
        dead = "http://127.0.0.1:9"
        env.update(HTTP_PROXY=dead, HTTPS_PROXY=dead, http_proxy=dead, https_proxy=dead, NO_PROXY="")
    return env


def sh(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 900,
       expect: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == expect, (f"{' '.join(command)} exited {result.returncode}:\n"
                                         f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def readme_commands(root: Path) -> list[str]:
    block = re.search(r"## Two commands\n\n```bash\n(.*?)```", (root / "README.md").read_text(), re.DOTALL).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


def readme_payload(root: Path) -> str:
    """The JSON body of the README's `curl` example."""
    return re.search(r"^curl .* -d '(\{.*\})'$", (root / "README.md").read_text(), re.MULTILINE).group(1)


SERVICE_CHECK = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from fastapi.testclient import TestClient
    from {package}.service import create_app

    payload = json.loads(Path("payload.json").read_text())
    with TestClient(create_app(Path("bundle"), Path("logs/e2e-requests.jsonl"))) as client:
        health = client.get("/health")
        predict = client.post("/predict", json=payload)
        infinite = client.post("/predict", content=json.dumps(payload).replace("17.99", "Infinity", 1),
                               headers={{"content-type": "application/json"}})
        metrics = client.get("/metrics").text
    def counted(status):
        prefix = 'http_requests_total{{method="POST",route="/predict",status="' + status + '"}} '
        return [float(line.split()[-1]) for line in metrics.splitlines() if line.startswith(prefix)]
    print(json.dumps({{"health": health.status_code, "health_body": health.json(), "predict": predict.status_code,
                      "body": predict.json(), "infinite": infinite.status_code, "counted_200": counted("200"),
                      "counted_422": counted("422"), "process": "process_resident_memory_bytes" in metrics}}))
""")


def lock_requirements(root: Path) -> Path:
    """The project's dev lock without option lines (an index there would be contacted)."""
    lock = root / "requirements-dev.lock"
    stripped = root.parent / "requirements-dev.download.txt"
    stripped.write_text("".join(line for line in lock.read_text().splitlines(keepends=True) if not line.startswith("--")))
    return stripped


def fill_wheelhouse(root: Path) -> None:
    """Download the project's locked requirements (and the build tools of the project and of the
    lock's source distributions) from the package index, once per lock."""
    pyproject = (root / "pyproject.toml").read_text()
    build = re.search(r'requires = \["([^"]+)"\]', pyproject).group(1)
    lock = (root / "requirements-dev.lock").read_text()
    key = hashlib.sha256((lock + build + sys.version).encode()).hexdigest()[:16]
    stamp = WHEELS / f".complete-{key}"
    if stamp.exists():
        return
    WHEELS.mkdir(parents=True, exist_ok=True)
    sh([sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(WHEELS), "--require-hashes",
        "-r", str(lock_requirements(root))], root, base_env(), timeout=1500)
    sh([sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(WHEELS), build, "editables~=0.3",
        "setuptools", "wheel"], root, base_env(), timeout=600)
    stamp.touch()


def make_project(tmp_path_factory, context: dict) -> Path:
    folder = context.get("project_name", "demo").lower().replace(" ", "-")
    return generate(tmp_path_factory.mktemp("e2e") / folder, no_input=True, extra_context=context)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def default_project(tmp_path_factory, home) -> Path:
    """The default project after `make setup`: a fresh venv installed offline from the wheelhouse."""
    root = make_project(tmp_path_factory, VARIANTS["default"])
    fill_wheelhouse(root)
    sh(offline(["make", "setup"]), root, offline_env(home), timeout=1500)
    return root


@pytest.fixture(scope="module", params=list(VARIANTS))
def project(request, tmp_path_factory, default_project, home):
    """Each variant, set up. Installing the dependencies costs minutes of disk I/O, so the PyTorch
    project starts from a copy-free share of the default's venv (a symlink): its `make setup` installs
    its own lock into it (torch and what differs), then the project itself."""
    if request.param == "default":
        root = default_project
    else:
        root = make_project(tmp_path_factory, VARIANTS[request.param])
        fill_wheelhouse(root)  # torch's CPU build: a file the machine's pip finds, never a CUDA build
        (root / ".venv").symlink_to(default_project / ".venv", target_is_directory=True)
        sh(offline(["make", "setup"]), root, offline_env(home), timeout=1500)
    package = next(p.name for p in (root / "src").iterdir() if (p / "__init__.py").exists())
    return request.param, root, package


def test_readme_commands_run_the_pipeline_and_the_tests_offline(project, home):
    variant, root, _package = project
    commands = readme_commands(root)
    assert commands == ["make run", "make test"]
    outputs = [sh(offline(command.split()), root, offline_env(home)) for command in commands]

    metrics = json.loads((root / "metrics.json").read_text())
    assert metrics["schema_version"] == 1 and metrics["roc_auc"] >= 0.95
    manifest = json.loads((root / "bundle" / "manifest.json").read_text())
    assert manifest["version"] == "1" and len(manifest["git_commit"]) >= 40
    model_file = "model.pt2" if variant == "pytorch" else "model.joblib"
    assert set(manifest["files"]) == {model_file, "schema.json", "metrics.json", "drift_reference.csv",
                                      "model_card.md"}
    assert (root / "reports" / "roc.csv").is_file()
    mlmodels = list((root / "mlruns").rglob("MLmodel"))
    assert mlmodels, "an MLflow model in the local store"
    assert "signature:" in mlmodels[0].read_text() and (root / "mlflow.db").is_file()

    summaries = [line for line in outputs[1].stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    summary = summaries[-1] if summaries else outputs[1].stdout[-2000:]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 60 and "failed" not in summary and "error" not in summary, summary


def test_drift_is_silent_on_the_test_split_and_fires_on_a_shifted_copy(project, home):
    _variant, root, _package = project
    sh(offline(["make", "drift", "CURRENT=data/prepared/test.csv"]), root, offline_env(home))
    report = json.loads((root / "reports" / "drift.json").read_text())
    assert report["verdict"] == "no-drift" and report["n_current"] == 114
    lines = (root / "data" / "prepared" / "test.csv").read_text().splitlines()
    header = lines[0].split(",")
    shifted = [lines[0]]
    for line in lines[1:]:
        values = line.split(",")
        for name in SHIFTED:
            index = header.index(name)
            values[index] = repr(float(values[index]) * 1.5)
        shifted.append(",".join(values))
    (root / "shifted.csv").write_text("\n".join(shifted) + "\n")
    sh(offline(["make", "drift", "CURRENT=shifted.csv"]), root, offline_env(home), expect=2)  # make's exit for 1
    report = json.loads((root / "reports" / "drift.json").read_text())
    assert report["verdict"] == "drift" and set(SHIFTED) <= set(report["drifted"])
    assert (root / "reports" / "drift.svg").read_text().startswith("<svg")
    (root / "shifted.csv").unlink()


def test_service_answers_the_readme_example_and_counts_every_response(project, home):
    _variant, root, package = project
    (root / "payload.json").write_text(readme_payload(root))
    script = SERVICE_CHECK.format(package=package)
    result = sh(offline([str(root / ".venv" / "bin" / "python"), "-c", script]), root, offline_env(home))
    (root / "payload.json").unlink()
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["health"] == 200 and report["predict"] == 200, report
    assert report["health_body"]["model_version"] == "1" and len(report["health_body"]["git_commit"]) >= 40
    assert report["body"]["model_version"] == "1"
    assert [prediction["label"] for prediction in report["body"]["predictions"]] == [0]  # the README's row is malignant
    assert report["infinite"] == 422
    assert report["counted_200"] == [1.0] and report["counted_422"] == [1.0]
    assert report["process"]
    logged = (root / "logs" / "e2e-requests.jsonl").read_text().splitlines()
    assert len(logged) == 1 and json.loads(logged[0])["inputs"]["mean_radius"] == 17.99


def test_retraining_loop_promotes_commits_and_pushes_only_a_better_model(default_project, home):
    """The default project's loop with real DVC and git (the loop is the same code in both
    families): the first retrained model is promoted (dvc.lock and metrics committed, data pushed
    outside the project, nothing left for git); a worse one is not, and the committed state is
    restored."""
    root = default_project
    package = next(p.name for p in (root / "src").iterdir() if (p / "__init__.py").exists())
    env = offline_env(home)
    if not (root / "bundle" / "manifest.json").exists():
        sh(offline(["make", "run"]), root, env)
    env["PATH"] = f"{root / '.venv' / 'bin'}:{env['PATH']}"
    head = sh(["git", "rev-parse", "HEAD"], root, env).stdout.strip()
    retrain = [str(root / ".venv" / "bin" / "python"), "-m", f"{package}.retrain", "--force"]
    out = sh(offline(retrain), root, env, timeout=1500)
    assert "promoted" in out.stdout, out.stdout + out.stderr
    log = sh(["git", "log", "--format=%s", f"{head}..HEAD"], root, env).stdout.splitlines()
    assert len(log) == 1 and log[0].startswith("Retrain: promote model version 2")
    committed = sh(["git", "show", "--name-only", "--format=", "HEAD"], root, env).stdout.split()
    assert {"dvc.lock", "metrics.json", "reports/roc.csv"} <= set(committed)
    lock = yaml.safe_load((root / "dvc.lock").read_text())
    assert set(lock["stages"]) == {"prepare", "featurize", "train", "evaluate", "package"}
    assert sh(["git", "status", "--porcelain"], root, env).stdout == "", "dvc push left nothing for git"
    remote = home / ".cache" / "dvc-storage" / root.name
    assert any(remote.rglob("*")) and not remote.resolve().is_relative_to(root.resolve())
    assert (root / "reports" / "retrain.md").read_text().startswith("Retrain: promote")

    params = root / "params.yaml"
    original = params.read_text()
    params.write_text(original.replace("  C: 1.0\n  max_iter: 1000\n", "  C: 0.000001\n  max_iter: 1\n"))
    promoted_head = sh(["git", "rev-parse", "HEAD"], root, env).stdout.strip()
    out = sh(offline(retrain), root, env, timeout=1500)
    assert "kept" in out.stdout, out.stdout + out.stderr
    assert sh(["git", "rev-parse", "HEAD"], root, env).stdout.strip() == promoted_head
    assert sh(["git", "status", "--porcelain"], root, env).stdout.split() == ["M", "params.yaml"]
    decision = json.loads((root / "reports" / "promotion.json").read_text())
    assert decision["promoted"] is False and decision["champion_version"] == "2"
    params.write_text(original)


def test_mllint_still_finds_nothing_after_a_run(project):
    """The files a run leaves (metrics.json, reports/, mlruns/, mlflow.db, bundle/, logs/, .venv/)
    raise no finding."""
    _variant, root, _ = project
    result = subprocess.run([sys.executable, "-m", "mllint", "check", "--no-cache", "--select", "ALL",
                             "--output-format", "json", str(root)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []
