"""ML0203 undeclared-dependency: a third-party module the code imports is declared in no manifest."""

from __future__ import annotations

import re
import sys
from pathlib import PurePosixPath

from mllint.repo.manifests import candidate_distributions, normalize
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule

#: Files whose imports are tooling or optional extras, not the project's runtime (build scripts, docs,
#: examples and benchmarks of a library).
TOOLING = re.compile(r"(^|/)(setup|noxfile|tasks|fabfile|dodo|conftest|manage)\.py$|(^|/)(docs?|examples?|benchmarks?)/")
PIP_INSTALL = re.compile(r"\b(?:pip3?|uv pip|conda|mamba|micromamba|poetry|pipenv)\s+(?:install|add)\b([^\n&|;]*)")


def local_modules(repo) -> set[str]:
    """Top-level names importable from the repository itself: every module file and package folder."""
    names: set[str] = set()
    for rel in repo.files:
        path = PurePosixPath(rel)
        names.update(part for part in path.parts[:-1] if part.isidentifier())  # packages, vendored folders
        if path.suffix in (".py", ".pyx", ".pyi", ".so", ".pyd"):
            names.add(path.name.split(".", 1)[0])
    gitmodules = repo.read_text(".gitmodules") or ""
    names.update(PurePosixPath(m).name.replace("-", "_") for m in re.findall(r"^\s*path\s*=\s*(\S+)", gitmodules, re.MULTILINE))
    return names


def installed_elsewhere(repo) -> set[str]:
    """Names installed by Dockerfiles, shell scripts and notebook cells (``pip install x``): declared too."""
    names: set[str] = set()
    for rel in repo.files:
        name = PurePosixPath(rel).name
        if not (name.startswith("Dockerfile") or name.endswith((".Dockerfile", ".sh", ".cfg", ".ini", ".ipynb")) or name in ("Makefile", "tox.ini")):
            continue
        text = repo.read_text(rel, limit=500_000) or ""
        for match in PIP_INSTALL.finditer(text.replace("\\\n", " ")):
            for token in match.group(1).split():
                token = token.strip("'\"")
                if token.startswith("-") or "/" in token or not token:
                    continue
                found = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", token)
                if found:
                    names.add(normalize(found.group(0)))
    return names



def _dotted_prefix_in(module: str, names: set[str]) -> bool:
    """``any(module.startswith(n + ".") for n in names)`` with one set lookup per dot of ``module``."""
    cut = module.find(".")
    while cut != -1:
        if module[:cut] in names:
            return True
        cut = module.find(".", cut + 1)
    return False

