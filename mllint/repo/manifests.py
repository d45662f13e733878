"""Dependency manifests, parsed statically: what the project declares and how exactly it pins it.

Reads requirements files (with ``-r``/``-c`` includes), ``pyproject.toml`` (PEP 621, PEP 735 groups,
Poetry, PDM, uv), ``setup.cfg``, ``setup.py`` (through ``ast``; never executed), ``Pipfile``,
conda ``environment.yml`` and lock files. Which manifest names and lock files exist, and which
import name maps to which distribution, is knowledge (``rules/knowledge/dependencies.toml``).
"""

from __future__ import annotations

import ast
import configparser
import functools
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mllint.core import relpath
from mllint.core.patterns import PathPatterns
from mllint.core.tomlsafe import loads as toml_loads

if TYPE_CHECKING:  # pragma: no cover
    from mllint.knowledge.runtime import Knowledge
    from mllint.repo.model import RepoModel

NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
EXACT = re.compile(r"^\s*===?\s*[^,*;\s<>=!~]+\s*$")
POETRY_EXACT = re.compile(r"^\s*(==\s*)?\d[\w.+-]*\s*$")
CONDA = re.compile(r"^\s*(?:[\w.-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$")
EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
#: A VCS requirement without #egg= names its distribution after the repository (git+https://host/org/peft.git).
VCS_NAME = re.compile(r"^(?:git|hg|svn|bzr)\+\S*/([A-Za-z0-9][A-Za-z0-9._-]*?)(?:\.git)?/?(?:@[^\s#/]*)?(?:#\S*)?\s*$")
DEV_WORDS = ("dev", "test", "doc", "lint", "style", "ci", "typing", "check")
MAX_INCLUDES = 50


