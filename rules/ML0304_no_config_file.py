"""ML0304 no-config-file: training code exists, but no configuration file drives it."""

from __future__ import annotations

from pathlib import PurePosixPath

from mllint.catalogue.remedy import Piece, Plan
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.core import relpath
from mllint.core.findings import Finding
from mllint.repo.mlcode import calls_any, imports_any

TRAIN = "from sklearn.ensemble import RandomForestClassifier\nm = RandomForestClassifier()\nm.fit([[0]], [0])\n"
#: YAML/JSON files that configure tools, not the training.
TOOL_FILES = {
    ".pre-commit-config.yaml", ".pre-commit-config.yml", "docker-compose.yml", "docker-compose.yaml", "environment.yml",
    "environment.yaml", "mkdocs.yml", "mkdocs.yaml", ".readthedocs.yaml", ".readthedocs.yml", "codecov.yml",
    ".codecov.yml", "package.json", "package-lock.json", "tsconfig.json", "dvc.yaml", "dvc.lock", ".gitlab-ci.yml",
    "azure-pipelines.yml", "bitbucket-pipelines.yml", ".travis.yml", "appveyor.yml", "netlify.toml", "vercel.json",
    "pyproject.toml", "setup.cfg", "tox.ini", ".flake8", ".pylintrc", "ruff.toml", ".ruff.toml", "mypy.ini",
    "pytest.ini", ".coveragerc", "conda.yaml", "conda.yml", "renovate.json", ".bumpversion.cfg", "Pipfile",
    "launch.json", "settings.json", "extensions.json", "devcontainer.json", ".markdownlint.json", ".prettierrc.json",
    "citation.cff", "CITATION.cff", "dependabot.yml", "labeler.yml", "release-drafter.yml", "mlc_config.json",
}
TOOL_FOLDERS = {".github", ".gitlab", ".circleci", ".vscode", ".devcontainer", ".idea", "node_modules", "docs", ".dvc", "tests", "test"}
GENERIC_LOADERS = ("yaml.", "json.", "toml.", "tomllib.", "tomli.", "configparser.")
#: Python modules that hold the configuration (config.py with constants counts: precision first).
CONFIG_MODULES = {"config", "configs", "cfg", "conf", "settings", "params", "parameters", "hparams", "hyperparams",
                  "hyperparameters", "defaults", "default_config", "train_config", "configuration", "options", "opts"}
CONFIG_SUFFIXES = (".yaml", ".yml", ".toml", ".json", ".ini", ".cfg")


def config_files(repo) -> list[str]:
    """Files that look like training/experiment configuration (params.yaml, conf/, config*.yaml, *.gin...)."""
    table = repo.knowledge.get("config_files", {})
    names = set(table.get("names", ()))
    prefixes = tuple(p.lower() for p in table.get("prefixes", ()))
    suffixes = tuple(table.get("suffixes", ()))
    folders = set(table.get("folders", ()))
    always = tuple(table.get("always_suffixes", ()))
    found = []
    for rel in repo.files:
        file_name, in_folders = relpath.name(rel), relpath.folders(rel)
        if file_name in TOOL_FILES or any(part in TOOL_FOLDERS for part in in_folders):
            continue
        lower = file_name.lower()
        in_config_folder = any(part.lower() in folders for part in in_folders)
        if file_name in names or lower.endswith(always) or (
                lower.endswith(suffixes) and (lower.startswith(prefixes) or in_config_folder)):
            found.append(rel)
    return found


