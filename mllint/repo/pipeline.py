"""The DVC pipeline as the repository declares it: stages, what their commands run, what that code imports.

``dvc.yaml`` stages with their line numbers, their working directory, ``deps``/``outs``/``metrics``/
``plots`` normalised to paths relative to the checked root, and their ``params`` references; each
stage's commands parsed (without a shell) into the Python entry points they run (``python src/train.py``,
``python -m pkg.train``, launchers such as ``torchrun``); the project modules an entry point imports,
transitively, resolved on the ``sys.path`` the command would have. Built from the files and the per-file
facts only: nothing is imported or run, and the ``dvc`` binary is not needed.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from mllint.core.yamlsafe import key_lines

if TYPE_CHECKING:  # pragma: no cover
    from mllint.core.facts import FileFacts
    from mllint.repo.model import RepoModel

PYTHON = re.compile(r"^(.*/)?(python|python3|python3\.\d+|py|pythonw|ipython)$")
SEPARATORS = re.compile(r"\s*(?:&&|\|\||;|\||\n)\s*")
#: Commands that neither run project code nor read parameters (a stage may prepare folders with them).
SHELL_UTILITIES = frozenset({
    "mkdir", "rm", "cp", "mv", "echo", "touch", "cat", "ls", "test", "true", "false", "export", "set",
    "printf", "sleep", "ln", "chmod", "date", "pwd", "unzip", "gunzip", "gzip", "tar", "wget", "curl",
    "head", "tail", "sort", "wc", "tee", "[", "exit",
})


@dataclass
class StageEntry:
    """One ``deps``/``outs``/``metrics``/``plots`` item: its path relative to the checked root."""

    path: str
    raw: str
    line: int | None = None


@dataclass
class ParamRef:
    """One ``params`` item of a stage: a key (dotted; "" for the whole file) of a params file."""

    file: str  # relative to the checked root
    key: str
    line: int | None = None


@dataclass
class EntryPoint:
    """What a stage command runs: a Python file, with the ``sys.path`` it runs with (root-relative dirs)."""

    path: str
    sys_path: list[str]
    command: str


@dataclass
class Stage:
    name: str
    dvcfile: str
    line: int | None
    cwd: str  # the folder commands run in, relative to the checked root ("" for the root)
    commands: list[str] = field(default_factory=list)
    deps: list[StageEntry] = field(default_factory=list)
    outs: list[StageEntry] = field(default_factory=list)
    metrics: list[StageEntry] = field(default_factory=list)
    plots: list[StageEntry] = field(default_factory=list)
    params: list[ParamRef] = field(default_factory=list)
    deps_line: int | None = None
    #: ``foreach``/``matrix`` or ``${...}`` interpolation: paths and commands are not known literally.
    templated: bool = False
    frozen: bool = False

    def covers(self, rel: str) -> bool:
        """Is ``rel`` (root-relative) one of the deps or below a dep folder?"""
        for dep in self.deps:
            if dep.path in ("", ".") or rel == dep.path or rel.startswith(dep.path + "/"):
                return True
        return False


def normalise(folder: str, path: str) -> str:
    """``folder/path`` normalised, relative to the root; "" for the root itself; may start with ``../``."""
    joined = posixpath.normpath(posixpath.join(folder, path)) if folder else posixpath.normpath(path)
    return "" if joined == "." else joined.rstrip("/")


def _entries(value: Any, folder: str, lines: dict[tuple[str, ...], int], where: tuple[str, ...]) -> list[StageEntry]:
    out: list[StageEntry] = []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return out
    for index, item in enumerate(value):
        line = lines.get((*where, str(index)))
        if isinstance(item, str):
            out.append(StageEntry(normalise(folder, item), item, line))
        elif isinstance(item, dict):
            for path in item:
                if isinstance(path, str):
                    out.append(StageEntry(normalise(folder, path), path, line))
    return out


def _param_refs(value: Any, folder: str, lines: dict[tuple[str, ...], int], where: tuple[str, ...]) -> list[ParamRef]:
    default = normalise(folder, "params.yaml")
    out: list[ParamRef] = []
    if not isinstance(value, list):
        return out
    for index, item in enumerate(value):
        line = lines.get((*where, str(index)))
        if isinstance(item, str):
            out.append(ParamRef(default, item, line))
        elif isinstance(item, dict):
            for name, keys in item.items():
                if not isinstance(name, str):
                    continue
                file = normalise(folder, name)
                if not keys:
                    out.append(ParamRef(file, "", line))
                elif isinstance(keys, list):
                    for offset, key in enumerate(keys):
                        if isinstance(key, str):
                            out.append(ParamRef(file, key, lines.get((*where, str(index), name, str(offset)), line)))
    return out


class Pipeline:
    """The DVC stages of the repository and what their commands run (``repo.pipeline``)."""

    def __init__(self, repo: RepoModel) -> None:
        self.repo = repo
        table = repo.knowledge.get("pipeline_commands", {})
        self.launchers = set(table.get("launchers", []))
        self.option_values = set(table.get("option_values", ["-W", "-X"]))

    # -- stages ----------------------------------------------------------------------------------
    @cached_property
    def stages(self) -> list[Stage]:
        out: list[Stage] = []
        for rel in self.repo.vcs.dvc_yaml_files:
            data = self.repo.read_yaml(rel)
            stages = data.get("stages") if isinstance(data, dict) else None
            if not isinstance(stages, dict):
                continue
            lines = key_lines(self.repo.read_text(rel))
            base = posixpath.dirname(rel)
            for name, body in stages.items():
                if not isinstance(name, str) or not isinstance(body, dict):
                    continue
                where = ("stages", name)
                wdir = body.get("wdir")
                cwd = normalise(base, wdir) if isinstance(wdir, str) else base
                cmd = body.get("cmd")
                commands = [cmd] if isinstance(cmd, str) else [c for c in cmd if isinstance(c, str)] if isinstance(cmd, list) else []
                stage = Stage(name=name, dvcfile=rel, line=lines.get(where), cwd=cwd, commands=commands,
                              deps=_entries(body.get("deps"), cwd, lines, (*where, "deps")),
                              outs=_entries(body.get("outs"), cwd, lines, (*where, "outs")),
                              metrics=_entries(body.get("metrics"), cwd, lines, (*where, "metrics")),
                              plots=_entries(body.get("plots"), cwd, lines, (*where, "plots")),
                              params=_param_refs(body.get("params"), cwd, lines, (*where, "params")),
                              deps_line=lines.get((*where, "deps")),
                              frozen=body.get("frozen") is True)
                stage.templated = "foreach" in body or "matrix" in body or "do" in body or "${" in str(
                    [cmd, body.get("deps"), body.get("wdir")])
                out.append(stage)
        return out

    # -- commands ----------------------------------------------------------------------------------
    def entry_points(self, stage: Stage) -> list[EntryPoint] | None:
        """The Python files the stage's commands run; None when a command runs something else or cannot
        be followed (another program, ``python -c``, a script that is not in the repository)."""
        found: list[EntryPoint] = []
        for command in stage.commands:
            parts = [part for part in SEPARATORS.split(command) if part.strip()]
            cwd = stage.cwd
            for part in parts:
                try:
                    tokens = shlex.split(part, comments=True)
                except ValueError:
                    return None
                env: dict[str, str] = {}
                while tokens and re.match(r"^[A-Za-z_]\w*=", tokens[0]):
                    key, _, value = tokens.pop(0).partition("=")
                    env[key] = value
                if not tokens:
                    continue
                program = posixpath.basename(tokens[0])
                if program == "cd":
                    if len(tokens) < 2 or "$" in tokens[1]:
                        return None
                    cwd = normalise(cwd, tokens[1])
                    continue
                if program in SHELL_UTILITIES:
                    continue
                entry = self._python_entry(tokens, cwd, env, part)
                if entry is None:
                    return None
                found.append(entry)
        return found

    def _python_entry(self, tokens: list[str], cwd: str, env: dict[str, str], command: str) -> EntryPoint | None:
        script: str | None = None
        module: str | None = None
        start = next((i for i, token in enumerate(tokens) if PYTHON.match(token)), None)
        if start is not None:
            index = start + 1
            while index < len(tokens):
                token = tokens[index]
                if token == "-m" and index + 1 < len(tokens):
                    module = tokens[index + 1]
                    break
                if token.startswith("-m") and len(token) > 2:
                    module = token[2:]
                    break
                if token == "-c" or token.startswith("-c"):
                    return None
                if token in self.option_values:
                    index += 2
                    continue
                if token.startswith("-"):
                    index += 1
                    continue
                script = token
                break
        elif posixpath.basename(tokens[0]) in self.launchers or tokens[0].endswith(".py"):
            if "-m" in tokens[:-1]:
                module = tokens[tokens.index("-m") + 1]
            else:
                script = next((t for t in tokens if t.endswith(".py") and not t.startswith("-")), None)
        if script is None and module is None:
            return None
        extra = [normalise(cwd, part) for part in env.get("PYTHONPATH", "").split(":") if part and "$" not in part]
        if script is not None:
            if "$" in script:
                return None
            path = normalise(cwd, script)
            if path not in self.repo.facts:
                return None
            return EntryPoint(path, [posixpath.dirname(path), *extra, *self._installed_roots()], command)
        if module is None or "$" in module:
            return None
        roots = [cwd, *extra, *self._installed_roots()]
        resolved = self.resolve(module, roots)
        if resolved is None:
            return None
        return EntryPoint(resolved, roots, command)

    def _installed_roots(self) -> list[str]:
        """Folders a project installed in development mode puts on ``sys.path``: the root, ``src/``."""
        return ["", "src"]

    # -- imports ----------------------------------------------------------------------------------
    @cached_property
    def _modules(self) -> set[str]:
        return {rel for rel, facts in self.repo.facts.items() if rel.endswith(".py") and facts.parsed}

    def resolve(self, dotted: str, roots: list[str]) -> str | None:
        """The project file of module ``dotted`` on the first root that has it (None: not a project module)."""
        parts = dotted.split(".")
        if not all(part.isidentifier() for part in parts):
            return None
        stem = "/".join(parts)
        for root in roots:
            prefix = root + "/" if root else ""
            for candidate in (f"{prefix}{stem}.py", f"{prefix}{stem}/__init__.py"):
                if candidate in self._modules:
                    return candidate
        return None

    def _relative(self, importer: str, target: str) -> str | None:
        """``.x`` / ``..x.y`` imported by ``importer`` as an absolute path-like dotted name under its package."""
        level = len(target) - len(target.lstrip("."))
        rest = target[level:]
        package = posixpath.dirname(importer)
        for _ in range(level - 1):
            package = posixpath.dirname(package)
        if rest:
            return f"{package}/{rest.replace('.', '/')}" if package else rest.replace(".", "/")
        return package

    def imports_of(self, rel: str, roots: list[str]) -> list[str]:
        """Project files ``rel`` imports (each module once, packages' ``__init__`` included when they hold code)."""
        facts = self.repo.facts.get(rel)
        out: list[str] = []
        for target in facts.import_targets if facts is not None else []:
            if target.startswith("."):
                stem = self._relative(rel, target)
                if stem is None:
                    continue
                found = next((c for c in (f"{stem}.py", f"{stem}/__init__.py") if c in self._modules), None)
            else:
                found = self.resolve(target, roots)
                if found is not None:
                    out.extend(self._packages(target, found))
            if found is not None and found != rel:
                out.append(found)
        return list(dict.fromkeys(item for item in out if item != rel))

    def _packages(self, dotted: str, found: str) -> list[str]:
        """The ``__init__.py`` files importing ``dotted`` runs on the way (only those holding code)."""
        depth = dotted.count(".")
        folder = posixpath.dirname(found)
        if found.endswith("__init__.py"):
            folder = posixpath.dirname(folder)
        out = []
        for _ in range(depth):
            init = f"{folder}/__init__.py" if folder else "__init__.py"
            if init != found and init in self._modules and _has_code(self.repo.facts[init]):
                out.append(init)
            folder = posixpath.dirname(folder)
        return out

    def closure(self, entry: EntryPoint) -> dict[str, str]:
        """Every project file running ``entry`` imports, transitively: file -> the file importing it."""
        via: dict[str, str] = {entry.path: ""}
        queue = [entry.path]
        while queue:
            current = queue.pop()
            for target in self.imports_of(current, entry.sys_path):
                if target not in via:
                    via[target] = current
                    queue.append(target)
        return via


def _has_code(facts: FileFacts) -> bool:
    """An ``__init__.py`` that does more than hold a docstring or a version string."""
    return bool(facts.import_targets or facts.defs or facts.calls)
