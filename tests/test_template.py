"""The cookiecutter template (template/) and ``mllint new``: every option combination is baked.

For each combination: the exact file set, no leftover Jinja, valid YAML/TOML/JSON, a clean git
repository with one commit, ruff-clean code, DVC files that agree with each other, a Dockerfile that
serves the bundle the pipeline writes, and ``mllint check --select ALL`` with zero findings. The
heavy end-to-end run (install, pipeline, tests, service) is in tests/test_template_e2e.py.
"""

from __future__ import annotations

import configparser
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

from mllint.core import tomlsafe as toml
from mllint.core.paths import template_dir
from mllint.fix.scaffold import ScaffoldError, generate, parse_context

PROJECT = Path(__file__).resolve().parents[1]
TEMPLATE = PROJECT / "template"
OPTIONS = json.loads((TEMPLATE / "cookiecutter.json").read_text())
CHOICES = {key: value for key, value in OPTIONS.items() if isinstance(value, list) and not key.startswith("_")}
DEFAULTS = {key: values[0] for key, values in CHOICES.items()}


def combination(**answers: str) -> dict[str, str]:
    return {**DEFAULTS, **answers}


# Every Python x license x CI provider for the default family and remote (the options that change
# the most files), then each other remote and the PyTorch family in varied company: every choice of
# every option is baked, without the full product (PyTorch is locked to Python 3.11).
COMBINATIONS = [
    combination(python_version=python, license=license, ci_provider=ci)
    for python, license, ci in itertools.product(CHOICES["python_version"], CHOICES["license"], CHOICES["ci_provider"])
] + [
    combination(dvc_remote="s3", python_version="3.12", license="BSD-3-Clause", ci_provider="gitlab"),
    combination(dvc_remote="gcs", python_version="3.13", license="Proprietary"),
    combination(dvc_remote="azure", ci_provider="gitlab"),
    combination(model_family="pytorch"),
    combination(model_family="pytorch", ci_provider="gitlab", license="Proprietary", dvc_remote="s3"),
]

COMMON = {
    ".cruft.json", ".dockerignore", ".dvc/.gitignore", ".dvc/config", ".dvcignore", ".gitignore",
    ".pre-commit-config.yaml", "Dockerfile", "Makefile", "README.md",
    "data/prepared/.gitignore", "data/raw/.gitignore", "data/raw/breast_cancer.csv",
    ".dvc/cache/files/md5/5a/fc23b9622f8f9ffa60824f4e97d0d5",
    "data/raw/breast_cancer.csv.dvc", "dvc.lock", "dvc.yaml", "models/.gitignore",
    "monitoring/alert_rules.yml", "monitoring/prometheus.yml", "notebooks/README.md", "params.yaml",
    "pyproject.toml", "requirements.lock", "requirements-dev.lock",
    "tests/conftest.py", "tests/test_config.py", "tests/test_data.py", "tests/test_drift.py", "tests/test_features.py",
    "tests/test_model.py", "tests/test_model_family.py", "tests/test_parity.py", "tests/test_pipeline.py",
    "tests/test_prepare.py", "tests/test_promote.py", "tests/test_requestlog.py", "tests/test_retrain.py",
    "tests/test_schema.py", "tests/test_service.py", "tests/test_tracking.py",
}
MODULES = ("__init__", "config", "data", "drift", "evaluate", "features", "model", "monitoring", "package",
           "pipeline", "predict", "prepare", "promote", "requestlog", "retrain", "schema", "service", "tracking",
           "train")
CI_FILES = {"github": {".github/workflows/ci.yml", ".github/workflows/retrain.yml"}, "gitlab": {".gitlab-ci.yml"}}


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
    assert set(CHOICES) == {"model_family", "python_version", "license", "ci_provider", "dvc_remote"}
    assert len(COMBINATIONS) == len({tuple(options.values()) for options in COMBINATIONS}) == 23
    for key, values in CHOICES.items():
        assert {options[key] for options in COMBINATIONS} == set(values), key


