"""``mllint new`` and ``mllint fix --repo``: the bundled cookiecutter template, whole or in parts.

``mllint new`` generates a twelve-factor project. ``mllint fix --repo`` brings the parts of the
template that repository findings ask for into an existing repository (CI, pre-commit, DVC set-up,
params file and loader, monitoring, Dockerfile, drift check and a scheduled workflow), adapted to
it (package name, Python version, data folder, dependency manifest, serving app), never overwriting
a file; whatever cannot be right without guessing becomes an instruction in the plan (docs/fixes.md).

``template/`` in the source tree is the single source of truth; in an installed wheel it lives at
``mllint/_template`` (see pyproject's force-include). Generation goes through cookiecutter's API, so
``--no-input``, extra context and the template's hooks behave exactly as with ``cookiecutter``.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from mllint.core.paths import template_dir


class ScaffoldError(Exception):
    """The project could not be generated (bad answers, target exists, broken template)."""


def parse_context(pairs: list[str] | None) -> dict[str, str]:
    """``["key=value", ...]`` -> dict; a pair without ``=`` or with an empty key is an error."""
    context: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ScaffoldError(f"extra context must be key=value, got {pair!r}")
        context[key.strip()] = value
    return context


def generate(directory: Path | None, *, no_input: bool = False, extra_context: dict[str, str] | None = None,
             overwrite: bool = False) -> Path:
    """Generate a project and return its folder.

    With ``directory`` the project is created exactly there (its name becomes the default
    ``project_slug``); without it, in ``./<project_slug>``.
    """
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.main import cookiecutter

    context = dict(extra_context or {})
    output_dir = Path.cwd()
    if directory is not None:
        target = directory.resolve()
        if "project_slug" in context and context["project_slug"] != target.name:
            raise ScaffoldError(
                f"project_slug={context['project_slug']!r} contradicts the target folder {target.name!r}"
            )
        context["project_slug"] = target.name
        output_dir = target.parent
        if target.exists() and not target.is_dir():
            raise ScaffoldError(f"{directory} exists and is not a folder")
        if target.is_dir() and any(target.iterdir()) and not overwrite:
            raise ScaffoldError(f"{directory} exists and is not empty (use --overwrite-if-exists)")
        overwrite = overwrite or target.is_dir()
        output_dir.mkdir(parents=True, exist_ok=True)
    # cookiecutter logs a traceback when a hook rejects the answers; the hook's own message suffices.
    cookiecutter_logger = logging.getLogger("cookiecutter")
    level = cookiecutter_logger.level
    cookiecutter_logger.setLevel(logging.CRITICAL)
    try:
        created = cookiecutter(
            str(template_dir()), no_input=no_input, extra_context=context or None,
            output_dir=str(output_dir), overwrite_if_exists=overwrite,
        )
    except CookiecutterException as exc:
        raise ScaffoldError(str(exc) or type(exc).__name__) from exc
    finally:
        cookiecutter_logger.setLevel(level)
    return Path(created)


# -- mllint fix --repo: parts of the template for an existing repository ---------------------------


TEMPLATE_PROJECT = "{{cookiecutter.project_slug}}"
DEFAULT_PYTHON = "3.11"  # the template's default, used when the repository declares none
SERVING_FRAMEWORKS = ("fastapi", "flask")
REPO_CODES: set[str] = set()  # repository findings are recognised by kind


@dataclass
class Piece:
    """One part of the plan: the findings it resolves, the files it writes, what is left to do by hand."""

    title: str
    codes: tuple[str, ...]
    files: dict[str, str] = field(default_factory=dict)
    appends: dict[str, list[str]] = field(default_factory=dict)  # .gitignore lines to add
    notes: list[str] = field(default_factory=list)


@dataclass
class Project:
    """What the scaffolding adapts to, read from the repository (never guessed silently)."""

    root: Path
    name: str
    package: str
    python: str
    python_declared: bool
    data_dir: str
    install: list[str]
    ci: str | None  # "github", "gitlab", "other" or None
    serving: list[tuple[str, str, str]]  # (path, framework, app variable)
    training: list[str]
    has_tests: bool


@dataclass
class Plan:
    project: Project
    pieces: list[Piece] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # files the template has but the repository already has
    problems: list[str] = field(default_factory=list)  # files apply() could not write, with the reason

    def writes(self) -> dict[str, str]:
        """Every new file and its content (appends included as the file's new content)."""
        out: dict[str, str] = {}
        for piece in self.pieces:
            out.update(piece.files)
            for rel, lines in piece.appends.items():
                out[rel] = _appended(self.project.root / rel, lines, out.get(rel))
        return out

    def diff(self) -> str:
        chunks = []
        for rel, content in sorted(self.writes().items()):
            path = self.project.root / rel
            before = _shown(_existing_text(path) or "")
            chunks.append("".join(difflib.unified_diff(
                before.splitlines(keepends=True), _shown(content).splitlines(keepends=True),
                fromfile="/dev/null" if not path.exists() else f"a/{rel}", tofile=f"b/{rel}")))
        return "".join(chunks)

    def render(self) -> str:
        project = self.project
        lines = [f"Scaffolding plan for {project.root.name} (package {project.package!r}, Python {project.python}"
                 f"{'' if project.python_declared else ' assumed: none declared'}, data folder {project.data_dir}/)"]
        if not self.pieces and not self.instructions:
            lines.append("  nothing to scaffold: no repository finding the template can resolve.")
        for piece in self.pieces:
            codes = ", ".join(piece.codes) if piece.codes else "no finding; recommended"
            lines.append(f"- {piece.title} [{codes}]")
            for rel in sorted(piece.files):
                lines.append(f"    create {rel}")
            for rel, added in sorted(piece.appends.items()):
                lines.append(f"    {'append to' if (project.root / rel).exists() else 'create'} {rel}: {', '.join(added)}")
            for note in piece.notes:
                lines.append(f"    then: {note}")
        if self.kept:
            lines.append("Kept (already present, never overwritten): " + ", ".join(sorted(self.kept)))
        if self.instructions:
            lines.append("By hand (cannot be scaffolded without guessing):")
            lines += [f"  - {text}" for text in self.instructions]
        return "\n".join(lines) + "\n"

    def apply(self) -> list[str]:
        """Write the files (creating folders); existing files are never overwritten, only .gitignore
        appended (atomically, its bytes and line endings kept). Returns what was written; a file that
        cannot be written (a folder in its way is a file, a read-only tree) goes to ``problems`` and
        the others are still written."""
        from mllint.core.writes import atomic_write

        written: list[str] = []
        problems = self.problems
        root = self.project.root.resolve()
        for rel, content in sorted(self.writes().items()):
            try:
                target = (root / rel).resolve()
                if root not in target.parents:
                    problems.append(f"{rel}: not written: it resolves outside {root}")
                    continue
                appended = any(rel in piece.appends for piece in self.pieces)
                if os.path.lexists(target) and not appended:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, content.encode("utf-8", "surrogateescape"), confine=root, exclusive=not appended)
            except FileExistsError:
                continue  # appeared meanwhile: never overwritten
            except (OSError, RuntimeError, ValueError) as exc:
                problems.append(f"{rel}: not written: {getattr(exc, 'strerror', None) or exc}")
                continue
            written.append(rel)
        return written


