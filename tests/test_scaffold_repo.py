"""``mllint fix --repo`` (mllint/fix/repo.py, rules' remedies): on fixture repositories the claimed repository findings
disappear after ``--apply``, the written files are valid (YAML/TOML/Python parse, workflows run real
commands on real files), existing files are never overwritten, and the messy example improves."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from mllint.cli import app
from mllint.engine.session import Session
from mllint.fix import repo as scaffolding
from mllint.testing import git

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TRAIN = """\
import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

df = pd.read_csv("data/train.csv")
model = RandomForestClassifier(n_estimators=10, random_state=0).fit(df[["a"]], df["y"])
joblib.dump(model, "model.pkl")
"""
FLASK = """\
from flask import Flask, jsonify, request
import joblib

app = Flask(__name__)
model = joblib.load("model.pkl")


@app.route("/predict", methods=["POST"])
def predict():
    return jsonify(model.predict(request.get_json()).tolist())
"""
FASTAPI = """\
import joblib
from fastapi import FastAPI

api = FastAPI()
model = joblib.load("model.pkl")


@api.post("/predict")
def predict(rows: list[list[float]]):
    return model.predict(rows).tolist()
"""
#: Commands a generated workflow may start a line with.
COMMANDS = {"python", "mllint", "make", "dvc", "if", "then", "else", "fi", "echo", "test"}


def _repo(root: Path, files: dict[str, str]) -> Path:
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


def _plan(root: Path):
    result = Session.load(root).check(only="repo", use_cache=False)
    assert result.model is not None
    return result.findings, scaffolding.build_plan(root, result.findings, result.model)


def _repo_codes(root: Path) -> set[str]:
    result = CliRunner().invoke(app, ["check", str(root), "--only", "repo", "--no-cache", "-o", "json"])
    assert result.exit_code in (0, 1), result.output
    return {item["code"] for item in json.loads(result.stdout)}


def _check_workflow(root: Path, rel: str) -> None:
    data = yaml.safe_load((root / rel).read_text())
    assert data["name"] and data["jobs"] and (True in data or "on" in data)  # YAML 1.1 reads `on` as True
    for job in data["jobs"].values():
        assert job["runs-on"] == "ubuntu-latest"
        for step in job["steps"]:
            assert "uses" in step or "run" in step
            for line in step.get("run", "").splitlines():
                words = shlex.split(line.split("  #")[0], posix=True) if line.strip() else []
                if not words:
                    continue
                assert words[0] in COMMANDS, f"{rel}: unknown command {words[0]!r}"
                if words[0] == "python" and words[1].endswith(".py"):
                    assert (root / words[1]).is_file(), f"{rel} runs a missing script {words[1]}"
                if words[0] == "python" and words[1] == "-m":
                    assert words[2] in ("pip", "pytest"), line
                if words[0] == "if":
                    assert words[1] == "python" and (root / words[2]).is_file()


def _check_written(root: Path, written: list[str]) -> None:
    for rel in written:
        text = (root / rel).read_text()
        if rel.endswith((".yml", ".yaml")):
            assert yaml.safe_load(text) is not None or rel == "params.yaml", rel
        elif rel.endswith(".py"):
            ast.parse(text)
        elif rel.endswith(".toml"):
            from mllint.core.tomlsafe import loads

            loads(text)
        if rel.startswith(".github/workflows/"):
            _check_workflow(root, rel)
        if rel == "Dockerfile":
            lines = [line for line in text.splitlines() if line and not line.startswith("#")]
            assert lines[0].startswith("FROM python:") and lines[-1].startswith("CMD [")
            json.loads(lines[-1][4:])  # exec form
        if rel.endswith("README.md") and "```python" in text:
            ast.parse(text.split("```python\n", 1)[1].split("```", 1)[0])


def test_flask_repository_claimed_findings_disappear(tmp_path):
    root = _repo(tmp_path / "churn-model", {
        "train.py": TRAIN, "serve.py": FLASK, "data/train.csv": "a,y\n1,0\n",
        "requirements.txt": "pandas==2.2.2\nscikit-learn==1.5.0\nflask==3.0.3\njoblib==1.4.2\n",
    })
    before = _repo_codes(root)
    _findings, plan = _plan(root)
    claimed = {code for piece in plan.pieces for code in piece.codes}
    assert {"ML1203", "ML0305", "ML0103", "ML0304", "ML1101", "ML0601", "ML0602"} <= claimed <= before
    assert plan.project.package == "churn_model" and plan.project.data_dir == "data"
    written = scaffolding.apply(plan)
    assert "Dockerfile" in written and ".github/workflows/retrain.yml" in written
    _check_written(root, written)
    after = _repo_codes(root)
    assert not claimed & after, f"still reported: {claimed & after}"
    # adapted to the repository
    dockerfile = (root / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile and '"serve:app"' in dockerfile and "requirements.txt" in dockerfile
    assert 'targets: ["localhost:5000"]' in (root / "monitoring/prometheus.yml").read_text()
    assert "@app.after_request" in (root / "monitoring/README.md").read_text()
    assert "run: python train.py" in (root / ".github/workflows/retrain.yml").read_text()
    # applying again writes nothing more
    _findings, again = _plan(root)
    assert not scaffolding.apply(again)


def test_fastapi_src_layout_is_adapted(tmp_path):
    root = _repo(tmp_path / "repo", {
        "pyproject.toml": '[project]\nname = "fraud-detector"\nversion = "0.1"\nrequires-python = ">=3.12"\n'
                          'dependencies = ["fastapi==0.111.0", "uvicorn==0.30.0", "joblib==1.4.2", "pyyaml==6.0.1"]\n',
        "src/fraud_detector/__init__.py": "",
        "src/fraud_detector/service.py": FASTAPI,
        "src/fraud_detector/train.py": TRAIN,
        "datasets/x.csv": "a\n1\n",
    })
    _findings, plan = _plan(root)
    project = plan.project
    assert (project.package, project.python, project.python_declared, project.data_dir) == ("fraud_detector", "3.12", True, "datasets")
    written = scaffolding.apply(plan)
    _check_written(root, written)
    dockerfile = (root / "Dockerfile").read_text()
    assert "FROM python:3.12-slim" in dockerfile and '"fraud_detector.service:api"' in dockerfile and "pip install --no-cache-dir ." in dockerfile
    assert '@api.middleware("http")' in (root / "monitoring/README.md").read_text()
    assert 'python-version: "3.12"' in (root / ".github/workflows/ci.yml").read_text()
    # the params loader sits in the package and reads params.yaml at the root
    loader = root / "src/fraud_detector/params.py"
    assert loader.is_file()
    spec = importlib.util.spec_from_file_location("generated_params", loader)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.load_params() == {"seed": 42}
    assert "ML0304" not in _repo_codes(root)


def test_existing_files_are_never_overwritten_and_the_plan_writes_nothing(tmp_path):
    precommit = "repos: []\n"
    root = _repo(tmp_path / "repo", {"train.py": TRAIN, "requirements.txt": "pandas==2.2.2\n", ".pre-commit-config.yaml": precommit,
                                     "params.yaml": "lr: 0.1\n"})
    result = CliRunner().invoke(app, ["fix", "--repo", str(root)])
    assert result.exit_code == 1, result.output
    assert "create .github/workflows/ci.yml" in result.output and "+++ b/.github/workflows/ci.yml" in result.output
    assert not (root / ".github").exists()  # the plan alone writes nothing
    result = CliRunner().invoke(app, ["fix", "--repo", "--apply", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / ".pre-commit-config.yaml").read_text() == precommit
    assert (root / "params.yaml").read_text() == "lr: 0.1\n"
    assert (root / ".github/workflows/ci.yml").is_file()


def test_gitignore_entries_for_dvc_outputs(tmp_path):
    root = _repo(tmp_path / "repo", {
        "train.py": TRAIN, "requirements.txt": "pandas==2.2.2\n", ".dvc/config": "[core]\n",
        "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    outs: [models/model.pkl]\n",
        "models/.gitignore": "# models\n",
    })
    before = [f for f in _plan(root)[0] if f.code == "ML0105" and "not git-ignored" in f.message]
    assert before
    _findings, plan = _plan(root)
    written = scaffolding.apply(plan)
    assert "models/.gitignore" in written
    assert (root / "models/.gitignore").read_text() == "# models\n/model.pkl\n"  # appended, nothing lost
    assert not [f for f in _plan(root)[0] if f.code == "ML0105" and "not git-ignored" in f.message]


def test_fix_without_repo_flag_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["fix", str(tmp_path)])
    assert result.exit_code == 2


def test_messy_example_loses_the_findings_it_claims(tmp_path):
    root = tmp_path / "messy"
    shutil.copytree(EXAMPLES / "messy-ml-repo", root)
    _repo(root, {})
    before = _repo_codes(root)
    _findings, plan = _plan(root)
    claimed = {code for piece in plan.pieces for code in piece.codes}
    assert len(claimed) >= 6 and claimed <= before
    proc = subprocess.run([sys.executable, "-m", "mllint", "fix", "--repo", "--apply", str(root)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    written = re.search(r"Wrote \d+ file\(s\): (.*)", proc.stdout).group(1).split(", ")
    _check_written(root, written)
    after = _repo_codes(root)
    assert not claimed & after, f"still reported: {claimed & after}"


def test_ci_that_runs_no_checks_gets_a_checks_workflow_and_other_ci_an_instruction(tmp_path):
    build = "name: build\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n"
    root = _repo(tmp_path / "gh", {"train.py": TRAIN, "requirements.txt": "pandas==2.2.2\n", ".github/workflows/build.yml": build})
    assert "ML1204" in _repo_codes(root)
    _findings, plan = _plan(root)
    written = scaffolding.apply(plan)
    assert ".github/workflows/mllint.yml" in written and (root / ".github/workflows/build.yml").read_text() == build
    _check_written(root, written)
    assert "ML1204" not in _repo_codes(root)

    gitlab = "test:\n  script:\n    - echo hi\n"
    other = _repo(tmp_path / "gl", {"train.py": TRAIN, "requirements.txt": "pandas==2.2.2\n", ".gitlab-ci.yml": gitlab})
    _findings, plan = _plan(other)
    assert not any(rel.startswith(".github/") for rel in scaffolding.writes(plan))
    assert any(text.startswith("ML1204") and "gitlab" in text for text in plan.instructions)