@pytest.mark.parametrize("options", COMBINATIONS, ids=ids)
def test_exact_file_set(baked, options):
    root = baked[tuple(options.values())]
    assert root.name == "breast-cancer-classifier"
    assert all_files(root) == expected_files("breast_cancer_classifier", options)


@pytest.mark.parametrize("options", COMBINATIONS, ids=ids)
def test_rendered_and_parseable(baked, options):
    root = baked[tuple(options.values())]
    for rel in all_files(root):
        if rel.endswith(".csv") or rel.startswith(".dvc/cache/"):
            continue
        text = (root / rel).read_text(encoding="utf-8")
        unrendered = text.replace("${{ ", "")  # GitHub expressions are meant to stay
        assert "{{" not in unrendered and "{%" not in text and "cookiecutter." not in text, rel
        if rel.endswith((".yml", ".yaml", ".dvc")) or rel == "dvc.lock":
            assert yaml.safe_load(text) is not None, rel
        elif rel.endswith(".toml"):
            toml.loads(text)
        elif rel.endswith(".json"):
            json.loads(text)
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
    dvc = yaml.safe_load((root / "dvc.yaml").read_text())
    assert list(dvc["stages"]) == ["prepare", "featurize", "train", "evaluate", "package"]
    params = yaml.safe_load((root / "params.yaml").read_text())
    produced = set()
    modules = {"prepare": "prepare", "featurize": "features", "train": "train", "evaluate": "evaluate",
               "package": "package"}
    for name, stage in dvc["stages"].items():
        assert stage["cmd"] == f"python -m breast_cancer_classifier.{modules[name]}"
        assert f"src/breast_cancer_classifier/{modules[name]}.py" in stage["deps"]
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


@pytest.mark.parametrize("remote", ["local", "s3", "gcs", "azure"])
def test_dvc_remote_lies_outside_the_project(baked, remote):
    options = next(o for o in COMBINATIONS if o["dvc_remote"] == remote)
    root = baked[tuple(options.values())]
    config = configparser.ConfigParser()
    config.read_string((root / ".dvc/config").read_text())
    assert config["core"]["remote"] == "storage"
    url = config['\'remote "storage"\'']["url"]
    scheme = {"local": None, "s3": "s3://", "gcs": "gs://", "azure": "azure://"}[remote]
    if scheme is None:
        resolved = (root / ".dvc" / Path(url).expanduser()).resolve()  # how DVC resolves it
        assert url.startswith("~/") and not resolved.is_relative_to(root.resolve())
    else:
        assert url.startswith(scheme)
    extra = {"local": "dvc==", "s3": "dvc[s3]==", "gcs": "dvc[gs]==", "azure": "dvc[azure]=="}[remote]
    pyproject = toml.loads((root / "pyproject.toml").read_text())
    assert pyproject["project"]["optional-dependencies"]["dvc"][0].startswith(extra)
    plugin = {"local": None, "s3": "dvc-s3==", "gcs": "dvc-gs==", "azure": "dvc-azure=="}[remote]
    lock = (root / "requirements-dev.lock").read_text()
    assert plugin is None or re.search(rf"^{re.escape(plugin)}", lock, re.MULTILINE)
    ignored = subprocess.run(["git", "check-ignore", "dvc-storage/x", "logs/requests.jsonl", "mlflow.db"], cwd=root,
                             capture_output=True, text=True, check=False)
    assert ignored.stdout.split() == ["dvc-storage/x", "logs/requests.jsonl", "mlflow.db"]


