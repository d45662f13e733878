"""ML0201 no-dependency-manifest: Python code, but no file that declares its dependencies."""

from __future__ import annotations

import fnmatch

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule


class NoDependencyManifest(RepoRule):
    code = "ML0201"
    name = "no-dependency-manifest"
    factor = 2
    severity = "error"
    summary = "The project has Python code but no requirements, pyproject, setup, Pipfile or conda environment file."
    why = """
        Factor 2 (explicit feature dependencies): without a manifest, the environment that trained
        the model exists only on one machine. Nobody can rebuild it, CI cannot install it, and the
        serving image gets whatever versions happen to be current.
    """
    how_to_fix = """
        Declare the dependencies: a `pyproject.toml` (`[project] dependencies`, with a lock file from
        uv/Poetry/PDM) or at least a `requirements.txt` with exact pins (`pip freeze`,
        `pip-compile`), or a conda `environment.yml`.
    """
    violating = [
        RepoExample({"train.py": "import sklearn\n"}),
        RepoExample({"src/model.py": "import torch\n", "README.md": "pip install torch\n"}),
        RepoExample({"nb.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'}, git=False),
        RepoExample({"train.py": "x = 1\n", "Dockerfile": "FROM python:3.11\nRUN pip install pandas\n"},
                    note="a Dockerfile installing packages is not a manifest"),
    ]
    compliant = [
        RepoExample({"train.py": "import sklearn\n", "requirements.txt": "scikit-learn==1.5.0\n"}),
        RepoExample({"src/model.py": "x = 1\n", "pyproject.toml": "[project]\nname = 'x'\ndependencies = []\n"}),
        RepoExample({"train.py": "x = 1\n", "environment.yml": "dependencies:\n  - numpy=1.26\n"}),
        RepoExample({"train.py": "x = 1\n", "requirements/base.txt": "numpy==1.26.4\n"}),
        RepoExample({"README.md": "# docs only\n"}, note="no Python code"),
        RepoExample({"train.py": "x = 1\n", "Pipfile": "[packages]\nnumpy = '==1.26.4'\n"}),
        RepoExample({"train.py": "x = 1\n", "envs/conda_env.yml": "dependencies:\n  - numpy=1.26\n"}, note="a conda file by another name"),
    ]

    def check(self, repo):
        if not repo.code_facts():
            return
        manifests = repo.manifests
        if manifests.manifest_files:
            return
        names = set(repo.knowledge.get("dependency_manifests", {}).get("names", ()))
        for folder in repo.vcs.ancestors_to_git_root()[1:]:
            if any(repo.is_file(folder / name) for name in names) or any(
                    fnmatch.fnmatchcase(name, "requirements*.txt") for name in repo.listdir(folder)):
                return
        yield RepoFinding(
            "no dependency manifest: looked for requirements*.txt, pyproject.toml, setup.py, setup.cfg, Pipfile and "
            "environment.yml; declare the dependencies in pyproject.toml (with a uv/Poetry lock file) or in a pinned "
            "requirements.txt",
            path=None,
            evidence=["requirements.txt", "pyproject.toml", "setup.py", "setup.cfg", "Pipfile", "environment.yml"],
        )
