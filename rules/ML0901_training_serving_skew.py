"""ML0901 training-serving-skew: serving code does not reuse the preprocessing the training code applies."""

from __future__ import annotations

import re

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.repo.mlcode import PREPROCESSING_PATTERN, calls_any, imports_module, module_matches

TRAIN_SCALED = ("import joblib\nfrom sklearn.preprocessing import StandardScaler\nfrom sklearn.linear_model import LogisticRegression\n\n"
                "X = StandardScaler().fit_transform([[0.0], [1.0]])\nmodel = LogisticRegression().fit(X, [0, 1])\n"
                "joblib.dump(model, 'model.pkl')\n")
TRAIN_FEATURES = ("import joblib\nfrom features import add_ratio\nfrom sklearn.ensemble import RandomForestClassifier\n\n"
                  "model = RandomForestClassifier().fit(add_ratio(None), [0, 1])\njoblib.dump(model, 'model.pkl')\n")
FEATURES = "def add_ratio(df):\n    return df\n"
SERVE_RAW = ("import joblib\nfrom flask import Flask, request, jsonify\n\napp = Flask(__name__)\nmodel = joblib.load('model.pkl')\n\n\n"
             "@app.post('/predict')\ndef predict():\n    return jsonify(model.predict(request.get_json()).tolist())\n")
FASTAPI_RAW = ("import joblib\nfrom fastapi import FastAPI\n\napp = FastAPI()\nmodel = joblib.load('model.pkl')\n\n\n"
               "@app.post('/predict')\ndef predict(rows: list[list[float]]):\n    return model.predict(rows).tolist()\n")


class TrainingServingSkew(RepoRule):
    code = "ML0901"
    name = "training-serving-skew"
    factor = 9
    severity = "warning"
    summary = "Serving code neither imports the training preprocessing nor loads a pipeline that contains it."
    why = """
        Factor 9 (no training/serving skew): when the service re-implements (or
        forgets) the transformations applied before training, the model receives inputs it never saw —
        unscaled values, different encodings — and its predictions are silently wrong.
    """
    how_to_fix = """
        Persist the preprocessing with the model (an sklearn `Pipeline`/`ColumnTransformer` dumped as one
        artifact, a Keras preprocessing layer, a tokenizer saved beside the model), or import the same
        feature module in the serving code (`from features import build_features`).
    """
    violating = [
        RepoExample({"train.py": TRAIN_SCALED, "serve.py": SERVE_RAW}, note="a scaler fitted in training, absent in serving"),
        RepoExample({"train.py": TRAIN_FEATURES, "features.py": FEATURES, "app/main.py": FASTAPI_RAW},
                    note="a feature module used by training, not by the service"),
        RepoExample({"src/train.py": TRAIN_SCALED, "src/predict.py": "import sys\nimport joblib\nimport pandas as pd\n\nmodel = joblib.load('model.pkl')\n"
                     "print(model.predict(pd.read_csv(sys.argv[1])))\n"}, note="a batch prediction script"),
        RepoExample({"pipeline/train.py": TRAIN_FEATURES, "pipeline/features.py": FEATURES, "api.py": SERVE_RAW}),
    ]
    compliant = [
        RepoExample({"train.py": TRAIN_FEATURES, "features.py": FEATURES,
                     "serve.py": "import joblib\nfrom flask import Flask\nfrom features import add_ratio\n\napp = Flask(__name__)\n"
                                 "model = joblib.load('model.pkl')\n"}, note="the service imports the feature module"),
        RepoExample({"train.py": "import joblib\nfrom sklearn.pipeline import make_pipeline\nfrom sklearn.preprocessing import StandardScaler\n"
                                 "from sklearn.linear_model import LogisticRegression\n\npipe = make_pipeline(StandardScaler(), LogisticRegression())\n"
                                 "pipe.fit([[0.0], [1.0]], [0, 1])\njoblib.dump(pipe, 'model.pkl')\n", "serve.py": SERVE_RAW},
                    note="the persisted pipeline contains the scaler"),
        RepoExample({"train.py": TRAIN_SCALED, "serve.py": SERVE_RAW.replace("model = joblib.load('model.pkl')",
                     "model = joblib.load('model.pkl')\nscaler = joblib.load('scaler.pkl')")}, note="the scaler is loaded in serving"),
        RepoExample({"train.py": "from sklearn.linear_model import LogisticRegression\nimport joblib\n\n"
                                 "m = LogisticRegression().fit([[0], [1]], [0, 1])\njoblib.dump(m, 'model.pkl')\n", "serve.py": SERVE_RAW},
                    note="training applies no preprocessing"),
        RepoExample({"serve.py": SERVE_RAW}, note="no training code in the repository to compare with"),
    ]

    def check(self, repo):
        serving = repo.serving
        training = [role for role in repo.ml.training if not role.notebook] or repo.ml.training
        if not serving or not training:
            return
        knowledge = repo.knowledge.get("serving_preprocessing", {})
        by_path = {facts.path: facts for facts in repo.code_facts()}
        pattern = re.compile(PREPROCESSING_PATTERN)
        prep_modules = [facts.path for facts in repo.source_facts()
                        if not facts.notebook and module_matches(facts.path, pattern)]
        used_modules: set[str] = set()
        inline: list[str] = []
        for role in training:
            facts = by_path[role.path]
            calls = facts.calls
            if calls_any(calls, knowledge.get("pipeline_calls", [])):
                return  # the persisted model is a pipeline that carries its preprocessing
            used_modules.update(path for path in prep_modules if path != role.path and imports_module(facts, path))
            excluded = set(knowledge.get("fit_excluded", []))
            inline += [call for call in calls_any(calls, knowledge.get("fit_calls", [])) if call not in excluded]
        if not used_modules and not inline:
            return
        words = knowledge.get("name_words", [])
        for module in serving:
            facts = by_path.get(module.path, {})
            if module.path in {role.path for role in training}:
                continue
            if _reuses(facts, used_modules, words, knowledge, by_path):
                continue
            what = (f"the feature module(s) {', '.join(sorted(used_modules)[:3])}" if used_modules
                    else f"the fitted preprocessing ({', '.join(sorted(set(inline))[:3])})")
            yield RepoFinding(
                f"serving code {module.path} may skew from training: training ({training[0].path}) applies {what}, but this "
                "module neither imports that preprocessing nor loads a preprocessing object or pipeline (looked for imports "
                "of the feature modules and names like scaler/encoder/preprocess/transform/tokenizer); persist an sklearn "
                "Pipeline with the model or import the same preprocessing here",
                path=module.path, evidence=sorted(used_modules)[:3] + sorted(set(inline))[:3],
            )


def _reuses(facts, used_modules: set[str], words: list[str], knowledge, by_path) -> bool:
    """Whether serving facts import one of the preprocessing modules (directly or through one local
    module), name a preprocessing object, or build a pipeline."""
    if any(imports_module(facts, path) for path in used_modules):
        return True
    names = [name.lower() for name in facts.names] + [s.lower() for s in facts.strings]
    if any(word in name for name in names for word in words):
        return True
    if calls_any(facts.calls, knowledge.get("pipeline_calls", [])):
        return True
    for path, other in by_path.items():
        if path != facts.path and not other.test and imports_module(facts, path):
            if any(imports_module(other, used) for used in used_modules):
                return True
            other_names = [name.lower() for name in [*other.names, *other.strings]]
            if any(word in name for name in other_names for word in words):
                return True
    return False