def lock_pins(text: str) -> dict[str, str]:
    return {match.group(1).lower().replace("_", "-"): match.group(2)
            for match in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", text, re.MULTILINE)}


@pytest.mark.parametrize("family", ["sklearn", "pytorch"])
def test_lock_files_pin_everything_with_hashes_and_agree_with_pyproject(baked, family):
    options = next(o for o in COMBINATIONS if o["model_family"] == family)
    root = baked[tuple(options.values())]
    dev, runtime = ((root / name).read_text() for name in ("requirements-dev.lock", "requirements.lock"))
    dev_pins, runtime_pins = lock_pins(dev), lock_pins(runtime)
    assert len(dev_pins) > 100 and len(runtime_pins) > 40
    for text in (dev, runtime):
        requirements = [line for line in text.splitlines() if line and not line.startswith((" ", "#", "--"))]
        assert all(line.endswith("\\") and "==" in line for line in requirements)  # a hash follows each
        assert text.count("--hash=sha256:") >= len(requirements)
    assert set(runtime_pins) <= set(dev_pins)
    assert all(dev_pins[name] == version for name, version in runtime_pins.items())  # image == tests
    project = toml.loads((root / "pyproject.toml").read_text())["project"]
    direct = project["dependencies"] + [r for group in project["optional-dependencies"].values() for r in group]
    for requirement in direct:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[a-z,]+\])?==(\S+)", requirement).groups()
        name = name.lower().replace("_", "-")
        assert dev_pins[name].split("+")[0] == version, requirement
        if requirement in project["dependencies"]:
            assert runtime_pins[name].split("+")[0] == version, requirement
    if family == "pytorch":
        assert runtime_pins["torch"] == dev_pins["torch"] == "2.13.0+cpu"
        assert "--extra-index-url https://download.pytorch.org/whl/cpu" in runtime
        assert not any(name.startswith("nvidia-") for name in dev_pins)
    else:
        assert "torch" not in dev_pins
    makefile = (root / "Makefile").read_text()
    assert "--require-hashes -r requirements-dev.lock" in makefile
    assert "--require-hashes -r requirements.lock" in (root / "Dockerfile").read_text()


def test_makefile_builds_the_venv_with_the_chosen_python(baked):
    options = next(o for o in COMBINATIONS if o["python_version"] == "3.13")
    makefile = (baked[tuple(options.values())] / "Makefile").read_text()
    assert "PYTHON_VERSION := 3.13" in makefile and "PYTHON ?= python$(PYTHON_VERSION)" in makefile
    assert "STAMP := $(VENV)/.installed-$(PYTHON_VERSION)" in makefile
    assert "rm -rf $(VENV); $(PYTHON) -m venv $(VENV)" in makefile  # a mismatched venv is rebuilt


