"""ML0501 no-tests: the repository has code but no tests."""

from __future__ import annotations

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.repo.mlcode import test_like_facts

TEST_DEF_PREFIXES = ("test", "Test")
TORCH_TRAIN = ("import torch\n\n\ndef train(model, loader, epochs):\n    opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
               "    for _ in range(epochs):\n        for x, y in loader:\n            opt.zero_grad()\n"
               "            loss = torch.nn.functional.cross_entropy(model(x), y)\n            loss.backward()\n            opt.step()\n")
#: An evaluation command line named test.py (victoresque/pytorch-template): no test functions, no test framework.
EVAL_SCRIPT = ("import argparse\nimport torch\n\n\ndef main(config):\n    model = torch.load(config.resume)\n    model.eval()\n"
               "    total = 0\n    with torch.no_grad():\n        for x, y in config.loader:\n"
               "            total += (model(x).argmax(1) == y).sum().item()\n    print(total)\n\n\n"
               "if __name__ == '__main__':\n    parser = argparse.ArgumentParser()\n    parser.add_argument('-r', '--resume')\n"
               "    main(parser.parse_args())\n")


class NoTests(RepoRule):
    code = "ML0501"
    name = "no-tests"
    factor = 5
    severity = "error"
    summary = "The repository has Python code but no test files with test functions."
    why = """
        Factor 5 (tests of code and model): without tests, a change to preprocessing or training
        silently changes the model. Tests are what lets a team refactor, upgrade libraries and
        retrain with confidence, and they are the cheapest guard against training/serving skew.
    """
    how_to_fix = """
        Add a `tests/` folder with pytest tests (`tests/test_features.py` with `def test_...`),
        starting with the preprocessing functions and a model smoke test, and run them in CI.
    """
    violating = [
        RepoExample({"train.py": "import sklearn\n", "requirements.txt": "scikit-learn==1.5.0\n"}),
        RepoExample({"src/model.py": "def fit():\n    pass\n", "tests/__init__.py": ""}, note="an empty tests package"),
        RepoExample({"train.py": "x = 1\n", "tests/helpers.py": "def make_data():\n    return []\n"}, note="helpers but no test functions"),
        RepoExample({"pipeline.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
                     "prep.py": "def clean(df):\n    return df\n"}, git=False, note="not a git repository"),
        RepoExample({"train.py": TORCH_TRAIN, "test.py": EVAL_SCRIPT}, note="test.py is an evaluation script, not a test"),
    ]
    compliant = [
        RepoExample({"tools/release.py": "x = 1\n", "features/steps/cli_steps.py": "from behave import given\n\n@given('a project')\n"
                     "def step_impl(context):\n    pass\n", "features/new.feature": "Feature: new\n"},
                    note="behave BDD step files are tests"),
        RepoExample({"train.py": "x = 1\n", "tests/test_train.py": "def test_x():\n    assert True\n"}),
        RepoExample({"src/pkg/model.py": "x = 1\n", "src/pkg/model_test.py": "def test_model():\n    pass\n"}),
        RepoExample({"train.py": "x = 1\n", "test/test_data.py": "import unittest\nclass TestData(unittest.TestCase):\n    pass\n"}),
        RepoExample({"README.md": "# docs only\n"}, note="no Python code: nothing to test"),
        RepoExample({"train.py": TORCH_TRAIN, "test.py": "import unittest\n\n\nclass ModelCase(unittest.TestCase):\n"
                     "    def test_shape(self):\n        pass\n"}, note="a unittest module named test.py"),
        RepoExample({"app/models.py": "x = 1\n", "app/tests.py": "def test_model():\n    assert True\n"},
                    note="a Django-style tests.py with test functions"),
    ]

    def check(self, repo):
        sources = repo.source_facts()
        if not sources:
            return
        for facts in repo.test_facts():
            if any(name.startswith(TEST_DEF_PREFIXES) for name, _kind, _line in facts.defs):
                return
        if len(test_like_facts(repo)) > len(repo.test_facts()):
            return  # BDD step files (behave) or tests.py modules
        yield RepoFinding(
            f"no tests found for {len(sources)} code file(s): looked for test_*.py / *_test.py files or a tests/ folder "
            "with test functions or Test classes; add pytest tests (e.g. tests/test_features.py) and run them in CI",
            path=None,
            evidence=["test_*.py", "*_test.py", "tests/"],
        )
