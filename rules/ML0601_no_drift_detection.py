"""ML0601 no-drift-detection: a model is trained or served but nothing detects data or prediction drift."""

from __future__ import annotations

from mllint.catalogue.remedy import DRIFT_SCRIPT, Piece, Plan
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.core.findings import Finding
from mllint.repo.mlcode import config_mentions

TRAIN = "from sklearn.linear_model import LogisticRegression\nimport joblib\n\nm = LogisticRegression().fit([[0], [1]], [0, 1])\njoblib.dump(m, 'm.pkl')\n"


class NoDriftDetection(RepoRule):
    code = "ML0601"
    name = "no-drift-detection"
    factor = 6
    severity = "info"
    summary = "A model is trained or served, but nothing detects data or prediction drift."
    why = """
        Factor 6 (drift and continuous training): the world a model was trained on moves. Without a
        drift check comparing live or recent data with the training reference, accuracy decays silently
        and nobody knows when to retrain.
    """
    how_to_fix = """
        Add a drift check that compares recent inputs/predictions with the training data, e.g.
        `monitoring/drift.py` using Evidently (`Report(metrics=[DataDriftPreset()])`), whylogs,
        alibi-detect or NannyML, or a Kolmogorov-Smirnov test (`scipy.stats.ks_2samp`) per feature, and
        run it on a schedule.
    """
    violating = [
        RepoExample({"train.py": "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)\n",
                     "src/config.py": "from pydantic import BaseModel\n\nclass DriftParams(BaseModel):\n    threshold: float = 0.1\n"},
                    note="a settings class named for drift declares a threshold; nothing checks drift"),
        RepoExample({"train.py": TRAIN}),
        RepoExample({"src/train.py": TRAIN, "src/serve.py": "from fastapi import FastAPI\nimport joblib\napp = FastAPI()\nmodel = joblib.load('m.pkl')\n"}),
        RepoExample({"train.py": TRAIN, "stats.py": "from scipy.stats import ks_2samp\n\ndef compare(a, b):\n    return ks_2samp(a, b)\n"},
                    note="a KS test outside any monitoring/drift module is not a drift check"),
        RepoExample({"train.py": TRAIN, "requirements.txt": "scikit-learn==1.5.0\njoblib==1.4.2\n"}),
    ]
    compliant = [
        RepoExample({"train.py": TRAIN, "monitoring/drift.py": "from evidently.report import Report\n"}),
        RepoExample({"train.py": TRAIN, "monitor.py": "from scipy.stats import ks_2samp\n\ndef drifted(a, b):\n    return ks_2samp(a, b).pvalue < 0.01\n"},
                    note="a statistical test in a monitoring module"),
        RepoExample({"train.py": TRAIN, "requirements.txt": "scikit-learn==1.5.0\nnannyml==0.10.0\n"},
                    note="a drift library declared (used from a config or a job)"),
        RepoExample({"utils.py": "def add(a, b):\n    return a + b\n"}, note="no model at all"),
    ]

    @classmethod
    def remedy(cls, findings: list[Finding], plan: Plan) -> None:
        """A drift-check script: a two-sample test per numeric column, exit 1 on drift."""
        script = DRIFT_SCRIPT
        plan.add(Piece("drift-check script (KS test per numeric column)", (cls.code,),
                       {script: plan.snippet("drift.py.j2", path=script)},
                       notes=[*plan.need("pandas", "scipy"),
                              f"run it on the training data and recent inputs: `python {script} REFERENCE.csv CURRENT.csv`"]))

    def check(self, repo):
        profile = repo.ml
        training = profile.training
        if not training and not repo.serving:
            return
        if profile.where("drift"):
            return
        knowledge = repo.knowledge.get("drift_detection", {})
        if config_mentions(repo, knowledge.get("config_words", [])):
            return
        path = repo.serving[0].path if repo.serving else profile.main_training_file()
        yield RepoFinding(
            "nothing detects data or prediction drift: looked for evidently, whylogs, alibi-detect, nannyml, deepchecks, "
            "TFDV or river drift detectors in the code and dependencies, and for statistical tests (ks_2samp, "
            "wasserstein_distance, ...) in a monitoring/drift module; add e.g. monitoring/drift.py comparing recent data "
            "with the training reference (Evidently DataDriftPreset or scipy.stats.ks_2samp) and run it on a schedule",
            path=path, evidence=[role.path for role in training[:3]] + [s.path for s in repo.serving[:2]],
        )