#: .gitignore and friends are read as bytes and kept byte for byte (undecodable bytes round-trip).
MAX_APPEND_BYTES = 1_000_000


def _existing_text(path: Path) -> str | None:
    """A file's text with undecodable bytes kept (surrogateescape); None when it is not a readable file."""
    from mllint.core.reads import read_regular

    try:
        return read_regular(path, MAX_APPEND_BYTES).decode("utf-8", "surrogateescape")
    except OSError:
        return None


def _shown(text: str) -> str:
    """Text for the terminal: undecodable bytes shown as U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _appended(path: Path, lines: list[str], current: str | None) -> str:
    text = current if current is not None else (_existing_text(path) or "")
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in lines if line.strip() not in present]
    if not missing:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"  # a CRLF file stays CRLF
    if text and not text.endswith("\n"):
        text += newline
    return text + "".join(line + newline for line in missing)


def render_template_file(rel: str, project: Project) -> str:
    """One file of the template, rendered with jinja2 and this repository's answers."""
    from jinja2 import Environment, StrictUndefined

    source = (template_dir() / TEMPLATE_PROJECT / rel).read_text("utf-8")
    context = {"cookiecutter": {
        "project_name": project.name, "project_slug": project.name, "package_name": project.package,
        "python_version": project.python,
    }}
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True)
    return env.from_string(source).render(**context)


