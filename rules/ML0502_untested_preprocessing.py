"""ML0502 untested-preprocessing: a public function or class of preprocessing/feature code that no test references."""

from __future__ import annotations

import re

from pydantic import Field

from mllint.repo.mlcode import PREPROCESSING_PATTERN, module_matches, test_like_facts
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule, RuleOptions

MAX_FINDINGS = 200

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

    module_pattern: str = Field(PREPROCESSING_PATTERN, description="Regex searched in every folder and file name (lower-cased, without suffix).")
    ignore_names: list[str] = Field(default_factory=lambda: ["main", "cli", "run", "parse_args", "get_args"],
                                    description="Definition names never reported (entry points).")


class UntestedPreprocessing(RepoRule):
    code = "ML0502"
    name = "untested-preprocessing"
    factor = 5
    severity = "warning"
    summary = "A public function or class in preprocessing/feature code is referenced by no test."
    why = """
        Factor 5 (testing): preprocessing is where silent bugs live — a wrong join, a
        leaked target, a unit change — and it runs twice, in training and in serving. A test that calls
        each feature function pins its behaviour, so a refactor or a library upgrade cannot change the
        model's inputs unnoticed.
    """
    how_to_fix = """
        Add a test that imports and calls the definition, e.g. `tests/test_features.py` with
        `from features import add_ratio` and an assertion on a tiny DataFrame. Which modules count as
        preprocessing is the `module-pattern` option of `[tool.mllint.options.untested-preprocessing]`.
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
    ]

    def check(self, repo):
        options = self.options
        try:
            pattern = re.compile(options.module_pattern)
        except re.error:
            pattern = re.compile(PREPROCESSING_PATTERN)
        ignored = set(options.ignore_names)
        referenced: set[str] = set()
        dotted_refs: set[str] = set()
        for facts in test_like_facts(repo):
            referenced.update(facts.names)
            dotted_refs.update(s.rsplit(".", 1)[-1] for s in facts.strings if "." in s and " " not in s)
        tests = len(test_like_facts(repo))
        reported = skipped = 0
        peripheral = {role.path for role in repo.ml.roles if role.peripheral}
        for facts in repo.source_facts():
            if facts.notebook or facts.path in peripheral or not module_matches(facts.path, pattern):
                continue
            for name, kind, line in facts.defs:
                if name in ignored or name in referenced or name in dotted_refs:
                    continue
                if reported >= MAX_FINDINGS:
                    skipped += 1
                    continue
                reported += 1
                where = f"none of the {tests} test file(s)" if tests else "no test file (there are none)"
                yield RepoFinding(
                    f"{kind} `{name}` in preprocessing module {facts.path} is referenced by {where}: looked for "
                    f"an import or use of `{name}` in test_*.py / *_test.py / tests/; add a test that calls it "
                    f"(e.g. tests/test_{facts.path.rsplit('/', 1)[-1].rsplit('.', 1)[0]}.py)",
                    path=facts.path, line=line, evidence=[f"{facts.path}:{line} {name}"],
                )
        if skipped:
            yield RepoFinding(f"{skipped} more untested preprocessing definition(s) not listed (the list stops at "
                              f"{MAX_FINDINGS}); add tests for the ones above first", path=None)