class UndeclaredDependency(RepoRule):
    code = "ML0203"
    name = "undeclared-dependency"
    factor = 2
    severity = "warning"
    summary = "The code imports a third-party package that no dependency manifest declares."
    why = """
        Factor 2 (explicit feature dependencies): a package that works only because it happens to
        be installed on the author's machine breaks the first fresh install, CI run or Docker
        build, and its version is whatever pip picks that day.
    """
    how_to_fix = """
        Add the distribution to the manifest (`requirements.txt`, `[project] dependencies`, the
        conda `environment.yml`), pinned or locked. The import name and the distribution name can
        differ (`sklearn` is `scikit-learn`, `cv2` is `opencv-python`, `yaml` is `PyYAML`); extend
        `[tool.mllint.knowledge.import_distributions]` for a mapping mllint does not know.
    """
    violating = [
        RepoExample({"requirements.txt": "pandas==2.2.2\n", "train.py": "import pandas as pd\nimport sklearn\n"}),
        RepoExample({"pyproject.toml": "[project]\nname = 'x'\ndependencies = ['numpy']\n", "src/x/io.py": "import cv2\nimport numpy\n"}),
        RepoExample({"requirements.txt": "numpy==1.26.4\n", "eda.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, '
                     '"outputs": [], "execution_count": null, "source": ["import seaborn as sns"]}], "metadata": {}, '
                     '"nbformat": 4, "nbformat_minor": 5}'}, note="an import in a notebook"),
        RepoExample({"environment.yml": "dependencies:\n  - numpy=1.26\n", "serve.py": "from fastapi import FastAPI\n"}),
        RepoExample({"requirements.txt": "torch==2.3.0\n", "train.py": "from PIL import Image\nimport torch\n"}),
    ]
    compliant = [
        RepoExample({"requirements.txt": "scikit-learn==1.5.0\nopencv-python==4.9.0.80\nPyYAML==6.0\nPillow==10.0\n",
                     "train.py": "import sklearn\nimport cv2\nimport yaml\nfrom PIL import Image\nimport os, json\n"},
                    note="import names that differ from distribution names"),
        RepoExample({"requirements.txt": "numpy==1.26.4\n", "train.py": "import numpy\nfrom utils import helpers\nfrom . import x\n",
                     "utils/helpers.py": "x = 1\n"}, note="local modules and relative imports"),
        RepoExample({"requirements.txt": "numpy==1.26.4\n", "train.py": "try:\n    import ujson as json\nexcept ImportError:\n    import json\n"},
                    note="optional imports"),
        RepoExample({"train.py": "import sklearn\n"}, note="no manifest at all: ML0201 reports that"),
        RepoExample({"pyproject.toml": "[project]\nname = 'x'\ndependencies = []\n[project.optional-dependencies]\nml = ['torch==2.3']\n",
                     "src/x/m.py": "import torch\n", "tests/test_m.py": "import pytest\n"}, note="an extra declares it; tests are not checked"),
        RepoExample({"requirements.txt": "numpy==1.26.4\n", "Dockerfile": "FROM python:3.11\nRUN pip install --no-cache-dir mlflow==2.14\n",
                     "train.py": "import mlflow\nimport numpy\n"}, note="installed by the Dockerfile"),
        RepoExample({"requirements.txt": "git+https://github.com/huggingface/peft.git\nhydra-core==1.3.2\n",
                     "train.py": "import peft\nfrom omegaconf import DictConfig\n"},
                    note="a VCS requirement is named after its repository; hydra-core brings omegaconf"),
    ]

    def check(self, repo):
        manifests = repo.manifests
        if not manifests.parsed or manifests.has_dynamic:
            return
        knowledge = repo.knowledge
        declared = manifests.declared | installed_elsewhere(repo)
        provided = knowledge.get("provided_modules", {})
        stdlib = set(sys.stdlib_module_names) | set(provided.get("stdlib_extra", ()))
        environment = set(provided.get("names", ()))
        local = local_modules(repo)
        seen: dict[str, tuple[str, int | None, set[str]]] = {}
        files = sorted((f for f in repo.source_facts() if not TOOLING.search(f.path)), key=lambda f: (f.notebook, f.path))
        for facts in files:
            optional = set(facts.optional_imports)
            lines = facts.import_lines
            for module in facts.imports:
                if module.startswith("."):
                    continue
                top = module.split(".", 1)[0]
                if top in optional or top in stdlib or top in local or top.startswith("_") or not top.isidentifier():
                    continue
                if module in environment or top in environment or _dotted_prefix_in(module, environment):
                    continue
                line = lines.get(top) if facts.path.endswith(".py") else None
                entry = seen.setdefault(top, (facts.path, line, set()))
                entry[2].add(module)
        for top, (path, line, modules) in sorted(seen.items()):
            candidates: set[str] = set()
            provided_by_env = False
            for module in modules:
                found = candidate_distributions(module, knowledge)
                if found is None:
                    provided_by_env = True
                else:
                    candidates.update(found)
            if provided_by_env or candidates & declared:
                continue
            expected = min(candidates, key=lambda name: (name != normalize(top), len(name))) if candidates else top
            mapped = knowledge.get("import_distributions", {}).get(top)
            if mapped:
                expected = normalize(mapped[0])
            where = ", ".join(m.path for m in manifests.parsed[:3])
            yield RepoFinding(
                f"`{top}` is imported in {path} but declared in no manifest: looked for the distribution "
                f"{expected!r} (or another that provides `{top}`) in {where}; add it there, pinned",
                path=path,
                line=line,
                evidence=[m.path for m in manifests.parsed],
            )
