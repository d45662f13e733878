"""ML0502 untested-preprocessing: a public function or class of preprocessing/feature code that no test references."""

from __future__ import annotations

import re

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule, RuleOptions, option
from mllint.repo.mlcode import (
    PREPROCESSING_PATTERN,
    calls_any,
    imports_any,
    module_matches,
    test_like_facts,
)

MAX_FINDINGS = 200
MAX_NAMES = 6

FEATURES = '''\
import pandas as pd


def add_ratio(df):
    df["ratio"] = df["a"] / df["b"]
    return df


class Cleaner:
    def transform(self, df):
        return df.dropna()
'''


class Options(RuleOptions):
    """Options of ML0502 (``[tool.mllint.options.untested-preprocessing]``)."""

    module_pattern: str = option(PREPROCESSING_PATTERN, "Regex searched in every folder and file name (lower-cased, without suffix).")
    ignore_names: list[str] = option(default_factory=lambda: ["main", "cli", "run", "parse_args", "get_args"],
                                    description="Definition names never reported (entry points).")


class UntestedPreprocessing(RepoRule):
    code = "ML0502"
    name = "untested-preprocessing"
    factor = 5
    severity = "warning"
    summary = "Public functions or classes of a preprocessing/feature module are referenced by no test."
    why = """
        Factor 5 (testing): preprocessing is where silent bugs live — a wrong join, a
        leaked target, a unit change — and it runs twice, in training and in serving. A test that calls
        each feature function pins its behaviour, so a refactor or a library upgrade cannot change the
        model's inputs unnoticed.
    """
    how_to_fix = """
        Add a test that imports and calls the definition, e.g. `tests/test_features.py` with
        `from features import add_ratio` and an assertion on a tiny DataFrame. A module is
        preprocessing when its name says so (the `module-pattern` option of
        `[tool.mllint.options.untested-preprocessing]`) and its code does: it handles data with a
        data library (`preprocessing_code.data_modules` in the knowledge) or plain Python, and it
        does not build, load or train a model. One finding per module lists its untested definitions.
    """
    Options = Options
    violating = [
        RepoExample({"features.py": FEATURES, "train.py": "from features import add_ratio\n"},
                    note="no tests at all"),
        RepoExample({"src/features/build_features.py": FEATURES,
                     "tests/test_model.py": "from src.features.build_features import add_ratio\n\ndef test_ratio():\n    assert add_ratio\n"},
                    note="the class Cleaner is not referenced by the test"),
        RepoExample({"pkg/preprocessing.py": "def scale(x):\n    return x / 10\n",
                     "tests/test_other.py": "def test_scale_of_something_else():\n    assert 1 + 1 == 2\n"},
                    note="a test whose name mentions it but never references it"),
        RepoExample({"data_processing.py": "def fill_missing(df):\n    return df.fillna(0)\n",
                     "tests/test_io.py": "import data_processing\n\ndef test_module():\n    assert data_processing\n"},
                    note="importing the module alone does not test its functions"),
    ]
    compliant = [
        RepoExample({"features.py": FEATURES,
                     "tests/test_features.py": "from features import add_ratio, Cleaner\n\ndef test_all():\n    assert add_ratio and Cleaner\n"}),
        RepoExample({"src/pkg/transforms.py": "def resize(img):\n    return img\n",
                     "src/pkg/transforms_test.py": "from pkg import transforms\n\ndef test_resize():\n    assert transforms.resize(1) == 1\n"},
                    note="used as an attribute of the imported module"),
        RepoExample({"model.py": "def train():\n    pass\n", "transformer.py": "class Transformer:\n    pass\n"},
                    note="model code, and transformer.py is a model architecture, not preprocessing"),
        RepoExample({"preprocess.py": "def main():\n    pass\n\ndef _helper():\n    pass\n",
                     "tests/test_mock.py": "def test_patch(mocker):\n    mocker.patch('preprocess.load')\n"},
                    note="entry points and private helpers are not reported"),
        RepoExample({"clean.py": "def strip(s):\n    return s.strip()\n",
                     "tests/test_clean.py": "def test_strip(mocker):\n    mocker.patch('clean.strip')\n"},
                    note="referenced by a dotted string (mock.patch)"),
        RepoExample({"features/steps/run_steps.py": "from behave import given, then\n\n@given('a project')\ndef create_project(context):\n    pass\n",
                     "features/environment.py": "import behave\n\ndef before_all(context):\n    pass\n",
                     "tests/test_cli.py": "def test_cli():\n    assert True\n"},
                    note="behave step files in a features/ folder are tests, not feature code"),
        RepoExample({"clean_checkpoint.py": "import torch\n\ndef clean(path):\n    torch.save(torch.load(path)['state_dict'], path)\n",
                     "models/_features.py": "import torch\nfrom torch import nn\n\nclass FeatureHooks(nn.Module):\n"
                                            "    def __init__(self):\n        super().__init__()\n        self.proj = nn.Linear(4, 4)\n",
                     "server/batch_processing.py": "import asyncio\nimport aiohttp\n\nasync def send_batch(items):\n    return items\n",
                     "tests/test_model.py": "def test_model():\n    assert True\n"},
                    note="a checkpoint utility, a network's feature hooks and request batching: not data preprocessing"),
    ]

    def check(self, repo):
        options = self.options
        try:
            pattern = re.compile(options.module_pattern)
        except re.error:
            pattern = re.compile(PREPROCESSING_PATTERN)
        table = repo.knowledge.get("preprocessing_code", {})
        ignored = set(options.ignore_names)
        referenced: set[str] = set()
        dotted_refs: set[str] = set()
        test_files = test_like_facts(repo)  # BDD step files included
        for facts in test_files:
            referenced.update(facts.names)
            dotted_refs.update(s.rsplit(".", 1)[-1] for s in facts.strings if "." in s and " " not in s)
        tests = len(test_files)
        roles = {role.path: role for role in repo.ml.roles}
        local = {rel.split("/", 1)[0].rsplit(".", 1)[0] for rel in repo.files} | {
            rel.rsplit("/", 1)[-1].rsplit(".", 1)[0] for rel in repo.files if rel.endswith(".py")}
        reported = skipped = 0
        for facts in repo.source_facts():
            path = facts.path
            role = roles.get(path)
            if facts.notebook or (role is not None and role.peripheral) or not module_matches(path, pattern):
                continue
            if not self._handles_data(facts, role, table, local):
                continue
            untested = [(name, kind, line) for name, kind, line in facts.defs
                        if name not in ignored and name not in referenced and name not in dotted_refs]
            if not untested:
                continue
            if reported >= MAX_FINDINGS:
                skipped += 1
                continue
            reported += 1
            where = f"none of the {tests} test file(s)" if tests else "no test file (there are none)"
            names = [f"`{name}`" for name, _kind, _line in untested]
            shown = ", ".join(names[:MAX_NAMES]) + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")
            count = f"{len(untested)} public definition{'s' if len(untested) > 1 else ''}"
            yield RepoFinding(
                f"preprocessing module {path} has {count} referenced by {where} ({shown}): looked for an import "
                f"or use of each in test_*.py / *_test.py / tests/; add a test that calls them "
                f"(e.g. tests/test_{path.rsplit('/', 1)[-1].rsplit('.', 1)[0]}.py)",
                path=path, line=untested[0][2], evidence=[f"{path}:{line} {name}" for name, _kind, line in untested[:20]],
            )
        if skipped:
            yield RepoFinding(f"{skipped} more preprocessing module(s) with untested definitions not listed (the list "
                              f"stops at {MAX_FINDINGS}); add tests for the ones above first", path=None)

    @staticmethod
    def _handles_data(facts, role, table, local: set[str]) -> bool:
        """Preprocessing transforms data for a model: it uses a data library (or none at all: plain
        Python transformations), and it neither builds, loads nor trains a model (model code), nor is a
        BDD step file (a test)."""
        neutral = set(table.get("neutral_modules", [])) | local
        imports = [m for m in facts.imports if not m.startswith(".") and m.split(".", 1)[0] not in neutral]
        if imports_any(imports, table.get("test_frameworks", [])):
            return False
        if imports and not imports_any(imports, table.get("data_modules", [])):
            return False
        if role is not None and (role.trains or role.loads_model):
            return False
        return not calls_any(facts.calls, table.get("model_code_calls", []))