def test_make_rebuilds_a_venv_of_another_python_and_refuses_a_wrong_interpreter(tmp_path):
    """The venv logic itself runs (installs replaced by `true`): a venv whose Python is not the
    project's is rebuilt with the chosen interpreter; an interpreter of another version is refused."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    root = bake(tmp_path, python_version=version if version in CHOICES["python_version"] else "3.11")
    python = root / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\nexit 1\n")  # answers every version check with "no": a mismatched venv
    python.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MAKE", "MFLAGS"))}
    if version in CHOICES["python_version"]:
        done = subprocess.run(["make", "setup", f"PYTHON={sys.executable}", "PIP=true"], cwd=root, env=env,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "(re)creating .venv" in done.stdout
        probe = subprocess.run([str(python), "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                               text=True, check=True)
        assert probe.stdout.strip() == str(sys.version_info[:2])
        assert (root / ".venv" / f".installed-{version}").is_file()
    wrong = tmp_path / "python-wrong"
    wrong.write_text("#!/bin/sh\nexit 1\n")
    wrong.chmod(0o755)
    (root / "requirements-dev.lock").touch()
    done = subprocess.run(["make", "setup", f"PYTHON={wrong}", "PIP=true"], cwd=root, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "is not Python" in done.stderr


def test_cruft_record_names_the_template_commit_and_answers(baked):
    options = COMBINATIONS[-1]
    record = json.loads((baked[tuple(options.values())] / ".cruft.json").read_text())
    assert record["template"] == "https://github.com/twelve-factor-ml/mllint" and record["directory"] == "template"
    assert record["context"]["cookiecutter"] == {**{key: value for key, value in OPTIONS.items() if isinstance(value, str)
                                                    and not key.startswith("_")},
                                                 **record["context"]["cookiecutter"], **options}
    assert set(record["context"]["cookiecutter"]) == {key for key in OPTIONS if not key.startswith("_")}


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
        assert re.fullmatch(r"[A-Za-z0-9_.-]+(\[[a-z,]+\])?==[0-9][0-9A-Za-z.]*", requirement), requirement


def test_custom_names_render_everywhere(tmp_path):
    root = bake(tmp_path, project_name="Churn Model 2", ci_provider="gitlab", license="BSD-3-Clause")
    assert root.name == "churn-model-2"
    assert all_files(root) == expected_files("churn_model_2", {"ci_provider": "gitlab", "license": "BSD-3-Clause"})
    assert "python -m churn_model_2.prepare" in (root / "dvc.yaml").read_text()
    result = run_mllint(root, "--select", "ALL")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("folder, answers, message", [
    ("Bad_Slug", {}, "project_slug"),
    ("out", {"package_name": "tests"}, "package_name"),
    ("out", {"author_email": "nobody"}, "author_email"),
    ("out", {"model_family": "pytorch", "python_version": "3.12"}, "model_family 'pytorch' needs python_version 3.11"),
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


def test_new_takes_answers_as_key_value_arguments(cli, tmp_path, monkeypatch):
    """`mllint new NAME --no-input KEY=VALUE ...`, as cookiecutter's extra context; -x still works."""
    monkeypatch.chdir(tmp_path)
    result = cli("new", "demo", "--no-input", "ci_provider=gitlab", "dvc_remote=s3", "-x", "license=Proprietary")
    assert result.exit_code == 0, result.output
    root = tmp_path / "demo"
    assert all_files(root) == expected_files("demo", {"ci_provider": "gitlab", "license": "Proprietary"})
    assert "url = s3://" in (root / ".dvc/config").read_text()
    record = json.loads((root / ".cruft.json").read_text())
    assert record["context"]["cookiecutter"]["dvc_remote"] == "s3"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT, capture_output=True, text=True, check=False)
    if head.returncode == 0:  # generated from a source checkout: the template commit is recorded
        assert record["commit"] == head.stdout.strip()
    assert cli("new", "a", "b", "--no-input").exit_code == 2  # two folders
    assert cli("new", "c", "--no-input", "=x").exit_code == 2


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


# --- mllint new --update ------------------------------------------------------------------------

def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture()
def old_template(tmp_path):
    """A git repository holding a copy of the template (its first commit is the 'older' template)."""
    repo = tmp_path / "template-repo"
    shutil.copytree(TEMPLATE, repo / "template", ignore=shutil.ignore_patterns("__pycache__"))
    git(repo, "init", "--quiet")
    git(repo, "add", "--all", "--force")
    git(repo, "commit", "--quiet", "-m", "older template")
    return repo


def change_template(repo: Path) -> None:
    project = repo / "template" / "{{cookiecutter.project_slug}}"
    makefile = project / "Makefile"
    makefile.write_text(makefile.read_text().replace("lint: $(STAMP)\n", "lint: $(STAMP)  # ruff, newer template\n"))
    (project / "CONTRIBUTING.md").write_text("# Contributing to {{cookiecutter.project_name}}\n")
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("# {{cookiecutter.project_name}}\n", "# {{cookiecutter.project_name}} (newer)\n", 1))
    git(repo, "commit", "--quiet", "--all", "-m", "newer template")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "newer template: a new file")


def test_an_update_sees_a_template_change_that_keeps_a_file_s_size(tmp_path):
    """The two bakes' snapshots are hashed afresh: a change that keeps the size of a file copied with
    the same old modification time (the commit recorded in .cruft.json) is part of the difference."""
    from mllint.fix.update import _snapshot

    diffs = tmp_path / "diffs"
    diffs.mkdir()
    git(diffs, "init", "--quiet")
    for attempt in range(5):  # the stale index was trusted when the file's inode was reused: often, not always
        bakes = []
        for side, commit in (("old", "a" * 40), ("new", "b" * 40)):
            bake = tmp_path / f"{side}{attempt}"
            bake.mkdir()
            (bake / ".cruft.json").write_text(json.dumps({"commit": commit}))
            os.utime(bake / ".cruft.json", (1_000_000_000, 1_000_000_000))
            bakes.append(bake)
        _snapshot(diffs, bakes[0], "template before")
        _snapshot(diffs, bakes[1], "template now")
        assert git(diffs, "diff", "--name-only", "HEAD~1", "HEAD").split() == [".cruft.json"]


