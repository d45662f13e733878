"""ML0602 no-continuous-training: a model is trained but no schedule or trigger retrains it."""

from __future__ import annotations

import re

from mllint.catalogue.remedy import DRIFT_SCRIPT, Piece, Plan
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.core.findings import Finding
from mllint.repo.ci import orchestrator_schedules, training_in_ci

TRAIN = "from sklearn.linear_model import LogisticRegression\nimport joblib\n\nm = LogisticRegression().fit([[0], [1]], [0, 1])\njoblib.dump(m, 'm.pkl')\n"
TEST_CI = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pytest\n"
SCHEDULED = ("name: retrain\non:\n  schedule:\n    - cron: '0 3 * * 1'\njobs:\n  retrain:\n    runs-on: ubuntu-latest\n"
             "    steps:\n      - uses: actions/checkout@v4\n      - run: python train.py\n")


class NoContinuousTraining(RepoRule):
    code = "ML0602"
    name = "no-continuous-training"
    factor = 6
    severity = "info"
    summary = "A model is trained, but no schedule or trigger retrains it."
    why = """
        Factor 6 (drift and continuous training): a model trained once by hand ages with its data. A
        scheduled or triggered retraining job (CI cron, orchestrator schedule, retraining on data
        changes) keeps it current and proves the pipeline still runs end to end.
    """
    how_to_fix = """
        Schedule the pipeline: a GitHub workflow with `on: schedule: - cron: ...` running
        `dvc repro` or `python train.py`, a CI job that retrains when data changes, or an orchestrator
        schedule (Airflow DAG `schedule=`, Dagster `ScheduleDefinition`, Prefect deployment cron,
        Kubernetes `CronJob`).
    """
    violating = [
        RepoExample({"train.py": TRAIN}),
        RepoExample({"train.py": TRAIN, ".github/workflows/ci.yml": TEST_CI}, note="CI runs the tests only"),
        RepoExample({"train.py": TRAIN, ".github/workflows/stale.yml":
                     "on:\n  schedule:\n    - cron: '0 0 * * *'\njobs:\n  stale:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/stale@v9\n"},
                    note="a scheduled workflow that does not train"),
        RepoExample({"src/model/train.py": TRAIN, ".gitlab-ci.yml": "test:\n  script:\n    - pytest\n"}),
    ]
    compliant = [
        RepoExample({"train.py": TRAIN, ".github/workflows/retrain.yml": SCHEDULED}),
        RepoExample({"train.py": TRAIN, "dags/retrain.py": "from airflow import DAG\n\nwith DAG('retrain', schedule='@weekly'):\n    pass\n"},
                    note="an Airflow DAG"),
        RepoExample({"train.py": TRAIN, ".github/workflows/cml.yml":
                     "on:\n  push:\n    paths: ['data/**']\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: dvc repro\n"},
                    note="retraining triggered by data changes"),
        RepoExample({"train.py": TRAIN, "k8s/retrain.yaml": "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: retrain\n"},
                    note="a Kubernetes CronJob"),
        RepoExample({"utils.py": "def f():\n    return 1\n"}, note="nothing is trained"),
    ]

    @classmethod
    def remedy(cls, findings: list[Finding], plan: Plan) -> None:
        """A scheduled GitHub workflow that retrains, gated on the drift check when there is one."""
        project = plan.project
        command = _train_command(plan)
        if command is None:
            plan.instruct(f"{cls.code}: no training entry point found to schedule: add a scheduled job running your training", cls.code)
        elif not project.github_ok:
            plan.instruct(f"{cls.code}: add a scheduled job to your CI ({project.ci}) running `{command}`", cls.code)
        else:
            drift = DRIFT_SCRIPT if plan.planned(DRIFT_SCRIPT) else None
            plan.add(Piece("scheduled retraining workflow (weekly, drift-gated when configured)", (cls.code,),
                           {".github/workflows/retrain.yml": plan.snippet("retrain.yml.j2", install=project.install,
                                                                          train_command=command, drift_script=drift)},
                           notes=["set the repository variables REFERENCE_DATA and CURRENT_DATA to gate retraining on drift"]
                           if drift else []))

    def check(self, repo):
        if not repo.ml.training:
            return
        if training_in_ci(repo.ci_configs, repo) or orchestrator_schedules(repo):
            return
        systems = sorted({config.path for config in repo.ci_configs})
        seen = f" (CI files seen: {', '.join(systems[:4])})" if systems else ""
        yield RepoFinding(
            "nothing retrains the model on a schedule or trigger: looked for scheduled CI jobs (`on: schedule` cron) or CI "
            "jobs running training (python train.py, dvc repro, kedro run), orchestrator schedules (Airflow, Dagster, "
            f"Prefect, ZenML, Kubeflow) and Kubernetes CronJobs{seen}; add e.g. .github/workflows/retrain.yml with a "
            "`schedule:` cron that runs the training pipeline",
            path=repo.ml.main_training_file(), evidence=systems[:5],
        )


def _train_command(plan: Plan) -> str | None:
    """How the repository retrains: ``dvc repro``, ``make train``, or its main training script."""
    root = plan.project.root
    if (root / "dvc.yaml").is_file():
        return "dvc repro"
    makefile = root / "Makefile"
    if makefile.is_file() and re.search(r"^train\s*:", makefile.read_text("utf-8", "replace"), re.M):
        return "make train"
    main = plan.repo.ml.main_training_file() if plan.project.training else None
    if main and main.endswith(".py"):
        return f"python {main}"
    return None
