"""git on an untrusted checkout: no program the repository configures ever runs, refusals are reported.

Each case plants a marker-writing command where a repository can name one (filter drivers by any
name, a committed bare repository carrying its own config, fsmonitor, hooks, diff drivers, a driver
defined through ``include.path``) and runs every command that calls git: ``check``, ``check
--changed-since``, ``baseline`` and ``fix --repo``. docs/hardening.md, break 1 and 9.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mllint.core.git import run_git
from mllint.testing import git

HANG = 120
ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
       "GIT_COMMITTER_EMAIL": "t@example.com"}


def mllint(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, text=True, timeout=HANG,
                          env={**os.environ, "NO_COLOR": "1", **(env or {})})
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


def findings(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    return data if isinstance(data, list) else data["findings"]


def git_config(repo: Path, key: str, value: str) -> None:
    subprocess.run(["git", "config", key, value], cwd=repo, check=True, capture_output=True)


def two_commits(root: Path, attributes: str) -> Path:
    """A repository with two commits; a .gitattributes naming drivers; then every file's stat changed."""
    root.mkdir(parents=True)
    (root / ".gitattributes").write_text(attributes)
    (root / "a.py").write_text("x = 1\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one")
    (root / "b.py").write_text("y = 2\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "two")
    return root


def touch_later(*paths: Path) -> None:
    later = time.time() + 5
    for path in paths:
        os.utime(path, (later, later))


def marker_command(marker: Path) -> str:
    return f"touch {marker} && cat"


def plant(kind: str, tmp_path: Path, marker: Path) -> tuple[Path, Path]:
    """(directory to run mllint in, the checked root) for one way of making git run a command."""
    command = marker_command(marker)
    if kind == "committed bare repository":
        inner = two_commits(tmp_path / "inner", "* filter=evil\n")
        outer = tmp_path / "outer"
        (outer / "sub").mkdir(parents=True)
        for item in (inner / ".git").iterdir():
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, outer / "sub" / item.name)
        for name in ("a.py", "b.py", ".gitattributes"):
            shutil.copy2(inner / name, outer / "sub" / name)
        (outer / "sub" / "config").write_text(
            "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n"
            f'[filter "evil"]\n\tclean = "{command}"\n\tsmudge = "{command}"\n')
        git(outer, "init", "-q", "-b", "main")
        git(outer, "add", "-A")
        git(outer, "commit", "-q", "-m", "outer")
        clone = tmp_path / "clone"
        subprocess.run(["git", "clone", "-q", str(outer), str(clone)], check=True, capture_output=True)
        return clone, clone / "sub"
    root = tmp_path / "repo"
    if kind == "clean filter":
        two_commits(root, "* filter=evil\n")
        git_config(root, "filter.evil.clean", command)
    elif kind == "process filter":
        two_commits(root, "*.py filter=evil\n")
        git_config(root, "filter.evil.process", command)
        git_config(root, "filter.evil.required", "true")
    elif kind == "driver named with dots and spaces":
        two_commits(root, "*.py filter=my.evil.driver\n")
        git_config(root, "filter.my.evil.driver.clean", command)
    elif kind == "driver defined through include.path":
        two_commits(root, "* filter=hidden\n")
        (root / ".git" / "extra.cfg").write_text(f'[filter "hidden"]\n\tclean = "{command}"\n')
        git_config(root, "include.path", "extra.cfg")
    elif kind == "fsmonitor hook":
        two_commits(root, "")
        git_config(root, "core.fsmonitor", command)
    elif kind == "hooks":
        two_commits(root, "")
        hooks = root / ".git" / "evil-hooks"
        hooks.mkdir()
        for name in ("post-index-change", "post-checkout", "reference-transaction", "pre-auto-gc"):
            (hooks / name).write_text(f"#!/bin/sh\ntouch {marker}\n")
            (hooks / name).chmod(0o755)
        git_config(root, "core.hooksPath", str(hooks))
    elif kind == "diff driver":
        two_commits(root, "*.py diff=evil\n")
        git_config(root, "diff.evil.textconv", command)
        git_config(root, "diff.evil.command", command)
        git_config(root, "diff.external", command)
        git_config(root, "core.pager", command)
    else:  # pragma: no cover
        raise AssertionError(kind)
    (root / "a.py").write_text("x = 10\n")  # a changed work-tree file: git has to look at its content
    touch_later(root / "a.py", root / "b.py", root / ".gitattributes")
    return root.parent, root


