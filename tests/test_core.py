"""The core's promises end to end: CLI, config errors, notebooks, parse errors, suppressions, JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mllint.core.findings import JSON_KEYS
from mllint.testing import notebook_json

SPLIT = "from sklearn.model_selection import train_test_split\nparts = train_test_split(X, test_size=0.2, random_state=0)\n"


def run(*args, cwd=None):
    """The real console entry point in a subprocess."""
    return subprocess.run([sys.executable, "-m", "mllint", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_json_reports_a_notebook_split_with_cell_and_line(make_repo):
    cells = ["import pandas as pd", "from sklearn.model_selection import train_test_split as tts\n\nparts = tts(df, test_size=0.25)"]
    root = make_repo({"explore.ipynb": notebook_json(cells, markdown_first=True)})
    proc = run("check", "--select", "ML0301", "--no-cache", "-o", "json", root)
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)
    assert [(f["code"], f["path"], f["cell"], f["line"]) for f in findings] == [("ML0301", "explore.ipynb", 2, 3)]
    assert tuple(findings[0]) == JSON_KEYS


def test_syntax_error_is_a_finding_and_other_files_are_still_checked(make_repo):
    root = make_repo({"broken.py": "def f(:\n    pass\n", "train.py": SPLIT, "nb.ipynb": "{not json"})
    proc = run("check", "--select", "ML0001,ML0301", "--no-cache", "-o", "json", root)
    assert proc.returncode == 1
    found = {(f["code"], f["path"]) for f in json.loads(proc.stdout)}
    assert found == {("ML0001", "broken.py"), ("ML0001", "nb.ipynb"), ("ML0301", "train.py")}


@pytest.mark.parametrize("config, expected", [
    ("[tool.mllint]\nselct = ['ML03']\n", "key 'selct': unknown key"),
    ("[tool.mllint]\nselect = 'ML03'\n", "key 'select'"),
    ("[tool.mllint]\nselect = ['ML99']\n", "unknown rule selector 'ML99'"),
    ("[tool.mllint.waivers]\nML0601 = ''\n", "needs a non-empty reason"),
    ("[tool.mllint.options.hardcoded-split]\nfoo = 1\n", "key 'options.hardcoded-split'"),
    ("[tool.mllint.options.code-style]\nline-length = 10\n", "key 'options.code-style': line-length: Input should be greater"),
    ("[tool.mllint.options.data-in-git]\nsize-treshold = 10\n", "key 'options.data-in-git': size-treshold: Extra inputs"),
    ("[tool.mllint\n", "cannot read TOML"),
])
def test_bad_config_exits_2_naming_the_key(make_repo, config, expected):
    root = make_repo({"pyproject.toml": config, "train.py": SPLIT})
    proc = run("check", root)
    assert proc.returncode == 2
    assert expected in proc.stderr and "pyproject.toml" in proc.stderr
    assert not proc.stdout


def test_exit_codes_and_exit_zero(make_repo, cli):
    clean = make_repo({"train.py": "x = 1\n"})
    dirty = make_repo({"train.py": SPLIT})
    assert cli("check", "--select", "ML0301", "--no-cache", clean).exit_code == 0
    assert cli("check", "--select", "ML0301", "--no-cache", dirty).exit_code == 1
    assert cli("check", "--select", "ML0301", "--no-cache", "--exit-zero", dirty).exit_code == 0
    assert cli("check", "--select", "NOPE", dirty).exit_code == 2
    assert cli("check", dirty / "missing").exit_code == 2


def test_selectors_codes_prefixes_names_and_ignore(make_repo, cli):
    root = make_repo({"train.py": SPLIT + "import numpy as np\nbad = x == np.nan\n"})

    def codes(*args):
        result = cli("check", "--no-cache", "-o", "json", *args, root)
        return {f["code"] for f in json.loads(result.stdout)}

    assert codes("--select", "hardcoded-split") == {"ML0301"}
    assert codes("--select", "ML13") == {"ML1301"}
    assert codes("--select", "ML0301,ML1301", "--ignore", "nan-equality") == {"ML0301"}
    assert codes("--select", "ML0301", "--extend-select", "ML1301") == {"ML0301", "ML1301"}


def test_config_file_per_file_ignores_and_waivers(make_repo, cli):
    config = (
        "[tool.mllint]\nselect = ['ML0301', 'ML0501']\n"
        "[tool.mllint.per-file-ignores]\n'scripts/*' = ['hardcoded-split']\n"
        "[tool.mllint.waivers]\nML0501 = 'tests live in another repository'\n"
    )
    root = make_repo({"pyproject.toml": config, "train.py": SPLIT, "scripts/quick.py": SPLIT})
    result = cli("check", "--no-cache", "-o", "json", root)
    assert [(f["code"], f["path"]) for f in json.loads(result.stdout)] == [("ML0301", "train.py")]
    text = cli("check", "--no-cache", root).stdout
    assert "tests live in another repository" in text


def test_mllint_toml_and_show_settings(make_repo, cli):
    root = make_repo({"mllint.toml": "select = ['ML03']\nextend-exclude = ['legacy/']\n", "legacy/old.py": SPLIT})
    result = cli("check", "--show-settings", root)
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["config_file"].endswith("mllint.toml")
    assert data["settings"]["select"] == ["ML03"] and data["settings"]["extend-exclude"] == ["legacy/"]
    assert cli("check", "--no-cache", root).exit_code == 0  # legacy/ is excluded


def test_suppressions_and_unused_suppression(make_repo, cli):
    source = (
        "from sklearn.model_selection import train_test_split\n"
        "a = train_test_split(X, test_size=0.2, random_state=0)  # mllint: ignore[hardcoded-split]\n"
        "b = train_test_split(X, test_size=0.3, random_state=0)  # noqa: ML0301\n"
        "c = 1  # mllint: ignore[ML0301]\n"
    )
    root = make_repo({"train.py": source, "other.py": "# mllint: ignore-file[ML0301]\n" + SPLIT})
    result = cli("check", "--no-cache", "-o", "json", "--select", "ML0301,ML0002", root)
    assert [(f["code"], f["path"], f["line"]) for f in json.loads(result.stdout)] == [("ML0002", "train.py", 4)]


def test_without_git_the_walk_honours_gitignore_and_default_excludes(make_repo, cli):
    root = make_repo({".gitignore": "generated/\n", "generated/x.py": SPLIT, ".venv/lib/y.py": SPLIT,
                      "node_modules/z.py": SPLIT, "train.py": SPLIT}, use_git=False)
    result = cli("check", "--no-cache", "-o", "json", "--select", "ML0301", root)
    assert {f["path"] for f in json.loads(result.stdout)} == {"train.py"}


def test_files_mode_runs_code_rules_only(make_repo):
    root = make_repo({"train.py": SPLIT})
    proc = run("check", "--no-cache", "-o", "json", "train.py", cwd=root)
    codes = {f["code"] for f in json.loads(proc.stdout)}
    assert "ML0301" in codes and not any(f.startswith("ML05") for f in codes)


def test_cache_directory_is_tagged_and_serves_the_second_run(make_repo):
    root = make_repo({f"m{i}.py": SPLIT for i in range(30)})
    first = run("check", "--select", "ML0301", "-o", "json", root)
    assert (root / ".mllint_cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (root / ".mllint_cache" / ".gitignore").read_text().strip().endswith("*")
    second = run("check", "--select", "ML0301", "-o", "json", root)
    assert first.stdout == second.stdout and len(json.loads(first.stdout)) == 30


def test_parallel_and_serial_runs_give_the_same_output(make_repo):
    root = make_repo({f"pkg/m{i:02d}.py": SPLIT for i in range(40)})
    serial = run("check", "--no-cache", "-j", "1", "-o", "json", root)
    parallel = run("check", "--no-cache", "-j", "2", "-o", "json", root)
    assert serial.stdout == parallel.stdout and serial.returncode == parallel.returncode == 1


def test_rules_and_rule_commands(cli):
    listing = cli("rules").stdout
    assert "ML0301  hardcoded-split" in listing and "ML0501  no-tests" in listing
    by_code, by_name = cli("rule", "ML0301").stdout, cli("rule", "hardcoded-split").stdout
    assert by_code == by_name
    for section in ("## Why is this bad?", "## Example", "## Use instead", "## How to fix"):
        assert section in by_code
    assert cli("rule", "ML9999").exit_code == 2


def test_the_checked_tree_is_not_modified_except_the_cache(make_repo):
    root = make_repo({"train.py": SPLIT, "nb.ipynb": notebook_json(["x = 1"])})
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    run("check", root)
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts and ".mllint_cache" not in p.parts}
    assert before == after


@pytest.mark.skipif(sys.platform == "win32", reason="elsewhere the lookup is shutil's own")
def test_a_program_is_found_in_path_as_shutil_finds_it(tmp_path, monkeypatch):
    import os
    import shutil

    from mllint.core.programs import which

    tool = tmp_path / "bin" / "tool"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\n")
    (tmp_path / "plain" / "tool").parent.mkdir()
    (tmp_path / "plain" / "tool").write_text("not executable\n")
    (tmp_path / "dir" / "tool").mkdir(parents=True)  # a folder of that name is not a program
    tool.chmod(0o755)
    monkeypatch.chdir(tmp_path / "bin")
    paths = [f"{tmp_path / 'plain'}{os.pathsep}{tmp_path / 'dir'}{os.pathsep}{tmp_path / 'bin'}", str(tmp_path / "plain"),
             "", f"{tmp_path / 'bin'}{os.pathsep}{tmp_path / 'bin'}", None]
    for path in paths:
        if path is None:
            monkeypatch.delenv("PATH", raising=False)
        else:
            monkeypatch.setenv("PATH", path)
        for name in ("tool", "sh", "no-such-program", str(tool), str(tmp_path / "plain" / "tool"), "./tool"):
            assert which(name) == shutil.which(name), (path, name)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert which("tool") == str(tool)


CHILD_OF_A_DYING_PARENT = """
import os, sys, time
from mllint.core import lifeline
parent = os.getpid()
ready_read, ready_write = os.pipe()
child = os.fork()
if child == 0:
    lifeline.die_with_parent(parent)
    os.write(ready_write, b"x")
    time.sleep(60)
    os._exit(0)
