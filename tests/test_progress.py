"""The progress hook of the engine and the progress bar of the CLI (stderr, TTY, long runs only)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from mllint.config.settings import Settings
from mllint.engine.run import PARALLEL_THRESHOLD
from mllint.engine.session import Session
from mllint.output.progress import ProgressBar, wanted


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def console():
    return Console(file=io.StringIO(), force_terminal=True, width=100)


def test_bar_appears_only_once_the_run_is_long():
    clock, out = Clock(), console()
    bar = ProgressBar(console=out, delay=1.0, clock=clock)
    bar(1, 10)
    assert bar._bar is None
    clock.now = 2.0
    bar(5, 10)
    bar(10, 10)
    bar.close()
    text = out.file.getvalue()
    assert "mllint: checking files" in text and "10/10" in text


def test_a_run_that_ends_before_the_delay_prints_nothing():
    clock, out = Clock(), console()
    bar = ProgressBar(console=out, delay=1.0, clock=clock)
    bar(3, 10)
    clock.now = 5.0
    bar(10, 10)  # finished: no point in showing a bar now
    bar.close()
    assert out.file.getvalue() == ""


class Stream:
    def __init__(self, tty):
        self.tty = tty

    def isatty(self):
        return self.tty


def test_only_human_formats_on_an_interactive_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert wanted("text", Stream(True)) and wanted("concise", Stream(True))
    assert not wanted("text", Stream(False))
    for fmt in ("json", "sarif", "github", "gitlab", "junit", "markdown", "badge"):
        assert not wanted(fmt, Stream(True)), fmt
    monkeypatch.setenv("CI", "true")
    assert not wanted("text", Stream(True))


@pytest.mark.parametrize("jobs", [1, 2])
def test_engine_reports_progress_up_to_the_total(make_repo, jobs):
    count = PARALLEL_THRESHOLD + 6
    repo = make_repo({f"pkg/m{i}.py": f"x = {i}\n" for i in range(count)})
    calls = []
    result = Session(repo, Settings()).check(use_cache=False, jobs=jobs, progress=lambda done, total: calls.append((done, total)))
    assert result.files_checked == count
    assert calls and calls[-1] == (count, count)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and all(t == count for _, t in calls)


def test_cached_files_count_as_done(make_repo):
    repo = make_repo({f"m{i}.py": "x = 1\n" for i in range(5)})
    Session(repo, Settings()).check()
    (repo / "m0.py").write_text("x = 2\n")
    calls = []
    Session(repo, Settings()).check(progress=lambda done, total: calls.append((done, total)))
    assert calls == [(5, 5)]  # one file analysed, four from the cache


def test_cli_prints_nothing_on_stderr_when_it_is_not_a_terminal(cli, make_repo):
    repo = make_repo({"a.py": "x = 1\n"})
    result = cli("check", "--no-cache", "-o", "json", repo)
    assert result.stderr == ""
