"""ML0402 no-pipeline-definition: training code exists, but no pipeline declares how to run it."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.core import relpath
from mllint.repo.mlcode import imports_any

TRAIN = "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression()\nm.fit([[0]], [0])\n"
STAGES = "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n"
MAKEFILES = ("Makefile", "makefile", "GNUmakefile", "justfile", "Justfile", ".justfile")
TARGET = re.compile(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", re.MULTILINE)
SCRIPT_WORDS = ("pipeline", "reproduce", "run_all", "run-all")


class NoPipelineDefinition(RepoRule):
    code = "ML0402"
    name = "no-pipeline-definition"
    factor = 4
    severity = "warning"
    summary = "Training code exists, but no declared pipeline (dvc.yaml, Makefile target, Kedro, Airflow, ...) runs it."
    why = """
        Factor 4 (reproducible training): when the steps from raw data to model live in someone's
        shell history or notebook order, nobody can re-run them, and nobody knows which steps a
        change invalidates. A declared pipeline names every step with its inputs, outputs and
        parameters, so `dvc repro` (or `make train`, `kedro run`) rebuilds exactly what changed.
    """
    how_to_fix = """
        Declare the pipeline: `dvc.yaml` stages (`dvc stage add -n train -d train.py -o model.pkl
        python train.py`), or a Makefile/justfile `train` target, or an orchestrator (Kedro,
        ZenML, Airflow, Prefect, Dagster, Metaflow, Kubeflow, MLproject, Snakemake).
    """
    violating = [
        RepoExample({"train.py": "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)\n",
                     "dvc.lock": "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n"},
                    note="a dvc.lock left without its dvc.yaml declares nothing"),
        RepoExample({"train.py": TRAIN}),
        RepoExample({"train.py": TRAIN, "Makefile": "lint:\n\truff check .\ntest:\n\tpytest\n"}, note="a Makefile without training"),
        RepoExample({"src/model/train.py": TRAIN, "dvc.yaml": "plots:\n  - plots.csv\n"}, note="dvc.yaml without stages"),
        RepoExample({"notebooks/train.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], '
                     '"execution_count": null, "source": ["from sklearn.svm import SVC\\n", "SVC().fit(X, y)"]}], '
                     '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}'}, note="training only in a notebook"),
    ]
    compliant = [
        RepoExample({"madewithml/train.py": "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)\n",
                     "deploy/jobs/workloads.sh": "#!/bin/bash\npytest tests/code\npython madewithml/train.py --num-epochs 10\n"
                                                "python madewithml/evaluate.py\n",
                     "deploy/jobs/workloads.yaml": "name: workloads\nentrypoint: bash deploy/jobs/workloads.sh\n"},
                    note="a run script (submitted as a cluster job) runs the training step"),
        RepoExample({"train.py": TRAIN, "dvc.yaml": STAGES}),
        RepoExample({"train.py": TRAIN, "Makefile": "train:\n\tpython train.py\n"}),
        RepoExample({"src/pkg/pipeline_registry.py": "from kedro.pipeline import Pipeline\n", "src/pkg/nodes.py": TRAIN}),
        RepoExample({"flow.py": "from metaflow import FlowSpec, step\n", "train.py": TRAIN}),
        RepoExample({"train.py": TRAIN, "MLproject": "name: x\nentry_points:\n  main:\n    command: python train.py\n"}),
        RepoExample({"utils.py": "import numpy as np\n"}, note="no training code"),
        RepoExample({"train.py": TRAIN, "tasks.py": "from invoke import task\n\n@task\ndef train(c):\n    c.run('python train.py')\n"},
                    note="an invoke task"),
    ]

    def check(self, repo):
        if not repo.ml.training:
            return
        if self._declared(repo):
            return
        path = repo.ml.main_training_file()
        yield RepoFinding(
            f"{path} trains a model but no pipeline declares how to run it: looked for dvc.yaml stages, a Makefile/justfile "
            "training target, MLproject, Snakefile and pipeline frameworks (Kedro, ZenML, Airflow, Prefect, Dagster, "
            "Metaflow, Kubeflow, Luigi, Flyte); declare the steps in dvc.yaml (`dvc stage add -n train ...`) or a "
            "`make train` target",
            path=path,
            evidence=["dvc.yaml", "Makefile", "MLproject", "Snakefile"],
        )

    @staticmethod
    def _runs_training(text: str, repo) -> bool:
        """A shell script that runs one of the training modules (`python madewithml/train.py ...`)."""
        if not text:
            return False
        for role in repo.ml.training:
            if role.notebook:
                continue
            module = role.path.removesuffix(".py")
            if role.path in text or re.search(r"python3?\s+-m\s+" + re.escape(module.replace("/", ".")) + r"\b", text):
                return True
        return False

    def _declared(self, repo) -> bool:
        table = repo.knowledge.get("pipeline_tools", {})
        files = set(table.get("files", ()))
        suffixes = tuple(table.get("suffixes", ()))
        targets = {t.lower() for t in table.get("make_targets", ())}
        recipes = tuple(table.get("make_recipes", ()))
        for rel in repo.files:
            name = relpath.name(rel)
            if name == "dvc.yaml":
                if repo.vcs.dvc_stages(rel):
                    return True
                continue
            if name in files or name.endswith(suffixes):
                return True
            if name in MAKEFILES:
                text = repo.read_text(rel) or ""
                if any(t.lower() in targets or any(w in t.lower() for w in ("train", "pipeline")) for t in TARGET.findall(text)):
                    return True
                recipe_lines = [line for line in text.splitlines() if line.startswith(("\t", "    "))]
                if any(word in line for line in recipe_lines for word in recipes):
                    return True
            if name.endswith(".sh") and any(word in name.lower() for word in SCRIPT_WORDS):
                return True
            if name.endswith(".sh") and self._runs_training(repo.read_text(rel) or "", repo):
                return True  # a run script (submitted as a job, called by CI) that runs the training step
            if name == "tasks.py" and re.search(r"@task\b[^\n]*\n\s*def\s+\w*(train|pipeline)", repo.read_text(rel) or ""):
                return True  # an invoke task that trains
        for facts in repo.code_facts():
            if imports_any(facts.imports, table.get("imports", ())):
                return True
            stem = PurePosixPath(facts.path).stem.lower()
            if not facts.test and not facts.notebook and ("pipeline" in stem or stem in ("dodo", "run_all", "reproduce")):
                return True
        return False