KINDS = ["committed bare repository", "clean filter", "process filter", "driver named with dots and spaces",
         "driver defined through include.path", "fsmonitor hook", "hooks", "diff driver"]


@pytest.mark.parametrize("kind", KINDS)
def test_no_repository_configured_program_runs_in_any_command(tmp_path, kind):
    marker = tmp_path / "MARKER"
    cwd, root = plant(kind, tmp_path, marker)
    # plain git does run it: the trap is real
    probe = subprocess.run(["git", "status"], cwd=root, capture_output=True, env={**os.environ, **ENV})
    if kind in ("committed bare repository", "clean filter", "process filter", "driver named with dots and spaces",
                "driver defined through include.path", "fsmonitor hook"):
        assert marker.exists(), (kind, probe.stderr)
    marker.unlink(missing_ok=True)
    touch_later(*(p for p in root.iterdir() if p.is_file()))
    rel = os.path.relpath(root, cwd)
    runs = [
        mllint(cwd, "check", "--no-cache", "--changed-since", "HEAD~1", rel),
        mllint(cwd, "check", "--no-cache", rel),
        mllint(cwd, "check", "--no-cache", "--select", "ALL", rel),
        mllint(cwd, "baseline", "--no-cache", rel),
        mllint(cwd, "fix", "--repo", rel),
    ]
    assert not marker.exists(), kind
    for proc in runs:
        assert proc.returncode in (0, 1, 2), proc.stderr
    if kind == "committed bare repository":
        assert runs[0].returncode == 2 and "bare repository" in runs[0].stderr
        found = findings(mllint(cwd, "check", "--no-cache", "--no-baseline", "-o", "json", rel))
        assert any(f["code"] == "ML0005" and "bare repository" in f["message"] for f in found)
    else:
        assert runs[0].returncode in (0, 1), runs[0].stderr


def test_run_git_blanks_every_configured_driver(tmp_path):
    root = two_commits(tmp_path / "repo", "*.py filter=one diff=two\n")
    git_config(root, "filter.one.clean", "false")
    git_config(root, "filter.one.smudge", "false")
    git_config(root, "diff.two.textconv", "false")
    done = run_git(["config", "--get-regexp", r"^(filter|diff)\."], root)
    # the effective configuration, as git sees it under run_git: the last value of each command key is empty
    values: dict[str, str] = {}
    for line in done.text().splitlines():
        key, _, value = line.partition(" ")
        values[key] = value
    assert values["filter.one.clean"] == "" and values["filter.one.smudge"] == "" and values["filter.one.process"] == ""
    assert values["diff.two.textconv"] == "" and values["filter.one.required"] == "false"


