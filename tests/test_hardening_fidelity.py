"""Fixes change only the fixed bytes (docs/hardening.md, break 8).

A UTF-8 BOM, CRLF line ends, a notebook's indentation, escapes and number formatting, a CRLF
``.gitignore`` and a Latin-1 source with a coding cookie all survive ``--fix``, ``--add-ignore`` and
``fix --repo --apply``; ``--diff`` prints a patch ``git apply`` accepts (also for a file without a
final newline); ``--fix --no-cache`` writes no cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mllint.testing import write_repo

HANG = 120
VALUES = "import pandas as pd\n\n\ndef f(df: pd.DataFrame):\n    return df.values\n"  # ML1303 (an unsafe fix)


def mllint(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run([sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, timeout=HANG,
                          env={**os.environ, "NO_COLOR": "1"})
    assert b"Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


def changed_lines(before: bytes, after: bytes, newline: bytes = b"\n") -> list[tuple[bytes, bytes]]:
    old, new = before.split(newline), after.split(newline)
    assert len(old) == len(new), (before, after)
    return [(o, n) for o, n in zip(old, new) if o != n]


@pytest.mark.parametrize("bom, newline", [(True, b"\r\n"), (True, b"\n"), (False, b"\r\n")])
def test_a_python_fix_keeps_bom_and_line_ends(tmp_path, bom, newline):
    data = (b"\xef\xbb\xbf" if bom else b"") + VALUES.encode().replace(b"\n", newline)
    root = write_repo(tmp_path / "repo", {"model.py": data}, use_git=False)
    proc = mllint(root, "check", "--no-cache", "--fix", "--unsafe-fixes", "--select", "ML1303", ".")
    assert proc.returncode == 0, proc.stderr
    after = (root / "model.py").read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") == bom
    assert changed_lines(data, after, newline) == [(b"    return df.values", b"    return df.to_numpy()")]


def _notebook_text(indent: int, ascii_only: bool) -> str:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Caf\u00e9 \u2013 r\u00e9sum\u00e9\n"]},
            {"cell_type": "code", "execution_count": 3, "metadata": {"scale": 1.5}, "outputs": [
                {"output_type": "execute_result", "data": {"text/plain": ["0.10"]}, "metadata": {}, "execution_count": 3}],
             "source": ["import pandas as pd\n", "df = pd.DataFrame({'caf\u00e9': [1]})\n", "arr = df.values  # \u00e9t\u00e9\n",
                        "print(arr)"]},
        ],
        "metadata": {"kernelspec": {"name": "python3"}, "version": 1.5},
        "nbformat": 4, "nbformat_minor": 5,
    }
    text = json.dumps(notebook, indent=indent, ensure_ascii=ascii_only)
    return text.replace("1.5", "1.50") + "\n"  # a number format json.dumps would not write


@pytest.mark.parametrize("indent, ascii_only, bom, crlf", [(4, True, True, True), (1, False, False, False),
                                                             (2, False, True, True)])
def test_a_notebook_fix_edits_its_json_text_in_place(tmp_path, indent, ascii_only, bom, crlf):
    text = _notebook_text(indent, ascii_only)
    if crlf:
        text = text.replace("\n", "\r\n")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    root = write_repo(tmp_path / "repo", {"eda.ipynb": data}, use_git=False)
    proc = mllint(root, "check", "--no-cache", "--fix", "--unsafe-fixes", "--select", "ML1303", ".")
    assert proc.returncode == 0, proc.stderr
    after = (root / "eda.ipynb").read_bytes()
    changed = changed_lines(data, after, b"\r\n" if crlf else b"\n")
    assert len(changed) == 1, changed
    old, new = changed[0]
    assert new == old.replace(b"df.values", b"df.to_numpy()")
    assert json.loads(after.decode("utf-8-sig"))["cells"][1]["source"][2].startswith("arr = df.to_numpy()")


def test_add_ignore_keeps_bom_crlf_and_notebook_layout(tmp_path):
    py = b"\xef\xbb\xbf" + VALUES.encode().replace(b"\n", b"\r\n")
    nb = ("\ufeff" + _notebook_text(4, True).replace("\n", "\r\n")).encode("utf-8")
    root = write_repo(tmp_path / "repo", {"model.py": py, "eda.ipynb": nb}, use_git=False)
    proc = mllint(root, "check", "--no-cache", "--add-ignore", "--select", "ML1303", ".")
    assert proc.returncode == 0, proc.stderr
    assert changed_lines(py, (root / "model.py").read_bytes(), b"\r\n") == [
        (b"    return df.values", b"    return df.values  # mllint: ignore[ML1303]")]
    changed = changed_lines(nb, (root / "eda.ipynb").read_bytes(), b"\r\n")
    assert len(changed) == 1 and b"# mllint: ignore[ML1303]" in changed[0][1]


def test_a_latin1_file_with_a_coding_cookie_is_fixed_in_latin1(tmp_path):
    source = "# -*- coding: latin-1 -*-\n# caf\u00e9\n" + VALUES
    root = write_repo(tmp_path / "repo", {"model.py": source.encode("latin-1"), "raw.py": ("# caf\u00e9\n" + VALUES).encode("latin-1")},
                      use_git=False)
    proc = mllint(root, "check", "--no-cache", "--fix", "--unsafe-fixes", "--select", "ML1303,ML0001", "-o", "json", ".")
    after = (root / "model.py").read_bytes()
    assert after == source.replace("df.values", "df.to_numpy()").encode("latin-1")
    left = json.loads(proc.stdout)
    assert [(f["path"], f["code"]) for f in left] == [("raw.py", "ML0001")]  # reported, not silently skipped


@pytest.mark.skipif(shutil.which("git") is None, reason="git applies the patch")
@pytest.mark.parametrize("final_newline", [False, True])
def test_diff_is_a_patch_git_applies(tmp_path, final_newline):
    source = VALUES.rstrip("\n") + ("\n" if final_newline else "")
    files = {"model.py": source, "other.py": "x = 1\r\n" + VALUES.replace("\n", "\r\n").rstrip("\r\n")}
    root = write_repo(tmp_path / "repo", files)
    proc = mllint(root, "check", "--no-cache", "--diff", "--unsafe-fixes", "--select", "ML1303", ".")
    assert proc.returncode == 1, proc.stderr
    patch = tmp_path / "fix.patch"
    patch.write_bytes(proc.stdout)
    check = subprocess.run(["git", "apply", "--check", str(patch)], cwd=root, capture_output=True, text=True)
    assert check.returncode == 0, (check.stderr, proc.stdout.decode())
    subprocess.run(["git", "apply", str(patch)], cwd=root, check=True, capture_output=True)
    applied = {name: (root / name).read_bytes() for name in files}
    fixed = write_repo(tmp_path / "fixed", files, use_git=False)
    assert mllint(fixed, "check", "--no-cache", "--fix", "--unsafe-fixes", "--select", "ML1303", ".").returncode == 0
    assert applied == {name: (fixed / name).read_bytes() for name in files}
    assert applied["model.py"].endswith(b"to_numpy()\n" if final_newline else b"to_numpy()")


def test_fix_with_no_cache_writes_no_cache(tmp_path):
    root = write_repo(tmp_path / "repo", {"model.py": VALUES}, use_git=False)
    for args in (("--fix", "--unsafe-fixes"), ("--diff", "--unsafe-fixes"), ("--add-ignore",)):
        mllint(root, "check", "--no-cache", *args, ".")
        assert not (root / ".mllint_cache").exists(), args