def normalize(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Requirement:
    name: str  # normalised
    raw: str
    pinned: bool
    source: str
    line: int | None = None
    group: str = "main"
    extras: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    path: str
    kind: str  # requirements | pyproject | setup.py | setup.cfg | pipfile | conda
    requirements: list[Requirement] = field(default_factory=list)
    dynamic: bool = False  # declares dependencies we could not read statically
    project_name: str | None = None
    includes: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    #: The metadata of a distribution published for others to install (it declares PyPI classifiers):
    #: its dependency ranges are a compatibility promise, not an environment to pin.
    published: bool = False

    @property
    def fully_pinned(self) -> bool:
        return bool(self.requirements) and all(r.pinned for r in self.requirements)

    @property
    def is_dev_only(self) -> bool:
        """A manifest for development tools only (requirements-dev.txt, docs/requirements.txt, ...)."""
        tokens = re.split(r"[/_.\-]+", self.path.lower())
        return any(token.startswith(DEV_WORDS) for token in tokens if token not in ("requirements", "txt", "in"))



@functools.lru_cache(maxsize=64)
def _name_globs(patterns: tuple[str, ...]) -> PathPatterns:
    """File-name patterns of the knowledge (``requirements*.txt``), matched against a name."""
    return PathPatterns(patterns)

class Manifests:
    """Every dependency manifest of the tree, parsed once."""

    def __init__(self, repo: RepoModel) -> None:
        self.repo = repo
        self.knowledge = repo.knowledge.get("dependency_manifests", {})

    # -- finding files --------------------------------------------------------------------------------
    def is_manifest_name(self, rel: str) -> bool:
        name = rel.rsplit("/", 1)[-1]
        if name in self.knowledge.get("names", ()):
            return True
        if _name_globs(tuple(self.knowledge.get("patterns", ())))(name):
            return True
        return relpath.suffix(rel) in (".txt", ".in") and any(part in self.knowledge.get("folders", ()) for part in relpath.folders(rel))

    @cached_property
    def manifest_files(self) -> list[str]:
        return [rel for rel in self.repo.files if self.is_manifest_name(rel)]

    @cached_property
    def lock_files(self) -> list[str]:
        names = set(self.knowledge.get("lock_files", ()))
        matches = _name_globs(tuple(self.knowledge.get("lock_patterns", ())))
        return [rel for rel in self.repo.files if rel.rsplit("/", 1)[-1] in names or matches(rel.rsplit("/", 1)[-1])]

    # -- parsing --------------------------------------------------------------------------------------
    @cached_property
    def parsed(self) -> list[Manifest]:
        out: list[Manifest] = []
        done: set[str] = set()
        queue = [rel for rel in self.manifest_files if rel not in self.lock_files]
        budget = len(queue) + MAX_INCLUDES
        while queue and budget > 0:
            rel = queue.pop(0)
            budget -= 1
            if rel in done:
                continue
            done.add(rel)
            manifest = self._parse(rel)
            if manifest is None:
                continue
            out.append(manifest)
            for include in manifest.includes + manifest.constraints:
                if include not in done and self.repo.exists(include):
                    queue.append(include)
        return out

    def _parse(self, rel: str) -> Manifest | None:
        name = PurePosixPath(rel).name
        text = self.repo.read_text(rel)
        if text is None:
            return None
        if "\x00" in text:  # `pip freeze > requirements.txt` in PowerShell writes UTF-16
            text = _utf16(self.repo.root / rel) or text
        try:
            if name == "pyproject.toml":
                return parse_pyproject(rel, text)
            if name == "setup.py":
                return parse_setup_py(rel, text)
            if name == "setup.cfg":
                return parse_setup_cfg(rel, text)
            if name == "Pipfile":
                return parse_pipfile(rel, text)
            if name.endswith((".yml", ".yaml")):
                return parse_conda(rel, text)
            return parse_requirements(rel, text)
        except (ValueError, TypeError, AttributeError, KeyError, RecursionError,
                configparser.Error, SyntaxError):
            return Manifest(rel, "unreadable", dynamic=True)

    # -- views -----------------------------------------------------------------------------------------
    @property
    def requirements(self) -> list[Requirement]:
        return [req for manifest in self.parsed for req in manifest.requirements]

    @cached_property
    def declared(self) -> set[str]:
        """Normalised names of every declared distribution (all groups, all manifests, lock files)."""
        names = {req.name for req in self.requirements}
        for req in self.requirements:  # `kedro-datasets[pandas-csvdataset]` installs pandas
            names |= {normalize(extra.split("-")[0]) for extra in req.extras}
        names |= {normalize(m.project_name) for m in self.parsed if m.project_name}
        for rel in self.lock_files:
            names |= lock_file_names(rel, self.repo.read_text(rel) or "")
        return names

    @property
    def published_library(self) -> bool:
        """The repository is a library published for others to install: its top-level package metadata
        declares PyPI classifiers. Its data and model I/O serve its users' data, not data of its own."""
        return any(m.published and "/" not in m.path for m in self.parsed)

    @property
    def has_dynamic(self) -> bool:
        """Dependencies we could not read statically, and no requirements file they are likely read from."""
        if any(m.kind == "unreadable" for m in self.parsed):
            return True
        return any(m.dynamic for m in self.parsed) and not any(m.kind == "requirements" for m in self.parsed)

    @cached_property
    def pins(self) -> dict[str, str]:
        """What pins the environment, each with the folder whose manifests it pins ("" for the root): the lock
        files and the fully pinned requirements/conda files (not development-only ones). A file pins its own
        folder and below, counted from the folder that holds a project (out of requirements/, docker/,
        .github/..., the folders that hold no project of their own: mllint/repo/projects.py): a pinned
        environment file of one sub-folder does not pin the requirements at the root."""
        # imported here: the model and the inventory it imports are not needed before
        from mllint.repo.projects import NOT_PROJECT_DIRS

        lift = {name.lower() for name in self.knowledge.get("folders", ())} | NOT_PROJECT_DIRS
        found = {rel: _pin_scope(rel, lift) for rel in self.lock_files}
        for manifest in self.parsed:
            if manifest.kind in ("requirements", "conda") and manifest.fully_pinned and not manifest.is_dev_only:
                found.setdefault(manifest.path, _pin_scope(manifest.path, lift))
        return found

    def pinned_by(self, rel: str) -> list[str]:
        """The lock files and fully pinned manifests (:attr:`pins`) whose folder holds the file ``rel``."""
        return [pin for pin, scope in self.pins.items() if not scope or rel.startswith(scope + "/")]

    @cached_property
    def constrained(self) -> set[str]:
        """Names pinned exactly by a constraints file (``-c``)."""
        files = {c for m in self.parsed for c in m.constraints}
        return {req.name for m in self.parsed if m.path in files for req in m.requirements if req.pinned}


def _pin_scope(rel: str, lift: set[str]) -> str:
    """The folder a lock or pinned file pins: its own, out of trailing folders that hold no project (``lift``)."""
    folders = relpath.folders(rel)
    while folders and (folders[-1].lower() in lift or folders[-1].startswith(".")):
        folders.pop()
    return "/".join(folders)


def _utf16(path: Any) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    for encoding in ("utf-16", "utf-16-le"):
        try:
            return str(data.decode(encoding)).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
    return None


# -- parsers -----------------------------------------------------------------------------------------
def pip_requirement(spec: str, source: str, line: int | None = None, group: str = "main") -> Requirement | None:
    """One PEP 508 string (or requirements line without options); None for local paths and bare URLs."""
    spec = spec.strip()
    if not spec or spec.startswith((".", "/", "file:")):
        return None
    if "://" in spec and not re.match(r"^[A-Za-z0-9][\w.-]*\s*(\[[^\]]*\])?\s*@", spec):
        egg = EGG.search(spec) or VCS_NAME.match(spec)
        return Requirement(normalize(egg.group(1)), spec, True, source, line, group) if egg else None
    body = spec.split(";", 1)[0]
    match = NAME.match(body)
    if not match:
        return None
    rest = match.group(3).strip()
    pinned = rest.startswith("@") or bool(EXACT.match(rest)) or "--hash" in rest
    if rest.startswith("(") and rest.endswith(")"):
        pinned = bool(EXACT.match(rest[1:-1]))
    extras = [e.strip() for e in (match.group(2) or "").strip("[]").split(",") if e.strip()]
    return Requirement(normalize(match.group(1)), spec, pinned, source, line, group, extras)


def parse_requirements(rel: str, text: str) -> Manifest:
    manifest = Manifest(rel, "requirements")
    folder = PurePosixPath(rel).parent
    logical: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append((start, pending + line))
        pending = ""
    if pending:
        logical.append((start, pending))
    hashed = "--hash" in text
    for number, line in logical:
        line = line.strip()
        if not line:
            continue
        option = re.match(r"^(-r|--requirement|-c|--constraint)\s*=?\s*(\S+)", line)
        if option:
            target = _join(folder, option.group(2))
            (manifest.includes if option.group(1) in ("-r", "--requirement") else manifest.constraints).append(target)
            continue
        if line.startswith(("-e ", "--editable")):
            line = re.sub(r"^(-e|--editable)\s*=?\s*", "", line)
            req = pip_requirement(line, rel, number)
            if req is not None:
                req.pinned = True  # an editable VCS checkout is pinned by its ref, not by a version
                manifest.requirements.append(req)
            continue
        if line.startswith("-"):
            continue
        req = pip_requirement(re.sub(r"\s+--?[A-Za-z].*$", "", line) if "--hash" not in line else line, rel, number)
        if req is not None:
            if hashed and "--hash" in line:
                req.pinned = True
            manifest.requirements.append(req)
    return manifest


def _join(folder: PurePosixPath, target: str) -> str:

    return os.path.normpath((folder / target).as_posix()).replace(os.sep, "/")


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def parse_pyproject(rel: str, text: str) -> Manifest:
    data = toml_loads(text)
    manifest = Manifest(rel, "pyproject")
    project: dict[str, Any] = data["project"] if isinstance(data.get("project"), dict) else {}
    tool: dict[str, Any] = data["tool"] if isinstance(data.get("tool"), dict) else {}
    manifest.project_name = project.get("name") if isinstance(project.get("name"), str) else None
    poetry_table: dict[str, Any] = tool["poetry"] if isinstance(tool.get("poetry"), dict) else {}
    manifest.published = bool(_strings(project.get("classifiers")) or _strings(poetry_table.get("classifiers")))
    for spec in _strings(project.get("dependencies")):
        _add(manifest, pip_requirement(spec, rel))
    for group, specs in (project.get("optional-dependencies") or {}).items():
        for spec in _strings(specs):
            _add(manifest, pip_requirement(spec, rel, group=group))
    for group, specs in (data.get("dependency-groups") or {}).items():
        for spec in _strings(specs):
            _add(manifest, pip_requirement(spec, rel, group=group))
    dynamic = _strings(project.get("dynamic"))
    if "dependencies" in dynamic or "optional-dependencies" in dynamic:
        files = (((tool.get("setuptools") or {}).get("dynamic") or {}).get("dependencies") or {}).get("file")
        files = [files] if isinstance(files, str) else _strings(files)
        if files:
            manifest.includes += [_join(PurePosixPath(rel).parent, f) for f in files]
        else:
            manifest.dynamic = True
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    if poetry:
        manifest.project_name = manifest.project_name or (poetry.get("name") if isinstance(poetry.get("name"), str) else None)
        tables = [("main", poetry.get("dependencies")), ("dev", poetry.get("dev-dependencies"))]
        for group, body in (poetry.get("group") or {}).items():
            if isinstance(body, dict):
                tables.append((group, body.get("dependencies")))
        for group, table in tables:
            if not isinstance(table, dict):
                continue
            for name, spec in table.items():
                if name.lower() == "python":
                    continue
                extras = _strings(spec.get("extras")) if isinstance(spec, dict) else []
                manifest.requirements.append(Requirement(normalize(name), f"{name} = {spec!r}", _poetry_pinned(spec), rel,
                                                         None, group, extras))
    pdm: dict[str, Any] = tool["pdm"] if isinstance(tool.get("pdm"), dict) else {}
    for group, specs in (pdm.get("dev-dependencies") or {}).items():
        for spec in _strings(specs):
            _add(manifest, pip_requirement(spec, rel, group=group))
    uv: dict[str, Any] = tool["uv"] if isinstance(tool.get("uv"), dict) else {}
    for spec in _strings(uv.get("dev-dependencies")):
        _add(manifest, pip_requirement(spec, rel, group="dev"))
    _add_lines(manifest, text)
    return manifest


def _poetry_pinned(spec: Any) -> bool:
    if isinstance(spec, dict):
        if any(key in spec for key in ("git", "path", "url", "file")):
            return True
        spec = spec.get("version", "")
    if isinstance(spec, list):
        return False
    return isinstance(spec, str) and bool(POETRY_EXACT.match(spec))


def _add(manifest: Manifest, req: Requirement | None) -> None:
    if req is not None:
        manifest.requirements.append(req)


def _add_lines(manifest: Manifest, text: str) -> None:
    """Best-effort line numbers: the first line mentioning each requirement's raw text or name."""
    lines = text.splitlines()
    for req in manifest.requirements:
        if req.line is not None:
            continue
        needle = req.raw.split(" = ", 1)[0]
        for number, line in enumerate(lines, 1):
            if needle in line:
                req.line = number
                break


def parse_setup_cfg(rel: str, text: str) -> Manifest:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.read_string(text)
    manifest = Manifest(rel, "setup.cfg")
    if parser.has_option("metadata", "name"):
        manifest.project_name = parser.get("metadata", "name").strip() or None
    manifest.published = parser.has_option("metadata", "classifiers") and bool(parser.get("metadata", "classifiers").strip())
    if parser.has_option("options", "install_requires"):
        value = parser.get("options", "install_requires")
        if value.strip().startswith("file:"):
            manifest.includes += [_join(PurePosixPath(rel).parent, f.strip()) for f in value.split(":", 1)[1].split(",")]
        for spec in value.splitlines():
            _add(manifest, pip_requirement(spec, rel) if not spec.strip().startswith("file:") else None)
    if parser.has_section("options.extras_require"):
        for group, value in parser.items("options.extras_require"):
            for spec in value.splitlines():
                _add(manifest, pip_requirement(spec, rel, group=group))
    _add_lines(manifest, text)
    return manifest


def parse_setup_py(rel: str, text: str) -> Manifest:
    """``setup(install_requires=[...], extras_require={...})`` read with ``ast`` (never executed)."""
    tree = ast.parse(text)
    manifest = Manifest(rel, "setup.py")
    assigned: dict[str, ast.AST] = {}
    added: dict[str, list[tuple[str, ast.AST]]] = {}  # extras["gpu"] = [...] after the dict
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            assigned[stmt.targets[0].id] = stmt.value
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Subscript):
            target = stmt.targets[0]
            if isinstance(target.value, ast.Name) and isinstance(target.slice, ast.Constant):
                added.setdefault(target.value.id, []).append((str(target.slice.value), stmt.value))
    found = False
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name != "setup":
            continue
        found = True
        for keyword in node.keywords:
            if keyword.arg is None:
                manifest.dynamic = True
                continue
            value: ast.AST = keyword.value
            if isinstance(value, ast.Name) and value.id in assigned:
                value = assigned[value.id]
            if keyword.arg == "name" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                manifest.project_name = value.value
            elif keyword.arg == "classifiers":
                manifest.published = True
            elif keyword.arg in ("install_requires", "tests_require", "setup_requires"):
                specs = _literal_strings(value)
                if specs is None:
                    manifest.dynamic = True
                for spec in specs or []:
                    _add(manifest, pip_requirement(spec, rel, group="main" if keyword.arg == "install_requires" else "dev"))
            elif keyword.arg == "extras_require":
                if isinstance(keyword.value, ast.Name):
                    for group, specs_node in added.get(keyword.value.id, []):
                        for spec in _literal_strings(specs_node) or []:
                            _add(manifest, pip_requirement(spec, rel, group=group))
                try:
                    extras = ast.literal_eval(value)
                except (ValueError, TypeError, SyntaxError, RecursionError):
                    manifest.dynamic = True
                    continue
                if isinstance(extras, dict):
                    for group, specs in extras.items():
                        specs = [specs] if isinstance(specs, str) else specs
                        for spec in specs if isinstance(specs, (list, tuple)) else []:
                            if isinstance(spec, str):
                                _add(manifest, pip_requirement(spec, rel, group=str(group)))
    if not found:
        manifest.dynamic = True
    _add_lines(manifest, text)
    return manifest