# -- reading the repository ------------------------------------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "project"


def _python_version(root: Path) -> tuple[str, bool]:
    """``requires-python``'s lowest bound, else ``.python-version``; else the template's default."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        from mllint.core.tomlsafe import TomlError, load_path

        try:
            data = load_path(pyproject)
        except TomlError:
            data = {}
        project = data.get("project")
        spec = str((project if isinstance(project, dict) else {}).get("requires-python") or "")
        found = re.search(r">=?\s*(3\.\d+)", spec) or re.search(r"~=\s*(3\.\d+)", spec) or re.search(r"==\s*(3\.\d+)", spec)
        if found:
            return found.group(1), True
    marker = root / ".python-version"
    if marker.is_file():
        found = re.match(r"\s*(3\.\d+)", marker.read_text("utf-8", "replace"))
        if found:
            return found.group(1), True
    return DEFAULT_PYTHON, False


def _project_name(root: Path) -> tuple[str, str]:
    """(name, import package): pyproject's name when a matching package folder exists, else the folder name."""
    name = None
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        from mllint.core.tomlsafe import TomlError, load_path

        try:
            name = (load_path(pyproject).get("project") or {}).get("name")
        except (TomlError, AttributeError):
            name = None
    slug = _slug(str(name or root.name))
    package = slug.replace("-", "_")
    if not package[:1].isalpha():
        package = "project_" + package
    return slug, package


def _app_variable(text: str, framework: str) -> str | None:
    cls = "FastAPI" if framework == "fastapi" else "Flask"
    found = re.search(rf"^(\w+)\s*=\s*(?:\w+\.)?{cls}\(", text, re.M)
    return found.group(1) if found else None


def _install_commands(root: Path, repo) -> list[str]:
    """How the project's dependencies are installed, from the manifests `mllint check` reads (the same
    repository model: a conda.yaml is a manifest to both)."""
    install: list[str] = []
    for manifest in repo.manifests.parsed:
        if "/" in manifest.path:
            continue  # the project's own manifests, at its root
        if manifest.kind == "requirements" and not manifest.is_dev_only:
            install.append(f"python -m pip install -r {manifest.path}")
        elif manifest.kind == "conda":
            install.append(f"conda env update --file {manifest.path}")
        elif manifest.kind == "pipfile":
            install.append("python -m pip install pipenv && pipenv install --deploy --system")
    pyproject = root / "pyproject.toml"
    installable = pyproject.is_file() and re.search(r"^\[(project|tool\.poetry|build-system)\]", pyproject.read_text("utf-8", "replace"), re.M)
    if installable or (root / "setup.py").is_file() or (root / "setup.cfg").is_file():
        install.append("python -m pip install -e .")
    return list(dict.fromkeys(install))


