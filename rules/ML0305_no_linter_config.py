"""ML0305 no-linter-config: Python code, but no linter (ruff, pylint, flake8) is configured or run."""

from __future__ import annotations

import configparser
import fnmatch
import re
from pathlib import Path

from mllint.catalogue.remedy import Piece, Plan
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.core import relpath
from mllint.core.findings import Finding
from mllint.core.tomlsafe import TomlError
from mllint.core.tomlsafe import loads as toml_loads

#: Files that may run a linter: CI, pre-commit, task runners.
RUNNER_FILES = (".pre-commit-config.yaml", ".pre-commit-config.yml", "Makefile", "makefile", "GNUmakefile", "justfile",
                "tox.ini", "noxfile.py", ".gitlab-ci.yml", "azure-pipelines.yml", "Jenkinsfile", ".travis.yml",
                "bitbucket-pipelines.yml", "lefthook.yml", "Taskfile.yml", "tasks.py")
RUNNER_FOLDERS = (".github/workflows/", ".circleci/", ".gitlab/", ".buildkite/")
#: Installing a linter is not running it (`pip install black flake8 isort` before `black --check .`).
INSTALL = re.compile(r"\b(?:pip3?|uv\s+pip|pipx|conda|mamba|poetry|pipenv|uv)\s+(?:install|add)\b[^\n&|;]*")


class NoLinterConfig(RepoRule):
    code = "ML0305"
    name = "no-linter-config"
    factor = 3
    severity = "info"
    summary = "No Python linter (ruff, pylint, flake8) is configured or run for the project."
    why = """
        Factor 3 (descriptive training and preprocessing): ML code is read far more often than it
        is written, and most of it starts as notebook code. A configured linter keeps unused
        imports, shadowed variables and undefined names (the bugs that silently change a
        pipeline) out of the training code, and keeps the style reviewable.
    """
    how_to_fix = """
        Configure a linter: `[tool.ruff]` with `[tool.ruff.lint] select = [...]` in
        `pyproject.toml` (or `ruff.toml`, `.flake8`, `.pylintrc`), and run it in pre-commit and CI.
    """
    violating = [
        RepoExample({"train.py": "x = 1\n"}),
        RepoExample({"src/pkg/model.py": "x = 1\n", "pyproject.toml": "[project]\nname = 'pkg'\n[tool.black]\nline-length = 100\n"},
                    note="a formatter is not a linter"),
        RepoExample({"train.py": "x = 1\n", "setup.cfg": "[metadata]\nname = x\n[tool:pytest]\naddopts = -q\n"}),
        RepoExample({"train.py": "x = 1\n", ".pre-commit-config.yaml": "repos:\n- repo: https://github.com/psf/black\n  hooks:\n  - id: black\n"}),
        RepoExample({"train.py": "x = 1\n", ".github/workflows/lint.yml": "jobs:\n  lint:\n    steps:\n    - run: pip install black flake8\n"
                     "    - run: black --check .\n"}, note="a linter installed in CI but never run"),
    ]
    compliant = [
        RepoExample({"train.py": "x = 1\n", "pyproject.toml": "[tool.ruff]\nline-length = 100\n"}),
        RepoExample({"train.py": "x = 1\n", ".flake8": "[flake8]\nmax-line-length = 100\n"}),
        RepoExample({"train.py": "x = 1\n", "setup.cfg": "[flake8]\nmax-line-length = 100\n"}),
        RepoExample({"train.py": "x = 1\n", ".pre-commit-config.yaml": "repos:\n- repo: https://github.com/astral-sh/ruff-pre-commit\n  hooks:\n  - id: ruff\n"}),
        RepoExample({"train.py": "x = 1\n", ".github/workflows/ci.yml": "jobs:\n  lint:\n    steps:\n    - run: pylint src\n"}),
        RepoExample({"README.md": "# docs\n"}, note="no Python code"),
    ]

    @classmethod
    def remedy(cls, findings: list[Finding], plan: Plan) -> None:
        """The template's pre-commit configuration: ruff, nbstripout and mllint on every commit."""
        plan.add(Piece("pre-commit: ruff, nbstripout and mllint on every commit", (cls.code,),
                       {".pre-commit-config.yaml": plan.template_file(".pre-commit-config.yaml")},
                       notes=["`pip install pre-commit && pre-commit install`; `pre-commit run --all-files` once"]))

    def check(self, repo):
        if not any(facts.path.endswith(".py") for facts in repo.code_facts()):
            return
        if self._configured(repo):
            return
        yield RepoFinding(
            "no Python linter is configured: looked for ruff.toml/.ruff.toml, .flake8, .pylintrc, [tool.ruff]/[tool.pylint] "
            "in pyproject.toml, [flake8]/[pylint] in setup.cfg or tox.ini, and ruff/flake8/pylint in pre-commit or CI; "
            "add [tool.ruff] to pyproject.toml and run `ruff check` in pre-commit and CI",
            path=None,
            evidence=["ruff.toml", "pyproject.toml [tool.ruff]", ".flake8", ".pylintrc", ".pre-commit-config.yaml"],
        )

    def _configured(self, repo) -> bool:
        table = repo.knowledge.get("linters", {})
        files = set(table.get("files", ()))
        tools = set(table.get("pyproject_tools", ()))
        sections = {s.lower() for s in table.get("ini_sections", ())}
        commands = [re.escape(word) for word in table.get("commands", ()) if word]
        words = re.compile(r"(?<![\w-])(" + "|".join(commands) + r")(?![\w-])") if commands else None
        candidates: list[Path] = []
        for rel in repo.files:
            name = relpath.name(rel)
            if name in files:
                return True
            if name in ("pyproject.toml", "setup.cfg", "tox.ini") or name in RUNNER_FILES or rel.startswith(RUNNER_FOLDERS):
                candidates.append(repo.root / rel)
        for folder in repo.vcs.ancestors_to_git_root()[1:]:
            if any(repo.is_file(folder / name) for name in files):
                return True
            candidates += [folder / name for name in ("pyproject.toml", "setup.cfg", "tox.ini", *RUNNER_FILES)]
            workflows = folder / ".github" / "workflows"
            candidates += [workflows / name for name in repo.listdir(workflows) if fnmatch.fnmatchcase(name, "*.y*ml")][:50]
        for path in candidates:
            text = repo.path_text(path, limit=999_999)
            if not text:
                continue
            if path.name == "pyproject.toml":
                try:
                    tool = toml_loads(text).get("tool", {})
                except TomlError:
                    tool = {}
                if isinstance(tool, dict) and tools & set(tool):
                    return True
            elif path.name in ("setup.cfg", "tox.ini") and self._ini_has(text, sections):
                return True
            if words is not None and path.name not in ("pyproject.toml", "setup.cfg") and words.search(INSTALL.sub(" ", text)):
                return True
        return False

    @staticmethod
    def _ini_has(text: str, sections: set[str]) -> bool:
        parser = configparser.RawConfigParser(strict=False, interpolation=None)
        try:
            parser.read_string(text)
        except configparser.Error:
            return any(f"[{s}]" in text.lower() for s in sections)
        return any(section.lower() in sections or section.lower().startswith("pylint.") for section in parser.sections())
