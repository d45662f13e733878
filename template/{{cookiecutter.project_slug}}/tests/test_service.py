import pytest
from fastapi.testclient import TestClient

from {{cookiecutter.package_name}}.requestlog import read_window
from {{cookiecutter.package_name}}.schema import FEATURES
from {{cookiecutter.package_name}}.service import create_app


@pytest.fixture(scope="module")
def log_path(tmp_path_factory):
    return tmp_path_factory.mktemp("service") / "requests.jsonl"


@pytest.fixture(scope="module")
def client(workspace, log_path):
    with TestClient(create_app(workspace.paths.bundle_dir, log_path)) as test_client:
        yield test_client


def records(frame, n=3):
    return frame[list(FEATURES)].head(n).to_dict(orient="records")


def metric_value(text, name, **labels):
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    prefix = name + ("{" + wanted + "} " if labels else " ")
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.split()[-1])
    return 0.0


def requests_counted(client, status):
    labels = {"method": "POST", "route": "/predict", "status": str(status)}
    return metric_value(client.get("/metrics").text, "http_requests_total", **labels)


def test_health_reports_the_registered_version_and_commit(client, bundle):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["model_version"] == bundle.version == bundle.manifest["version"]
    assert body["git_commit"] == bundle.manifest["git_commit"]


def test_predict_answers_one_prediction_per_record(client, test_split, bundle):
    response = client.post("/predict", json={"records": records(test_split)})
    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == bundle.version
    assert len(body["predictions"]) == 3
    for prediction in body["predictions"]:
        assert prediction["label"] in (0, 1)
        assert 0.5 <= prediction["probability"] <= 1.0


def test_invalid_input_is_rejected_by_the_schema(client, test_split):
    bad = records(test_split, 1)
    bad[0][FEATURES[0]] = -5.0
    assert client.post("/predict", json={"records": bad}).status_code == 422
    missing = records(test_split, 1)
    del missing[0][FEATURES[1]]
    assert client.post("/predict", json={"records": missing}).status_code == 422
    assert client.post("/predict", json={"records": []}).status_code == 422


@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "NaN", "1e999"])
def test_non_finite_numbers_are_a_422_not_a_500(client, test_split, literal):
    import json

    body = json.dumps({"records": records(test_split, 1)})
    body = body.replace(json.dumps(records(test_split, 1)[0][FEATURES[2]]), literal, 1)
    response = client.post("/predict", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text


def test_every_response_is_counted_errors_included(workspace, log_path, test_split, monkeypatch):
    from {{cookiecutter.package_name}} import service

    def broken(model, inputs):
        raise RuntimeError("model failure")

    monkeypatch.setattr(service, "predict_frame", broken)
    app = create_app(workspace.paths.bundle_dir, log_path)
    with TestClient(app, raise_server_exceptions=False) as failing:
        before = requests_counted(failing, 500)
        response = failing.post("/predict", json={"records": records(test_split, 1)})
        assert response.status_code == 500
        assert requests_counted(failing, 500) == before + 1
        before_422 = requests_counted(failing, 422)
        failing.post("/predict", json={"records": []})
        assert requests_counted(failing, 422) == before_422 + 1


def test_predicted_rows_are_recorded_for_the_drift_check(client, test_split, log_path):
    client.post("/predict", json={"records": records(test_split, 4)})
    window = read_window(log_path, 4)
    assert list(window.columns) == list(FEATURES)
    assert window.to_dict(orient="records") == records(test_split, 4)


def test_metrics_count_requests_predictions_and_inputs(client, test_split):
    before = client.get("/metrics").text
    client.post("/predict", json={"records": records(test_split, 2)})
    after = client.get("/metrics").text
    labels = {"method": "POST", "route": "/predict", "status": "200"}
    assert metric_value(after, "http_requests_total", **labels) == (
        metric_value(before, "http_requests_total", **labels) + 1
    )
    assert metric_value(after, "model_prediction_probability_count") == (
        metric_value(before, "model_prediction_probability_count") + 2
    )
    assert metric_value(after, "model_input_feature_count", feature=FEATURES[0]) == (
        metric_value(before, "model_input_feature_count", feature=FEATURES[0]) + 2
    )
    assert "http_request_duration_seconds_bucket" in after
    assert "process_resident_memory_bytes" in after
    assert "process_cpu_seconds_total" in after