def config_loading(repo) -> list[str]:
    """Code evidence of a configuration system (Hydra, OmegaConf, gin, ...) or of loading a config file."""
    table = repo.knowledge.get("config_loaders", {})
    found = []
    generic = []
    for facts in repo.source_facts():
        if any(part in TOOL_FOLDERS for part in PurePosixPath(facts.path).parts[:-1]):
            continue  # docs/conf.py is Sphinx's configuration, tests/config.py a fixture
        found += imports_any(facts.imports, table.get("imports", ()))[:1]
        loaders = calls_any(facts.calls, table.get("calls", ()))
        found += [c for c in loaders if not c.startswith(GENERIC_LOADERS)][:1]
        generic += loaders
        if PurePosixPath(facts.path).stem.lower() in CONFIG_MODULES or any(
                part.lower() in ("config", "configs", "conf") for part in PurePosixPath(facts.path).parts[:-1]):
            found.append(facts.path)
    if generic and not found:  # yaml.safe_load(...) with a non-tool YAML/JSON/TOML file in the tree
        for rel in repo.files:
            file_name = relpath.name(rel)
            if file_name.lower().endswith(CONFIG_SUFFIXES) and file_name not in TOOL_FILES and not any(
                    part in TOOL_FOLDERS or part.startswith("data") for part in relpath.folders(rel)):
                found.append(rel)
                break
    return found


def _config_reference(value: str, names: set[str]) -> bool:
    """A literal relative path to a configuration file the knowledge names (``params.yaml``, ``conf/params.yaml``)."""
    if not value or "{" in value or "%" in value or value.startswith(("/", "~", "http")) or " " in value:
        return False
    return PurePosixPath(value).name in names


