"""Repository rules of factors 5-12 (ML0502-ML1204) on realistic sample repositories, plus the CI,
serving and life-cycle models they read (mllint/repo/ci.py, mllint/repo/serving.py, mllint/repo/mlcode.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mllint.config.settings import ConfigError, Settings, load_settings
from mllint.engine.session import Session
from mllint.testing import git, notebook_json, write_repo

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "repos"
MY_CODES = ["ML0502", "ML0503", "ML0601", "ML0602", "ML0701", "ML0801", "ML0901", "ML1001", "ML1101", "ML1201",
            "ML1202", "ML1203", "ML1204"]


def _check(root: Path, codes=MY_CODES, **settings):
    result = Session(root, Settings(select=list(codes), **settings)).check(use_cache=False, jobs=1)
    return result.findings


def _copy_as_repo(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns(".mllint_cache", "__pycache__"))
    write_repo(root, {})
    return root


def test_notebook_only_project(tmp_path):
    findings = _check(_copy_as_repo("notebook_only", tmp_path))
    assert {f.code for f in findings} == {"ML0502", "ML0503", "ML0601", "ML0602", "ML0701", "ML0801", "ML1001",
                                          "ML1201", "ML1202", "ML1203"}
    by_code = {f.code: f for f in findings}
    assert by_code["ML0801"].path == "notebooks/02_model.ipynb"
    assert by_code["ML1001"].path == "notebooks/02_model.ipynb"
    untested = sorted((f.path, f.line) for f in findings if f.code == "ML0502")
    assert untested == [("src/preprocessing.py", 5)]  # one finding for the module, naming both definitions


def test_fastapi_service(tmp_path):
    findings = _check(_copy_as_repo("fastapi_service", tmp_path))
    assert {f.code for f in findings} == {"ML0503", "ML0601", "ML0602", "ML0901", "ML1101", "ML1204"}
    by_code = {f.code: f for f in findings}
    assert by_code["ML0901"].path == "src/churn/api.py"
    assert "churn/features.py" in by_code["ML0901"].message
    assert by_code["ML1101"].path == "src/churn/api.py"
    assert by_code["ML1204"].path == ".github/workflows/ci.yml"
    assert by_code["ML0602"].path == "src/churn/train.py"


def test_fastapi_service_fixed(tmp_path):
    """Adding what the messages ask for silences each rule."""
    root = _copy_as_repo("fastapi_service", tmp_path)
    api = root / "src/churn/api.py"
    api.write_text(api.read_text().replace("from pydantic import BaseModel\n",
                                           "from pydantic import BaseModel\nfrom prometheus_fastapi_instrumentator import Instrumentator\n\n"
                                           "from churn.features import build_features\n"))
    (root / "tests/test_api.py").write_text("from fastapi.testclient import TestClient\n\nfrom churn.api import app\n\n\n"
                                            "def test_health():\n    assert TestClient(app).get('/health').status_code == 200\n")
    (root / "src/churn/drift.py").write_text("from evidently.report import Report\n")
    workflow = root / ".github/workflows/ci.yml"
    workflow.write_text(workflow.read_text() + "  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest -q\n")
    (root / ".github/workflows/retrain.yml").write_text(
        "on:\n  schedule:\n    - cron: '0 4 * * 1'\njobs:\n  retrain:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: python -m churn.train\n")
    git(root, "add", "-A")
    assert _check(root) == []


def test_messy_example_reports_the_realistic_rules():
    findings = _check(HERE.parent / "examples" / "messy-ml-repo")
    codes = {f.code for f in findings}
    assert {"ML0502", "ML0503", "ML0601", "ML0602", "ML0701", "ML0901", "ML1001", "ML1101"} <= codes
    assert not codes & {"ML0801", "ML1201", "ML1202"}  # trained in train.py, dumped with joblib, served by Flask
    assert {f.path for f in findings if f.code in ("ML0901", "ML1101")} == {"serve.py"}


# -- ML0502 details ---------------------------------------------------------------------------------
def test_untested_preprocessing_one_finding_per_definition(make_repo):
    root = make_repo({
        "etl/load.py": "def read():\n    pass\n\n\nclass Loader:\n    pass\n\n\ndef _private():\n    pass\n",
        "tests/test_load.py": "from etl.load import read\n\n\ndef test_read():\n    read()\n",
    })
    findings = _check(root, ["ML0502"])
    assert [(f.path, f.line, f.message.split("`")[1]) for f in findings] == [("etl/load.py", 5, "Loader")]


def test_untested_preprocessing_module_pattern_option(make_repo):
    files = {"munging.py": "def tidy(df):\n    return df\n", "features.py": "def ratio(df):\n    return df\n"}
    default = _check(make_repo(files), ["ML0502"])
    assert {f.path for f in default} == {"features.py"}
    custom = _check(make_repo(files), ["ML0502"], options={"untested-preprocessing": {"module-pattern": "^munging$"}})
    assert {f.path for f in custom} == {"munging.py"}


def test_untested_preprocessing_option_is_validated(make_repo):
    root = make_repo({"features.py": "def f():\n    pass\n",
                      "mllint.toml": "[options.untested-preprocessing]\nunknown-key = 1\n"})
    with pytest.raises(ConfigError, match="unknown"):
        load_settings(root)


# -- CI model --------------------------------------------------------------------------------------
GITHUB_ON_TRUE = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          pip install .\n          python -m pytest\n"


@pytest.mark.parametrize("files, runs_checks", [
    ({".github/workflows/a.yml": GITHUB_ON_TRUE}, True),
    ({".gitlab-ci.yml": "default:\n  image: python\n.base: &base\n  script:\n    - tox -e py311\nunit:\n  <<: *base\n"}, True),
    ({"Jenkinsfile": "pipeline {\n  stages {\n    stage('lint') { steps { sh 'flake8' } }\n  }\n}\n"}, False),
    ({"Jenkinsfile": "pipeline { stages { stage('t') { steps { sh 'python -m unittest discover' } } } }\n"}, True),
    ({"azure-pipelines.yml": "steps:\n  - task: UsePythonVersion@0\n  - bash: make test\n", "Makefile": "test:\n\tpytest\n"}, True),
    ({".travis.yml": "language: python\ninstall: pip install -r requirements.txt\nscript: python -m build\n"}, False),
    ({"bitbucket-pipelines.yml": "pipelines:\n  default:\n    - step:\n        script:\n          - nox -s tests\n"}, True),
    ({".github/workflows/a.yml": "on: push\njobs:\n  t:\n    steps:\n      - uses: ./.github/actions/check\n",
      ".github/actions/check/action.yml": "runs:\n  using: composite\n  steps:\n    - run: mllint check .\n      shell: bash\n"}, True),
    ({".github/workflows/a.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: pre-commit run --all-files\n",
      ".pre-commit-config.yaml": "repos:\n  - repo: local\n    hooks:\n      - id: pytest\n        entry: pytest\n"}, True),
    ({".github/workflows/broken.yml": "on: [push\njobs: {"}, False),
    ({".github/workflows/a.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: bash scripts/ci.sh\n",
      "scripts/ci.sh": "#!/bin/sh\nset -e\npython -m pytest -q\n"}, True),
    ({".github/workflows/a.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: bash scripts/ci.sh\n",
      "scripts/ci.sh": "#!/bin/sh\nruff check .\n"}, False),
    ({".gitlab-ci.yml": "check:\n  script:\n    - make -C services/api check\n"}, True),
    ({".github/workflows/nb.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: jupyter nbconvert --to notebook --execute nb/*.ipynb\n"}, True),
    ({".github/workflows/a.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: |\n          # TODO: run pytest here\n          ruff check .\n"}, False),
])
def test_ci_commands(make_repo, files, runs_checks):
    root = make_repo({"train.py": "x = 1\n", **files})
    codes = {f.code for f in _check(root, ["ML1203", "ML1204"])}
    assert "ML1203" not in codes
    assert ("ML1204" not in codes) == runs_checks


@pytest.mark.parametrize("ci, retrains", [
    ({".gitlab-ci.yml": "retrain:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\n  script:\n    - python train.py\n"}, True),
    ({"Jenkinsfile": "pipeline {\n  triggers { cron('H 2 * * 1') }\n  stages { stage('r') { steps { sh 'make retrain' } } }\n}\n"}, True),
    ({".github/workflows/nightly.yml": "on:\n  schedule:\n    - cron: '0 0 * * *'\njobs:\n  t:\n    steps:\n      - run: pytest\n"}, False),
    ({"flows/retrain.py": "from dagster import ScheduleDefinition\n\nweekly = ScheduleDefinition(job=None, cron_schedule='0 0 * * 0')\n"}, True),
    ({"configs/scheduler/cosine.yaml": "name: cosine\nwarmup: 10\n"}, False),
    ({".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: |\n          # old OpenMP segfaults when training\n"
                                  "          brew install libomp\n"}, False),
])
def test_continuous_training_evidence(make_repo, ci, retrains):
    train = "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit([[0]], [0])\n"
    root = make_repo({"train.py": train, **ci})
    codes = {f.code for f in _check(root, ["ML0602"])}
    assert ("ML0602" not in codes) == retrains


def test_monorepo_subproject_uses_root_ci_that_names_it(tmp_path):
    root = write_repo(tmp_path / "mono", {
        "services/churn/train.py": "x = 1\n",
        "services/other/app.py": "x = 1\n",
        ".github/workflows/churn.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: cd services/churn && pytest\n",
    })
    assert _check(root / "services" / "churn", ["ML1203", "ML1204"]) == []
    assert {f.code for f in _check(root / "services" / "other", ["ML1203", "ML1204"])} == {"ML1203"}


def test_serving_detection_needs_a_model(make_repo):
    root = make_repo({
        "web/app.py": "from flask import Flask\napp = Flask(__name__)\n\n\n@app.get('/')\ndef index():\n    return 'hi'\n",
        "train.py": "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit([[0]], [0])\n",
    })
    assert _check(root, ["ML1101", "ML0901"]) == []


def test_bad_yaml_and_huge_ci_files_do_not_crash(make_repo):
    root = make_repo({"train.py": "x = 1\n", ".gitlab-ci.yml": "a: &a [*a]\n" + "x: " + "[" * 5000 + "\n",
                      ".github/workflows/x.yml": "on: push\n" + "#" * 600_000 + "\n"})
    codes = {f.code for f in _check(root, ["ML1203", "ML1204", "ML0004"])}
    assert "ML0004" not in codes and "ML1203" not in codes


def test_pydantic_models_are_not_ml_models(make_repo):
    root = make_repo({
        "api.py": "from fastapi import FastAPI\nfrom pydantic import BaseModel\n\napp = FastAPI()\n\n\nclass Item(BaseModel):\n"
                  "    name: str\n\n\n@app.post('/items', response_model=Item)\ndef create(item: Item):\n    return item.model_dump()\n",
    })
    assert _check(root, ["ML1101", "ML0503", "ML0601"]) == []


def test_library_examples_do_not_make_a_training_project(make_repo):
    fit = "from sklearn.linear_model import LogisticRegression\nprint(LogisticRegression().fit([[0]], [0]).score([[0]], [0]))\n"
    root = make_repo({"mylib/core.py": "def helper():\n    return 1\n", "examples/plot_fit.py": fit,
                      "docs/tutorial/features.py": "def f():\n    pass\n"})
    assert _check(root, ["ML0502", "ML0601", "ML0602", "ML0701", "ML1001", "ML1201", "ML1202"]) == []


def test_target_label_encoding_is_not_serving_preprocessing(make_repo):
    train = ("import joblib\nfrom sklearn.preprocessing import LabelEncoder\nfrom sklearn.svm import SVC\n\n"
             "y = LabelEncoder().fit_transform(['a', 'b'])\njoblib.dump(SVC().fit([[0], [1]], y), 'model.pkl')\n")
    serve = "import joblib\nfrom flask import Flask\n\napp = Flask(__name__)\nmodel = joblib.load('model.pkl')\n"
    assert _check(make_repo({"train.py": train, "serve.py": serve}), ["ML0901"]) == []


def test_untested_preprocessing_is_one_finding_per_module(make_repo):
    source = "".join(f"def step_{i}(df):\n    return df\n\n\n" for i in range(205))
    findings = _check(make_repo({"features.py": source, "cleaning.py": "def strip(s):\n    return s\n"}), ["ML0502"])
    assert sorted(f.path for f in findings) == ["cleaning.py", "features.py"]
    features = next(f for f in findings if f.path == "features.py")
    assert "205 public definitions" in features.message and "`step_0`" in features.message
    assert "and 199 more" in features.message and features.line == 1


ESTIMATOR = ("from sklearn.base import BaseEstimator\nfrom sklearn.linear_model import Ridge\n\n\nclass Stacked(BaseEstimator):\n"
             "    def fit(self, X, y):\n        self.base_ = Ridge().fit(X, y)\n        return self\n")


def test_estimator_library_code_is_not_a_training_project(make_repo):
    root = make_repo({"stackit/estimators.py": ESTIMATOR, "pyproject.toml": "[project]\nname = 'stackit'\nversion = '1'\n"})
    assert _check(root, ["ML0601", "ML0602", "ML0701", "ML1201"]) == []


def test_library_code_run_by_a_script_trains(make_repo):
    script = "from stackit.estimators import Stacked\n\nif __name__ == '__main__':\n    Stacked().fit([[0]], [0])\n"
    root = make_repo({"stackit/estimators.py": ESTIMATOR, "scripts/go.py": script})
    assert {f.code for f in _check(root, ["ML0701", "ML1201"])} == {"ML0701", "ML1201"}


# -- realistic layouts seen in public ML repositories ------------------------------------------------
SCENARIOS = {
"lightning_hydra": {
  "src/train.py": "import hydra\nimport lightning as L\nfrom omegaconf import DictConfig\n\n@hydra.main(config_path='../configs', config_name='train')\ndef main(cfg: DictConfig):\n    datamodule = hydra.utils.instantiate(cfg.data)\n    model = hydra.utils.instantiate(cfg.model)\n    trainer = hydra.utils.instantiate(cfg.trainer)\n    trainer.fit(model=model, datamodule=datamodule)\n    trainer.test(model=model, datamodule=datamodule)\n\nif __name__ == '__main__':\n    main()\n",
  "src/models/mnist_module.py": "import torch\nfrom lightning import LightningModule\nfrom torchmetrics import Accuracy\n\nclass MNISTLitModule(LightningModule):\n    def __init__(self, net):\n        super().__init__()\n        self.net = net\n        self.acc = Accuracy(task='multiclass', num_classes=10)\n    def training_step(self, batch, i):\n        x, y = batch\n        loss = torch.nn.functional.cross_entropy(self.net(x), y)\n        self.log('train/loss', loss)\n        return loss\n",
  "src/data/mnist_datamodule.py": "from lightning import LightningDataModule\nfrom torchvision.transforms import transforms\n\nclass MNISTDataModule(LightningDataModule):\n    pass\n",
  "configs/callbacks/default.yaml": "model_checkpoint:\n  _target_: lightning.pytorch.callbacks.ModelCheckpoint\n  save_top_k: 1\n",
  "configs/logger/wandb.yaml": "wandb:\n  _target_: lightning.pytorch.loggers.wandb.WandbLogger\n",
  "tests/test_train.py": "from src.train import main\n\ndef test_train_fast_dev_run(cfg_train):\n    main(cfg_train)\n",
  ".github/workflows/test.yml": "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest -v\n",
  "pyproject.toml": "[tool.pytest.ini_options]\naddopts = '-v'\n",
  "requirements.txt": "torch>=2.0.0\nlightning>=2.0.0\nhydra-core==1.3.2\nwandb\n",
},
"hf_finetune": {
  "run_glue.py": "from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments\nimport evaluate\n\ndef main():\n    tok = AutoTokenizer.from_pretrained('bert-base-uncased')\n    model = AutoModelForSequenceClassification.from_pretrained('bert-base-uncased')\n    metric = evaluate.load('accuracy')\n    trainer = Trainer(model=model, args=TrainingArguments('out'))\n    trainer.train()\n    trainer.save_model()\n    print(trainer.evaluate())\n\nif __name__ == '__main__':\n    main()\n",
  "requirements.txt": "transformers==4.41.0\nevaluate==0.4.2\n",
},
"kaggle_notebooks": {
  "notebooks/eda.ipynb": notebook_json(["import pandas as pd\ndf = pd.read_csv('../input/train.csv')\ndf.head()"]),
  "notebooks/lgbm.ipynb": notebook_json(["import lightgbm as lgb\nimport pandas as pd\nfrom sklearn.metrics import roc_auc_score", "m = lgb.LGBMClassifier()\nm.fit(X, y)\nprint(roc_auc_score(yv, m.predict_proba(Xv)[:, 1]))\npd.DataFrame({'id': ids, 'target': m.predict(Xt)}).to_csv('submission.csv', index=False)"]),
  "README.md": "# Kaggle\n",
},
"gradio_demo": {
  "app.py": "import gradio as gr\nfrom transformers import pipeline\n\nclf = pipeline('sentiment-analysis')\n\ndef predict(text):\n    return clf(text)[0]\n\ngr.Interface(fn=predict, inputs='text', outputs='label').launch()\n",
  "requirements.txt": "gradio\ntransformers\n",
},
"mlops_zoomcamp": {
  "orchestration/train_flow.py": "import mlflow\nimport xgboost as xgb\nfrom prefect import flow, task\nfrom sklearn.feature_extraction import DictVectorizer\nfrom sklearn.metrics import mean_squared_error\n\n@task\ndef train(X, y):\n    dv = DictVectorizer()\n    Xd = dv.fit_transform(X)\n    with mlflow.start_run():\n        booster = xgb.train({}, xgb.DMatrix(Xd, label=y))\n        mlflow.log_metric('rmse', mean_squared_error(y, booster.predict(xgb.DMatrix(Xd))))\n        mlflow.xgboost.log_model(booster, 'model')\n        mlflow.log_artifact('preprocessor.b')\n\n@flow\ndef main_flow():\n    train(None, None)\n\nif __name__ == '__main__':\n    main_flow.serve(name='nyc-taxi', cron='0 9 1 * *')\n",
  "deployment/web-service/predict.py": "import pickle\nfrom flask import Flask, request, jsonify\n\nwith open('lin_reg.bin', 'rb') as f_in:\n    (dv, model) = pickle.load(f_in)\n\ndef prepare_features(ride):\n    return {'PU_DO': '%s_%s' % (ride['PULocationID'], ride['DOLocationID'])}\n\napp = Flask('duration-prediction')\n\n@app.route('/predict', methods=['POST'])\ndef predict_endpoint():\n    features = prepare_features(request.get_json())\n    X = dv.transform(features)\n    return jsonify({'duration': float(model.predict(X)[0])})\n",
  "deployment/web-service/Dockerfile": "FROM python:3.10\n",
  "monitoring/evidently_metrics_calculation.py": "from evidently.report import Report\nfrom evidently.metrics import ColumnDriftMetric\n",
  "monitoring/config/grafana_datasources.yaml": "datasources: []\n",
  "tests/test_predict.py": "import predict\n\ndef test_prepare_features():\n    assert predict.prepare_features({'PULocationID': 1, 'DOLocationID': 2}) == {'PU_DO': '1_2'}\n",
  ".github/workflows/ci-tests.yml": "on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pipenv run pytest tests/\n",
},
}
SCENARIOS["kedro_spaceflights"] = {
    "conf/base/catalog.yml": "model_input_table:\n  type: pandas.ParquetDataset\n  filepath: data/03_primary/model_input_table.pq\n"
                             "regressor:\n  type: pickle.PickleDataset\n  filepath: data/06_models/regressor.pickle\n"
                             "metrics:\n  type: tracking.MetricsDataset\n  filepath: data/09_tracking/metrics.json\n",
    "conf/base/parameters_data_science.yml": "model_options:\n  test_size: 0.2\n  random_state: 3\n",
    "src/spaceflights/pipelines/data_processing/nodes.py":
        "import pandas as pd\n\n\ndef preprocess_companies(companies: pd.DataFrame) -> pd.DataFrame:\n    return companies\n\n\n"
        "def create_model_input_table(shuttles, companies):\n    return shuttles.merge(companies)\n",
    "src/spaceflights/pipelines/data_science/nodes.py":
        "from sklearn.linear_model import LinearRegression\nfrom sklearn.metrics import r2_score\n"
        "from sklearn.model_selection import train_test_split\n\n\ndef split_data(data, parameters):\n"
        "    return train_test_split(data, test_size=parameters['test_size'])\n\n\n"
        "def train_model(X_train, y_train):\n    regressor = LinearRegression()\n    regressor.fit(X_train, y_train)\n"
        "    return regressor\n\n\ndef evaluate_model(regressor, X_test, y_test):\n"
        "    return {'r2_score': r2_score(y_test, regressor.predict(X_test))}\n",
    "src/spaceflights/pipelines/data_science/pipeline.py":
        "from kedro.pipeline import Pipeline, node\n\nfrom .nodes import evaluate_model, split_data, train_model\n",
    "src/tests/pipelines/data_science/test_pipeline.py":
        "from spaceflights.pipelines.data_science.nodes import split_data, train_model\n\n\n"
        "def test_train_model(dummy_data):\n    assert train_model(dummy_data, dummy_data) is not None\n",
    "pyproject.toml": "[project]\nname = 'spaceflights'\nversion = '0.1'\n\n[tool.kedro]\npackage_name = 'spaceflights'\n",
}


EXPECTED = {
    "lightning_hydra": {"ML0601", "ML0602", "ML1202"},  # Lightning logs/checkpoints; wandb + ModelCheckpoint via Hydra
    "hf_finetune": {"ML0503", "ML0601", "ML0602", "ML1202", "ML1203"},  # the HF Trainer tracks, evaluates and saves
    "kaggle_notebooks": {"ML0503", "ML0601", "ML0602", "ML0701", "ML0801", "ML1001", "ML1201", "ML1202", "ML1203"},
    "gradio_demo": {"ML0503", "ML0601", "ML1101", "ML1203"},  # a pretrained pipeline served: nothing trains here
    "mlops_zoomcamp": set(),  # Prefect cron, MLflow, Evidently + Grafana, the vectorizer pickled with the model
    # the catalog persists the model and tracks metrics; data_processing nodes are untested
    "kedro_spaceflights": {"ML0502", "ML0601", "ML0602", "ML1203"},
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_realistic_layouts(tmp_path, name):
    root = write_repo(tmp_path / name, SCENARIOS[name])
    assert {f.code for f in _check(root)} == EXPECTED[name]


def test_a_metrics_library_is_not_an_evaluation(make_repo):
    library = "from sklearn.metrics import f1_score\n\n\ndef macro_f1(y, p):\n    return f1_score(y, p, average='macro')\n"
    assert _check(make_repo({"mymetrics/scores.py": library}), ["ML1001"]) == []
    script = library + "\n\nif __name__ == '__main__':\n    print(macro_f1([1], [1]))\n"
    assert {f.code for f in _check(make_repo({"evaluate.py": script}), ["ML1001"])} == {"ML1001"}


def test_django_style_tests_module_counts_as_tests(make_repo):
    root = make_repo({"shop/features.py": "def basket_size(order):\n    return len(order)\n",
                      "shop/tests.py": "from unittest import TestCase\n\nfrom shop.features import basket_size\n\n\n"
                                       "class FeatureTests(TestCase):\n    def test_size(self):\n        self.assertEqual(basket_size([1]), 1)\n"})
    assert _check(root, ["ML0502"]) == []


def test_hand_written_drift_check_counts(make_repo):
    train = "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit([[0]], [0])\n"
    psi = "import numpy as np\n\n\ndef population_stability(a, b):\n    return float(np.sum((a - b) * np.log(a / b)))\n"
    assert _check(make_repo({"train.py": train, "monitoring/drift.py": psi}), ["ML0601"]) == []
    check = "def detect_feature_drift(ref, cur):\n    return abs(ref.mean() - cur.mean()) > 0.1\n"
    assert _check(make_repo({"train.py": train, "checks.py": check}), ["ML0601"]) == []
    assert {f.code for f in _check(make_repo({"train.py": train, "stats.py": psi}), ["ML0601"])} == {"ML0601"}


STEP = ("from sklearn.metrics import accuracy_score, f1_score\nfrom {module} import {decorator}\n\n\n"
        "@{decorator}{call}\ndef evaluate(model, x, y){annotation}:\n    pred = model.predict(x)\n    accuracy = accuracy_score(y, pred)\n"
        "    print(accuracy)\n    return {returned}\n")


@pytest.mark.parametrize("module, decorator, call, annotation, returned, records", [
    ("zenml", "step", "", "", "{'accuracy': accuracy, 'f1': f1_score(y, pred)}", True),
    ("zenml", "step", "(enable_cache=False)", "", "accuracy", True),
    ("zenml", "step", "", " -> Annotated[float, 'test_auc']", "float(pred.mean())", True),
    ("zenml", "step", "", "", "f1_score(y, pred)", True),
    ("flytekit", "task", "", "", "dict(val_acc=accuracy)", True),
    ("zenml", "step", "", "", "pred", False),  # predictions are not metrics
    ("zenml", "step", "", "", "accounts", False),  # `acc` names a metric only as a whole word
    ("functools", "cache", "", "", "accuracy", False),  # not a framework that stores what a step returns
])
def test_a_pipeline_step_returning_its_metrics_records_them(make_repo, module, decorator, call, annotation, returned, records):
    source = STEP.format(module=module, decorator=decorator, call=call, annotation=annotation, returned=returned)
    if "Annotated" in source:
        source = "from typing import Annotated\n" + source
    root = make_repo({"steps/evaluate.py": source})
    assert ("ML1001" not in {f.code for f in _check(root, ["ML1001"])}) == records


def test_step_returns_are_facts_that_survive_the_cache(tmp_path):
    from mllint.core.facts import FileFacts, Returned

    root = write_repo(tmp_path / "repo", {"steps/evaluate.py": STEP.format(
        module="zenml", decorator="step", call="", annotation="", returned="{'accuracy': accuracy}, model")})
    session = Session(root, Settings(select=["ML1001"]))
    first = session.check(use_cache=True, jobs=1)
    again = Session(root, Settings(select=["ML1001"])).check(use_cache=True, jobs=1)
    assert [f.code for f in first.findings] == [f.code for f in again.findings] == []
    facts = FileFacts(path="x.py", returns=[Returned("zenml.step", "accuracy", 9)])
    assert FileFacts.from_json(facts.to_json()) == facts
    forged = facts.to_json()
    forged["returns"] = [["zenml.step", 9, "accuracy"]]
    with pytest.raises(ValueError):
        FileFacts.from_json(forged)


def test_matrix_values_and_expansion():
    from mllint.repo.cimatrix import expanded_strings, matrix_values

    job = {"strategy": {"matrix": {"os": ["ubuntu"], "runtime": ["a", "b"], "flag": True,
                                   "include": [{"runtime": "c", "extra": {"dir": "d"}}], "exclude": [{"runtime": "a"}]}},
           "steps": [{"run": "cd ${{ matrix.runtime }}/${{ matrix.os }}"}, {"run": "echo ${{ matrix.extra.dir }} ${{ matrix.nope }}"},
                     {"run": "pytest"}]}
    assert matrix_values(job) == {"os": ["ubuntu"], "runtime": ["a", "b", "c"], "flag": ["true"], "extra.dir": ["d"]}
    assert sorted(expanded_strings({"jobs": {"t": job}})) == ["cd a/ubuntu", "cd b/ubuntu", "cd c/ubuntu", "echo d ${{ matrix.nope }}"]
    assert list(expanded_strings({"jobs": {"t": {"steps": [{"run": "cd ${{ matrix.x }}"}]}}})) == []
    assert list(expanded_strings(None)) == [] and list(expanded_strings({"jobs": ["x"]})) == []


def test_roles_made_while_the_workers_run_are_the_roles_of_the_facts(tmp_path):
    """The run classifies each analysed file as its facts arrive from a worker (mllint/engine/run.py); the
    life-cycle profile built from those roles is the one classify gives for the same facts, and a role the
    profile demotes (training in library code no entry point imports) is copied, not changed in place."""
    from mllint.repo.mlcode import classify

    files = {f"pkg/helper_{i}.py": f"def helper_{i}(x):\n    return x + {i}\n" for i in range(30)}
    files["pkg/estimator.py"] = "from sklearn.linear_model import LogisticRegression\n\ndef build(X, y):\n    return LogisticRegression().fit(X, y)\n"
    files["train.py"] = ("from sklearn.ensemble import RandomForestClassifier\nimport pandas as pd\n\n"
                         "if __name__ == '__main__':\n    df = pd.read_csv('d.csv')\n"
                         "    RandomForestClassifier().fit(df, df.y)\n")
    root = write_repo(tmp_path / "r", files)
    result = Session(root, Settings()).check(use_cache=False, jobs=2)  # above the pool's threshold: workers
    model = result.model
    assert model is not None and model._roles  # made during the code pass
    profile = model.ml
    by_path = {role.path: role for role in profile.roles}
    for facts in model.code_facts():
        fresh = classify(facts, model.knowledge)
        shown = by_path[facts.path]
        if facts.path == "pkg/estimator.py":  # library training: demoted in the profile only
            assert shown.trains == [] and shown.library_training == fresh.trains != []
            assert model._roles[facts.path][1].trains == fresh.trains  # the shared role is unchanged
        else:
            assert shown == fresh
    assert [role.path for role in profile.training] == ["train.py"]