def read_project(root: Path, repo, findings) -> Project:
    """Build the :class:`Project` from the repository model and the files."""
    name, package = _project_name(root)
    python, declared = _python_version(root)
    data_dir = next((d for d in ("data", "datasets", "dataset", "input") if (root / d).is_dir()), "data")
    install = _install_commands(root, repo)
    paths = {config.path for config in repo.ci_configs}
    ci = None
    if any(p.startswith(".github/workflows/") for p in paths):
        ci = "github"
    elif any(p.endswith(".gitlab-ci.yml") for p in paths):
        ci = "gitlab"
    elif paths:
        ci = "other"
    serving = []
    for module in repo.serving:
        if module.batch:
            continue
        framework = next((f for f in module.frameworks if f in SERVING_FRAMEWORKS), None)
        text = repo.read_text(module.path) or ""
        variable = _app_variable(text, framework) if framework else None
        if framework and variable:
            serving.append((module.path, framework, variable))
    training = [role.path for role in repo.ml.training]
    has_tests = bool(repo.test_facts())
    return Project(root, name, package, python, declared, data_dir, install, ci, serving, training, has_tests)


# -- the pieces ------------------------------------------------------------------------------------

def _install_steps(project: Project, indent: str, extra: str) -> str:
    steps = ["python -m pip install --upgrade pip", *project.install, f"python -m pip install {extra}"]
    return "".join(f"{indent}{step}\n" for step in steps)


def _setup_steps(project: Project) -> str:
    return (
        "      - uses: actions/checkout@v4\n"
        "      - uses: actions/setup-python@v5\n"
        "        with:\n"
        f'          python-version: "{project.python}"\n'
    )


def ci_workflow(project: Project, name: str = "CI") -> str:
    tests = "python -m pytest -q" if project.has_tests else \
        "python -m pytest -q || test $? -eq 5  # 5: no tests collected yet; drop this once tests exist"
    return (
        "# Added by `mllint fix --repo` (from mllint's project template): the tests and mllint on every push.\n"
        "# mllint fails the job on findings; `mllint baseline` accepts today's and fails only on new ones.\n"
        f"name: {name}\n\n"
        "on:\n  push:\n  pull_request:\n\n"
        "jobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n"
        + _setup_steps(project)
        + "      - name: Install\n        run: |\n"
        + _install_steps(project, "          ", "pytest twelve-factor-ml")
        + f"      - name: Tests\n        run: {tests}\n"
        "      - name: mllint (the twelve factors)\n        run: mllint check .\n"
    )


def retrain_workflow(project: Project, train_command: str, drift_script: str | None) -> str:
    drift = ""
    if drift_script:
        drift = (
            "      - name: Drift check (set the repository variables REFERENCE_DATA and CURRENT_DATA to enable it)\n"
            "        id: drift\n"
            "        if: vars.REFERENCE_DATA != '' && vars.CURRENT_DATA != ''\n"
            "        run: |\n"
            f'          if python {drift_script} "${{{{ vars.REFERENCE_DATA }}}}" "${{{{ vars.CURRENT_DATA }}}}"; then\n'
            '            echo "drift=false" >> "$GITHUB_OUTPUT"\n'
            "          else\n"
            '            echo "drift=true" >> "$GITHUB_OUTPUT"\n'
            "          fi\n"
        )
    condition = "        if: steps.drift.outputs.drift != 'false'\n" if drift_script else ""
    return (
        "# Added by `mllint fix --repo`: continuous training. Every Monday (or by hand) check the latest\n"
        "# data for drift and retrain; without the drift variables it simply retrains on schedule.\n"
        "name: Scheduled retraining\n\n"
        "on:\n  schedule:\n    - cron: \"0 6 * * 1\"\n  workflow_dispatch:\n\n"
        "jobs:\n  retrain:\n    runs-on: ubuntu-latest\n    steps:\n"
        + _setup_steps(project)
        + "      - name: Install\n        run: |\n"
        + _install_steps(project, "          ", "pandas scipy" if drift_script else "pytest")
        + drift
        + f"      - name: Retrain\n{condition}        run: {train_command}\n"
    )


