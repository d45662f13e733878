"""The layout is the architecture (docs/architecture.md): mllint's subpackages are floors, and an import
may only go down — to a lower floor or within the same package. Imports under ``if TYPE_CHECKING:`` are
annotations, not dependencies, and do not count."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mllint"

#: Floor of each top-level part of the package (higher floors may import lower ones).
FLOORS = {
    "core": 0,
    "knowledge": 1,
    "analysis": 2, "repo": 2,
    "catalogue": 3,
    "config": 4,
    "engine": 5,
    "fix": 6, "adopt": 6,
    "output": 7,
    "server": 8, "watch": 8, "testing": 8, "pylint_plugin": 8, "docgen": 8,
    "commands": 9,
    "cli": 10,
    "__main__": 11,
}


def _part(module: str) -> str | None:
    """``mllint.engine.run`` -> ``engine``; ``mllint`` itself (the version) -> None."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 and pieces[0] == "mllint" else None


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_imports(tree: ast.Module, package: str) -> list[tuple[int, str]]:
    """(line, absolute module) of every import that runs (not under ``if TYPE_CHECKING:``)."""
    found: list[tuple[int, str]] = []
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(child) for inner in node.body for child in ast.walk(inner))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def _violations() -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "_catalogue" in path.parts or "_template" in path.parts:
            continue
        name = _module_name(path)
        own = _part(name)
        if own is None:
            continue
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        tree = ast.parse(path.read_text("utf-8"))
        for line, target in _runtime_imports(tree, package):
            other = _part(target)
            if other is None or other == own or other not in FLOORS:
                continue
            if FLOORS[other] >= FLOORS[own]:
                out.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {own} (floor {FLOORS[own]}) imports "
                           f"{target} ({other}, floor {FLOORS[other]})")
    return out


def test_every_part_of_the_package_has_a_floor():
    parts = {path.stem if path.is_file() else path.name for path in PACKAGE.iterdir()
             if (path.suffix == ".py" and path.stem != "__init__") or (path.is_dir() and (path / "__init__.py").exists())}
    assert parts - set(FLOORS) == set(), "add the new part to FLOORS (and docs/architecture.md)"


def test_imports_only_go_down():
    assert _violations() == []


def test_the_check_catches_an_upward_import(tmp_path, monkeypatch):
    """The test itself: a module of a low floor importing a higher one is reported."""
    fake = tmp_path / "mllint"
    (fake / "core").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "core" / "__init__.py").write_text("")
    (fake / "core" / "bad.py").write_text("from mllint.engine.run import run\n")
    (fake / "core" / "fine.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from mllint.engine import run\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    found = _violations()
    assert len(found) == 2 and all("core/bad.py:1" in item for item in found), found  # module + its name


@pytest.mark.parametrize("floor", sorted(set(FLOORS.values())))
def test_the_architecture_page_names_each_floor(floor):
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    names = [part for part, value in FLOORS.items() if value == floor]
    assert any(f"mllint/{name}" in text for name in names), names


def test_rules_import_only_what_rules_may_know():
    """A rule reads the file context, the repository model, knowledge and the contracts: nothing that runs."""
    allowed = {"core", "knowledge", "analysis", "repo", "catalogue"}
    bad = []
    for path in sorted((PACKAGE.parent / "rules").glob("ML*.py")):
        for line, target in _runtime_imports(ast.parse(path.read_text("utf-8")), "rules"):
            part = _part(target)
            if part is not None and part not in allowed:
                bad.append(f"{path.name}:{line}: {target}")
    assert bad == []
