"""Hostile trees, safety properties and faults (docs/hardening.md).

Every case runs the real CLI in a subprocess (exit code, stderr without a traceback, a wall-clock
bound) or ``run_check`` in-process where a fault has to be injected. Nothing here asserts on speed;
the timeouts only turn a hang into a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mllint.config.settings import Settings
from mllint.engine import codepass, pool, worker
from mllint.engine import run as engine
from mllint.engine.session import Session
from mllint.testing import git, notebook_json
from terminal import as_in_a_terminal

HANG = 120  # seconds: a run that takes longer than this is a hang
CLEAN = "import numpy as np\n\n\ndef f(x):\n    return np.mean(x)\n"


def mllint(root: Path, *args: str, env: dict | None = None, timeout: float = HANG, cwd: Path | None = None):
    """Run the CLI; it must exit 0/1 (or what the caller checks) without a traceback, within ``timeout``."""
    cmd = [sys.executable, "-m", "mllint", "check", "--output-format", "json", *args, str(root)]
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env, cwd=cwd or root.parent)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


def findings_of(proc) -> list[dict]:
    assert proc.returncode in (0, 1), (proc.returncode, proc.stderr[-2000:])
    data = json.loads(proc.stdout)
    return data if isinstance(data, list) else data.get("findings", data)


def codes_at(findings: list[dict], path: str) -> set[str]:
    return {f["code"] for f in findings if f.get("path") == path}


def newest_cache(root: Path) -> Path:
    return max((root / ".mllint_cache").glob("results-*.json"), key=lambda p: p.stat().st_mtime_ns)


def tree_hash(root: Path, skip: tuple[str, ...] = (".mllint_cache",)) -> str:
    """Hash of every path, type, mode and content under root (symlinks by target), cache dir excluded."""
    digest = hashlib.sha256()
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        for name in sorted(names + [d for d in dirs if os.path.islink(os.path.join(folder, d))]):
            path = os.path.join(folder, name)
            st = os.lstat(path)
            digest.update(f"{os.path.relpath(path, root)}|{stat.S_IFMT(st.st_mode)}|{st.st_mode & 0o777}".encode())
            if stat.S_ISLNK(st.st_mode):
                digest.update(os.readlink(path).encode())
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    return digest.hexdigest()


# -- hostile sources -----------------------------------------------------------------------------------
@pytest.mark.parametrize("source", [
    "x = " + "(" * 300 + "1" + ")" * 300 + "\n",  # the parser's nesting limit
    "x = " + "+".join(["a"] * 30000) + "\n",  # a 30,000-deep left-nested BinOp
    "x = " + "-" * 50000 + "1\n",  # a deep UnaryOp chain
    "x = " + "[" * 90 + "]" * 90 + "\n",
    "def f():\n" + "".join("    " * (i + 1) + "if x:\n" for i in range(99)) + "    " * 100 + "pass\n",
    "y = " + " if c else ".join(["a"] * 5000) + "\n",
    "z = f" + "(g" * 150 + ")" * 150 + "\n",
])
def test_deeply_nested_sources_become_findings_not_crashes(make_repo, source):
    root = make_repo({"deep.py": source, "ok.py": CLEAN})
    found = findings_of(mllint(root, "--no-cache"))
    assert "ML0004" not in codes_at(found, "deep.py")


def test_huge_single_line_file_is_skipped_with_ml0003(make_repo):
    root = make_repo({"ok.py": CLEAN})
    (root / "huge.py").write_bytes(b"x = '" + b"a" * 20_000_000 + b"'\n")
    found = findings_of(mllint(root, "--no-cache"))
    assert "ML0003" in codes_at(found, "huge.py")


def test_large_file_below_the_limit_is_analysed(make_repo):
    # 3.6 MB of ordinary code: below max-file-size and the syntax budget (a literal of as many
    # elements is refused before parsing: tests/test_hardening_dos.py)
    body = "".join(f"value_{i:06d} = transform(alpha, {i} + offset)  # a line of generated, ordinary code\n"
                   for i in range(42_000))
    root = make_repo({"big.py": body + "y = (\n"})
    found = findings_of(mllint(root, "--no-cache"))
    assert "ML0001" in codes_at(found, "big.py")  # parsed: the syntax error at the end is found


def test_binary_and_undecodable_files(make_repo):
    root = make_repo({"ok.py": CLEAN})
    (root / "blob.py").write_bytes(bytes(range(256)) * 64)
    (root / "latin.py").write_bytes("name = 'caf\u00e9'\n".encode("latin-1"))
    (root / "declared.py").write_bytes("# -*- coding: latin-1 -*-\nname = 'caf\u00e9'\n".encode("latin-1"))
    (root / "bogus_codec.py").write_bytes(b"# coding: no-such-codec\nx = 1\n")
    (root / "bom_crlf.py").write_bytes(b"\xef\xbb\xbfimport os\r\nx = os.sep\r\n")
    (root / "empty.py").write_bytes(b"")
    (root / "nb.ipynb").write_bytes(b"\x00\x01garbage")
    found = findings_of(mllint(root, "--no-cache"))
    assert "ML0001" in codes_at(found, "blob.py")
    assert "ML0001" in codes_at(found, "latin.py")
    assert "ML0001" in codes_at(found, "bogus_codec.py")
    assert "ML0001" in codes_at(found, "nb.ipynb")
    for fine in ("declared.py", "bom_crlf.py", "empty.py", "ok.py"):
        assert "ML0001" not in codes_at(found, fine), fine


def test_unicode_and_spaces_in_paths(make_repo):
    odd = ["dir with space/\u00fcn\u00efc\u00f8d\u00e9 \u6587\u4ef6.py", "caf\u00e9/\u2713 nb.ipynb", "tab\tname.py", "new\nline.py"]
    files = {odd[0]: "x = (\n", odd[1]: notebook_json(["y = (\n"]), odd[2]: "z = (\n", odd[3]: "w = (\n"}
    for use_git in (True, False):
        root = make_repo(files, use_git=use_git)
        found = findings_of(mllint(root, "--no-cache"))
        for rel in odd:
            assert "ML0001" in codes_at(found, rel), (use_git, rel)


# -- hostile trees ---------------------------------------------------------------------------------------
def test_symlink_loops_and_links_leaving_the_root(make_repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("syntax error here (\n")
    (outside / "pkg").mkdir()
    (outside / "pkg" / "mod.py").write_text("also broken (\n")
    for use_git in (False, True):
        root = make_repo({"ok.py": CLEAN}, use_git=use_git)
        os.symlink(outside / "secret.py", root / "link_out.py")
        os.symlink(outside / "pkg", root / "dir_out")
        os.symlink("loop_b.py", root / "loop_a.py")
        os.symlink("loop_a.py", root / "loop_b.py")
        (root / "sub").mkdir()
        os.symlink("..", root / "sub" / "up")  # a directory loop
        os.symlink("ok.py", root / "inside_link.py")
        os.symlink("/nonexistent/target.py", root / "dangling.py")
        if use_git:
            git(root, "add", "-A")
            git(root, "commit", "-q", "-m", "links")
        before = tree_hash(root)
        found = findings_of(mllint(root, "--no-cache"))
        paths = {f.get("path") for f in found}
        assert not any(p and ("link_out" in p or "dir_out" in p or p.startswith("sub/up")) for p in paths), paths
        assert not any("broken" in f["message"] or "secret" in (f.get("path") or "") for f in found)
        assert tree_hash(root) == before


def test_special_files_named_py_do_not_block(make_repo):
    root = make_repo({"ok.py": CLEAN}, use_git=False)
    os.mkfifo(root / "pipe.py")
    (root / "adir.py").mkdir()
    (root / "adir.py" / "inner.py").write_text(CLEAN)
    proc = mllint(root, "--no-cache", timeout=60)
    assert proc.returncode in (0, 1)


def test_file_replaced_by_a_fifo_after_discovery_is_skipped(make_repo, monkeypatch):
    root = make_repo({"a.py": CLEAN, "b.py": CLEAN}, use_git=False)
    real = engine.discover

    def discover_then_swap(*args, **kwargs):
        inventory = real(*args, **kwargs)
        (root / "b.py").unlink()
        os.mkfifo(root / "b.py")
        return inventory

    monkeypatch.setattr(engine, "discover", discover_then_swap)
    result = Session(root, Settings(select=["ALL"])).check(use_cache=False, jobs=1)
    assert any(f.code == "ML0003" and f.path == "b.py" and "regular" in f.message for f in result.findings)


def test_unreadable_and_vanishing_files(make_repo, monkeypatch):
    root = make_repo({"a.py": CLEAN, "gone.py": CLEAN, "locked.py": CLEAN, "c.py": "x = (\n"}, use_git=False)
    os.chmod(root / "locked.py", 0)
    real_discover, real_open = engine.discover, os.open

    def discover_then_delete(*args, **kwargs):
        inventory = real_discover(*args, **kwargs)
        (root / "gone.py").unlink()
        return inventory

    def guarded_open(path, *args, **kwargs):
        if str(path).endswith("locked.py"):  # root can read mode-000 files: simulate the refusal
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(engine, "discover", discover_then_delete)
    monkeypatch.setattr(worker.os, "open", guarded_open)
    result = Session(root, Settings(select=["ALL"])).check(use_cache=True, jobs=1)
    by_path = {(f.path, f.code) for f in result.findings}
    assert ("gone.py", "ML0003") in by_path and ("locked.py", "ML0003") in by_path
    assert ("c.py", "ML0001") in by_path  # the rest of the run went on
    monkeypatch.undo()
    os.chmod(root / "locked.py", 0o644)
    second = Session(root, Settings(select=["ALL"])).check(use_cache=True, jobs=1)  # unreadable results were not cached
    assert not any(f.path == "locked.py" and f.code == "ML0003" for f in second.findings)


def test_twenty_thousand_files(tmp_path):
    root = tmp_path / "many"
    for i in range(20_000):
        folder = root / f"pkg{i // 500:02d}"
        if i % 500 == 0:
            folder.mkdir(parents=True)
        (folder / f"m{i}.py").write_text(f"X_{i} = {i}\n")
    (root / "pkg00" / "m7.py").write_text("broken = (\n")
    out = tmp_path / "out.json"
    proc = mllint(root, "--output-file", str(out), timeout=600)
    assert proc.returncode == 1
    found = json.loads(out.read_text(encoding="utf-8"))
    assert "ML0001" in codes_at(found, "pkg00/m7.py")
    again = mllint(root, timeout=600)  # warm: from the cache
    assert again.returncode == 1 and json.loads(again.stdout) == found


@pytest.mark.parametrize("damage", ["garbage HEAD", "gitdir file", "empty dir", "no objects"])
def test_corrupt_git_falls_back_to_a_walk(make_repo, damage):
    root = make_repo({"a.py": "x = (\n", "b.py": CLEAN})
    dot_git = root / ".git"
    if damage == "garbage HEAD":
        (dot_git / "HEAD").write_bytes(b"\x00\xffnot a ref")
    elif damage == "gitdir file":
        shutil.rmtree(dot_git)
        dot_git.write_text("gitdir: /nonexistent/elsewhere\n")
    elif damage == "empty dir":
        shutil.rmtree(dot_git)
        dot_git.mkdir()
    else:
        shutil.rmtree(dot_git / "objects")
    found = findings_of(mllint(root, "--no-cache"))
    assert "ML0001" in codes_at(found, "a.py")


def test_no_git_on_path(make_repo, tmp_path):
    root = make_repo({"a.py": "x = (\n", "b.py": CLEAN})
    empty_bin = tmp_path / "emptybin"
    empty_bin.mkdir()
    found = findings_of(mllint(root, "--no-cache", env={"PATH": str(empty_bin)}))
    assert "ML0001" in codes_at(found, "a.py")


def test_shallow_clone(make_repo, tmp_path):
    origin = make_repo({"a.py": "x = (\n", "b.py": CLEAN})
    (origin / "c.py").write_text(CLEAN)
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "second")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(clone)], check=True, capture_output=True)
    found = findings_of(mllint(clone, "--no-cache"))
    assert "ML0001" in codes_at(found, "a.py")


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))


@pytest.mark.parametrize("name", ["dvc.yaml", "params.yaml", ".github/workflows/ci.yml", "environment.yml",
                                  ".pre-commit-config.yaml", ".gitlab-ci.yml", "docker-compose.yml", "MLproject",
                                  "conda.yaml", "dvc.lock", "k8s/deploy.yaml"])
def test_yaml_alias_bombs_do_not_hang(make_repo, name):
    root = make_repo({"train.py": CLEAN, name: BOMB, "pyproject.toml": "[project]\nname = 'x'\n"})
    proc = mllint(root, "--no-cache", timeout=HANG)
    assert proc.returncode in (0, 1)


def test_very_large_yaml_json_and_notebook_outputs(make_repo):
    big_yaml = "stages:\n" + "".join(f"  s{i}:\n    cmd: python train.py --seed {i}\n    deps: [data/{i}]\n" for i in range(60_000))
    big_json = json.dumps({"metrics": [{"step": i, "loss": 1.0 / (i + 1)} for i in range(200_000)]})
    huge_output = {"output_type": "stream", "name": "stdout", "text": ["x" * 1000 + "\n"] * 3000}
    nb = json.loads(notebook_json(["import pandas as pd\ndf = pd.read_csv('d.csv')\n"]))
    nb["cells"][0]["outputs"] = [huge_output]
    root = make_repo({"train.py": CLEAN, "dvc.yaml": big_yaml, "metrics.json": big_json, "analysis.ipynb": json.dumps(nb),
                      "requirements.txt": "numpy\n" * 100_000, "params.yaml": big_yaml})
    proc = mllint(root, "--no-cache", timeout=HANG)
    assert proc.returncode in (0, 1)


# -- safety ------------------------------------------------------------------------------------------------
def _booby_trapped(marker: Path) -> dict[str, str]:
    payload = f"open({str(marker)!r}, 'w').write('executed')\n"
    return {
        "setup.py": f"import os\n{payload}os.system('touch {marker}.sh')\nfrom setuptools import setup\nsetup(name='x')\n",
        "conftest.py": payload,
        "sitecustomize.py": payload,
        "noxfile.py": payload,
        "docs/conf.py": payload,
        "pkg/__init__.py": payload,
        "pkg/__main__.py": payload,
        "train.py": f"import pkg\n{payload}",
        "analysis.ipynb": notebook_json([payload, "!touch " + str(marker) + ".shell\n%run train.py\n"]),
        "pyproject.toml": "[build-system]\nrequires = ['setuptools']\nbuild-backend = 'setuptools.build_meta'\n[project]\nname = 'x'\n",
        "requirements.txt": "-e .\n./pkg\n",
        "Makefile": f"all:\n\ttouch {marker}.make\n",
        ".pre-commit-config.yaml": f"repos:\n- repo: local\n  hooks:\n  - id: x\n    name: x\n    entry: touch {marker}.hook\n    language: system\n",
    }


def test_checked_code_is_never_executed_and_the_tree_is_not_written(make_repo, tmp_path):
    marker = tmp_path / "MARKER"
    root = make_repo(_booby_trapped(marker))
    before = tree_hash(root)
    for args in (("--no-cache",), (), ()):  # cold without cache, then with a cache written, then warm
        proc = mllint(root, *args)
        assert proc.returncode in (0, 1)
    assert not list(tmp_path.glob("MARKER*")), "code from the checked repository ran"
    assert tree_hash(root) == before, "mllint wrote outside its cache directory"
    cache = root / ".mllint_cache"
    assert (cache / "CACHEDIR.TAG").is_file()


def test_no_network_access(make_repo, monkeypatch):
    root = make_repo({**{f"m{i}.py": CLEAN for i in range(30)}, "requirements.txt": "torch==2.0\n",
                      ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps: [{run: pytest}]\n"})
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    result = Session(root, Settings(select=["ALL"])).check(use_cache=False, jobs=2)  # forked workers inherit the patch
    assert result.files_checked == 30
    assert not attempts
    assert not [f for f in result.findings if f.code == "ML0004"], [f.message for f in result.findings if f.code == "ML0004"]


# -- faults --------------------------------------------------------------------------------------------------
def _many(n: int = 40) -> dict[str, str]:
    return {f"m{i:02d}.py": "x = (\n" for i in range(n)}  # each file has a parse error: proof it was analysed


def test_a_worker_dying_costs_only_its_file(make_repo, monkeypatch):
    root = make_repo({**_many(), "boom.py": CLEAN}, use_git=False)
    real = codepass.analyze_file  # the worker imports it when it first analyses a file

    def maybe_die(session, path, *args, **kwargs):
        if path == "boom.py":
            os._exit(17)
        return real(session, path, *args, **kwargs)

    monkeypatch.setattr(codepass, "analyze_file", maybe_die)
    result = Session(root, Settings(select=["ALL"])).check(use_cache=True, jobs=2)
    died = [f for f in result.findings if f.path == "boom.py"]
    assert [f.code for f in died] == ["ML0004"] and "died" in died[0].message
    assert {f.path for f in result.findings if f.code == "ML0001"} == set(_many())


@pytest.mark.parametrize("jobs", [1, 2])
def test_per_file_time_limit(make_repo, monkeypatch, jobs):
    root = make_repo({**_many(30), "slow.py": CLEAN}, use_git=False)
    real = codepass.analyze_file  # the worker imports it when it first analyses a file

    def maybe_slow(session, path, *args, **kwargs):
        if path == "slow.py":
            while True:  # a pure-Python endless loop (a pathological rule)
                pass
        return real(session, path, *args, **kwargs)

    monkeypatch.setattr(codepass, "analyze_file", maybe_slow)
    monkeypatch.setattr(worker, "FILE_TIMEOUT", 1.0)
    result = Session(root, Settings(select=["ALL"])).check(use_cache=False, jobs=jobs)
    slow = [f for f in result.findings if f.path == "slow.py"]
    assert [f.code for f in slow] == ["ML0003"] and "longer than" in slow[0].message
    assert {f.path for f in result.findings if f.code == "ML0001"} == set(_many(30))


def test_a_worker_stuck_below_python_is_abandoned(make_repo, monkeypatch):
    root = make_repo({**_many(30), "stuck.py": CLEAN}, use_git=False)
    real = codepass.analyze_file  # the worker imports it when it first analyses a file

    def maybe_stuck(session, path, *args, **kwargs):
        if path == "stuck.py":
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # the alarm cannot reach us
            time.sleep(600)
        return real(session, path, *args, **kwargs)

    monkeypatch.setattr(codepass, "analyze_file", maybe_stuck)
    monkeypatch.setattr(worker, "FILE_TIMEOUT", 1.0)
    monkeypatch.setattr(pool, "GRACE", 2.0)
    started = time.monotonic()
    result = Session(root, Settings(select=["ALL"])).check(use_cache=False, jobs=2)
    assert time.monotonic() - started < 100
    assert [f.code for f in result.findings if f.path == "stuck.py"] == ["ML0003"]
    assert {f.path for f in result.findings if f.code == "ML0001"} == set(_many(30))


CORRUPTIONS = {
    "garbage": b"\x00\xff{{{not json",
    "truncated": None,  # the real cache cut in half
    "wrong shape": json.dumps({"format": 2, "entries": [1, 2, 3]}).encode(),
    "forged entries": None,  # right header, entries of the wrong types
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "empty": b"",
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_corrupt_cache_is_ignored_and_rebuilt(make_repo, kind):
    root = make_repo({"a.py": "x = (\n", "b.py": CLEAN, "c.ipynb": notebook_json(["y = (\n"])})
    expected = findings_of(mllint(root, "--no-cache"))
    findings_of(mllint(root))
    cache_file = newest_cache(root)
    original = cache_file.read_bytes()
    payload = CORRUPTIONS[kind]
    if kind == "truncated":
        payload = original[: len(original) // 2]
    elif kind == "forged entries":
        data = json.loads(original)
        data["entries"] = {path: [entry[0], [{"code": 1, "nonsense": True}], [], 5] for path, entry in data["entries"].items()}
        payload = json.dumps(data).encode()
    cache_file.write_bytes(payload)
    assert findings_of(mllint(root)) == expected
    assert json.loads(newest_cache(root).read_bytes())["format"] >= 1  # rebuilt, valid again
    assert findings_of(mllint(root)) == expected


def test_cache_file_replaced_by_a_symlink_is_not_followed(make_repo, tmp_path):
    root = make_repo({"a.py": "x = (\n"})
    findings_of(mllint(root))
    cache_file = newest_cache(root)
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    cache_file.unlink()
    os.symlink(target, cache_file)
    findings_of(mllint(root))
    assert target.read_text() == "{}"


def test_a_cache_dir_symlinked_out_of_the_tree_is_not_written(make_repo, tmp_path):
    root = make_repo({"a.py": "x = (\n"})
    outside = tmp_path / "victim"
    outside.mkdir()
    os.symlink(outside, root / ".mllint_cache")
    findings_of(mllint(root))
    assert list(outside.iterdir()) == []
    os.unlink(root / ".mllint_cache")
    (root / ".mllint_cache").mkdir()
    os.symlink(tmp_path / "planted-tag", root / ".mllint_cache" / "CACHEDIR.TAG")  # dangling: would be created
    findings_of(mllint(root))
    assert not (tmp_path / "planted-tag").exists()


def test_concurrent_runs_share_a_cache_safely(make_repo):
    root = make_repo({f"m{i}.py": ("x = (\n" if i % 3 == 0 else CLEAN) for i in range(60)})
    expected = findings_of(mllint(root, "--no-cache"))
    for _ in range(3):
        shutil.rmtree(root / ".mllint_cache", ignore_errors=True)
        cmd = [sys.executable, "-m", "mllint", "check", "--output-format", "json", str(root)]
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
        for proc in procs:
            out, err = proc.communicate(timeout=HANG)
            assert "Traceback" not in err
            assert proc.returncode == 1
            assert json.loads(out) == expected
        assert findings_of(mllint(root)) == expected


@pytest.mark.parametrize("group", [False, True])
def test_ctrl_c_exits_130_without_a_traceback(tmp_path, group):
    root = tmp_path / "big"
    for i in range(3000):
        folder = root / f"p{i // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"m{i}.py").write_text(CLEAN * 40)
    proc = subprocess.Popen([sys.executable, "-m", "mllint", "check", "--no-cache", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=as_in_a_terminal)
    time.sleep(2.0)
    if group:  # a terminal's Ctrl-C reaches the whole process group, workers included
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, err[-2000:])
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    time.sleep(0.5)
    leftovers = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert not leftovers, f"worker processes left behind: {leftovers}"


def test_the_pool_waits_on_what_is_ready_and_forgets_pipes_it_no_longer_waits_on():
    """The parent's persistent poll: data or an end of file makes a pipe ready; a closed pipe's number, reused
    by a new worker's pipe, answers for the new one."""
    import multiprocessing

    from mllint.engine.pool import _Waiting

    a_read, a_write = multiprocessing.Pipe(duplex=False)
    b_read, b_write = multiprocessing.Pipe(duplex=False)
    waiting = _Waiting()
    assert waiting.wait([a_read, b_read], 0.05) == set()
    b_write.send("outcome")
    assert waiting.wait([a_read, b_read], 5.0) == {b_read}
    assert b_read.recv() == "outcome"
    a_write.close()  # the worker is gone: its pipe is ready (and recv raises EOFError)
    assert waiting.wait([a_read, b_read], 5.0) == {a_read}
    number = a_read.fileno()
    a_read.close()
    c_read, c_write = multiprocessing.Pipe(duplex=False)
    c_write.send("next")
    assert waiting.wait([b_read, c_read], 5.0) == {c_read}
    assert c_read.fileno() == number or number not in waiting.registered
