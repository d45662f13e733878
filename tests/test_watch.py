"""``mllint check --watch``: a report per change of the project's files, and Ctrl-C exits 130."""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from mllint.watch import snapshot, watch

from terminal import as_in_a_terminal

FOOTER = "files for changes; Ctrl-C to stop"


def test_watch_reports_again_only_after_a_change(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    looks = iter([{"a.py": (1, 1)}, {"a.py": (1, 1)}, {"a.py": (1, 1)}, {"a.py": (2, 1)}])
    reports = iter(["first report\n", "second report\n"])
    out = io.StringIO()
    watch(lambda: next(reports), lambda: next(looks), out=out, interval=0, rounds=2)
    text = out.getvalue()
    assert text.index("first report") < text.index("second report")
    assert text.count(FOOTER) == 2


def test_snapshot_sees_edits_new_files_and_config(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    before = snapshot(tmp_path, [], None)
    assert set(before) == {"a.py"}
    (tmp_path / "pyproject.toml").write_text("[tool.mllint]\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    after = snapshot(tmp_path, [], None)
    assert set(after) == {"a.py", "b.py", "pyproject.toml"}
    assert snapshot(tmp_path, [], ["a.py"]).keys() == {"a.py", "pyproject.toml"}


def _reader(stream, lines: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):
        lines.put(line)


def _until(lines: queue.Queue[str], needle: str, timeout: float = 30.0) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError(f"{needle!r} not printed; got:\n{''.join(seen)}")


def test_watch_end_to_end_and_ctrl_c(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import pandas as pd\ndf = pd.read_csv('d.csv')\n")
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "mllint", "check", "--watch", "--only", "code", "-o", "concise", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, preexec_fn=as_in_a_terminal)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    try:
        first = _until(lines, FOOTER)
        assert "ML1303" not in first
        time.sleep(0.05)
        (tmp_path / "train.py").write_text("import pandas as pd\ndf = pd.read_csv('d.csv')\nv = df.values\n")
        second = _until(lines, FOOTER)
        assert "ML1303" in second and "train.py:3" in second
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in proc.stderr.read()
