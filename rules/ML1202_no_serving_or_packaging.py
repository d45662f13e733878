"""ML1202 no-serving-or-packaging: a model is trained but nothing serves or packages it for deployment."""

from __future__ import annotations

from mllint.catalogue.remedy import SERVING_PORTS as PORTS
from mllint.catalogue.remedy import Piece, Plan, module_of
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.repo.serving import find_dockerfiles, find_packaging, served_from_sibling

SERVER = "import joblib\nfrom flask import Flask\n\napp = Flask(__name__)\nmodel = joblib.load('artifacts/m.pkl')\n"
TRAIN = "from sklearn.linear_model import LogisticRegression\nimport joblib\n\nm = LogisticRegression().fit([[0], [1]], [0, 1])\njoblib.dump(m, 'm.pkl')\n"


class NoServingOrPackaging(RepoRule):
    code = "ML1202"
    name = "no-serving-or-packaging"
    factor = 12
    severity = "info"
    summary = "A model is trained, but there is no Dockerfile, serving app, model packaging or package build."
    why = """
        Factor 12 (deployable artifacts): a model is only useful once something can run it
        elsewhere. A container image, a serving app or a packaged model (BentoML, MLflow pyfunc,
        TorchServe archive, a Python package) makes deployment repeatable instead of a manual copy.
        In a monorepo, serving code in a sibling folder counts when it loads a model file this
        project writes (by name) or imports this project's package.
    """
    how_to_fix = """
        Add a way to ship the model: a `Dockerfile` running a FastAPI/Flask app that loads it, a BentoML
        service (`bentofile.yaml`), an MLflow model (`mlflow.pyfunc.log_model`), a TorchServe archive, or a
        package build (`[build-system]` in pyproject.toml) with a predict entry point.
    """
    violating = [
        RepoExample({"train.py": TRAIN}),
        RepoExample({"train.py": TRAIN, "requirements.txt": "scikit-learn==1.5.0\n"}),
        RepoExample({"src/train.py": TRAIN, "pyproject.toml": "[tool.ruff]\nline-length = 100\n"},
                    note="a pyproject.toml with tool settings only is not a package build"),
        RepoExample({"notebooks/train.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
                     '"source": ["import xgboost as xgb\\n", "booster = xgb.train({}, None)\\n"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'}),
        RepoExample({"churn/requirements.txt": "scikit-learn==1.5.0\n", "churn/train.py": TRAIN,
                     "fraud/requirements.txt": "scikit-learn==1.5.0\nflask==3.0.0\n", "fraud/train.py": TRAIN, "fraud/app.py": SERVER},
                    note="monorepo: the sibling's app loads the m.pkl its own training writes, not churn/'s"),
    ]
    compliant = [
        RepoExample({"train.py": TRAIN, "Dockerfile": "FROM python:3.11-slim\nCOPY . .\nCMD python serve.py\n"}),
        RepoExample({"train.py": TRAIN, "app.py": "import joblib\nfrom fastapi import FastAPI\napp = FastAPI()\nmodel = joblib.load('m.pkl')\n"}),
        RepoExample({"train.py": TRAIN, "pyproject.toml": "[project]\nname = 'churn'\nversion = '0.1.0'\n"}),
        RepoExample({"train.py": TRAIN, "bentofile.yaml": "service: 'service:svc'\n"}),
        RepoExample({"train.py": TRAIN, "model-service.yaml": "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\n"
                     "metadata:\n  name: churn\nspec:\n  predictor:\n    sklearn:\n      storageUri: gs://models/churn\n"},
                    note="a KServe InferenceService serves the model"),
        RepoExample({"utils.py": "def f():\n    return 1\n"}, note="nothing is trained"),
        RepoExample({"model/requirements.txt": "scikit-learn==1.5.0\n", "model/train.py": TRAIN,
                     "server/requirements.txt": "flask==3.0.0\n", "server/app.py": SERVER},
                    note="monorepo: the Flask app in the sibling folder serves the model file this project writes"),
    ]

    @classmethod
    def recommend(cls, plan: Plan) -> None:
        """A Dockerfile for a detected Flask/FastAPI app when the repository has none (no finding needed)."""
        project = plan.project
        if not project.serving or find_dockerfiles(plan.repo):
            return
        path, framework, app = project.serving[0]
        requirements = (project.root / "requirements.txt").is_file()
        if not requirements and "python -m pip install -e ." not in project.install:
            if project.manifest != "your dependency manifest":  # e.g. a conda environment: not a pip install
                plan.instruct(f"Dockerfile for {path}: install the dependencies of {project.manifest} in the image "
                              f"(for a conda environment, start from a micromamba image and "
                              f"`micromamba install -y -n base -f {project.manifest}`)")
            else:
                plan.instruct(f"Dockerfile for {path}: declare the dependencies first (ML0201)")
            return
        module = module_of(path)
        values = {"path": path, "framework": framework, "app": app, "module": module, "port": PORTS[framework],
                  "requirements": requirements}
        notes = ["the image copies the working tree: create the model file (run training or `dvc pull`) before `docker build`",
                 *plan.need("uvicorn" if framework == "fastapi" else "flask")]
        if framework == "flask":
            notes.append(f"Flask's own server is for development: use gunicorn (`gunicorn -b 0.0.0.0:5000 {module}:{app}`) "
                         "in production")
        plan.add(Piece(f"Dockerfile serving {path}", (), {"Dockerfile": plan.snippet("Dockerfile.j2", **values),
                                                          ".dockerignore": plan.snippet("dockerignore.j2")}, notes=notes))

    def check(self, repo):
        profile = repo.ml
        if not profile.training:
            return
        if find_packaging(repo) or served_from_sibling(repo):
            return
        yield RepoFinding(
            "the trained model has no way to be deployed: looked for a Dockerfile, a serving app (FastAPI, Flask, BentoML, "
            "Streamlit, Gradio, ...), model packaging (bentofile.yaml, MLmodel/MLproject, TorchServe .mar, cog.yaml) and "
            "a package build (pyproject.toml [build-system]/[project], setup.py); add e.g. a Dockerfile that runs a "
            "FastAPI app loading the model",
            path=None, evidence=[role.path for role in profile.training[:5]],
        )
