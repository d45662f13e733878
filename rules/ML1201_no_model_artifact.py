"""ML1201 no-model-artifact: a model is trained but never persisted."""

from __future__ import annotations

import re

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.repo.mlcode import config_mentions

MODEL_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt", ".h5", ".hdf5", ".keras", ".onnx", ".safetensors",
                  ".pb", ".tflite", ".mar", ".bst", ".cbm", ".model", ".sav", ".npz", ".npy")
MODEL_WORDS = ("model", "checkpoint", "weights", "ckpt")
FIT = "from sklearn.linear_model import LogisticRegression\n\nmodel = LogisticRegression().fit([[0], [1]], [0, 1])\n"


class NoModelArtifact(RepoRule):
    code = "ML1201"
    name = "no-model-artifact"
    factor = 12
    severity = "warning"
    summary = "A model is trained but never persisted as an artifact."
    why = """
        Factor 12 (deployable artifacts): a model that only lives in the memory of a training
        process cannot be evaluated later, compared, served or rolled back; every use means retraining,
        with no guarantee of getting the same model.
    """
    how_to_fix = """
        Save the trained model at the end of training: `joblib.dump(model, "models/model.joblib")`,
        `torch.save(model.state_dict(), ...)`, `model.save_pretrained(...)`, `model.save("model.keras")`,
        or `mlflow.sklearn.log_model(model, "model")`; version it with DVC or a model registry.
    """
    violating = [
        RepoExample({"train.py": FIT + "print(model.score([[0]], [0]))\n"}),
        RepoExample({"src/train.py": "import torch\n\nnet = torch.nn.Linear(2, 1)\nloss = net(torch.ones(2)).sum()\nloss.backward()\n"}),
        RepoExample({"notebooks/model.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
                     '"source": ["import xgboost as xgb\\n", "booster = xgb.train({}, None)\\n"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'}),
        RepoExample({"train.py": FIT + "import pickle\nblob = pickle.dumps(model)\n"}, note="pickled to memory only"),
        RepoExample({"train.py": FIT, "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    outs:\n    - models/model.pkl\n"},
                    note="a model output declared in dvc.yaml that nothing writes"),
    ]
    compliant = [
        RepoExample({"train.py": FIT + "import sys\nfrom utils import store\nstore(model, sys.argv[1])\n",
                     "dvc.yaml": "stages:\n  train:\n    cmd: python train.py models/model.pkl\n    outs:\n    - models/model.pkl\n"},
                    note="the stage's command tells the script where to write the model"),
        RepoExample({"train.py": FIT + "import joblib\njoblib.dump(model, 'model.joblib')\n"}),
        RepoExample({"train.py": "from tensorflow import keras\n\nm = keras.Sequential([])\nm.fit([0], [0])\nm.save('model.keras')\n"}),
        RepoExample({"train.py": FIT, "save.py": "import mlflow\n\n\ndef save(model):\n    mlflow.sklearn.log_model(model, 'model')\n"},
                    note="persisted by a helper module"),
        RepoExample({"train.py": "from transformers import Trainer\n\ntrainer = Trainer(model=None)\ntrainer.train()\ntrainer.save_model('out')\n"}),
        RepoExample({"utils.py": "def f():\n    return 1\n"}, note="nothing is trained"),
        RepoExample({"steps/trainer.py": "from sklearn.linear_model import LogisticRegression\nfrom zenml import step\n\n\n"
                     "@step\ndef train(X, y) -> LogisticRegression:\n    return LogisticRegression().fit(X, y)\n"},
                    note="a pipeline step's returned model is stored by the framework as an artifact (ZenML, Metaflow, Flyte)"),
    ]

    def check(self, repo):
        profile = repo.ml
        if not profile.training:
            return
        if profile.where("persists"):
            return
        for role in profile.training:
            facts = repo.facts.get(role.path)
            strings = [s.lower() for s in facts.strings] if facts else []
            if any(s.endswith(MODEL_SUFFIXES) or ("." in s.rsplit("/", 1)[-1] and any(w in s for w in MODEL_WORDS))
                   for s in strings):
                return  # the training code names a model file: written in a way we do not recognise
        if config_mentions(repo, repo.knowledge.get("model_persistence", {}).get("config_words", [])):
            return  # a checkpoint callback (Hydra, Lightning CLI) or a Kedro catalog entry configured in YAML
        if _pipeline_outputs_model(repo):
            return
        main = profile.main_training_file()
        yield RepoFinding(
            f"the model trained in {main} is never persisted: looked for joblib/pickle dump, torch.save, save_model, "
            "save_pretrained, keras model.save, mlflow.*.log_model and ONNX export in the code; save the model at the "
            "end of training (e.g. joblib.dump(model, 'models/model.joblib')) and version it",
            path=main, evidence=[role.path for role in profile.training[:5]],
        )


MODEL_PATH = re.compile(r"[\w./-]*(model|checkpoint|weights|ckpt)[\w./-]*\.(" + "|".join(
    suffix.lstrip(".") for suffix in MODEL_SUFFIXES) + r")\b|[\w./-]+\.(pkl|pickle|joblib|pt|pth|onnx|safetensors|h5|keras)\b",
    re.IGNORECASE)


def _pipeline_outputs_model(repo) -> bool:
    """A pipeline that writes a model file: a dvc.yaml stage whose model output its command is told to
    write (or that dvc.lock records as produced), an MLproject, or a Kedro catalog entry. A model path
    declared as a DVC output that nothing writes is a declaration, not an artifact."""
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if name == "dvc.lock" or name == "MLproject" or (name.startswith("catalog") and name.endswith((".yml", ".yaml"))):
            if MODEL_PATH.search(repo.read_text(rel) or ""):
                return True
        elif name == "dvc.yaml":
            for stage in repo.vcs.dvc_stages(rel).values():
                if not isinstance(stage, dict):
                    continue
                command = " ".join(stage["cmd"]) if isinstance(stage.get("cmd"), list) else str(stage.get("cmd") or "")
                outs = [item if isinstance(item, str) else next(iter(item), "") for item in stage.get("outs") or []
                        if isinstance(item, (str, dict))]
                if any(MODEL_PATH.search(out) and out in command for out in outs):
                    return True
    return False
