import ast
import json
from pathlib import Path

import yaml

from {{cookiecutter.package_name}}.package import load_bundle
from {{cookiecutter.package_name}}.pipeline import STAGES, main

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "{{cookiecutter.package_name}}"
SOURCE = PROJECT_ROOT / "src" / PACKAGE


def dvc_stages():
    return yaml.safe_load((PROJECT_ROOT / "dvc.yaml").read_text())["stages"]


def imported_modules(module: str) -> set[str]:
    """The package's modules that importing ``module`` loads (transitively), as file paths."""
    seen: set[str] = set()
    queue = [module]
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse((SOURCE / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
                parts = node.module.split(".")[1:]
                if parts:
                    queue.append(parts[0])
                else:
                    queue += [alias.name for alias in node.names]
    return {f"src/{PACKAGE}/{name}.py" for name in seen | {"__init__"}}


def test_stages_match_dvc_yaml():
    assert list(dvc_stages()) == list(STAGES)


def test_every_stage_depends_on_every_module_it_imports():
    for name, stage in dvc_stages().items():
        module = stage["cmd"].split()[-1].split(".")[-1]
        missing = imported_modules(module) - set(stage["deps"])
        assert not missing, (name, sorted(missing))


def test_bundle_is_complete_and_versioned(workspace):
    bundle = load_bundle(workspace.paths.bundle_dir)
    registered = json.loads((workspace.paths.models_dir / "registered.json").read_text())
    assert bundle.version == registered["version"]
    manifest = bundle.manifest
    assert manifest["registered_model"] == workspace.tracking.registered_model
    assert manifest["run_id"] == registered["run_id"]
    names = {path.name for path in workspace.paths.bundle_dir.iterdir()}
    assert names == {*manifest["files"], "manifest.json"}
    assert {"schema.json", "metrics.json", "drift_reference.csv", "model_card.md"} <= names
    assert len(manifest["data_md5"]) == 32 and manifest["git_commit"]


def test_invalid_params_fail_clearly(tmp_path, capsys):
    bad = tmp_path / "params.yaml"
    bad.write_text("seed: -1\n")
    assert main(["--params", str(bad)]) == 2
    assert "seed" in capsys.readouterr().err
