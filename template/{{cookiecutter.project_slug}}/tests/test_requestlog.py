import json

import pandas as pd

from {{cookiecutter.package_name}}.requestlog import RequestLog, log_files, read_window


def rows(start, count):
    records = [{"a": float(i), "b": float(-i)} for i in range(start, start + count)]
    outputs = pd.DataFrame({"label": [1] * count, "probability": [0.75] * count})
    return records, outputs


def test_rotation_keeps_the_most_recent_rows(tmp_path):
    path = tmp_path / "logs" / "requests.jsonl"
    log = RequestLog(path, max_bytes=2000, backups=3)
    for start in range(0, 100, 10):
        log.append("7", *rows(start, 10))
    log.close()
    files = log_files(path)
    assert files[0] == path and len(files) > 1
    window = read_window(path, 25)
    assert list(window.columns) == ["a", "b"]
    assert window["a"].tolist() == [float(i) for i in range(75, 100)]


def test_each_line_holds_inputs_version_and_prediction(tmp_path):
    path = tmp_path / "requests.jsonl"
    log = RequestLog(path, max_bytes=1 << 20, backups=1)
    log.append("3", *rows(0, 2))
    log.close()
    first = json.loads(path.read_text().splitlines()[0])
    assert first["model_version"] == "3"
    assert first["inputs"] == {"a": 0.0, "b": -0.0}
    assert first["label"] == 1 and first["probability"] == 0.75
