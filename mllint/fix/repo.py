"""``mllint fix --repo``: a plan of what the template can bring to this repository, shown or applied.

The repository is read into a :class:`~mllint.catalogue.remedy.Project` (its name, package, Python
version, data folder, install commands, CI system, serving apps); each repository rule with findings
adds its remedy to the :class:`~mllint.catalogue.remedy.Plan` (rules without one add their advice).
The plan is printed with a diff, and written only with ``--apply``, never overwriting a file.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

from mllint.catalogue.loader import load_catalogue
from mllint.catalogue.remedy import Plan, Project
from mllint.core.findings import Finding
from mllint.core.tomlsafe import TomlError, load_path
from mllint.repo.model import RepoModel

DEFAULT_PYTHON = "3.11"  # the template's default, used when the repository declares none
SERVING_FRAMEWORKS = ("fastapi", "flask")


def build_plan(root: Path, findings: list[Finding], repo: RepoModel) -> Plan:
    """What ``mllint fix --repo`` would write for these repository findings, adapted to the repository."""
    by_code: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.kind == "repo":
            by_code.setdefault(finding.code, []).append(finding)
    plan = Plan(read_project(root, repo), repo, by_code)
    for rule in load_catalogue().repo_rules():
        found = by_code.get(rule.code)
        if not found:
            rule.recommend(plan)
        elif rule.code not in plan.handled:
            rule.remedy(found, plan)
    return plan


# -- showing and applying a plan ----------------------------------------------------------------------
def writes(plan: Plan) -> dict[str, str]:
    """Every new file and its content (appends included as the file's new content)."""
    out: dict[str, str] = {}
    for piece in plan.pieces:
        out.update(piece.files)
        for rel, lines in piece.appends.items():
            out[rel] = _appended(plan.project.root / rel, lines, out.get(rel))
    return out


def diff(plan: Plan) -> str:
    chunks = []
    for rel, content in sorted(writes(plan).items()):
        path = plan.project.root / rel
        before = _shown(_existing_text(path) or "")
        chunks.append("".join(difflib.unified_diff(
            before.splitlines(keepends=True), _shown(content).splitlines(keepends=True),
            fromfile="/dev/null" if not path.exists() else f"a/{rel}", tofile=f"b/{rel}")))
    return "".join(chunks)


def render(plan: Plan) -> str:
    project = plan.project
    lines = [f"Scaffolding plan for {project.root.name} (package {project.package!r}, Python {project.python}"
             f"{'' if project.python_declared else ' assumed: none declared'}, data folder {project.data_dir}/)"]
    if not plan.pieces and not plan.instructions:
        lines.append("  nothing to scaffold: no repository finding the template can resolve.")
    for piece in plan.pieces:
        codes = ", ".join(piece.codes) if piece.codes else "no finding; recommended"
        lines.append(f"- {piece.title} [{codes}]")
        for rel in sorted(piece.files):
            lines.append(f"    create {rel}")
        for rel, added in sorted(piece.appends.items()):
            lines.append(f"    {'append to' if (project.root / rel).exists() else 'create'} {rel}: {', '.join(added)}")
        for note in piece.notes:
            lines.append(f"    then: {note}")
    if plan.kept:
        lines.append("Kept (already present, never overwritten): " + ", ".join(sorted(plan.kept)))
    if plan.instructions:
        lines.append("By hand (cannot be scaffolded without guessing):")
        lines += [f"  - {text}" for text in plan.instructions]
    return "\n".join(lines) + "\n"


def apply(plan: Plan) -> list[str]:
    """Write the files (creating folders); existing files are never overwritten, only .gitignore
    appended (atomically, its bytes and line endings kept). Returns what was written; a file that
    cannot be written (a folder in its way is a file, a read-only tree) goes to ``plan.problems`` and
    the others are still written."""
    from mllint.core.writes import atomic_write

    written: list[str] = []
    problems = plan.problems
    root = plan.project.root.resolve()
    for rel, content in sorted(writes(plan).items()):
        try:
            target = (root / rel).resolve()
            if root not in target.parents:
                problems.append(f"{rel}: not written: it resolves outside {root}")
                continue
            appended = any(rel in piece.appends for piece in plan.pieces)
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


# -- reading the repository ------------------------------------------------------------------------
def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "project"


def _python_version(root: Path) -> tuple[str, bool]:
    """``requires-python``'s lowest bound, else ``.python-version``; else the template's default."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
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


def _install_commands(root: Path, repo: RepoModel) -> list[str]:
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


def read_project(root: Path, repo: RepoModel) -> Project:
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
    manifest = next((m.path for m in repo.manifests.parsed if "/" not in m.path), "your dependency manifest")
    return Project(root, name, package, python, declared, data_dir, install, ci, serving, training, has_tests,
                   dependencies=set(repo.manifests.declared), manifest=manifest)
