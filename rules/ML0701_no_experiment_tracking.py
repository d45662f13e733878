"""ML0701 no-experiment-tracking: models are trained but no experiment tracker records the runs."""

from __future__ import annotations

import posixpath

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.repo.mlcode import config_mentions

TRAIN = "from sklearn.linear_model import LogisticRegression\nimport joblib\n\nm = LogisticRegression().fit([[0], [1]], [0, 1])\njoblib.dump(m, 'm.pkl')\n"


class NoExperimentTracking(RepoRule):
    code = "ML0701"
    name = "no-experiment-tracking"
    factor = 7
    severity = "warning"
    summary = "Models are trained, but no experiment tracker records parameters, metrics and artifacts."
    why = """
        Factor 7 (tracking of results): without a record of which code, data and parameters produced
        which metrics, results cannot be compared or reproduced, and the model in production cannot be
        traced back to the run that made it.
    """
    how_to_fix = """
        Log every training run with a tracker: MLflow (`mlflow.start_run()`, `mlflow.log_params`,
        `mlflow.log_metrics`, `mlflow.sklearn.log_model`), Weights & Biases, Neptune, Comet, Aim, ClearML,
        DVCLive or TensorBoard; or declare DVC metrics in `dvc.yaml`.
    """
    violating = [
        RepoExample({"train.py": "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)\n",
                     "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    metrics:\n    - metrics.json:\n        cache: false\n"},
                    note="a metrics file declared in dvc.yaml that no code writes"),
        RepoExample({"train.py": TRAIN}),
        RepoExample({"src/train.py": "import torch\n\nmodel = torch.nn.Linear(2, 1)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
                     "model.train()\nloss = model(torch.ones(2)).sum()\nloss.backward()\n", "requirements.txt": "torch==2.3.0\n"}),
        RepoExample({"notebooks/model.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
                     '"source": ["import xgboost as xgb\\n", "booster = xgb.train({}, None)\\n"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'},
                    note="training in a notebook"),
        RepoExample({"train.py": TRAIN, "log.py": "import logging\nlogging.basicConfig()\n"}, note="plain logging is not tracking"),
    ]
    compliant = [
        RepoExample({"train.py": TRAIN + "import mlflow\nmlflow.log_metric('acc', 1.0)\n"}),
        RepoExample({"train.py": TRAIN, "tracking.py": "import wandb\n\ndef start():\n    return wandb.init(project='x')\n"}),
        RepoExample({"train.py": "import lightning as L\n\ntrainer = L.Trainer(max_epochs=1)\ntrainer.fit(None)\n"},
                    note="Lightning's Trainer logs to its default logger"),
        RepoExample({"train.py": TRAIN, "configs/logger/wandb.yaml": "_target_: lightning.pytorch.loggers.WandbLogger\n"},
                    note="a tracker wired through a Hydra config"),
        RepoExample({"train.py": TRAIN + "import json\njson.dump({'acc': 1.0}, open('metrics.json', 'w'))\n",
                     "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    metrics:\n      - metrics.json\n"},
                    note="DVC metrics that the training script writes"),
    ]

    def check(self, repo):
        profile = repo.ml
        if not profile.training:
            return
        if profile.where("tracks"):
            return
        knowledge = repo.knowledge.get("experiment_trackers", {})
        files = set(knowledge.get("files", []))
        for rel in repo.files:
            name = rel.rsplit("/", 1)[-1]
            if name in files and (name != "dvc.yaml" or _dvc_tracks(repo, rel)):
                return
        if config_mentions(repo, knowledge.get("config_words", [])):
            return
        yield RepoFinding(
            "models are trained but no experiment tracker records the runs: looked for MLflow, Weights & Biases, Neptune, "
            "Comet, Aim, ClearML, DVCLive, TensorBoard or Sacred in the code, configs and dependencies, and for DVC "
            "metrics in dvc.yaml; log parameters, metrics and the model of each run (e.g. mlflow.start_run() with "
            "mlflow.log_params / mlflow.log_metrics in this script)",
            path=profile.main_training_file(), evidence=[role.path for role in profile.training[:5]],
        )


def _dvc_tracks(repo, rel: str) -> bool:
    """dvc.yaml tracks runs when a stage declares metrics or plots that something writes: the file exists
    (committed, `cache: false`) or a code file names it. A declaration alone records nothing."""
    text = repo.read_text(rel) or ""
    if "dvclive" in text:
        return True
    declared = []
    for stage in repo.vcs.dvc_stages(rel).values():
        if isinstance(stage, dict):
            for key in ("metrics", "plots"):
                for item in stage.get(key) or []:
                    declared.extend([item] if isinstance(item, str) else list(item) if isinstance(item, dict) else [])
    names = {posixpath.basename(str(path)) for path in declared if path}
    if not names:
        return False
    if any(posixpath.basename(f) in names for f in repo.files):
        return True
    return any(posixpath.basename(s) in names for facts in repo.source_facts() for s in facts.strings)