def _literal_strings(node: ast.AST) -> list[str] | None:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return None
    if isinstance(value, str):
        return value.splitlines()
    if isinstance(value, (list, tuple)):
        return [item for item in value if isinstance(item, str)]
    return None


def parse_pipfile(rel: str, text: str) -> Manifest:
    data = toml_loads(text)
    manifest = Manifest(rel, "pipfile")
    for group, key in (("main", "packages"), ("dev", "dev-packages")):
        table = data.get(key)
        if not isinstance(table, dict):
            continue
        for name, spec in table.items():
            if isinstance(spec, dict):
                pinned = any(k in spec for k in ("git", "path", "file", "ref")) or bool(EXACT.match(str(spec.get("version", ""))))
            else:
                pinned = isinstance(spec, str) and bool(EXACT.match(spec))
            manifest.requirements.append(Requirement(normalize(name), f"{name} = {spec!r}", pinned, rel, None, group))
    _add_lines(manifest, text)
    return manifest


def parse_conda(rel: str, text: str) -> Manifest | None:
    from mllint.core.yamlsafe import load_yaml

    data = load_yaml(text)
    manifest = Manifest(rel, "conda")
    if not isinstance(data, dict):
        return manifest
    manifest.project_name = None
    for item in data.get("dependencies") or []:
        if isinstance(item, str):
            match = CONDA.match(item)
            if not match or normalize(match.group(1)) in ("python", "pip"):
                continue
            version = match.group(2).strip()
            pinned = bool(re.match(r"^=?=?\s*[\d][^*<>,|\s]*(=\S+)?$", version))
            manifest.requirements.append(Requirement(normalize(match.group(1)), item, pinned, rel, None))
        elif isinstance(item, dict):
            for spec in _strings(item.get("pip")):
                if spec.strip().startswith(("-r", "--requirement")):
                    manifest.includes.append(_join(PurePosixPath(rel).parent, spec.split(None, 1)[-1].lstrip("=").strip()))
                    continue
                _add(manifest, pip_requirement(spec, rel))
    _add_lines(manifest, text)
    return manifest


