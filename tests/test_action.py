"""The composite GitHub Action (action.yml) and the example workflow in docs/.

The action's run step is executed with bash as the runner would (inputs as environment variables,
GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files), with this checkout's mllint on PATH.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

PROJECT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((PROJECT / "action.yml").read_text())
SCHEMA = json.loads((PROJECT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
SPLIT = "from sklearn.model_selection import train_test_split\na, b = train_test_split([1, 2, 3, 4], test_size=0.25)\n"


def step(step_id: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


def test_action_is_composite_and_installs_from_its_own_path():
    assert ACTION["runs"]["using"] == "composite"
    assert {"path", "output-format", "output-file", "args", "scorecard", "fail-on-findings"} <= set(ACTION["inputs"])
    install = next(s for s in ACTION["runs"]["steps"] if s.get("name") == "Install mllint")
    assert '"$GITHUB_ACTION_PATH"' in install["run"] and "pip install" in install["run"]
    run = step("run")
    assert "${{" not in run["run"], "inputs must reach the script through env, never spliced into it"
    assert ACTION["outputs"]["exit-code"]["value"] == "${{ steps.run.outputs.exit-code }}"


def run_action(tmp_path: Path, repo: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, dict, str]:
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values = {**defaults, **{k.replace("_", "-"): v for k, v in inputs.items()}}
    env_map = step("run")["env"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for var, expression in env_map.items():
        name = expression.removeprefix("${{ inputs.").removesuffix(" }}")
        env[var] = values[name]
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.write_text("")
    summary.write_text("")
    env.update(GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary))
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step("run")["run"]], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc, outputs, summary.read_text()


def test_default_run_annotates_fails_and_writes_the_scorecard(tmp_path, make_repo):
    repo = make_repo({"train.py": SPLIT, "README.md": "# x\n"})
    proc, outputs, summary = run_action(tmp_path, repo)
    assert proc.returncode == 1 and outputs["exit-code"] == "1"
    assert any(line.startswith("::warning file=train.py,line=2,") for line in proc.stdout.splitlines())
    assert "factors satisfied" in summary and "| 3. Descriptive training and preprocessing |" in summary


def test_sarif_to_a_file_without_failing(tmp_path, make_repo):
    repo = make_repo({"train.py": SPLIT})
    proc, outputs, _ = run_action(tmp_path, repo, output_format="sarif", output_file="mllint.sarif",
                                  fail_on_findings="false", scorecard="false", args="--select ML0301 --no-cache")
    assert proc.returncode == 0 and outputs["exit-code"] == "1"
    log = json.loads((repo / "mllint.sarif").read_text())
    jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft7Validator)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["ML0301"]


def test_errors_always_fail_and_inputs_are_not_executed(tmp_path, make_repo):
    repo = make_repo({"train.py": "x = 1\n"})
    proc, outputs, summary = run_action(tmp_path, repo, path="$(touch pwned)", fail_on_findings="false")
    assert proc.returncode == 2 and outputs["exit-code"] == "2"
    assert not (repo / "pwned").exists() and summary == ""


def test_example_workflow_uploads_sarif_and_writes_the_summary():
    workflow = yaml.safe_load((PROJECT / "docs" / "examples" / "mllint-workflow.yml").read_text())
    steps = workflow["jobs"]["mllint"]["steps"]
    mllint = next(s for s in steps if s.get("id") == "mllint")
    assert mllint["with"]["output-format"] == "sarif" and mllint["with"]["scorecard"] == "true"
    assert set(mllint["with"]) <= set(ACTION["inputs"])
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == mllint["with"]["output-file"]
    assert workflow["permissions"]["security-events"] == "write"
