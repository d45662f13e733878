"""The project's parameters file as code rules see it, and moving a literal into it.

Fixes of hardcoded splits and hyperparameters (ML0301, ML0302) replace a literal keyword value by a
read of the params file through the module's own loader binding (``params["split"]["test_size"]``)
and append the value to the params file. This is offered only when the module binds a params loader
at module level and the params file can take the value without changing any other run: the section
is new (then it is appended), or it already holds exactly that key and value.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from mllint.analysis.edits import TextEdit, replace
from mllint.core.findings import Edit, Position
from mllint.core.hashing import blake2b
from mllint.core.paramfiles import MAX_PARAMS_BYTES, PARAMS_FILES

MOVED_HEADER = "# moved here by `mllint check --fix --unsafe-fixes`\n"
Scalar = int | float


@dataclass(frozen=True)
class ProjectParams:
    """The params file of the checked project: its path (relative to the root), text and mapping."""

    file: str
    text: str
    sections: dict[str, object]

    @classmethod
    def load(cls, root: Path, overlay: dict[str, bytes] | None = None) -> ProjectParams | None:
        """The first params file that holds a mapping; ``overlay`` replaces files not yet written."""
        from mllint.core.yamlsafe import load_yaml

        for rel in PARAMS_FILES:
            data = (overlay or {}).get(rel)
            try:
                if data is None:
                    path = root / rel
                    if not path.is_file() or path.stat().st_size > MAX_PARAMS_BYTES:
                        continue
                    data = path.read_bytes()
                text = data.decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            loaded = load_yaml(text)
            if isinstance(loaded, dict):
                return cls(rel, text, {str(key): value for key, value in loaded.items()})
        return None

    def digest(self) -> str:
        return blake2b(f"{self.file}\0{self.text}".encode(), digest_size=8).hexdigest()

    def append(self, block: str) -> Edit:
        """An edit appending ``block`` (YAML text ending with a newline) at the end of the file."""
        lines = self.text.split("\n")
        end = Position(len(lines), len(lines[-1]) + 1)
        prefix = "" if not self.text or self.text.endswith("\n") else "\n"
        return Edit(self.file, end, end, prefix + MOVED_HEADER + block)


def params_binding(tree: ast.Module, params: ProjectParams | None) -> str | None:
    """The module-level name bound to the project's parameters by a loader mllint recognises.

    ``NAME = <call>`` at module level where the call mentions the params file's name
    (``yaml.safe_load(open("params.yaml"))``), or is ``dvc.api.params_show()`` / ``load_params()``.
    """
    if params is None:
        return None
    file_name = params.file.rsplit("/", 1)[-1]
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.Call)):
            continue
        for node in ast.walk(stmt.value):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and file_name in node.value:
                return stmt.targets[0].id
            called = node.func if isinstance(node, ast.Call) else None
            name = called.attr if isinstance(called, ast.Attribute) else called.id if isinstance(called, ast.Name) else None
            if name in ("params_show", "load_params"):
                return stmt.targets[0].id
    return None


def literal_number(node: ast.AST) -> Scalar | None:
    """The value of a number literal (``-1`` included), None for anything else."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class ParamsMove:
    """The keywords moved into the params file, the edits of the call and of the params file."""

    moved: list[str]
    edits: list[TextEdit]
    params_edits: list[Edit]


def move_to_params(call: ast.Call, section: str, names: set[str], binding: str | None,
                   params: ProjectParams | None) -> ParamsMove | None:
    """Move the number-literal keywords ``names`` of ``call`` into ``section`` of the params file."""
    if binding is None or params is None:
        return None
    existing = params.sections.get(section)
    if existing is not None and not isinstance(existing, dict):
        return None
    moved: dict[str, Scalar] = {}
    edits: list[TextEdit] = []
    for keyword in call.keywords:
        if keyword.arg not in names:
            continue
        value = literal_number(keyword.value)
        if value is None:
            continue
        if existing is not None:
            held = existing.get(keyword.arg)
            if held != value or type(held) is not type(value):
                continue
        moved[keyword.arg] = value
        edits.append(replace(keyword.value, f'{binding}["{section}"]["{keyword.arg}"]'))
    if not moved:
        return None
    params_edits = [] if existing is not None else [params.append(_yaml_section(section, moved))]
    return ParamsMove(list(moved), edits, params_edits)


def _yaml_section(section: str, values: dict[str, Scalar]) -> str:
    import yaml

    return str(yaml.safe_dump({section: values}, sort_keys=False, default_flow_style=False))