os.read(ready_read, 1)
print(child, lifeline._PRCTL is not None, flush=True)
"""


TOOL_OF_A_DYING_PARENT = """
import sys
from mllint.core import lifeline
if sys.argv[1] == "fork":
    lifeline._SETPRIV[:] = [None]  # no setpriv: the tool is set up in a forked child (preexec_fn)
tool = lifeline.start_tool(["sleep", "60"], memory=1_500_000_000)
limit = next(line for line in open(f"/proc/{tool.pid}/limits") if line.startswith("Max address space")).split()[3]
print(tool.pid, lifeline._setpriv() is not None, limit, flush=True)
"""


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] in "ZX"  # a zombie nobody reaps has died
    except (FileNotFoundError, ProcessLookupError):
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG and /proc are Linux's")
def test_a_worker_dies_with_mllint():
    """A child that asked to die with its parent is killed by the kernel when the parent exits (prctl found
    in the process's own symbols, not through ``ctypes.util``), well before its own minute is up."""
    import time

    done = subprocess.run([sys.executable, "-c", CHILD_OF_A_DYING_PARENT], capture_output=True, text=True, timeout=30)
    child, found = done.stdout.split()
    assert found == "True"
    deadline = time.monotonic() + 10
    while not _gone(int(child)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(int(child))
    fresh = subprocess.run([sys.executable, "-c", "import sys, mllint.core.lifeline; print('ctypes.util' in sys.modules)"],
                           capture_output=True, text=True, timeout=30)
    assert fresh.stdout.strip() == "False"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG, prlimit and /proc are Linux's")
@pytest.mark.parametrize("way", ["setpriv", "fork"])
def test_a_tool_dies_with_mllint_and_has_its_memory_ceiling(way):
    """An outside tool (ruff) started by mllint gets its address-space ceiling and is killed when mllint exits,
    whether started through setpriv (no fork of mllint's process) or set up in a forked child."""
    import time

    from mllint.core import lifeline

    if way == "setpriv" and lifeline._setpriv() is None:
        pytest.skip("no util-linux setpriv with --pdeathsig on this machine: the fork way is the one used")
    done = subprocess.run([sys.executable, "-c", TOOL_OF_A_DYING_PARENT, way], capture_output=True, text=True, timeout=30)
    tool, through_setpriv, limit = done.stdout.split()
    assert through_setpriv == str(way == "setpriv") and limit == "1500000000"
    deadline = time.monotonic() + 10
    while not _gone(int(tool)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(int(tool))