def test_update_merges_template_changes_offline(cli, old_template, tmp_path):
    """A project generated from an older template commit takes a newer one; the user's edits stay."""
    project = generate(tmp_path / "proj", no_input=True, extra_context={"ci_provider": "gitlab"},
                       template=old_template / "template")
    record = json.loads((project / ".cruft.json").read_text())
    older = git(old_template, "rev-parse", "HEAD").strip()
    assert record["template"] == str(old_template.resolve()) and record["commit"] == older
    notes = project / "notebooks" / "README.md"
    notes.write_text(notes.read_text() + "Our own rule: one notebook per question.\n")
    git(project, "commit", "--quiet", "--all", "-m", "our edit")
    change_template(old_template)
    newer = git(old_template, "rev-parse", "HEAD").strip()

    result = cli("new", "--update", str(project), "--template", str(old_template))
    assert result.exit_code == 0, result.output
    assert "Makefile" in result.output and "CONTRIBUTING.md" in result.output
    assert "lint: $(STAMP)  # ruff, newer template" in (project / "Makefile").read_text()
    assert (project / "CONTRIBUTING.md").read_text() == "# Contributing to Breast Cancer Classifier\n"
    assert (project / "README.md").read_text().startswith("# Breast Cancer Classifier (newer)\n")
    assert notes.read_text().endswith("Our own rule: one notebook per question.\n")
    assert json.loads((project / ".cruft.json").read_text())["commit"] == newer
    staged = git(project, "diff", "--cached", "--name-only").split()
    assert set(staged) == {".cruft.json", "CONTRIBUTING.md", "Makefile", "README.md"}
    git(project, "commit", "--quiet", "-m", "template update")
    again = cli("new", "--update", str(project), "--template", str(old_template))
    assert again.exit_code == 0 and "Up to date" in again.output


def test_update_leaves_conflicts_for_the_user(cli, old_template, tmp_path):
    project = generate(tmp_path / "proj", no_input=True, template=old_template / "template")
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("# Breast Cancer Classifier\n", "# Our classifier\n", 1))
    git(project, "commit", "--quiet", "--all", "-m", "our title")
    change_template(old_template)
    result = cli("new", "--update", str(project), "--template", str(old_template))
    assert result.exit_code == 1, result.output
    assert "conflicts" in result.output and "README.md" in result.output
    text = readme.read_text()
    assert "<<<<<<<" in text and "# Our classifier" in text and "# Breast Cancer Classifier (newer)" in text
    assert "lint: $(STAMP)  # ruff, newer template" in (project / "Makefile").read_text()
    assert git(project, "diff", "--name-only", "--diff-filter=U").split() == ["README.md"]


def test_update_refuses_what_it_cannot_do(cli, old_template, tmp_path):
    project = generate(tmp_path / "proj", no_input=True, template=old_template / "template")
    (project / "Makefile").write_text("changed\n")
    result = cli("new", "--update", str(project), "--template", str(old_template))
    assert result.exit_code == 2 and "uncommitted changes" in result.output
    git(project, "checkout", "--", "Makefile")
    record = json.loads((project / ".cruft.json").read_text())
    (project / ".cruft.json").write_text(json.dumps({**record, "commit": "0" * 40}))
    git(project, "commit", "--quiet", "--all", "-m", "unknown commit")
    result = cli("new", "--update", str(project), "--template", str(old_template))
    assert result.exit_code == 2 and "not available here" in result.output
    (project / ".cruft.json").unlink()
    git(project, "commit", "--quiet", "--all", "-m", "no record")
    result = cli("new", "--update", str(project))
    assert result.exit_code == 2 and ".cruft.json" in result.output