def test_dubious_ownership_is_a_finding_not_a_pass(tmp_path):
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    (root / "data" / "train.csv").write_text("a,b\n" + "1,2\n" * 400_000)
    (root / "train.py").write_text("import pandas as pd\n\ndf = pd.read_csv('data/train.csv')\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "data in git")
    trusted = findings(mllint(tmp_path, "check", "--no-cache", "-o", "json", "repo"))
    assert any(f["code"] == "ML0102" for f in trusted)
    assert not any(f["code"] == "ML0005" for f in trusted)
    # git's own switch for "this repository belongs to someone else" (what a CI container sees)
    other = {"GIT_TEST_ASSUME_DIFFERENT_OWNER": "1"}
    proc = mllint(tmp_path, "check", "--no-cache", "-o", "json", "repo", env=other)
    assert proc.returncode == 1
    found = findings(proc)
    blind = [f for f in found if f["code"] == "ML0005"]
    assert blind and "dubious ownership" in blind[0]["message"] and "safe.directory" in blind[0]["message"]
    changed = mllint(tmp_path, "check", "--no-cache", "--changed-since", "HEAD", "repo", env=other)
    assert changed.returncode == 2 and "dubious ownership" in changed.stderr


def test_a_corrupt_git_folder_is_reported(tmp_path):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("garbage\n")
    (root / "train.py").write_text("x = 1\n")
    found = findings(mllint(tmp_path, "check", "--no-cache", "-o", "json", "repo"))
    assert [f["code"] for f in found if f["code"] in ("ML0005", "ML0101")] == ["ML0005"]


def test_a_slow_git_is_reported_not_silently_replaced(tmp_path, monkeypatch):
    from mllint.config.settings import Settings
    from mllint.core import git as hardened
    from mllint.engine.session import Session

    root = two_commits(tmp_path / "repo", "")
    real = hardened._spawn

    def slow_ls_files(git_path, args, cwd, timeout):
        if "ls-files" in args:
            return hardened.GitRun(False, problem=f"git ls-files did not finish within {timeout:g} s", timed_out=True)
        return real(git_path, args, cwd, timeout)

    monkeypatch.setattr(hardened, "_spawn", slow_ls_files)
    result = Session(root, Settings(select=["ALL"])).check(use_cache=False, jobs=1)
    blind = [f for f in result.findings if f.code == "ML0005"]
    assert blind and "did not finish" in blind[0].message and "walking" in blind[0].message
    assert {"a.py", "b.py"} <= set(result.inventory.files)  # the walk still found the files


def test_an_overlong_path_is_a_finding_not_a_skip(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "ok.py").write_text("x = 1\n")
    # 21 folders of 200 characters: 4,200+ characters, beyond PATH_MAX; created relative to each folder
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(21):
            os.mkdir("d" * 200, dir_fd=fd)
            child = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
        for name in ("deep.py", "deep.csv"):
            handle = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
            os.write(handle, b"x = (\n")
            os.close(handle)
    finally:
        os.close(fd)
    for use_git in (False, True):
        if use_git:  # the long path tracked (git cannot add it from the work tree; its index can hold it)
            git(root, "init", "-q", "-b", "main")
            blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=root, input=b"x = (\n", check=True,
                                  capture_output=True).stdout.decode().strip()
            deep_path = "/".join(["d" * 200] * 21) + "/deep.py"
            git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{deep_path}")
        proc = mllint(tmp_path, "check", "--no-cache", "-o", "json", "repo")
        found = findings(proc)
        blind = [f for f in found if f["code"] == "ML0005"]
        if use_git:  # git lists the files: the code file is skipped with a reason, the other one reported
            deep = [f for f in found if (f.get("path") or "").endswith("deep.py")]
            assert deep and deep[0]["code"] == "ML0003" and "too long" in deep[0]["message"], proc.stdout[-2000:]
            # deep.csv is untracked: git could not open its folder, and that folder is reported
            assert any(f["path"] and deep_path.startswith(f["path"]) and "folder not read" in f["message"] for f in blind)
        else:  # the walk cannot enter the deepest folder: that folder is reported
            assert any("too long" in f["message"] and f["path"].startswith("d" * 200) for f in blind), proc.stdout[-2000:]


def test_a_configuration_changed_between_calls_is_listed_again(tmp_path):
    """Found by the git fuzz target: a listing of the drivers reused after the configuration changed."""
    root = two_commits(tmp_path / "repo", "* filter=late\n")
    marker = tmp_path / "MARKER"
    assert run_git(["diff", "--name-only", "HEAD~1"], root).ok  # lists the (no) drivers once
    git_config(root, "filter.late.clean", marker_command(marker))
    (root / "a.py").write_text("x = 11\n")
    touch_later(root / "a.py", root / "b.py")
    assert run_git(["diff", "--name-only", "HEAD~1"], root).ok  # at once, in the same process
    assert not marker.exists()


def test_a_later_run_reuses_the_listing_only_while_the_configuration_is_unchanged(tmp_path):
    """The driver listing is remembered across runs (the user's cache) under the same check as within a
    run: a new process starts no ``git config`` while the files it came from are unchanged, and lists
    again (and blanks the new driver) once the repository's configuration names one."""
    root = two_commits(tmp_path / "repo", "* filter=late\n")
    marker = tmp_path / "MARKER"
    probe = ("import sys, subprocess\nfrom pathlib import Path\nfrom mllint.core.git import run_git\n"
             "spawned = []\nreal = subprocess.run\n"
             "def counting(args, *a, **k):\n    spawned.append([x for x in args if not x.startswith('-') and '=' not in x][1:2])\n"
             "    return real(args, *a, **k)\n"
             "subprocess.run = counting\n"
             "assert run_git(['diff', '--name-only', 'HEAD~1'], Path(sys.argv[1])).ok\n"
             "print(sum(1 for s in spawned if s == ['config']))\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def listings() -> int:
        done = subprocess.run([sys.executable, "-c", probe, str(root)], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return int(done.stdout.strip())

    assert listings() == 1  # the first run lists the drivers
    assert listings() == 0  # the next one reuses the listing: nothing it came from changed
    time.sleep(0.01)
    git_config(root, "filter.late.clean", marker_command(marker))
    (root / "a.py").write_text("x = 11\n")
    touch_later(root / "a.py", root / "b.py")
    assert listings() == 1  # .git/config changed: listed again, and the new driver blanked
    assert not marker.exists()
