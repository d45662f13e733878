"""Denial of service: memory, processes and time a checked repository can make mllint spend (break 5).

A file of data written as code is refused before ``ast.parse`` builds gigabytes; workers have a memory
ceiling and die with their parent; a repository's configuration cannot raise the limits without
bound; ruff (ML0306) never reads a configuration that reaches outside the repository and runs under
its own time and memory limits. docs/hardening.md has the measured figures.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mllint.config.settings import Settings
from mllint.engine import codepass
from mllint.engine import pool as pool_module
from mllint.engine import run as engine_run
from mllint.engine.pool import WorkerPool
from mllint.engine.session import Session
from mllint.testing import notebook_json, write_repo

HANG = 120
GB = 1 << 30


def mllint(cwd: Path, *args: str, timeout: float = HANG) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "NO_COLOR": "1"})
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


PEAK = """
import json, resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "mllint", *sys.argv[1:]], capture_output=True, text=True)
print(json.dumps({"code": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def peak_run(cwd: Path, *args: str) -> dict:
    """Run mllint from a fresh process and return its exit code, output and peak resident memory (KB)."""
    out = subprocess.run([sys.executable, "-c", PEAK, *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "NO_COLOR": "1"})
    return json.loads(out.stdout)


def single_literal(size: int) -> str:
    parts, total, index = [], 0, 0
    while total < size:
        part = f"{index % 1000}, "
        parts.append(part)
        total += len(part)
        index += 1
    return "x = [" + "".join(parts) + "]\n"


@pytest.mark.parametrize("kind", ["py", "ipynb"])
def test_a_single_literal_file_is_refused_before_parsing(tmp_path, kind):
    literal = single_literal(4_900_000 if kind == "py" else 2_500_000)
    files = {"data.py": literal} if kind == "py" else {"data.ipynb": notebook_json([literal])}
    write_repo(tmp_path / "repo", {**files, "ok.py": "x = (\n"}, use_git=False)
    started = time.monotonic()
    run = peak_run(tmp_path, "check", "--no-cache", "-o", "json", "repo")
    assert run["code"] == 1, run["stderr"]
    found = json.loads(run["stdout"])
    skipped = [f for f in found if f["path"] == f"data.{kind}"]
    assert [f["code"] for f in skipped] == ["ML0003"] and "syntax elements" in skipped[0]["message"]
    assert any(f["code"] == "ML0001" and f["path"] == "ok.py" for f in found)  # the rest was checked
    assert run["peak_kb"] * 1024 < GB, run["peak_kb"]  # the bound; measured ~50 MB (docs/hardening.md)
    assert time.monotonic() - started < HANG


def test_ordinary_code_of_a_few_megabytes_is_still_analysed(tmp_path):
    body = "".join(f"value_{i} = compute_something(alpha_{i}, beta)  # an ordinary line of generated code\n"
                   for i in range(40_000))  # 3.3 MB, ~0.06 separators per byte
    write_repo(tmp_path / "repo", {"big.py": body + "y = (\n"}, use_git=False)
    found = json.loads(mllint(tmp_path, "check", "--no-cache", "-o", "json", "repo").stdout)
    assert [f["code"] for f in found if f["path"] == "big.py"] == ["ML0001"]  # parsed: the error at the end is found


def test_repository_limits_are_capped(tmp_path, monkeypatch):
    root = write_repo(tmp_path / "repo", {f"m{i:02d}.py": "x = (\n" for i in range(40)})
    (root / "mllint.toml").write_text("max-file-size = 50000000\n")
    proc = mllint(tmp_path, "check", "repo")
    assert proc.returncode == 2 and "max-file-size" in proc.stderr
    seen: list[int] = []

    class Recording(WorkerPool):
        def __init__(self, session: Session, jobs: int) -> None:
            seen.append(jobs)
            super().__init__(session, jobs)

    monkeypatch.setattr(pool_module, "WorkerPool", Recording)  # imported by the run when files are analysed
    monkeypatch.setattr(engine_run, "default_jobs", lambda: 2)
    result = Session(root, Settings(jobs=128)).check(use_cache=False)
    assert seen == [2] and len([f for f in result.findings if f.code == "ML0001"]) == 40


def test_a_worker_has_a_memory_ceiling(tmp_path, monkeypatch):
    if not sys.platform.startswith("linux"):
        pytest.skip("RLIMIT_AS from /proc: Linux only")  # documented in docs/hardening.md
    root = write_repo(tmp_path / "repo", {**{f"m{i:02d}.py": "x = (\n" for i in range(30)}, "hog.py": "x = 1\n"},
                      use_git=False)
    real = codepass.analyze_file  # the worker imports it when it first analyses a file

    def hog(session, path, *args, **kwargs):
        if path == "hog.py":
            blocks = [bytearray(GB) for _ in range(8)]  # 8 GB of address space (untouched zero pages)
            del blocks
        return real(session, path, *args, **kwargs)

    monkeypatch.setattr(codepass, "analyze_file", hog)
    result = Session(root, Settings(select=["ALL"])).check(use_cache=False, jobs=2)
    hogged = [f for f in result.findings if f.path == "hog.py"]
    assert [f.code for f in hogged] == ["ML0003"] and "out of memory" in hogged[0].message
    assert len([f for f in result.findings if f.code == "ML0001"]) == 30


def _children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is ``pid``."""
    out = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_workers_die_with_their_parent(tmp_path, how):
    if not os.path.isdir("/proc/self"):
        pytest.skip("process listing from /proc")  # the mechanism on other systems: a parent-watch thread
    body = "".join(f"def f{i}(x):\n    return [x + {i} for _ in range(3)]\n\n\n" for i in range(2500))
    write_repo(tmp_path / "repo", {f"m{i:03d}.py": body for i in range(200)}, use_git=False)
    proc = subprocess.Popen([sys.executable, "-m", "mllint", "check", "--no-cache", "-j", "2", "repo"], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
            workers = _children(proc.pid)
            time.sleep(0.05)
        assert workers, "no worker process appeared"
        os.kill(proc.pid, how)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 5  # "a few seconds"
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.05)
        survivors = [pid for pid in workers if _alive(pid)]
        assert not survivors, f"workers outlived their parent: {survivors}"
    finally:  # never leave a process of this test behind, whatever failed
        if proc.poll() is None:
            proc.kill()
        for pid in workers | _children(proc.pid):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


RUFF_TRAPS = {
    "/dev/zero": ("ruff.toml", 'extend = "/dev/zero"\n'),
    "a FIFO": ("ruff.toml", 'extend = "base.toml"\n'),
    "a file outside": ("ruff.toml", 'extend = "../outside.toml"\n'),
    "a symlink out": ("ruff.toml", 'extend = "link.toml"\n'),
    "home": ("pyproject.toml", '[tool.ruff]\nextend = "~/.config/ruff.toml"\n'),
    "a loop": ("ruff.toml", 'extend = "ruff.toml"\n'),
    "a sub-folder's config": ("sub/ruff.toml", 'extend = "/dev/zero"\n'),
}


@pytest.mark.parametrize("trap", sorted(RUFF_TRAPS))
def test_ruff_never_reads_a_configuration_reaching_outside(tmp_path, trap):
    name, text = RUFF_TRAPS[trap]
    messy = "import os, sys\ndef F(X):\n  return X\n"
    root = write_repo(tmp_path / "repo", {**{f"m{i}.py": messy for i in range(6)}, name: text, "sub/n.py": messy},
                      use_git=False)
    (tmp_path / "outside.toml").write_text('[lint]\nselect = ["E"]\n')
    if trap == "a FIFO":
        os.mkfifo(root / "base.toml")
    if trap == "a symlink out":
        os.symlink(tmp_path / "outside.toml", root / "link.toml")
    started = time.monotonic()
    proc = mllint(tmp_path, "check", "--no-cache", "--select", "ML0306", "-o", "json", "repo", timeout=200)
    assert time.monotonic() - started < 100
    assert proc.returncode == 1 and [f["code"] for f in json.loads(proc.stdout)] == ["ML0306"], proc.stderr
    if trap != "a sub-folder's config":  # that one is never read at all: ruff gets the root's config or none
        assert "ruff configuration is not used" in proc.stderr, proc.stderr


def _alias_bomb(depth: int = 9) -> str:
    """A "billion laughs" YAML document: ~200 bytes of anchors that expand to 10**depth strings."""
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, depth + 1)]
    return "\n".join(lines) + f"\nstages:\n  train:\n    cmd: *a{depth}\n    deps: *a{depth}\n"


def test_yaml_aliases_that_expand_to_billions_of_nodes_are_refused():
    from mllint.core.yamlsafe import load_yaml, load_yaml_all

    assert load_yaml(_alias_bomb()) is None and load_yaml_all(_alias_bomb()) == []
    assert load_yaml("a: &a [1, *a]\n") is None  # recursive: infinite once expanded
    shared = load_yaml("base: &b {lr: 0.1}\ntrain: {<<: *b, epochs: 3}\neval: *b\n")
    assert shared == {"base": {"lr": 0.1}, "train": {"lr": 0.1, "epochs": 3}, "eval": {"lr": 0.1}}  # ordinary anchors


def test_a_repository_of_yaml_alias_bombs_is_checked_in_bounded_time_and_memory(tmp_path):
    bomb = _alias_bomb()
    write_repo(tmp_path / "repo", {"dvc.yaml": bomb, "params.yaml": bomb, "environment.yml": bomb,
                                   ".github/workflows/ci.yml": bomb, ".gitlab-ci.yml": bomb,
                                   "train.py": "import yaml\nparams = yaml.safe_load(open('params.yaml'))\n"}, use_git=False)
    started = time.monotonic()
    run = peak_run(tmp_path, "check", "--no-cache", "--select", "ALL", "-o", "json", "repo")
    assert run["code"] in (0, 1), run["stderr"]
    assert run["peak_kb"] * 1024 < GB, run["peak_kb"]  # expanded, the documents took 10 GB and 90 s
    assert time.monotonic() - started < HANG


def test_a_conda_tuple_tag_is_read_as_a_list_and_no_other_python_tag_is():
    """``channels: !!python/tuple`` (conda on Windows) reads as a list, so the environment file is not lost;
    the full loader's object-building tags stay refused (the document is None)."""
    from mllint.core.yamlsafe import load_yaml

    env = load_yaml("name: lab\nchannels: !!python/tuple\n- defaults\ndependencies:\n- numpy=1.26.4\n")
    assert env == {"name": "lab", "channels": ["defaults"], "dependencies": ["numpy=1.26.4"]}
    assert load_yaml('a: !!python/object/apply:os.system ["echo hi"]\n') is None
    assert load_yaml("a: !!python/name:os.system\n") is None