DRIFT_SCRIPT = '''"""Data drift check (added by `mllint fix --repo`): compare recent inputs with the training data.

    python {path} REFERENCE.csv CURRENT.csv [--alpha 0.01]

A two-sample Kolmogorov-Smirnov test per numeric column the two files share. Prints a JSON report and
exits 1 when a column drifted (a scheduled job then retrains), 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd
from scipy.stats import ks_2samp


def drifted_columns(reference: pd.DataFrame, current: pd.DataFrame, alpha: float = 0.01) -> dict[str, float]:
    """Numeric columns whose distribution differs (KS test p-value below ``alpha``): column -> p-value."""
    drifted = {{}}
    shared = [c for c in reference.select_dtypes("number").columns if c in current.columns]
    for column in shared:
        result = ks_2samp(reference[column].dropna(), current[column].dropna())
        if result.pvalue < alpha:
            drifted[column] = float(result.pvalue)
    return drifted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", help="the training data (CSV)")
    parser.add_argument("current", help="recent inputs (CSV)")
    parser.add_argument("--alpha", type=float, default=0.01, help="significance level (default 0.01)")
    args = parser.parse_args(argv)
    drifted = drifted_columns(pd.read_csv(args.reference), pd.read_csv(args.current), args.alpha)
    print(json.dumps({{"drifted": drifted}}, indent=2))
    return 1 if drifted else 0


if __name__ == "__main__":
    sys.exit(main())
'''

PARAMS_YAML = """# Everything a run depends on besides code and data (added by `mllint fix --repo`).
# Move the split sizes and hyperparameters here and read them with load_params() ({loader}).
seed: 42
"""

PARAMS_LOADER = '''"""The run's parameters, read from params.yaml (added by `mllint fix --repo`).

    from {module} import load_params
    params = load_params()
    train_test_split(X, y, test_size=params["test_size"], random_state=params["seed"])
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PARAMS_FILE = Path(__file__).resolve().{parents}/ "params.yaml"


def load_params(path: str | Path = PARAMS_FILE) -> dict[str, Any]:
    """The parameters as a dict; a missing or malformed file stops the run with a clear message."""
    with open(path, encoding="utf-8") as handle:
        params = yaml.safe_load(handle)
    if not isinstance(params, dict):
        raise ValueError(f"{{path}} must hold a mapping of parameters, got {{type(params).__name__}}")
    return params
'''

ALERT_RULES = """# Alerts on the service's /metrics (added by `mllint fix --repo`; metrics from monitoring/README.md).
groups:
  - name: {job}
    rules:
      - alert: ServiceDown
        expr: up{{job="{job}"}} == 0
        for: 2m
        labels:
          severity: critical
        annotations:
          summary: The prediction service does not answer scrapes.
      - alert: HighErrorRate
        expr: >
          sum(rate(http_requests_total{{status=~"5.."}}[10m])) / sum(rate(http_requests_total[10m])) > 0.05
        for: 10m
        labels:
          severity: warning
        annotations:
          summary: More than 5% of requests fail with a server error.
      - alert: SlowRequests
        expr: >
          histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[10m]))) > 0.5
        for: 10m
        labels:
          severity: warning
        annotations:
          summary: 95th percentile request latency is above 500 ms.
"""

FLASK_SNIPPET = '''import time

from flask import g, request
from prometheus_client import Counter, Histogram, make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

REQUESTS = Counter("http_requests_total", "HTTP requests served.", ["method", "route", "status"])
LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency in seconds.", ["method", "route"])


@{app}.before_request
def _start_timer():
    g.request_start = time.perf_counter()


@{app}.after_request
def _record_request(response):
    route = request.url_rule.rule if request.url_rule else "unmatched"
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    LATENCY.labels(request.method, route).observe(time.perf_counter() - g.request_start)
    return response


{app}.wsgi_app = DispatcherMiddleware({app}.wsgi_app, {{"/metrics": make_wsgi_app()}})
'''

