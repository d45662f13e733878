"""Helpers to run rules on snippets and small repositories (used by the catalogue tests and docs)."""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path

from mllint.catalogue.rule import Example, RepoExample
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
    key = settings.model_dump_json()
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
