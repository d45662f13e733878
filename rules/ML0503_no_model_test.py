"""ML0503 no-model-test: no test exercises training, prediction or evaluation code, or loads a model."""

from __future__ import annotations

import re

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.repo.mlcode import calls_any, dotted, test_like_facts

TRAIN = "from sklearn.linear_model import LogisticRegression\n\n\ndef train(X, y):\n    return LogisticRegression().fit(X, y)\n"
FEATURE_TEST = "from features import scale\n\n\ndef test_scale():\n    assert scale(2) == 1\n"
TORCH_TRAIN = ("import torch\n\n\ndef train(model, loader):\n    opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
               "    for x, y in loader:\n        opt.zero_grad()\n        torch.nn.functional.mse_loss(model(x), y).backward()\n"
               "        opt.step()\n    torch.save(model, 'model.pt')\n")
#: An evaluation command line named test.py (victoresque/pytorch-template): it loads a model but tests nothing.
EVAL_SCRIPT = ("import argparse\nimport torch\n\n\ndef main(config):\n    model = torch.load(config.resume)\n    model.eval()\n"
               "    with torch.no_grad():\n        print(sum(float((model(x) - y).abs().sum()) for x, y in config.loader))\n\n\n"
               "if __name__ == '__main__':\n    parser = argparse.ArgumentParser()\n    parser.add_argument('-r', '--resume')\n"
               "    main(parser.parse_args())\n")


