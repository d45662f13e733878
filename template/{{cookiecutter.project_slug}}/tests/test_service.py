import pytest
from fastapi.testclient import TestClient

from {{cookiecutter.package_name}}.schema import FEATURES
from {{cookiecutter.package_name}}.service import create_app


@pytest.fixture(scope="module")
def client(workspace):
    with TestClient(create_app(workspace.paths.bundle_dir)) as test_client:
        yield test_client


def records(frame, n=3):
    return frame[list(FEATURES)].head(n).to_dict(orient="records")


def test_health_reports_the_version(client, workspace):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "model_version": workspace.package.version}


def test_predict_answers_one_prediction_per_record(client, test_split):
    response = client.post("/predict", json={"records": records(test_split)})
    assert response.status_code == 200
    body = response.json()
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


def metric_value(text, name, **labels):
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    prefix = name + ("{" + wanted + "} " if labels else " ")
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.split()[-1])
    return 0.0


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
