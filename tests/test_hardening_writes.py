"""Where mllint writes, and that every write is whole or nothing (docs/hardening.md, breaks 2, 3 and 4).

A checked repository's configuration cannot choose where mllint writes outside the root; the cache
is read, written and pruned only in a directory mllint created and tagged; configuration discovery
stays inside the checked tree; no write goes through a symlink; a failed write (``ulimit -f``, a
read-only tree) leaves every file as it was and exits 2.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mllint.core.writes import WriteError, atomic_write
from mllint.testing import git, write_repo

HANG = 120
FIXABLE = "import pandas as pd\n\n\ndef f(df: pd.DataFrame):\n    return df.values\n"  # ML1303, an unsafe fix
RESULTS = "results-" + "0" * 32 + ".json"


def mllint(cwd: Path, *args: str, fsize: int | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    proc = subprocess.run([sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, text=True, timeout=HANG,
                          env={**os.environ, "NO_COLOR": "1", **(env or {})}, preexec_fn=limit)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


def snapshot(folder: Path) -> dict[str, str]:
    """Every path under ``folder`` -> its content digest (or link target / "dir")."""
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = "->" + os.readlink(path)
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def victim(tmp_path: Path) -> Path:
    """A folder outside the checked tree holding files named like mllint's cache files."""
    outside = tmp_path / "victim"
    outside.mkdir()
    for index in range(6):
        (outside / RESULTS.replace("0" * 32, f"{index:032x}")).write_text(f"user data {index}\n")
    (outside / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n# someone else's\n")
    return outside


# -- the cache ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["{outside}", "../victim", "sub/../../victim", "inside/../../victim", "C:\\\\victim"])
def test_a_repository_config_cannot_put_the_cache_outside(tmp_path, value):
    outside = victim(tmp_path)
    before = snapshot(outside)
    write_repo(tmp_path / "repo", {"a.py": "x = 1\n", "mllint.toml": f'cache-dir = "{value.format(outside=outside)}"\n'})
    proc = mllint(tmp_path, "check", "repo")
    assert proc.returncode == 2 and "key 'cache-dir'" in proc.stderr and "--cache-dir" in proc.stderr, proc.stderr
    assert snapshot(outside) == before
    ok = write_repo(tmp_path / "ok", {"a.py": "x = (\n", "mllint.toml": 'cache-dir = "build/mllint-cache"\n'})
    assert mllint(tmp_path, "check", "ok").returncode == 1
    assert (ok / "build" / "mllint-cache" / "CACHEDIR.TAG").is_file()


def test_a_cache_dir_reaching_out_through_a_symlink_is_not_used(tmp_path):
    outside = victim(tmp_path)
    before = snapshot(outside)
    root = write_repo(tmp_path / "repo", {"a.py": "x = (\n", "mllint.toml": 'cache-dir = ".mllint_cache/sub"\n'})
    os.symlink(outside, root / ".mllint_cache")
    for _ in range(2):
        assert mllint(tmp_path, "check", "repo").returncode == 1
    assert snapshot(outside) == before
    os.unlink(root / ".mllint_cache")
    (root / "deep").mkdir()
    os.symlink(outside, root / "deep" / "link")  # a link further down the configured path
    (root / "mllint.toml").write_text('cache-dir = "deep/link/cache"\n')
    assert mllint(tmp_path, "check", "repo").returncode == 1
    assert snapshot(outside) == before


def test_cache_dir_dot_never_deletes_tracked_files(tmp_path):
    files = {"a.py": "x = (\n", **{RESULTS.replace("0" * 32, f"{i:032x}"): f"tracked {i}\n" for i in range(8)},
             "ruff-" + "1" * 32 + ".json": "{}\n"}
    root = write_repo(tmp_path / "repo", files)
    before = snapshot(root)
    for _ in range(3):
        proc = mllint(root, "check", "--cache-dir", ".", ".")
        assert proc.returncode == 1 and "not a cache directory mllint created" in proc.stderr
    assert snapshot(root) == before


def test_a_command_line_cache_dir_elsewhere_is_created_tagged_and_used(tmp_path):
    root = write_repo(tmp_path / "repo", {"a.py": "x = (\n", "b.py": "y = 2\n"})
    elsewhere = tmp_path / "caches" / "mllint"
    first = mllint(tmp_path, "check", "--cache-dir", str(elsewhere), "-o", "json", "repo")
    assert first.returncode == 1
    assert (elsewhere / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert len(list(elsewhere.glob("results-*.json"))) == 1
    assert not (root / ".mllint_cache").exists()
    # a folder of the user's with files named like mllint's, not created by mllint: never pruned
    outside = victim(tmp_path)
    (outside / "CACHEDIR.TAG").unlink()
    before = snapshot(outside)
    for select in ("ALL", "ML0001", "ML00", "ML01", "ML03"):  # five settings: five results files, KEEP is 4
        mllint(tmp_path, "check", "--cache-dir", str(outside), "--select", select, "repo")
    assert snapshot(outside) == before


def test_pruning_keeps_to_mllint_files_in_its_own_directory(tmp_path):
    root = write_repo(tmp_path / "repo", {"a.py": "x = (\n"})
    cache = root / ".mllint_cache"
    mllint(tmp_path, "check", "repo")
    planted = cache / "results-notahash.json"
    planted.write_text("keep me\n")
    for select in ("ALL", "ML0001", "ML00", "ML01", "ML03", "ML05"):
        mllint(tmp_path, "check", "--select", select, "repo")
    assert planted.read_text() == "keep me\n"
    assert len(list(cache.glob("results-" + "?" * 32 + ".json"))) == 4


# -- configuration discovery ----------------------------------------------------------------------------------
def test_configuration_discovery_stops_at_the_checked_root_outside_git(tmp_path):
    (tmp_path / "mllint.toml").write_text('ignore = ["ALL"]\n')  # a parent folder's config: not the project's
    write_repo(tmp_path / "downloads" / "project", {"a.py": "x = (\n"}, use_git=False)
    proc = mllint(tmp_path / "downloads", "check", "--verbose", "-o", "json", "project")
    assert proc.returncode == 1 and any(f["code"] == "ML0001" for f in json.loads(proc.stdout))
    assert "configuration: none found" in proc.stderr
    shown = json.loads(mllint(tmp_path / "downloads", "check", "--show-settings", "project").stdout)
    assert shown["config_file"] is None


def test_inside_git_the_repository_root_config_still_applies(tmp_path):
    root = write_repo(tmp_path / "mono", {"svc/model/a.py": "x = (\n", "mllint.toml": 'ignore = ["ML0001"]\n'})
    proc = mllint(root, "check", "--verbose", "-o", "json", "svc/model")
    assert not any(f["code"] == "ML0001" for f in json.loads(proc.stdout))
    assert f"configuration: {root / 'mllint.toml'}" in proc.stderr
    shown = json.loads(mllint(root, "check", "--show-settings", "svc/model").stdout)
    assert shown["config_file"] == str(root / "mllint.toml")


# -- symlinks and the baseline ---------------------------------------------------------------------------------
def test_baseline_never_writes_through_a_symlink(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("precious\n")
    root = write_repo(tmp_path / "repo", {"a.py": "x = (\n"})
    os.symlink(target, root / ".mllint-baseline.json")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "link")
    proc = mllint(tmp_path, "baseline", "--no-cache", "repo")
    assert proc.returncode == 2 and "symbolic link" in proc.stderr
    proc = mllint(tmp_path, "baseline", "--no-cache", "--baseline", "repo/.mllint-baseline.json", "repo")
    assert proc.returncode == 2 and "symbolic link" in proc.stderr
    assert target.read_text() == "precious\n" and (root / ".mllint-baseline.json").is_symlink()
    # a folder of the tree that is a link out of it
    os.symlink(tmp_path, root / "out")
    proc = mllint(tmp_path, "baseline", "--no-cache", "--baseline", "repo/out/planted.json", "repo")
    assert proc.returncode == 2 and "outside" in proc.stderr
    assert not (tmp_path / "planted.json").exists()


def test_an_output_file_in_the_tree_cannot_be_redirected(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("precious\n")
    root = write_repo(tmp_path / "repo", {"a.py": "x = (\n"})
    os.symlink(target, root / "report.sarif")
    os.symlink(tmp_path, root / "reports")
    for name in ("report.sarif", "reports/mllint.sarif"):
        proc = mllint(root, "check", "-o", "sarif", "--output-file", name, ".")
        assert proc.returncode == 2 and "--output-file" in proc.stderr, proc.stderr
    assert target.read_text() == "precious\n" and not (tmp_path / "mllint.sarif").exists()
    proc = mllint(root, "check", "-o", "json", "--output-file", str(tmp_path / "missing" / "out.json"), ".")
    assert proc.returncode == 2 and "No such file or directory" in proc.stderr
    ok = mllint(root, "check", "-o", "json", "--output-file", str(tmp_path / "out.json"), ".")
    assert ok.returncode == 1 and json.loads((tmp_path / "out.json").read_text())


# -- atomic writes ------------------------------------------------------------------------------------------------
def test_atomic_write_keeps_mode_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "script.py"
    path.write_text("old\n")
    path.chmod(0o751)
    atomic_write(path, "new\n", confine=tmp_path)
    assert path.read_text() == "new\n" and (path.stat().st_mode & 0o777) == 0o751
    assert sorted(p.name for p in tmp_path.iterdir()) == ["script.py"]
    with pytest.raises(FileExistsError):
        atomic_write(path, "other\n", exclusive=True)
    os.symlink(path, tmp_path / "link.py")
    with pytest.raises(WriteError):
        atomic_write(tmp_path / "link.py", "through\n")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(WriteError):
        atomic_write(tmp_path / "fifo", "x")
    assert path.read_text() == "new\n"


def _big_source(size: int) -> str:
    body = "".join(f"def f{i}(df: pd.DataFrame):\n    return df.values + {i}\n\n\n" for i in range(size // 48))
    return "import pandas as pd\n\n\n" + body


@pytest.mark.parametrize("command", ["fix", "add-ignore", "baseline", "fix-repo", "output-file"])
def test_a_failed_write_leaves_every_file_intact(tmp_path, command):
    """``ulimit -f``: a write that cannot complete; the file keeps its old content, exit 2."""
    source = _big_source(250_000)
    files = {"train.py": source, ".dvc/config": "[core]\n", "models/.gitignore": "# padding\n" * 15_000,
             "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    outs: [models/model.pkl]\n"}
    root = write_repo(tmp_path / "repo", files)
    if command == "baseline":
        mllint(root, "baseline", "--no-cache", "--select", "ALL", ".")  # a baseline of ~5,000 findings
        (root / "train.py").write_text(source + "x = 1\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "baseline")
    before = snapshot(root)
    limit = 100_000  # bytes: every file above is cut short by the kernel (EFBIG)
    args = {
        "fix": ("check", "--no-cache", "--fix", "--unsafe-fixes", "."),
        "add-ignore": ("check", "--no-cache", "--add-ignore", "."),
        "baseline": ("baseline", "--no-cache", "--select", "ALL", "--baseline", ".mllint-baseline.json", "."),
        "fix-repo": ("fix", "--repo", "--apply", "."),
        "output-file": ("check", "--no-cache", "-o", "json", "--output-file", "report.json", "."),
    }[command]
    proc = mllint(root, *args, fsize=limit)
    after = snapshot(root)
    if command == "fix-repo":  # small new files are written; the large .gitignore is not cut short
        assert after["models/.gitignore"] == before["models/.gitignore"] and after["train.py"] == before["train.py"]
        assert proc.returncode == 2 and "models/.gitignore: not written" in proc.stderr, proc.stderr
    else:
        assert proc.returncode == 2 and "File too large" in proc.stderr, (proc.returncode, proc.stderr[-2000:])
        assert {k: v for k, v in after.items() if not k.startswith(".mllint_cache")} == \
               {k: v for k, v in before.items() if not k.startswith(".mllint_cache")}
    assert not [p for p in root.rglob("*.mllint-tmp")], "a temporary file was left behind"
    if command == "baseline":
        assert json.loads((root / ".mllint-baseline.json").read_text())["findings"]  # still parses


def _read_only(root: Path) -> list[Path]:
    """Make the tree unwritable: chmod for a normal user; root ignores modes, so the immutable flag."""
    paths = [root, *[p for p in root.rglob("*") if ".git" not in p.parts]]
    if os.geteuid() != 0:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        return paths
    chattr = shutil.which("chattr")
    done = subprocess.run([chattr, "+i", *map(str, paths)], capture_output=True) if chattr else None
    if done is None or done.returncode != 0:
        return []
    return paths


def _writable(paths: list[Path]) -> None:
    if os.geteuid() != 0:
        for path in paths:
            path.chmod(0o755 if path.is_dir() else 0o644)
    elif paths:
        subprocess.run(["chattr", "-i", *map(str, paths)], capture_output=True)


@pytest.mark.parametrize("command", ["fix", "add-ignore", "fix-repo"])
def test_a_read_only_tree_is_an_error_not_a_traceback(tmp_path, monkeypatch, command):
    root = write_repo(tmp_path / "repo", {"train.py": FIXABLE, "notebook.ipynb": json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "source": ["import pandas as pd\n", "x = pd.DataFrame().values\n"],
                   "outputs": [], "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"})
    before = snapshot(root)
    args = {"fix": ("check", "--no-cache", "--fix", "--unsafe-fixes", "."),
            "add-ignore": ("check", "--no-cache", "--add-ignore", "."),
            "fix-repo": ("fix", "--repo", "--apply", ".")}[command]
    locked = _read_only(root)
    try:
        if locked:
            proc = mllint(root, *args)
            code, stderr = proc.returncode, proc.stderr
        else:  # no way to make a file unwritable for root here: the same refusal, injected
            from typer.testing import CliRunner

            from mllint.cli import app
            from mllint.core import writes

            real_open = writes.os.open

            def refuse(path, flags, *a, **k):
                if flags & os.O_CREAT:
                    raise PermissionError(13, "Permission denied")
                return real_open(path, flags, *a, **k)

            monkeypatch.setattr(writes.os, "open", refuse)
            monkeypatch.chdir(root)
            outcome = CliRunner().invoke(app, list(args))
            code, stderr = outcome.exit_code, outcome.output
            assert outcome.exception is None or isinstance(outcome.exception, SystemExit), outcome.exception
    finally:
        _writable(locked)
    assert code == 2, stderr
    assert "Permission denied" in stderr or "Operation not permitted" in stderr or "Read-only" in stderr, stderr
    assert snapshot(root) == before