class NoModelTest(RepoRule):
    code = "ML0503"
    name = "no-model-test"
    factor = 5
    severity = "warning"
    summary = "No test exercises the training, prediction or evaluation code, or loads a model."
    why = """
        Factor 5 (testing): data tests alone do not show that the model can be trained,
        saved, loaded and asked for a prediction. A small smoke test (fit on ten rows, predict, check the
        output shape and a sanity metric) catches broken training code and incompatible model files
        before they reach production.
    """
    how_to_fix = """
        Add a model test, e.g. `tests/test_model.py`: train on a tiny synthetic dataset (or load the
        persisted model), call `predict`, and assert on the output shape and a minimum score; for a
        service, call the prediction endpoint with FastAPI's `TestClient`.
    """
    violating = [
        RepoExample({"train.py": "from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression().fit(X, y)\n",
                     "tests/test_features.py": "import numpy as np\nfrom sklearn.preprocessing import FunctionTransformer\n\n"
                                               "def test_log_transform():\n    t = FunctionTransformer(np.log1p).fit(np.ones((2, 2)))\n"
                                               "    assert t.transform(np.zeros((1, 2))).sum() == 0\n"},
                    note="a test that fits a FunctionTransformer tests preprocessing, not the model"),
        RepoExample({"train.py": TRAIN}, note="no tests at all"),
        RepoExample({"train.py": TRAIN, "features.py": "def scale(x):\n    return x / 2\n", "tests/test_features.py": FEATURE_TEST},
                    note="only the features are tested"),
        RepoExample({"notebooks/train.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
                     '"source": ["import torch\\n", "model = torch.nn.Linear(2, 1)\\n", "model.train()\\n"]}], "metadata": {}, '
                     '"nbformat": 4, "nbformat_minor": 5}',
                     "tests/test_utils.py": "from utils import slug\n\n\ndef test_slug():\n    assert slug('A b') == 'a-b'\n",
                     "utils.py": "def slug(s):\n    return s.lower().replace(' ', '-')\n"}, note="training in a notebook, tests of utilities"),
        RepoExample({"app.py": "import joblib\nfrom fastapi import FastAPI\napp = FastAPI()\nmodel = joblib.load('m.pkl')\n",
                     "tests/test_config.py": "import json\n\n\ndef test_config():\n    assert json.loads('{}') == {}\n"},
                    note="a service that loads a model, tests of something else"),
        RepoExample({"src/train.py": "from sklearn.linear_model import LogisticRegression\n\n\ndef main():\n    LogisticRegression().fit([[0], [1]], [0, 1])\n",
                     "test_environment.py": "import sys\n\n\ndef main():\n    assert sys.version_info.major == 3\n\n\nmain()\n"},
                    note="a test file that calls its own main(), not the model's"),
        RepoExample({"train.py": TORCH_TRAIN, "test.py": EVAL_SCRIPT}, note="test.py is an evaluation script, not a test"),
    ]
    compliant = [
        RepoExample({"train.py": TRAIN, "tests/test_train.py": "from train import train\n\n\ndef test_fits():\n    assert train([[0], [1]], [0, 1])\n"}),
        RepoExample({"src/model.py": TRAIN, "tests/test_smoke.py": "import joblib\n\n\ndef test_loads():\n    assert joblib.load('m.pkl')\n"},
                    note="the test loads the persisted model"),
        RepoExample({"app.py": "import joblib\nfrom fastapi import FastAPI\napp = FastAPI()\nmodel = joblib.load('m.pkl')\n",
                     "tests/test_api.py": "from fastapi.testclient import TestClient\nfrom app import app\n\n\n"
                                          "def test_predict():\n    assert TestClient(app).post('/predict').status_code == 200\n"},
                    note="the prediction endpoint is tested"),
        RepoExample({"utils.py": "def slug(s):\n    return s.lower()\n", "tests/test_utils.py": "def test_x():\n    pass\n"},
                    note="no model code at all"),
        RepoExample({"pkg/trainer.py": TRAIN, "pkg/trainer_test.py": "from pkg import trainer\n\n\ndef test_it():\n    assert trainer.train\n"},
                    note="the test references the training module's definitions"),
        RepoExample({"train.py": TORCH_TRAIN, "test.py": "import unittest\n\nimport torch\n\n\nclass ModelCase(unittest.TestCase):\n"
                     "    def test_loads(self):\n        self.assertIsNotNone(torch.load('model.pt'))\n"},
                    note="a unittest module named test.py that loads the model"),
    ]

    def check(self, repo):
        profile = repo.ml
        knowledge = repo.knowledge.get("model_tests", {})
        model_code = [role for role in profile.roles
                      if not role.test and not role.peripheral and (role.trains or role.loads_model)]
        model_code += [role for role in repo.serving if role.path not in {r.path for r in model_code}]
        if not model_code:
            return
        tests = test_like_facts(repo)
        model_files = {role.path for role in model_code}
        module_words = knowledge.get("module_words", [])
        for facts in repo.source_facts():
            stem = facts.path.rsplit("/", 1)[-1].lower()
            if not facts.notebook and any(word in stem for word in module_words):
                model_files.add(facts.path)
        model_defs = {name for facts in repo.source_facts() if facts.path in model_files for name, _k, _l in facts.defs}
        name_words = re.compile("|".join(re.escape(w) for w in knowledge.get("name_words", [])) or "$^", re.IGNORECASE)
        patterns = [*knowledge.get("calls", []), *knowledge.get("methods", [])]
        suffixes, stems = _module_suffixes([path for path in model_files if not path.endswith(".ipynb")])
        transformer_calls = knowledge.get("transformer_calls", [])
        fit_methods = set(knowledge.get("fit_methods", []))
        for facts in tests:
            found = calls_any(facts.calls, patterns)
            if found and calls_any(facts.calls, transformer_calls) and set(found) <= fit_methods:
                found = []  # fits of the test's own scalers/transformers: a preprocessing test
            if found:
                return
            if any(name_words.search(name) for name, _kind, _line in facts.defs):
                return
            own = {name for name, _kind, _line in facts.defs}  # its own main() is not the model's
            if (model_defs - own) & set(facts.names):
                return
            if _imports_any_of(facts, suffixes, stems):
                return
            if any(s.startswith("/") and name_words.search(s) for s in facts.strings):
                return
        main = profile.main_training_file() or model_code[0].path
        looked = f"{len(tests)} test file(s)" if tests else "test files (there are none)"
        yield RepoFinding(
            f"no test exercises the model code (e.g. {main}): looked in {looked} for a call to fit/predict/evaluate, "
            "a model load (joblib.load, torch.load, from_pretrained, ...), a TestClient call or a reference to the "
            "training/prediction modules; add tests/test_model.py that trains on a tiny dataset or loads the model and "
            "checks a prediction",
            path=main, evidence=sorted(model_files)[:5],
        )


def _module_suffixes(paths: list[str]) -> tuple[set[str], set[str]]:
    """Every dotted suffix of the modules' names (``src.pkg.train`` -> ``src.pkg.train``, ``pkg.train``,
    ``train``) and their last names, for set lookups instead of a scan per test file."""
    suffixes: set[str] = set()
    stems: set[str] = set()
    for path in paths:
        parts = dotted(path).split(".")
        stems.add(parts[-1])
        suffixes.update(".".join(parts[i:]) for i in range(len(parts)))
    return suffixes, stems


def _imports_any_of(facts, suffixes: set[str], stems: set[str]) -> bool:
    """Whether a test imports one of the modules (``import pkg.train``, ``from pkg import train``)."""
    names = set(facts.names) & stems
    for module in facts.imports:
        module = module.lstrip(".")
        if module in suffixes or any(f"{module}.{name}" in suffixes for name in names):
            return True
    return False
