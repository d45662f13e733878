"""Remedies: what a repository rule can bring into the repository from the project template.

``mllint fix --repo`` reads the repository into a :class:`Project` (what the scaffolding adapts to),
then asks each repository rule with findings for its remedy: ``remedy(findings, plan)`` adds
:class:`Piece` objects (files rendered from the template, ``.gitignore`` lines, notes) or
instructions to the :class:`Plan`. A rule without a remedy of its own contributes its
``how_to_fix`` as an instruction. Rules read their findings' structured ``data``, never their
messages. Every file a remedy writes is rendered from ``template/`` (the generated project's own
files, or the scaffolding snippets in ``template/scaffold/``): one source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mllint.core.findings import Finding
from mllint.core.paths import template_dir
from mllint.repo.model import RepoModel

TEMPLATE_PROJECT = "{{cookiecutter.project_slug}}"
SNIPPETS = "scaffold"
#: Where the drift check goes (ML0601 writes it, ML0602's retraining workflow runs it).
DRIFT_SCRIPT = "monitoring/drift.py"
#: The port each serving framework listens on by default (Dockerfile, Prometheus scrape config).
SERVING_PORTS = {"flask": 5000, "fastapi": 8000}


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
    #: Declared dependencies (normalised distribution names) and the manifest to add new ones to.
    dependencies: set[str] = field(default_factory=set)
    manifest: str = "your dependency manifest"

    @property
    def github_ok(self) -> bool:
        """GitHub Actions workflows fit: the repository uses them, or no CI at all yet."""
        return self.ci in (None, "github")


@dataclass
class Piece:
    """One part of the plan: the findings it resolves, the files it writes, what is left to do by hand."""

    title: str
    codes: tuple[str, ...]
    files: dict[str, str] = field(default_factory=dict)
    appends: dict[str, list[str]] = field(default_factory=dict)  # .gitignore lines to add
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """What ``fix --repo`` would do: pieces to write, instructions for what cannot be scaffolded."""

    project: Project
    repo: RepoModel
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # repository findings by code
    pieces: list[Piece] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # files the template has but the repository already has
    #: Codes whose findings a remedy has taken care of (their advice is not repeated).
    handled: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)  # files apply() could not write, with the reason

    def has(self, code: str) -> bool:
        return bool(self.findings.get(code))

    def add(self, piece: Piece) -> None:
        """Add a piece; files the repository already has are kept, never overwritten."""
        for rel in list(piece.files):
            if (self.project.root / rel).exists():
                self.kept.append(rel)
                del piece.files[rel]
        if piece.files or piece.appends:
            self.pieces.append(piece)
            self.handled.update(piece.codes)

    def planned(self, rel: str) -> bool:
        """Will the plan write ``rel`` (or does the repository have it already)?"""
        return any(rel in piece.files for piece in self.pieces) or (self.project.root / rel).is_file()

    def instruct(self, text: str, code: str | None = None) -> None:
        self.instructions.append(text)
        if code is not None:
            self.handled.add(code)

    def need(self, *names: str) -> list[str]:
        """A note asking to declare the distributions the scaffolded code imports, if missing."""
        from mllint.repo.manifests import normalize

        missing = [name for name in names if normalize(name) not in self.project.dependencies]
        return [f"declare {', '.join(missing)} (pinned) in {self.project.manifest}"] if missing else []

    def template_file(self, rel: str) -> str:
        """A file of the generated project's template, rendered as cookiecutter renders it."""
        return _render(f"{TEMPLATE_PROJECT}/{rel}", self.project, snippet=False)

    def snippet(self, snippet_name: str, /, **values: Any) -> str:
        """A scaffolding snippet of ``template/scaffold/``, rendered with the answers and ``values``."""
        return _render(f"{SNIPPETS}/{snippet_name}", self.project, snippet=True, **values)


def _render(rel: str, project: Project, *, snippet: bool, **values: Any) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    answers = {"project_name": project.name, "project_slug": project.name, "package_name": project.package,
               "python_version": project.python}
    # snippets put one block tag per line (trim_blocks); template files are rendered as cookiecutter does
    env = Environment(loader=FileSystemLoader(str(template_dir())), undefined=StrictUndefined,
                      keep_trailing_newline=True, trim_blocks=snippet)
    return str(env.get_template(rel).render(cookiecutter=answers, project=project, **values))


def module_of(path: str) -> str:
    """``src/pkg/app.py`` -> ``pkg.app`` (the import path a server is started with)."""
    parts = path[:-3].split("/")
    if parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


def add_ci_workflow(plan: Plan, code: str, rel: str, name: str) -> None:
    """A GitHub workflow running the tests and mllint (ML1203: none at all; ML1204: CI that runs neither)."""
    project = plan.project
    if not project.github_ok:
        plan.instruct(f"{code}: your CI ({project.ci}) is not GitHub Actions: add a job running `python -m pytest` "
                      "and `mllint check .` (see docs/ci.md)", code)
        return
    tests = "python -m pytest -q" if project.has_tests else \
        "python -m pytest -q || test $? -eq 5  # 5: no tests collected yet; drop this once tests exist"
    notes = [] if project.install else ["no dependency manifest was found (ML0201): add the install command to the workflow"]
    plan.add(Piece("CI workflow running the tests and mllint", (code,),
                   {rel: plan.snippet("ci.yml.j2", name=name, install=project.install, tests=tests)}, notes=notes))
