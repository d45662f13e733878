"""ML0202 unpinned-dependencies: dependencies without exact versions and no lock file."""

from __future__ import annotations

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule

MAX_NAMES = 15


class UnpinnedDependencies(RepoRule):
    code = "ML0202"
    name = "unpinned-dependencies"
    factor = 2
    severity = "warning"
    summary = "Dependencies are declared without exact versions and no lock file pins them."
    why = """
        Factor 2 (explicit feature dependencies): `pandas` or `scikit-learn>=1.0` resolves to a
        different version every month. The same code then trains a different model, a pickled
        model stops loading, and a bug cannot be reproduced. A lock file (or exact pins) makes
        the environment part of the versioned experiment.
    """
    how_to_fix = """
        Keep ranges in `pyproject.toml` and commit a lock file (`uv lock`, `poetry lock`,
        `pdm lock`, `pipenv lock`, `conda-lock`), or pin every requirement exactly
        (`pip-compile requirements.in` / `pip freeze > requirements.txt`). The metadata of a
        distribution published for others (it declares PyPI classifiers) is not reported: its
        ranges are a promise to its users, and pinning them would break their installs.
    """
    violating = [
        RepoExample({"requirements.txt": "pandas\nscikit-learn>=1.0\nflask\n", "train.py": "x = 1\n"}),
        RepoExample({"pyproject.toml": "[project]\nname = 'x'\ndependencies = ['torch>=2', 'numpy']\n"}),
        RepoExample({"environment.yml": "dependencies:\n  - python=3.11\n  - numpy\n  - pip:\n    - mlflow\n"}),
        RepoExample({"requirements.txt": "-r requirements/base.txt\n", "requirements/base.txt": "numpy==1.26.4\npandas~=2.0\n"},
                    note="an unpinned line in an included file"),
        RepoExample({"pyproject.toml": "[tool.poetry]\nname = 'x'\n[tool.poetry.dependencies]\npython = '^3.10'\npandas = '^2.0'\n"},
                    note="Poetry without poetry.lock"),
        RepoExample({"requirements.txt": "numpy\npandas\n", "train.py": "import numpy, pandas\n",
                     "lab/environment.yml": "dependencies:\n  - python=3.11\n  - numpy=1.26.4\n  - pandas=2.2.2\n"},
                    note="a pinned environment file of a sub-folder pins only that folder"),
        RepoExample({"requirements.txt": "torch\n", "serving/requirements.txt": "torch==2.3.1\n", "serving/uv.lock": "version = 1\n"},
                    note="a sub-folder's lock file does not pin the root's requirements"),
    ]
    compliant = [
        RepoExample({"setup.py": "from setuptools import setup\nsetup(name='peftlike', install_requires=['torch>=1.13', 'numpy>=1.17'],\n"
                                 "      classifiers=['Intended Audience :: Developers', 'Programming Language :: Python :: 3'])\n",
                     "src/peftlike/tuner.py": "import torch\n"},
                    note="a published library (PyPI classifiers): its ranges are its compatibility promise"),
        RepoExample({"requirements.txt": "pandas==2.2.2\nscikit-learn==1.5.0\n", "setup.py": "from setuptools import setup\nsetup(install_requires=['pandas>=2'])\n"},
                    note="a fully pinned requirements file acts as the lock"),
        RepoExample({"pyproject.toml": "[project]\nname = 'x'\ndependencies = ['torch>=2']\n", "uv.lock": "version = 1\n"}),
        RepoExample({"pyproject.toml": "[tool.poetry]\nname = 'x'\n[tool.poetry.dependencies]\npandas = '^2.0'\n", "poetry.lock": "# lock\n"}),
        RepoExample({"requirements.txt": "numpy==1.26.4 \\\n    --hash=sha256:abc\n-e .\n"}, note="hashed pins and the local package"),
        RepoExample({"requirements.txt": "numpy>=1.26\n-c constraints.txt\n", "constraints.txt": "numpy==1.26.4\n"},
                    note="a constraints file pins the range"),
        RepoExample({"train.py": "x = 1\n"}, note="no manifest at all is ML0201"),
        RepoExample({"pyproject.toml": "[project]\nname = 'x'\ndependencies = ['numpy>=1.26']\n",
                     "requirements/prod.txt": "numpy==1.26.4\n"},
                    note="a pinned file in requirements/ pins the project that holds that folder"),
        RepoExample({"requirements.txt": "numpy==1.26.4\n", "app/requirements.txt": "numpy\n", "app/serve.py": "import numpy\n"},
                    note="a pinned file at the root pins the folders below it"),
    ]

    def check(self, repo):
        manifests = repo.manifests
        parsed = manifests.parsed
        if not parsed:
            return
        pinned_elsewhere = manifests.constrained
        for manifest in parsed:
            if manifest.published:
                continue  # a published distribution's ranges are its compatibility promise to its users
            if manifests.pinned_by(manifest.path):
                continue  # a lock file or a fully pinned requirements file of its folder (or above) pins it
            unpinned = [r for r in manifest.requirements if not r.pinned and r.name not in pinned_elsewhere]
            if not unpinned:
                continue
            names = sorted({r.name for r in unpinned})
            folder = f"{manifest.path.rsplit('/', 1)[0]}/ or a folder above it" if "/" in manifest.path else "the root folder"
            others = sorted(manifests.pins)  # none of them pins this manifest's folder
            lacking = "no lock file pins its folder" if others else "there is no lock file"
            elsewhere = (f" ({', '.join(others[:3])}{' and more' if len(others) > 3 else ''} "
                         f"pin{'s' if len(others) == 1 else ''} only {'its' if len(others) == 1 else 'their'} own folder)"
                         if others else "")
            shown = ", ".join(names[:MAX_NAMES]) + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")
            yield RepoFinding(
                f"{len(names)} dependenc{'y is' if len(names) == 1 else 'ies are'} not pinned exactly in {manifest.path} "
                f"({shown}) and {lacking}: looked for poetry.lock, uv.lock, Pipfile.lock, pdm.lock, "
                f"conda-lock.yml or a fully pinned requirements file in {folder}{elsewhere}; commit a lock "
                "file or pin with == (pip-compile / pip freeze)",
                path=manifest.path,
                line=min((r.line for r in unpinned if r.line), default=None),
                evidence=[manifest.path, "poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock"],
            )
