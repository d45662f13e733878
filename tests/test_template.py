"""The cookiecutter template (template/) and ``mllint new``: every option combination is baked.

For each combination: the exact file set, no leftover Jinja, valid YAML/TOML/JSON, a clean git
repository with one commit, ruff-clean code, DVC files that agree with each other, a Dockerfile that
serves the bundle the pipeline writes, and ``mllint check --select ALL`` with zero findings. The
heavy end-to-end run (install, pipeline, tests, service) is in tests/test_template_e2e.py.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

from mllint.core import toml
from mllint.core.paths import template_dir
from mllint.fix.scaffold import ScaffoldError, generate, parse_context

PROJECT = Path(__file__).resolve().parents[1]
TEMPLATE = PROJECT / "template"
OPTIONS = json.loads((TEMPLATE / "cookiecutter.json").read_text())
CHOICES = {key: value for key, value in OPTIONS.items() if isinstance(value, list) and not key.startswith("_")}
COMBINATIONS = [dict(zip(CHOICES, values)) for values in itertools.product(*CHOICES.values())]

COMMON = {
    ".dockerignore", ".dvc/.gitignore", ".dvc/config", ".dvcignore", ".gitignore",
    ".pre-commit-config.yaml", "Dockerfile", "Makefile", "README.md",
    "data/prepared/.gitignore", "data/raw/.gitignore", "data/raw/breast_cancer.csv",
    ".dvc/cache/files/md5/5a/fc23b9622f8f9ffa60824f4e97d0d5",
    "data/raw/breast_cancer.csv.dvc", "dvc.lock", "dvc.yaml", "models/.gitignore",
    "monitoring/alert_rules.yml", "monitoring/prometheus.yml", "notebooks/README.md", "params.yaml",
    "pyproject.toml",
    "tests/conftest.py", "tests/test_config.py", "tests/test_data.py", "tests/test_drift.py", "tests/test_features.py",
    "tests/test_model.py", "tests/test_parity.py", "tests/test_pipeline.py", "tests/test_prepare.py",
    "tests/test_schema.py", "tests/test_service.py", "tests/test_tracking.py",
}
MODULES = ("__init__", "config", "data", "drift", "evaluate", "features", "monitoring", "package",
           "pipeline", "predict", "prepare", "schema", "service", "tracking", "train")
CI_FILES = {"github": {".github/workflows/ci.yml", ".github/workflows/drift.yml"}, "gitlab": {".gitlab-ci.yml"}}


def expected_files(package: str, options: dict) -> set[str]:
    files = COMMON | {f"src/{package}/{module}.py" for module in MODULES} | CI_FILES[options["ci_provider"]]
    if options["license"] != "Proprietary":
        files.add("LICENSE")
    return files


def all_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.relative_to(root).parts}


def bake(tmp_path: Path, **context) -> Path:
    return Path(cookiecutter(str(TEMPLATE), no_input=True, extra_context=context, output_dir=str(tmp_path)))


def run_mllint(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mllint", "check", "--no-cache", *args, str(root)],
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def baked(tmp_path_factory) -> dict[tuple, Path]:
    """Every option combination, baked once."""
    out = {}
    for options in COMBINATIONS:
        key = tuple(options.values())
        out[key] = bake(tmp_path_factory.mktemp("bake"), **options)
    return out


def ids(options: dict) -> str:
    return "-".join(str(value) for value in options.values())


def test_the_matrix_is_small_and_every_choice_is_covered():
    assert set(CHOICES) == {"python_version", "license", "ci_provider"}
    assert len(COMBINATIONS) == 18


@pytest.mark.parametrize("options", COMBINATIONS, ids=ids)
def test_exact_file_set(baked, options):
    root = baked[tuple(options.values())]
    assert root.name == "breast-cancer-classifier"
    assert all_files(root) == expected_files("breast_cancer_classifier", options)


@pytest.mark.parametrize("options", COMBINATIONS, ids=ids)
def test_rendered_and_parseable(baked, options):
    root = baked[tuple(options.values())]
    for rel in all_files(root):
        if rel.endswith(".csv"):
            continue
        text = (root / rel).read_text(encoding="utf-8")
        assert "{{" not in text and "{%" not in text and "cookiecutter." not in text, rel
        if rel.endswith((".yml", ".yaml", ".dvc")) or rel == "dvc.lock":
            assert yaml.safe_load(text) is not None, rel
        elif rel.endswith(".toml"):
            toml.loads(text)
    pyproject = toml.loads((root / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f">={options['python_version']}"
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + options["python_version"].replace(".", "")
    if options["license"] == "Proprietary":
        assert "license" not in pyproject["project"]
    else:
        assert pyproject["project"]["license"] == options["license"]
        assert (root / "LICENSE").read_text().startswith(("MIT License", "BSD 3-Clause License"))
    assert f"FROM python:{options['python_version']}-slim" in (root / "Dockerfile").read_text()


@pytest.mark.parametrize("options", COMBINATIONS, ids=ids)
def test_mllint_finds_nothing_with_every_rule(baked, options):
    root = baked[tuple(options.values())]
    result = run_mllint(root, "--select", "ALL", "--output-format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize("options", COMBINATIONS, ids=ids)
def test_ruff_clean(baked, options):
    root = baked[tuple(options.values())]
    for command in (["check", "src", "tests"], ["format", "--check", "src", "tests"]):
        result = subprocess.run([sys.executable, "-m", "ruff", *command, "--no-cache"], cwd=root,
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_first_commit_holds_everything_but_dvc_data(baked):
    root = baked[tuple(COMBINATIONS[0].values())]
    log = subprocess.run(["git", "log", "--format=%s"], cwd=root, capture_output=True, text=True, check=True)
    assert log.stdout.splitlines() == ["Initial commit from the twelve-factor-ml template"]
    status = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=root, capture_output=True,
                            text=True, check=True).stdout
    assert status.splitlines() == ["!! .dvc/cache/", "!! data/raw/breast_cancer.csv"]
    tracked = set(subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True,
                                 check=True).stdout.split())
    assert tracked == {rel for rel in all_files(root) if not rel.startswith(".dvc/cache/")} - {"data/raw/breast_cancer.csv"}


def test_project_without_git_on_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    root = bake(tmp_path, ci_provider="gitlab")
    assert not (root / ".git").exists()
    assert ".gitlab-ci.yml" in all_files(root)


def test_dvc_files_agree(baked):
    root = baked[tuple(COMBINATIONS[0].values())]
    raw = root / "data/raw/breast_cancer.csv"
    tracked = yaml.safe_load((root / "data/raw/breast_cancer.csv.dvc").read_text())["outs"][0]
    assert tracked["md5"] == hashlib.md5(raw.read_bytes()).hexdigest()
    assert tracked["size"] == raw.stat().st_size
    digest = tracked["md5"]
    assert (root / ".dvc/cache/files/md5" / digest[:2] / digest[2:]).read_bytes() == raw.read_bytes()
    config = (root / ".dvc/config").read_text()
    assert "remote = local" in config and "url = ../dvc-storage" in config
    dvc = yaml.safe_load((root / "dvc.yaml").read_text())
    assert list(dvc["stages"]) == ["prepare", "featurize", "train", "evaluate", "package"]
    params = yaml.safe_load((root / "params.yaml").read_text())
    produced = set()
    for name, stage in dvc["stages"].items():
        assert stage["cmd"] == f"python -m breast_cancer_classifier.pipeline {name}"
        for dep in stage["deps"]:
            assert (root / dep).exists() or dep in produced, (name, dep)
        for key in stage.get("params", []):
            node = params
            for part in key.split("."):
                node = node[part]
        for out in stage.get("outs", []):
            produced.add(out)
        for entry in stage.get("metrics", []) + stage.get("plots", []):
            produced.update(entry)
    assert params["paths"]["bundle_dir"] in produced and params["paths"]["metrics"] in produced
    cached_outs = [out for stage in dvc["stages"].values() for out in stage.get("outs", [])]
    ignored = subprocess.run(["git", "check-ignore", *cached_outs, "data/raw/breast_cancer.csv"], cwd=root,
                             capture_output=True, text=True, check=False)
    assert ignored.stdout.split() == [*cached_outs, "data/raw/breast_cancer.csv"]


def test_dockerfile_serves_the_bundle_the_pipeline_writes(baked):
    """Docker is not available here: the Dockerfile is checked statically."""
    root = baked[tuple(COMBINATIONS[0].values())]
    lines = [line.strip() for line in (root / "Dockerfile").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    instructions = [line.split()[0] for line in lines]
    assert instructions[0] == "FROM" and "USER" in instructions and "HEALTHCHECK" in instructions
    copies = [line.split()[1:] for line in lines if line.startswith("COPY")]
    assert ["bundle", "./bundle"] in copies
    for sources in copies:
        for source in sources[:-1]:
            assert (root / source).exists() or source == "bundle", source
    assert "BUNDLE_DIR=/app/bundle" in (root / "Dockerfile").read_text()
    cmd = json.loads(lines[-1].removeprefix("CMD "))
    assert cmd[:2] == ["uvicorn", "breast_cancer_classifier.service:app"]
    service = (root / "src/breast_cancer_classifier/service.py").read_text()
    assert re.search(r"^app = create_app\(\)$", service, re.MULTILINE)
    assert 'os.environ.get("BUNDLE_DIR", "bundle")' in service
    dockerignore = (root / ".dockerignore").read_text().split()
    assert dockerignore[0] == "*" or "*" in dockerignore
    for needed in ("pyproject.toml", "README.md", "src/", "bundle/"):
        assert f"!{needed}" in dockerignore
    params = yaml.safe_load((root / "params.yaml").read_text())
    assert params["paths"]["bundle_dir"] == "bundle"


def test_ci_runs_lint_mllint_tests_pipeline_and_image(baked):
    for provider in ("github", "gitlab"):
        options = next(o for o in COMBINATIONS if o["ci_provider"] == provider)
        root = baked[tuple(options.values())]
        text = "\n".join((root / rel).read_text() for rel in sorted(CI_FILES[provider]))
        for command in ("make lint", "mllint check .", "make test", "make run", "docker build"):
            assert command in text, (provider, command)
        assert "drift" in text and ("cron:" in text or '$CI_PIPELINE_SOURCE == "schedule"' in text)
        for rel in CI_FILES[provider]:
            config = yaml.safe_load((root / rel).read_text())
            if provider == "github":
                assert {"on", "jobs"} <= set(config) or {True, "jobs"} <= set(config)  # YAML 1.1 reads `on` as True
                for job in config["jobs"].values():
                    assert job["runs-on"] and all(("run" in step) != ("uses" in step) for step in job["steps"])
            else:
                keywords = {"default", "variables", "cache", "stages", "workflow", "include"}
                for name, job in config.items():
                    if name not in keywords:
                        assert "script" in job and job["stage"] in config["stages"], name


def test_readme_two_commands(baked):
    root = baked[tuple(COMBINATIONS[0].values())]
    block = re.search(r"## Two commands\n\n```bash\n(.*?)```", (root / "README.md").read_text(), re.DOTALL).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    makefile = (root / "Makefile").read_text()
    assert re.search(r"^run: \$\(STAMP\)$", makefile, re.MULTILINE) and re.search(r"^test: \$\(STAMP\)$", makefile, re.MULTILINE)


def test_pre_commit_hooks(baked):
    root = baked[tuple(COMBINATIONS[0].values())]
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())
    hook_ids = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff", "ruff-format", "nbstripout", "mllint", "mllint-repo"} <= hook_ids
    ours = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    assert {"mllint", "mllint-repo"} <= {hook["id"] for hook in ours}


def test_dependencies_are_pinned_exactly(baked):
    root = baked[tuple(COMBINATIONS[0].values())]
    project = toml.loads((root / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for group in project["optional-dependencies"].values() for r in group]
    for requirement in requirements:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", requirement), requirement


def test_custom_names_render_everywhere(tmp_path):
    root = bake(tmp_path, project_name="Churn Model 2", ci_provider="gitlab", license="BSD-3-Clause")
    assert root.name == "churn-model-2"
    assert all_files(root) == expected_files("churn_model_2", {"ci_provider": "gitlab", "license": "BSD-3-Clause"})
    assert "python -m churn_model_2.pipeline prepare" in (root / "dvc.yaml").read_text()
    result = run_mllint(root, "--select", "ALL")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("folder, answers, message", [
    ("Bad_Slug", {}, "project_slug"),
    ("out", {"package_name": "tests"}, "package_name"),
    ("out", {"author_email": "nobody"}, "author_email"),
])
def test_bad_answers_are_refused(tmp_path, folder, answers, message, capfd):
    with pytest.raises(ScaffoldError):
        generate(tmp_path / folder, no_input=True, extra_context=answers)
    assert message in capfd.readouterr().err
    assert not any(tmp_path.rglob("pyproject.toml"))


# --- mllint new -------------------------------------------------------------------------------

def test_template_dir_is_the_source_template_and_is_packaged():
    assert template_dir() == TEMPLATE
    pyproject = toml.loads((PROJECT / "pyproject.toml").read_text())
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]["template"] == "mllint/_template"


def test_new_creates_the_project_in_the_named_folder(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("new", "demo", "--no-input", "--extra-context", "ci_provider=gitlab", "-x", "license=Proprietary")
    assert result.exit_code == 0, result.output
    assert "Created demo" in result.output and "make run" in result.output
    root = tmp_path / "demo"
    assert all_files(root) == expected_files("demo", {"ci_provider": "gitlab", "license": "Proprietary"})
    assert 'name = "demo"' in (root / "pyproject.toml").read_text()


def test_new_without_a_folder_uses_the_slug(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("new", "--no-input", "-x", "project_name=Fraud Scorer")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fraud-scorer" / "src" / "fraud_scorer" / "service.py").is_file()


def test_new_refuses_a_non_empty_folder_and_bad_context(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine\n")
    result = cli("new", "taken", "--no-input")
    assert result.exit_code == 2 and "not empty" in result.output
    assert (tmp_path / "taken" / "notes.txt").read_text() == "mine\n"
    assert cli("new", "x", "--no-input", "-x", "novalue").exit_code == 2
    assert cli("new", "x", "--no-input", "-x", "project_slug=other").exit_code == 2
    (tmp_path / "empty").mkdir()
    assert cli("new", "empty", "--no-input").exit_code == 0
    assert (tmp_path / "empty" / "dvc.yaml").is_file()


def test_parse_context():
    assert parse_context(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(ScaffoldError):
        parse_context(["=1"])


@pytest.mark.parametrize("mutation, code", [
    ("remove-tests", "ML0501"),
    ("literal-split", "ML0301"),
    ("no-ci", "ML1203"),
    ("no-lock", "ML0105"),
])
def test_zero_findings_is_not_vacuous(tmp_path, mutation, code):
    """Breaking one factor in a generated project makes mllint report it."""
    root = bake(tmp_path)
    if mutation == "remove-tests":
        shutil.rmtree(root / "tests")
    elif mutation == "literal-split":
        prepare = root / "src/breast_cancer_classifier/prepare.py"
        text = prepare.read_text()
        assert "test_size=params.split.test_size" in text
        prepare.write_text(text.replace("test_size=params.split.test_size", "test_size=0.2"))
    elif mutation == "no-ci":
        shutil.rmtree(root / ".github")
    else:
        (root / "dvc.lock").unlink()
    subprocess.run(["git", "add", "--all"], cwd=root, check=True)
    result = run_mllint(root, "--select", "ALL", "--output-format", "json")
    assert result.returncode == 1, result.stdout + result.stderr
    assert code in {finding["code"] for finding in json.loads(result.stdout)}