def lock_file_names(rel: str, text: str) -> set[str]:
    """Distribution names recorded in a lock file (poetry/uv/pdm ``name = "..."``, Pipfile.lock keys)."""
    names = set(re.findall(r'^name\s*=\s*"([^"]+)"', text, re.MULTILINE))
    if rel.endswith("Pipfile.lock"):
        names |= set(re.findall(r'^\s{8}"([A-Za-z0-9][\w.-]*)":\s*\{', text, re.MULTILINE))
    if rel.endswith((".yml", ".yaml")):
        names |= set(re.findall(r"^\s*-?\s*name:\s*([A-Za-z0-9][\w.-]*)\s*$", text, re.MULTILINE))
    return {normalize(name) for name in names}


# -- import names -> distributions ------------------------------------------------------------------
def candidate_distributions(module: str, knowledge: Knowledge) -> list[str] | None:
    """Normalised distribution names that may provide ``module`` (dotted); None for environment-provided."""
    mapping: dict[str, list[str]] = knowledge.get("import_distributions", {})
    parts = module.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in mapping:
            dists = mapping[prefix]
            if not dists:
                return None
            return [normalize(d) for d in dists] + _guesses(parts)
    return _guesses(parts)


def _guesses(parts: list[str]) -> list[str]:
    """``yaml`` -> yaml, python-yaml, pyyaml, ...; dotted namespaces too (``azure.storage.blob`` -> azure-storage-blob)."""
    base = normalize(parts[0])
    out = [base, f"python-{base}", f"py{base}", f"py-{base}", f"{base}-python", f"{base}-py"]
    out += [normalize("-".join(parts[:depth])) for depth in range(2, min(len(parts), 4) + 1)]
    return out