FASTAPI_SNIPPET = '''import time

from fastapi import Request
from prometheus_client import Counter, Histogram, make_asgi_app

REQUESTS = Counter("http_requests_total", "HTTP requests served.", ["method", "route", "status"])
LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency in seconds.", ["method", "route"])


@{app}.middleware("http")
async def _record_request(request: Request, call_next):
    start = time.perf_counter()
    response = await call_next(request)
    route = getattr(request.scope.get("route"), "path", "unmatched")
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    LATENCY.labels(request.method, route).observe(time.perf_counter() - start)
    return response


{app}.mount("/metrics", make_asgi_app())
'''

PORTS = {"flask": 5000, "fastapi": 8000}


def _module_of(path: str) -> str:
    parts = path[:-3].split("/")
    if parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


def _train_command(project: Project, repo) -> str | None:
    if (project.root / "dvc.yaml").is_file():
        return "dvc repro"
    makefile = project.root / "Makefile"
    if makefile.is_file() and re.search(r"^train\s*:", makefile.read_text("utf-8", "replace"), re.M):
        return "make train"
    main = repo.ml.main_training_file() if project.training else None
    if main and main.endswith(".py"):
        return f"python {main}"
    return None


def build_plan(root: Path, findings, repo) -> Plan:
    """What `mllint fix --repo` would write for these repository findings, adapted to the repository."""
    from mllint.catalogue.loader import load_catalogue
    from mllint.repo.serving import find_dockerfiles

    project = read_project(root, repo, findings)
    plan = Plan(project)
    by_code: dict[str, list] = {}
    for finding in findings:
        if finding.kind == "repo" or finding.code in REPO_CODES:
            by_code.setdefault(finding.code, []).append(finding)
    handled: set[str] = set()
    github_ok = project.ci in (None, "github")
    from mllint.repo.manifests import normalize

    deps = set(repo.manifests.declared)

    def add(piece: Piece) -> None:
        for rel in list(piece.files):
            if (root / rel).exists():
                plan.kept.append(rel)
                del piece.files[rel]
        if piece.files or piece.appends:
            plan.pieces.append(piece)
            handled.update(piece.codes)

    def need(*names: str) -> list[str]:
        missing = [n for n in names if normalize(n) not in deps]
        where = next((m.path for m in repo.manifests.parsed if "/" not in m.path), "your dependency manifest")
        return [f"declare {', '.join(missing)} (pinned) in {where}"] if missing else []

    # CI running the tests and mllint (ML1203 none at all; ML1204 CI that runs neither)
    if "ML1203" in by_code or "ML1204" in by_code:
        codes = tuple(c for c in ("ML1203", "ML1204") if c in by_code)
        if github_ok:
            rel = ".github/workflows/ci.yml" if "ML1203" in by_code else ".github/workflows/mllint.yml"
            notes = [] if project.install else ["no dependency manifest was found (ML0201): add the install command to the workflow"]
            add(Piece("CI workflow running the tests and mllint", codes, {rel: ci_workflow(project, "CI" if "ML1203" in by_code else "Checks")}, notes=notes))
        else:
            plan.instructions.append(f"{'/'.join(codes)}: your CI ({project.ci}) is not GitHub Actions: add a job running "
                                     "`python -m pytest` and `mllint check .` (see docs/ci.md)")
    # pre-commit with ruff and mllint (ML0305: no linter configured)
    if "ML0305" in by_code:
        add(Piece("pre-commit: ruff, nbstripout and mllint on every commit", ("ML0305",),
                  {".pre-commit-config.yaml": render_template_file(".pre-commit-config.yaml", project)},
                  notes=["`pip install pre-commit && pre-commit install`; `pre-commit run --all-files` once"]))
    # DVC set-up (ML0103: nothing versions data); .gitignore entries for DVC outputs (ML0105)
    if "ML0103" in by_code:
        notes = ["`pip install dvc` (add it to your dev dependencies), then `dvc remote add -d storage <url>` and commit .dvc/config"]
        for finding in by_code.get("ML0102", []):
            notes.append(f"`git rm --cached {finding.path} && dvc add {finding.path}`, then commit {finding.path}.dvc and the .gitignore dvc writes")
        if not by_code.get("ML0102"):
            notes.append(f"`dvc add` the data and model files (e.g. under {project.data_dir}/) and commit the .dvc files")
        if by_code.get("ML0102"):
            handled.add("ML0102")  # the notes above say how; the finding stays until they are done
        add(Piece("DVC set-up (data versioning)", ("ML0103",), {
            ".dvc/config": "# DVC configuration (added by `mllint fix --repo`). Add the shared storage with\n"
                           "#   dvc remote add -d storage s3://bucket/path   (or gs://, azure://, ssh://, a folder)\n"
                           "[core]\n",
            ".dvc/.gitignore": render_template_file(".dvc/.gitignore", project),
            ".dvcignore": render_template_file(".dvcignore", project),
        }, notes=notes))
    appends: dict[str, list[str]] = {}
    for finding in by_code.get("ML0105", []):
        if "is not git-ignored" in finding.message and finding.evidence:
            out = PurePosixPath(finding.evidence[0])
            parent = "" if str(out.parent) == "." else f"{out.parent}/"
            appends.setdefault(f"{parent}.gitignore", []).append(f"/{out.name}")
    if appends:
        add(Piece(".gitignore entries for DVC outputs", ("ML0105",), appends=appends))
    # params file + loader (ML0304: no configuration file)
    if "ML0304" in by_code:
        package_dir = next((d for d in (f"src/{project.package}", project.package) if (root / d / "__init__.py").is_file()), None)
        loader = f"{package_dir}/params.py" if package_dir else "params.py"
        module = f"{project.package}.params" if package_dir else "params"
        depth = loader.count("/")
        parents = f"parents[{depth}] " if depth else "parent "
        add(Piece("params.yaml and a small loader", ("ML0304",), {
            "params.yaml": PARAMS_YAML.format(loader=loader),
            loader: PARAMS_LOADER.format(module=module, parents=parents),
        }, notes=[*need("pyyaml"), f"read the parameters with `from {module} import load_params` in the training code; "
                  "`mllint check --fix --unsafe-fixes` then seeds random calls from params[\"seed\"]"]))
    # monitoring for a detected Flask/FastAPI app (ML1101)
    if "ML1101" in by_code and project.serving:
        path, framework, app = project.serving[0]
        snippet = (FLASK_SNIPPET if framework == "flask" else FASTAPI_SNIPPET).format(app=app)
        prometheus = render_template_file("monitoring/prometheus.yml", project).replace("localhost:8000", f"localhost:{PORTS[framework]}")
        readme = (f"# Monitoring ({framework} app `{app}` in {path})\n\n"
                  "Added by `mllint fix --repo`. Prometheus scrapes the service's `/metrics` "
                  "(`prometheus --config.file=monitoring/prometheus.yml`); `alert_rules.yml` alerts on errors, latency "
                  f"and availability. Paste this into {path}, after `{app}` is created, and declare `prometheus-client`:\n\n"
                  f"```python\n{snippet}```\n")
        add(Piece(f"Prometheus monitoring for the {framework} app in {path}", ("ML1101",), {
            "monitoring/prometheus.yml": prometheus,
            "monitoring/alert_rules.yml": ALERT_RULES.format(job=project.package),
            "monitoring/README.md": readme,
        }, notes=[f"paste the instrumentation snippet of monitoring/README.md into {path}", *need("prometheus-client")]))
    elif "ML1101" in by_code:
        plan.instructions.append("ML1101: no Flask/FastAPI app found to instrument: export request and prediction metrics "
                                 "(prometheus_client) from your serving code and add a scrape config")
    # Dockerfile for a detected serving app (ML1202 if it fires; otherwise recommended)
    if project.serving and not find_dockerfiles(repo):
        path, framework, app = project.serving[0]
        port = PORTS[framework]
        module = _module_of(path)
        if framework == "fastapi":
            command = f'["uvicorn", "{module}:{app}", "--host", "0.0.0.0", "--port", "{port}"]'
            server = "uvicorn"
        else:
            command = f'["python", "-m", "flask", "--app", "{module}:{app}", "run", "--host", "0.0.0.0", "--port", "{port}"]'
            server = "flask"
        if (root / "requirements.txt").is_file():
            install = "COPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
        elif "python -m pip install -e ." in project.install:
            install = "COPY . .\nRUN pip install --no-cache-dir .\n"
        else:
            install = None
        manifest = next((m.path for m in repo.manifests.parsed if "/" not in m.path), None)
        if install is None and manifest is not None:  # e.g. a conda environment: not a pip install
            plan.instructions.append(f"Dockerfile for {path}: install the dependencies of {manifest} in the image "
                                     f"(for a conda environment, start from a micromamba image and "
                                     f"`micromamba install -y -n base -f {manifest}`)")
        elif install is None:
            plan.instructions.append(f"Dockerfile for {path}: declare the dependencies first (ML0201)")
        else:
            dockerfile = (
                f"# The prediction service ({path}, added by `mllint fix --repo`):\n"
                f"#   docker build -t {project.name} . && docker run -p {port}:{port} {project.name}\n"
                f"FROM python:{project.python}-slim\n\n"
                "ENV PYTHONDONTWRITEBYTECODE=1 \\\n    PYTHONUNBUFFERED=1\n\n"
                "WORKDIR /app\nRUN useradd --create-home --uid 10001 app\n\n"
                f"{install}\nUSER app\nEXPOSE {port}\nCMD {command}\n"
            )
            dockerignore = ".git\n.venv/\n__pycache__/\n.mllint_cache/\n.dvc/cache/\n.pytest_cache/\nnotebooks/\n"
            notes = ["the image copies the working tree: create the model file (run training or `dvc pull`) before `docker build`",
                     *need(server)]
            if framework == "flask":
                notes.append("Flask's own server is for development: use gunicorn (`gunicorn -b 0.0.0.0:5000 "
                             f"{module}:{app}`) in production")
            add(Piece(f"Dockerfile serving {path}", tuple(c for c in ("ML1202",) if c in by_code),
                      {"Dockerfile": dockerfile, ".dockerignore": dockerignore}, notes=notes))
    # drift check (ML0601) and a scheduled retraining workflow (ML0602)
    drift_script = None
    if "ML0601" in by_code:
        drift_script = "monitoring/drift.py"
        add(Piece("drift-check script (KS test per numeric column)", ("ML0601",),
                  {drift_script: DRIFT_SCRIPT.format(path=drift_script)},
                  notes=[*need("pandas", "scipy"), f"run it on the training data and recent inputs: `python {drift_script} REFERENCE.csv CURRENT.csv`"]))
    elif (root / "monitoring/drift.py").is_file():
        drift_script = "monitoring/drift.py"
    if "ML0602" in by_code:
        command = _train_command(project, repo)
        if command is None:
            plan.instructions.append("ML0602: no training entry point found to schedule: add a scheduled job running your training")
        elif not github_ok:
            plan.instructions.append(f"ML0602: add a scheduled job to your CI ({project.ci}) running `{command}`")
        else:
            add(Piece("scheduled retraining workflow (weekly, drift-gated when configured)", ("ML0602",),
                      {".github/workflows/retrain.yml": retrain_workflow(project, command, drift_script)},
                      notes=["set the repository variables REFERENCE_DATA and CURRENT_DATA to gate retraining on drift"] if drift_script else []))
    # everything else: the rule's own advice
    catalogue = load_catalogue()
    for code in sorted(set(by_code) - handled):
        rule = catalogue.get(code)
        if rule is None or rule.kind != "repo":
            continue
        advice = " ".join(rule.how_to_fix.split())
        plan.instructions.append(f"{code} {rule.name}: {advice}")
    return plan
