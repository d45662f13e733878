"""ML1101 no-monitoring: a model is served but nothing monitors its inputs, outputs or load."""

from __future__ import annotations

from mllint.catalogue.remedy import SERVING_PORTS as PORTS
from mllint.catalogue.remedy import Piece, Plan
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.core.findings import Finding
from mllint.repo.serving import find_monitoring

FASTAPI = ("import joblib\nfrom fastapi import FastAPI\n\napp = FastAPI()\nmodel = joblib.load('model.pkl')\n\n\n"
           "@app.post('/predict')\ndef predict(rows: list[list[float]]):\n    return model.predict(rows).tolist()\n")
FLASK = ("import joblib\nfrom flask import Flask, request, jsonify\n\napp = Flask(__name__)\nmodel = joblib.load('model.pkl')\n\n\n"
         "@app.post('/predict')\ndef predict():\n    return jsonify(model.predict(request.get_json()).tolist())\n")


class NoMonitoring(RepoRule):
    code = "ML1101"
    name = "no-monitoring"
    factor = 11
    severity = "warning"
    summary = "A model is served, but nothing monitors its inputs, outputs, request counts or resources."
    why = """
        Factor 11 (monitoring): a served model fails quietly — latency creeps up,
        inputs change, predictions collapse to one class. Metrics on requests and predictions are how
        anyone notices before the users do.
    """
    how_to_fix = """
        Instrument the service: `prometheus_client` counters/histograms (or
        `prometheus-fastapi-instrumentator` / `prometheus-flask-exporter`), OpenTelemetry, or structured
        prediction logs (structlog) shipped to a monitoring stack; add the scrape/alert config
        (`prometheus.yml`, alert rules) to the repository.
    """
    violating = [
        RepoExample({"app/main.py": FASTAPI}),
        RepoExample({"serve.py": FLASK, "requirements.txt": "flask==3.0.0\njoblib==1.4.2\n"}),
        RepoExample({"serve.py": FLASK.replace("import joblib\n", "import joblib\nimport logging\nlog = logging.getLogger(__name__)\n")},
                    note="plain logging is not monitoring"),
        RepoExample({"ui.py": "import streamlit as st\nimport joblib\n\nmodel = joblib.load('m.pkl')\nst.write(model.predict([[1]]))\n"}),
    ]
    compliant = [
        RepoExample({"train.py": "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)\n",
                     "client/speech_utils.py": "import grpc\nfrom service_pb2_grpc import InferenceStub\n\n"
                                               "def transcribe(model_name, audio):\n    channel = grpc.insecure_channel('localhost:8001')\n"
                                               "    return InferenceStub(channel).Infer(model_name, audio)\n"},
                    note="a gRPC client of a model server does not serve a model"),
        RepoExample({"app/main.py": FASTAPI + "\nfrom prometheus_fastapi_instrumentator import Instrumentator\nInstrumentator().instrument(app)\n"}),
        RepoExample({"serve.py": FLASK, "monitoring/metrics.py": "from prometheus_client import Counter\nPREDICTIONS = Counter('p', 'predictions')\n"}),
        RepoExample({"serve.py": FLASK, "deploy/prometheus.yml": "scrape_configs:\n  - job_name: model\n"}),
        RepoExample({"train.py": "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit([[0]], [0])\n"},
                    note="no serving code"),
        RepoExample({"service.py": "import bentoml\n\nrunner = bentoml.sklearn.get('model:latest').to_runner()\n"},
                    note="BentoML exports Prometheus metrics itself"),
    ]

    @classmethod
    def remedy(cls, findings: list[Finding], plan: Plan) -> None:
        """Prometheus scrape config, alert rules and an instrumentation snippet for the detected app."""
        if not plan.project.serving:
            plan.instruct(f"{cls.code}: no Flask/FastAPI app found to instrument: export request and prediction metrics "
                          "(prometheus_client) from your serving code and add a scrape config", cls.code)
            return
        path, framework, app = plan.project.serving[0]
        values = {"path": path, "framework": framework, "app": app}
        prometheus = plan.template_file("monitoring/prometheus.yml").replace("localhost:8000", f"localhost:{PORTS[framework]}")
        plan.add(Piece(f"Prometheus monitoring for the {framework} app in {path}", (cls.code,), {
            "monitoring/prometheus.yml": prometheus,
            "monitoring/alert_rules.yml": plan.snippet("alert_rules.yml.j2", job=plan.project.package),
            "monitoring/README.md": plan.snippet("monitoring_readme.md.j2", **values),
        }, notes=[f"paste the instrumentation snippet of monitoring/README.md into {path}", *plan.need("prometheus-client")]))

    def check(self, repo):
        online = [module for module in repo.serving if not module.batch]
        if not online:
            return
        if find_monitoring(repo):
            return
        frameworks = ", ".join(sorted({fw for module in online for fw in module.frameworks})[:3])
        yield RepoFinding(
            f"the model is served ({online[0].path}, {frameworks}) but nothing monitors it: looked for prometheus_client, "
            "OpenTelemetry, statsd, structured prediction logging, whylogs/evidently in serving code and for monitoring "
            "config (prometheus.yml, alert rules, Grafana dashboards); instrument this app (e.g. prometheus-fastapi-"
            "instrumentator or prometheus_client counters for requests and predictions)",
            path=online[0].path, evidence=[module.path for module in online[:5]],
        )
