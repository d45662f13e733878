"""ML1001 no-metrics-file: evaluation computes metrics but writes none in a machine-readable form."""

from __future__ import annotations

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.core.facts import FileFacts
from mllint.core.patterns import PathPatterns
from mllint.repo.mlcode import calls_any, config_mentions, entry_point, stem_words

EVAL_PRINT = ("from sklearn.metrics import accuracy_score\n\n\ndef evaluate(y, pred):\n"
              "    print('accuracy', accuracy_score(y, pred))\n")
ZENML_STEP = ("from sklearn.linear_model import LogisticRegression\nfrom sklearn.metrics import accuracy_score\nfrom zenml import step\n\n\n"
              "@step\ndef train(x, y):\n    model = LogisticRegression().fit(x, y)\n    accuracy = accuracy_score(y, model.predict(x))\n"
              "    print(accuracy)\n    return {returned}\n")
EVAL_JSON = ("import json\nfrom sklearn.metrics import accuracy_score\n\n\ndef evaluate(y, pred):\n"
             "    with open('metrics.json', 'w') as f:\n        json.dump({'accuracy': accuracy_score(y, pred)}, f)\n")


class NoMetricsFile(RepoRule):
    code = "ML1001"
    name = "no-metrics-file"
    factor = 10
    severity = "warning"
    summary = "Evaluation computes metrics but writes none in a machine-readable form (file or tracker)."
    why = """
        Factor 10 (comparable runs): metrics printed to a console are lost with it. A metrics
        file (or tracker record) per run lets CI compare a new model with the current one, DVC show
        `metrics diff`, and a human see how the model evolved.
    """
    how_to_fix = """
        Write the evaluation results to a file such as `metrics.json` (`json.dump({...}, f)`) and declare it
        in `dvc.yaml` under `metrics:`, or log them with a tracker (`mlflow.log_metrics`, `wandb.log`,
        `dvclive.Live().log_metric`).
    """
    violating = [
        RepoExample({"evaluate.py": EVAL_PRINT}),
        RepoExample({"src/train.py": "import torchmetrics\n\nacc = torchmetrics.Accuracy(task='binary')\nprint(acc.compute())\n"}),
        RepoExample({"train.py": EVAL_PRINT, "save_config.py": "import json\n\n\ndef save(config):\n    json.dump(config, open('config.json', 'w'))\n"},
                    note="a JSON dump of something else"),
        RepoExample({"notebooks/eval.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
                     '"source": ["from sklearn.metrics import f1_score\\n", "f1_score([1], [1])\\n"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'},
                    note="metrics computed in a notebook, shown only as output"),
        RepoExample({"train.py": EVAL_PRINT, "predict.py": "import pandas as pd\n\n\ndef predict(model, df):\n"
                     "    df['y'] = model.predict(df)\n    df.to_csv('reports/submission.csv')\n"},
                    note="predictions written to reports/ are not metrics"),
        RepoExample({"steps/train.py": ZENML_STEP.format(returned="model")},
                    note="a pipeline step that returns only the model: its metrics are printed"),
        RepoExample({"evaluate.py": "import optuna\nfrom optuna.integration import LightGBMPruningCallback\nfrom sklearn.metrics import f1_score\n\n\n"
                     "def objective(trial):\n    return f1_score([1], [1])\n\n\nif __name__ == '__main__':\n    "
                     "optuna.create_study().optimize(objective, callbacks=[LightGBMPruningCallback(None, 'f1')])\n"},
                    note="a pruning callback stops bad trials; it records no metric"),
    ]
    compliant = [
        RepoExample({"evaluate.py": EVAL_JSON}),
        RepoExample({"train.py": EVAL_PRINT + "\nimport mlflow\nmlflow.log_metric('accuracy', 1.0)\n"}),
        RepoExample({"train.py": EVAL_PRINT, "dvc.yaml": "stages:\n  eval:\n    cmd: python train.py\n    metrics:\n      - scores.json\n"},
                    note="DVC metrics declared"),
        RepoExample({"train.py": EVAL_PRINT, "reports/metrics.json": '{"accuracy": 0.9}\n'}, note="a committed metrics file"),
        RepoExample({"utils.py": "def f():\n    return 1\n"}, note="no evaluation"),
        RepoExample({"steps/evaluate.py": "from sklearn.metrics import accuracy_score\nfrom zenml import log_metadata, step\n\n\n"
                     "@step\ndef evaluate(y, pred):\n    log_metadata(metadata={'accuracy': accuracy_score(y, pred)})\n"},
                    note="metrics stored with the run by the pipeline framework (ZenML)"),
        RepoExample({"evaluate.py": "import optuna\nfrom optuna_integration.comet import CometCallback\nfrom sklearn.metrics import f1_score\n\n\n"
                     "def objective(trial):\n    return f1_score([1], [1])\n\n\nif __name__ == '__main__':\n    "
                     "optuna.create_study().optimize(objective, callbacks=[CometCallback(optuna.create_study())])\n"},
                    note="every trial's score logged by a study callback"),
        RepoExample({"steps/train.py": ZENML_STEP.format(returned="model, {'accuracy': accuracy}")},
                    note="a pipeline step returning its metrics: ZenML stores them as an artifact of the run"),
    ]

    def check(self, repo):
        profile = repo.ml
        evaluating = profile.where("computes_metrics", core=True)
        if not profile.training:  # without training, only evaluation scripts count (not a metrics library)
            evaluating = [role for role in evaluating
                          if "eval" in stem_words(role.path) or entry_point(repo.facts.get(role.path) or FileFacts.empty(role.path))]
        if not evaluating:
            return
        knowledge = repo.knowledge.get("metrics_writers", {})
        dumps = knowledge.get("dumps", [])

        def records(role) -> bool:
            """A tracker call, or a file dump by code that computes metrics, trains or evaluates (not
            ``reports/submission.csv`` written by a prediction script)."""
            if set(role.writes_metrics) - set(calls_any(role.writes_metrics, dumps)):
                return True
            return bool(role.computes_metrics or role.trains or "eval" in stem_words(role.path))

        if any(records(role) for role in profile.where("writes_metrics")) or profile.where("tracks"):
            return
        if config_mentions(repo, knowledge.get("config_words", [])):
            return
        metric_files = PathPatterns(knowledge.get("file_globs", []))
        for rel in repo.files:
            name = rel.rsplit("/", 1)[-1].lower()
            if metric_files(name):
                return
            if name in ("dvc.yaml", "mlproject") and "metrics" in (repo.read_text(rel) or ""):
                return
        evaluating.sort(key=lambda role: (role.notebook, role.path))
        main = evaluating[0]
        yield RepoFinding(
            f"metrics are computed ({main.path}: {', '.join(main.computes_metrics[:2])}) but never written in a machine-"
            "readable form: looked for json/yaml/csv dumps to a metrics-like path, tracker calls (mlflow.log_metrics, "
            "wandb.log, DVCLive), DVC `metrics:` and committed metrics files; write them to e.g. metrics.json and "
            "declare it in dvc.yaml, or log them with a tracker",
            path=main.path, evidence=[role.path for role in evaluating[:5]],
        )
