"""Helpers to run rules on snippets and small repositories: the catalogue's tests, and plugin authors'.

A rule package tests its rules' documented examples with :func:`verify_plugin` (or, one pytest case
per example, :func:`plugin_cases` and :func:`check_plugin_case`) -- without installing it: the plugin
is registered for the duration of the check (docs/plugins.md).
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mllint.catalogue.loader import CatalogueError, load_catalogue, registered
from mllint.catalogue.plugins import Plugin
from mllint.catalogue.rule import Example, FixExample, RepoExample, Rule
from mllint.config.settings import Settings
from mllint.core.findings import Finding
from mllint.core.source import notebook_json
from mllint.engine.session import Session


def example_bytes(example: Example) -> bytes:
    if example.cells is not None:
        return notebook_json(example.cells).encode()
    return textwrap.dedent(example.source).lstrip("\n").encode("utf-8", "surrogateescape") if "\x00" not in example.source else example.source.encode()


def check_source(source: str | bytes, path: str = "train.py", select: Iterable[str] = ("ALL",),
                 settings: Settings | None = None) -> list[Finding]:
    """Run the code rules selected on one in-memory file."""
    session = _session(settings or Settings(select=list(select)))
    data = source if isinstance(source, bytes) else textwrap.dedent(source).lstrip("\n").encode()
    return session.analyze(path, data).findings


_SESSIONS: dict[str, Session] = {}


def _session(settings: Settings) -> Session:
    """One session per distinct settings (the catalogue tests check hundreds of examples)."""
    key = json.dumps(settings.to_json(), sort_keys=True)
    if key not in _SESSIONS:
        _SESSIONS[key] = Session(Path.cwd(), settings)
    return _SESSIONS[key]


def check_example(example: Example, code: str) -> list[Finding]:
    findings = check_source(example_bytes(example), example.path, select=["ALL"])
    return [f for f in findings if f.code == code]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(root), "PATH": "/usr/bin:/bin:/usr/local/bin"})


def write_repo(root: Path, files: Mapping[str, str | bytes], use_git: bool = True) -> Path:
    """Write ``files`` under ``root``; with ``use_git``, init a repository and commit everything."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    if use_git:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", "initial")
    return root


def check_repo_example(example: RepoExample, code: str, root: Path) -> list[Finding]:
    write_repo(root, example.files, example.git)
    options = {code: dict(example.options)} if example.options else {}
    result = Session(root, Settings(select=[code], options=options)).check(use_cache=False, jobs=1)
    return [f for f in result.findings if f.code == code]


# -- third-party rules (docs/plugins.md) ------------------------------------------------------------
@dataclass(frozen=True)
class PluginCase:
    """One documented example of a plugin's rule: ``kind`` is "violating", "compliant" or "fix"."""

    rule: type[Rule]
    kind: str
    index: int
    example: Example | RepoExample | FixExample

    @property
    def id(self) -> str:
        return f"{self.rule.code}-{self.kind}-{self.index}"


def plugin_cases(plugin: Plugin) -> list[PluginCase]:
    """Every example of every rule of ``plugin`` (for ``pytest.mark.parametrize(..., ids=...)``)."""
    out = []
    for rule in plugin.rules:
        for kind in ("violating", "compliant", "fixes"):
            for index, example in enumerate(getattr(rule, kind, [])):
                out.append(PluginCase(rule, "fix" if kind == "fixes" else kind, index, example))
    return out


def check_plugin_case(plugin: Plugin, case: PluginCase, workdir: Path) -> list[str]:
    """Run one example with ``plugin`` registered as if installed; the problems found ([] when it holds).

    A violating example must be reported (on its ``lines`` when given), a compliant one must not, and a
    fix example must turn ``before`` into ``after`` with ``mllint check --fix`` (``--unsafe-fixes``
    for an unsafe one)."""
    with registered(plugin):
        rule, example = case.rule, case.example
        if isinstance(example, FixExample):
            return _check_fix(rule, example, workdir)
        if isinstance(example, RepoExample):
            root = write_repo(workdir / case.id, example.files, example.git)
            options = {rule.code: dict(example.options)} if example.options else {}
            found = Session(root, Settings(select=[rule.code], options=options)).check(use_cache=False, jobs=1).findings
        else:
            session = Session(workdir, Settings(select=[rule.code]))
            found = session.analyze(example.path, example_bytes(example)).findings
        found = [finding for finding in found if finding.code == rule.code]
        if case.kind == "compliant":
            return [f"{case.id}: reported on a compliant example: {f.message}" for f in found]
        if not found:
            return [f"{case.id}: nothing reported on a violating example"]
        lines = getattr(example, "lines", None)
        reported = sorted({f.line for f in found if f.line is not None})
        if lines and reported != sorted(lines):
            return [f"{case.id}: reported on lines {reported}, expected {sorted(lines)}"]
        return []


def _check_fix(rule: type[Rule], example: FixExample, workdir: Path) -> list[str]:
    from mllint.fix.code import fix_files

    root = workdir / f"{rule.code}-fix"
    root.mkdir(parents=True, exist_ok=True)
    before, after = (textwrap.dedent(text).lstrip("\n") for text in (example.before, example.after))
    for rel, content in {**example.files, example.path: before}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(content).lstrip("\n") if rel != example.path else content)
    report = fix_files(Session(root, Settings(select=[rule.code])), [example.path], unsafe=True)
    changed = {item.path: item.after.decode("utf-8") for item in report.changes}
    problems = [str(problem) for problem in report.problems]
    if changed.get(example.path) != after:
        problems.append(f"{rule.code} fix: {example.path} became {changed.get(example.path)!r}, expected {after!r}")
    return problems


def verify_plugin(plugin: Plugin, workdir: Path) -> list[str]:
    """Load ``plugin`` as mllint would (prefix, codes, names, knowledge) and run all its examples."""
    problems: list[str] = []
    try:
        with registered(plugin):
            load_catalogue()
    except CatalogueError as exc:
        return [str(exc)]
    for case in plugin_cases(plugin):
        problems.extend(check_plugin_case(plugin, case, workdir))
    for rule in plugin.rules:
        if not rule.violating or not rule.compliant:
            problems.append(f"{rule.code}: document at least one violating and one compliant example")
    return problems
