"""editors/vscode: the extension builds into a .vsix from a clean copy, and its unit tests pass (needs npm).

Runs the commands of the extension's README in a copy of its tracked files (no node_modules, no out/),
as a clean clone would. Without npm on the machine the tests are skipped with that reason (shown in
the pytest summary).
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parent.parent / "editors" / "vscode"
TRACKED = ("package.json", "package-lock.json", "tsconfig.json", ".vscodeignore", "LICENSE", "README.md", "src")
NPM = shutil.which("npm")

pytestmark = pytest.mark.e2e
needs_npm = pytest.mark.skipif(NPM is None, reason="npm not found: the VS Code extension's build and unit tests were not run")


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{' '.join(command)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``npm ci && npm run compile`` in a clean copy of the extension."""
    clean = tmp_path_factory.mktemp("vscode") / "vscode"
    clean.mkdir()
    for name in TRACKED:
        source = EXTENSION / name
        if source.is_dir():
            shutil.copytree(source, clean / name)
        else:
            shutil.copy2(source, clean / name)
    _run([NPM, "ci", "--no-audit", "--no-fund"], clean)
    _run([NPM, "run", "compile"], clean)
    return clean


@needs_npm
def test_unit_tests_pass(built: Path) -> None:
    proc = _run([NPM, "test"], built)
    assert "# fail 0" in proc.stdout and "# pass " in proc.stdout
    passed = int(proc.stdout.split("# pass ")[1].split()[0])
    assert passed >= 5


@needs_npm
def test_vsix_is_packaged(built: Path) -> None:
    _run(["npx", "vsce", "package", "--out", "mllint.vsix"], built)
    with zipfile.ZipFile(built / "mllint.vsix") as vsix:
        names = set(vsix.namelist())
        manifest = vsix.read("extension/package.json").decode()
    assert "extension/out/extension.js" in names
    assert any(name.startswith("extension/node_modules/vscode-languageclient/") for name in names)
    assert not any(name.startswith("extension/src/") or name.endswith(".ts") for name in names)
    assert '"onNotebook:jupyter-notebook"' in manifest and '"mllint.interpreter"' in manifest


def test_settings_match_the_documentation() -> None:
    import json

    properties = json.loads((EXTENSION / "package.json").read_text())["contributes"]["configuration"]["properties"]
    readme = (EXTENSION / "README.md").read_text()
    for key in ("mllint.path", "mllint.interpreter", "mllint.args", "mllint.run"):
        assert key in properties and f"`{key}`" in readme