class NoConfigFile(RepoRule):
    code = "ML0304"
    name = "no-config-file"
    factor = 3
    severity = "warning"
    summary = "Training code exists, but no configuration file (params.yaml, conf/, config.yaml, Hydra, gin) drives it."
    why = """
        Factor 3 (descriptive training and preprocessing): the parameters of a run (data paths,
        split, hyperparameters, seeds) belong in a versioned configuration file that the training
        reads, so that a run is described by code + config + data, and two runs can be compared by
        diffing their configs. Defaults buried in `argparse` calls are not a configuration file.
    """
    how_to_fix = """
        Put the parameters in `params.yaml` (or `conf/config.yaml` with Hydra/OmegaConf) and load it
        in the training script (`params = yaml.safe_load(open("params.yaml"))`); with DVC declare
        it as `params:` of the stage so changes trigger a re-run. Also reported: a params file the
        code reads (a loader, `open` in a reading mode, `read_text()`, a helper named like a reader)
        that the repository does not contain; a name the code only writes (a run's saved parameters)
        or hands to another API (an uploaded asset's name) is not a read.
    """
    violating = [
        RepoExample({"train.py": "import yaml\nfrom sklearn.linear_model import LogisticRegression\n"
                                 "params = yaml.safe_load(open('params.yaml'))\nLogisticRegression(C=params['C']).fit(X, y)\n"},
                    note="the code reads params.yaml, which is not in the repository"),
        RepoExample({"train.py": TRAIN}),
        RepoExample({"train.py": "import json\nimport yaml\n" + TRAIN + "cfg = json.load(open('config.json'))\n"
                                 "with open('hparams.yaml') as f:\n    hparams = yaml.safe_load(f)\n",
                     "config.json": "{\"lr\": 0.1}\n"},
                    note="a configuration exists, but the hparams.yaml the code opens for reading is not committed"),
        RepoExample({"train.py": "import argparse\n" + TRAIN + "p = argparse.ArgumentParser()\np.add_argument('--lr', default=0.1)\n"},
                    note="argparse defaults alone"),
        RepoExample({"src/train.py": TRAIN, ".github/workflows/ci.yml": "on: push\n", ".pre-commit-config.yaml": "repos: []\n"},
                    note="tool configuration is not training configuration"),
        RepoExample({"model.py": "import torch\nopt = torch.optim.SGD([], lr=0.1)\nloss = torch.zeros(1)\nloss.backward()\nnet = None\n"
                     "def fit(m):\n    m.fit()\n"}, note="a training loop without configuration"),
        RepoExample({"train.py": TRAIN, "docs/conf.py": "project = 'x'\nextensions = []\n"}, note="Sphinx's docs/conf.py"),
        RepoExample({"train.py": "import fire\nfrom sklearn.ensemble import RandomForestClassifier\n\n\ndef train(n_estimators: int = 100):\n    RandomForestClassifier(n_estimators=n_estimators).fit([[0]], [0])\n\n\nfire.Fire(train)\n"}, note="fire CLI defaults, like argparse defaults"),
    ]
    compliant = [
        RepoExample({"train.py": "import yaml\n" + TRAIN, "params.yaml": "train:\n  n_estimators: 100\n"}),
        RepoExample({"train.py": "import hydra\n" + TRAIN}),
        RepoExample({"train.py": TRAIN, "configs/experiment/baseline.yaml": "lr: 0.1\n"}),
        RepoExample({"src/utils.py": "import pandas as pd\n"}, note="no training code"),
        RepoExample({"train.py": "from omegaconf import OmegaConf\n" + TRAIN}),
        RepoExample({"train.py": TRAIN, "config.json": "{\"lr\": 0.1}\n"}),
        RepoExample({"train.py": "import json\nimport os\nimport yaml\n" + TRAIN + "cfg = json.load(open('config.json'))\n"
                                 "with open(os.path.join(cfg['out'], 'params.yaml'), 'w') as f:\n    yaml.safe_dump(cfg, f)\n"
                                 "experiment.log_asset_data(cfg, name='hyperparameters.json')\n",
                     "config.json": "{\"out\": \"runs\"}\n"},
                    note="params.yaml and hyperparameters.json are written (the run's record, an uploaded asset), not read"),
    ]

    @classmethod
    def remedy(cls, findings: list[Finding], plan: Plan) -> None:
        """A params.yaml and a loader module in the project's package (or at the root)."""
        project = plan.project
        package_dir = next((d for d in (f"src/{project.package}", project.package)
                            if (project.root / d / "__init__.py").is_file()), None)
        loader = f"{package_dir}/params.py" if package_dir else "params.py"
        module = f"{project.package}.params" if package_dir else "params"
        depth = loader.count("/")
        parents = f"parents[{depth}] " if depth else "parent "
        plan.add(Piece("params.yaml and a small loader", (cls.code,), {
            "params.yaml": plan.snippet("params.yaml.j2", loader=loader),
            loader: plan.snippet("params.py.j2", module=module, parents=parents),
        }, notes=[*plan.need("pyyaml"), f"read the parameters with `from {module} import load_params` in the training code; "
                  "`mllint check --fix --unsafe-fixes` then seeds random calls from params[\"seed\"]"]))

    def check(self, repo):
        training = repo.ml.training
        if not training:
            return
        yield from self._missing(repo)
        if config_files(repo) or config_loading(repo):
            return
        path = repo.ml.main_training_file()
        yield RepoFinding(
            f"{path} trains a model but no configuration file drives it: looked for params.yaml, config.{{yaml,yml,toml,json}}, "
            "conf/ or configs/ folders, *.gin files and Hydra/OmegaConf/gin/ml_collections in the code; put the run's "
            "parameters in params.yaml and load it in the training script",
            path=path,
            evidence=["params.yaml", "config.yaml", "conf/", "hydra", "omegaconf"],
        )

    def _missing(self, repo):
        """Code that reads a configuration file the repository does not contain (not committed, or renamed)."""
        names = set(repo.knowledge.get("config_files", {}).get("names", ()))
        present = {relpath.name(rel) for rel in repo.files}
        reported: set[str] = set()
        for facts in repo.source_facts():
            if any(part in TOOL_FOLDERS for part in PurePosixPath(facts.path).parts[:-1]):
                continue
            for value in facts.params.reads if facts.params is not None else ():
                name = PurePosixPath(value).name
                if name in reported or not _config_reference(value, names) or name in present:
                    continue
                folder = PurePosixPath(facts.path).parent
                if repo.exists(value) or repo.exists(str(folder / value)):
                    continue  # on disk (ignored by git, or generated): found
                reported.add(name)
                yield RepoFinding(
                    f"{facts.path} reads {value!r}, but the repository has no {name}: the run's configuration is not "
                    f"committed (or was renamed); commit {name} next to the code that reads it",
                    path=facts.path,
                    evidence=[value],
                )
