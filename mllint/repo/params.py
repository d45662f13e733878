"""Parameters of the pipeline: the params files, their keys, and who reads which key.

Reduces the per-file parameter facts (``mllint.core.paramfacts``) against the params files the DVC
stages use: a code file's loader is matched to a params file by name, ``load_params()``-style calls are
resolved to the project function that returns the params object, config classes contribute their
fields, and the stages' ``params:`` lists and ``${...}`` interpolations of ``dvc.yaml`` count as reads.
The result answers two questions precisely: which key is read but not defined (``undefined``), and
which key nothing reads (``unused`` -- only when every reader of the file could be followed).
"""

from __future__ import annotations

import posixpath
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from mllint.core.paramfacts import ParamsFacts, ParamSource, SchemaField
from mllint.core.yamlsafe import key_lines

if TYPE_CHECKING:  # pragma: no cover
    from mllint.repo.model import RepoModel

INTERPOLATION = re.compile(r"\$\{\s*([A-Za-z_][\w.-]*)\s*\}")
MAX_RESOLVE_DEPTH = 4
Path_ = tuple[str, ...]


@dataclass
class ParamsFile:
    """A params file of the pipeline, parsed, with the line of each key."""

    rel: str
    data: dict[str, Any]
    lines: dict[Path_, int] = field(default_factory=dict)
    #: False for a Hydra composition with a part that could not be read.
    complete: bool = True

    def lookup(self, path: Path_) -> tuple[bool, Path_]:
        """(defined?, the longest prefix of ``path`` that exists). A path going below a value that is not
        a mapping (an attribute or index of a leaf) counts as defined."""
        node: Any = self.data
        for index, key in enumerate(path):
            if not isinstance(node, dict):
                return True, path[:index]
            if key not in node:
                return False, path[:index]
            node = node[key]
        return True, path

    def line_of(self, path: Path_) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


@dataclass
class Read:
    """One read of a params file's key, by a stage or by code."""

    file: str
    path: Path_
    kind: str  # key | optional | value | write | schema (a config class field) | listed (a stage's params:)
    where: str  # "src/train.py:12" or "dvc.yaml:8 (stage train)"
    #: The reader surely reads this file (a literal name, a stage's list): its keys must be defined.
    certain: bool = True
    guarded: bool = False
    required: bool = True  # schema fields with a default are not required


def _dotted(key: str) -> Path_:
    return tuple(part for part in key.split(".") if part)


class ParamsUsage:
    """``repo.params``: the pipeline's params files and every read of their keys."""

    def __init__(self, repo: RepoModel) -> None:
        self.repo = repo
        #: Hydra configurations composed while resolving reads (config file -> composition; None: unreadable).
        self._hydra: dict[str, ParamsFile | None] = {}
        self.suffixes = tuple(repo.knowledge.get("params_loading", {}).get("suffixes", [".yaml", ".yml", ".json", ".toml"]))

    # -- files ------------------------------------------------------------------------------------------
    @cached_property
    def files(self) -> dict[str, ParamsFile]:
        """Params files the stages use (the default ``params.yaml`` next to each ``dvc.yaml`` and every file a
        stage lists), when they exist and hold a mapping."""
        names: list[str] = []
        for rel in self.repo.vcs.dvc_yaml_files:
            names.append(posixpath.join(posixpath.dirname(rel), "params.yaml"))
        for stage in self.repo.pipeline.stages:
            names.extend(ref.file for ref in stage.params)
        out: dict[str, ParamsFile] = {}
        for rel in dict.fromkeys(names):
            if rel in out or not self.repo.exists(rel):
                continue
            data = self._load(rel)
            if isinstance(data, dict):
                out[rel] = ParamsFile(rel, data, key_lines(self.repo.read_text(rel)) if rel.endswith((".yaml", ".yml")) else {})
        return out

    def _load(self, rel: str) -> Any:
        if rel.endswith((".yaml", ".yml")):
            return self.repo.read_yaml(rel)
        text = self.repo.read_text(rel)
        if text is None:
            return None
        try:
            if rel.endswith(".json"):
                import json

                return json.loads(text)
            if rel.endswith(".toml"):
                if sys.version_info >= (3, 11):
                    import tomllib
                else:  # pragma: no cover
                    import tomli as tomllib

                return tomllib.loads(text)
        except (ValueError, RecursionError):  # TOMLDecodeError is a ValueError
            return None
        return None

    # -- reads ------------------------------------------------------------------------------------------
    @cached_property
    def _facts(self) -> dict[str, ParamsFacts]:
        out: dict[str, ParamsFacts] = {}
        for facts in self.repo.code_facts():
            if facts.params is not None:
                out[facts.path] = facts.params
        return out

    @cached_property
    def reads(self) -> list[Read]:
        """Every read of a params file: stage lists, ``${...}`` in dvc.yaml, code accesses and config classes."""
        out: list[Read] = []
        for stage in self.repo.pipeline.stages:
            for ref in stage.params:
                if ref.file in self.files:
                    where = f"{stage.dvcfile}:{ref.line or stage.line or 1} (stage {stage.name})"
                    out.append(Read(ref.file, _dotted(ref.key), "listed" if ref.key else "value", where))
        for rel in self.repo.vcs.dvc_yaml_files:
            text = self.repo.read_text(rel) or ""
            default = posixpath.join(posixpath.dirname(rel), "params.yaml")
            for match in INTERPOLATION.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                for file in self.files:
                    out.append(Read(file, _dotted(match.group(1)), "optional", f"{rel}:{line}", certain=file == default))
        for path, facts in sorted(self._facts.items()):
            out.extend(self._code_reads(path, facts))
        return out

    def _code_reads(self, path: str, facts: ParamsFacts) -> list[Read]:
        out: list[Read] = []
        for access in facts.accesses:
            for file, prefix, certain in self._targets(path, facts, access.source, 0):
                out.append(Read(file, (*prefix, *access.path), access.kind, f"{path}:{access.line}", certain, access.guarded))
        for schema in facts.schemas:
            for file, prefix, certain in self._targets(path, facts, schema.source, 0):
                base = (*prefix, *schema.path)
                where = f"{path}:{schema.line} (class {schema.cls})"
                if schema.open:
                    out.append(Read(file, base, "value", where, certain))
                out.extend(_field_reads(file, base, schema.fields, where, certain and not schema.settings))
        return out

    def _targets(self, path: str, facts: ParamsFacts, index: int, depth: int) -> list[tuple[str, Path_, bool]]:
        """(params file, key prefix, certain) a source of ``path``'s facts stands for."""
        if index >= len(facts.sources) or depth > MAX_RESOLVE_DEPTH:
            return []
        source = facts.sources[index]
        if source.kind == "dvc":
            return [(file, (), True) for file in self.files]
        if source.kind == "file":
            if source.name and source.function and self._loads_its_argument(path, source.function):
                return []  # the file is given to a project helper that loads it: its reads are followed there
            if not source.name and source.function:
                given = self._given_files(path, source.function)
                if given:
                    return given
            return self._file_targets(path, source)
        if source.kind == "call":
            return self._call_targets(path, source, depth)
        if source.kind == "hydra":
            config = self.hydra_config(path, source)
            return [(config.rel, (), config.complete)] if config is not None else []
        return []

    def _file_targets(self, path: str, source: ParamSource) -> list[tuple[str, Path_, bool]]:
        if not source.name:  # the loader's argument was not a literal: guess from the file's strings
            facts = self.repo.facts.get(path)
            strings = {posixpath.basename(s) for s in (facts.strings if facts is not None else [])}
            return [(file, (), False) for file in self.files if posixpath.basename(file) in strings]
        if not source.name.endswith(self.suffixes):
            return []
        name = source.name
        bases = {""} | {posixpath.dirname(rel) for rel in self.repo.vcs.dvc_yaml_files}
        if source.relative_to_file:
            folder = posixpath.dirname(path)
            bases |= {folder, posixpath.dirname(folder)}
        exact = [file for file in self.files if any(_norm(base, name) == file for base in bases)]
        if exact:
            return [(file, (), True) for file in exact]
        if source.relative_to_file or "/" not in name:
            same = [file for file in self.files if posixpath.basename(file) == posixpath.basename(name)]
            return [(file, (), len(same) == 1 and source.relative_to_file) for file in same]
        return []

    def _loads_its_argument(self, caller: str, name: str) -> bool:
        """Is ``name`` (a call in ``caller``) a project function that loads the file named by its parameter?"""
        found = self._defining(caller, name)
        if found is None:
            return False
        defining, function = found
        facts = self._facts.get(defining)
        return facts is not None and any(s.kind == "file" and not s.name and s.function == function for s in facts.sources)

    def _given_files(self, defining: str, function: str) -> list[tuple[str, Path_, bool]]:
        """The params files that calls of ``defining``'s ``function`` name in an argument (the collector
        records a file name given to a loader-like helper), certain when some call names one."""
        targets: list[tuple[str, Path_, bool]] = []
        for caller, facts in self._facts.items():
            for source in facts.sources:
                if source.kind != "file" or not source.name or not source.function:
                    continue
                if self._defining(caller, source.function) != (defining, function):
                    continue
                targets.extend(self._file_targets(caller, ParamSource("file", source.name, True, source.relative_to_file)))
        return list(dict.fromkeys(targets))

    def _module_files(self, caller: str, module: str) -> list[str]:
        """The project files a module imported by ``caller`` may be (relative imports, the caller's
        folder, the root, ``src/`` and the folders of the dvc.yaml files)."""
        if module.startswith("."):
            stem = self.repo.pipeline._relative(caller, module)
            return [f"{stem}.py", f"{stem}/__init__.py"] if stem is not None else []
        roots = [posixpath.dirname(caller), "", "src", *{posixpath.dirname(r) for r in self.repo.vcs.dvc_yaml_files}]
        resolved = self.repo.pipeline.resolve(module, roots)
        return [resolved] if resolved else []

    def _defining(self, caller: str, name: str) -> tuple[str, str] | None:
        """(file, function) a call named ``name`` in ``caller`` resolves to, among the project's files."""
        module, _, function = name.rpartition(".")
        if not module:
            return caller, function
        for rel in self._module_files(caller, module):
            if rel in self.repo.facts:
                return rel, function
        return None

    def _call_targets(self, path: str, source: ParamSource, depth: int) -> list[tuple[str, Path_, bool]]:
        found = self._function(path, source.name)
        if found is None:
            return []
        defining, facts, returned = found
        inner = facts.sources[returned.source] if returned.source < len(facts.sources) else None
        if inner is not None and inner.kind == "file" and not inner.certain:
            # a helper loading the file it is given: the caller's argument names the file
            given = ParamSource("file", source.argument, bool(source.argument), line=source.line)
            return [(file, (*prefix, *returned.path), certain) for file, prefix, certain in self._file_targets(path, given)]
        out = []
        for file, prefix, certain in self._targets(defining, facts, returned.source, depth + 1):
            out.append((file, (*prefix, *returned.path), certain))
        return out

    def _function(self, caller: str, name: str) -> tuple[str, ParamsFacts, Any] | None:
        """The project function ``name`` (as resolved in ``caller``) that returns a params object."""
        module, _, function = name.rpartition(".")
        candidates = self._module_files(caller, module) if module else [caller]
        for rel in candidates:
            facts = self._facts.get(rel)
            if facts is None:
                continue
            for returned in facts.returns:
                if returned.function == function:
                    return rel, facts, returned
        return None

    @cached_property
    def _returning(self) -> dict[str, list[tuple[str, Any]]]:
        """Function name -> (defining file, its return record) for every params-returning function."""
        out: dict[str, list[tuple[str, Any]]] = {}
        for rel, facts in self._facts.items():
            for returned in facts.returns:
                out.setdefault(returned.function, []).append((rel, returned))
        return out

    @cached_property
    def untracked(self) -> list[Read]:
        """Calls of a params-returning function whose result was not followed (its name did not look like
        a loader's): everything the function returns counts as read."""
        out: list[Read] = []
        if not self._returning:
            return out
        for facts in self.repo.code_facts():
            path = facts.path
            followed = {s.name for s in self._facts.get(path, ParamsFacts()).sources if s.kind == "call"}
            for call in facts.calls:
                function = call.rsplit(".", 1)[-1]
                if function not in self._returning or call in followed:
                    continue
                if "." not in call and path not in {rel for rel, _r in self._returning[function]}:
                    continue  # a bare name of another file's function: not this one
                found = self._function(path, call)
                if found is None:
                    continue
                defining, defining_facts, returned = found
                if "." not in call and defining == path:
                    continue  # a call in the defining file itself is followed by the collector
                for file, prefix, certain in self._targets(defining, defining_facts, returned.source, 1):
                    out.append(Read(file, (*prefix, *returned.path), "value", f"{path} (calls {function})", False))
        return out

    def all_reads(self, file: str) -> list[Read]:
        return [read for read in [*self.reads, *self.untracked] if read.file == file]

    # -- Hydra --------------------------------------------------------------------------------------------
    def hydra_config(self, path: str, source: ParamSource) -> ParamsFile | None:
        """The configuration a Hydra entry point composes (its config file plus the ``defaults`` list),
        registered in :attr:`files` under the config file's path. ``complete`` is False when part of the
        composition could not be read (then no key is called undefined)."""
        if not source.name:
            return None  # no primary config: everything comes from the command line
        folder = posixpath.dirname(path)
        config_dir = _norm(folder, source.config_path) if source.config_path else folder
        name = source.name
        rel = _norm(config_dir, name if name.endswith((".yaml", ".yml")) else name + ".yaml")
        if rel in self._hydra:
            return self._hydra[rel]
        composed = self._compose(config_dir, rel)
        self._hydra[rel] = composed
        return composed

    def _compose(self, config_dir: str, rel: str) -> ParamsFile | None:
        data = self.repo.read_yaml(rel) if self.repo.exists(rel) else None
        if not isinstance(data, dict):
            return None
        result = ParamsFile(rel, {}, key_lines(self.repo.read_text(rel)))
        complete = True
        defaults = data.get("defaults", [])
        group: str
        option: object
        for item in defaults if isinstance(defaults, list) else []:
            if item == "_self_":
                continue
            if isinstance(item, str):
                group, option = "", item
            elif isinstance(item, dict) and len(item) == 1:
                ((group, option),) = item.items()
                group = str(group).replace("override ", "").replace("optional ", "").strip()
            else:
                complete = False
                continue
            if option is None:
                continue
            if not isinstance(option, str) or "${" in option or "@" in group or "/" in group and group.startswith("/"):
                complete = False
                continue
            part = _norm(config_dir, f"{group}/{option}.yaml" if group else f"{option}.yaml")
            loaded = self.repo.read_yaml(part) if self.repo.exists(part) else None
            if not isinstance(loaded, dict):
                complete = complete and loaded is None and "optional" in str(item)
                continue
            text = self.repo.read_text(part) or ""
            target = result.data if not group or "@package _global_" in text else result.data.setdefault(group.replace("/", "."), {})
            if isinstance(target, dict):
                _merge(target, loaded)
        _merge(result.data, {k: v for k, v in data.items() if k != "defaults"})
        result.complete = complete
        return result

    # -- verdicts ---------------------------------------------------------------------------------------
    def followable(self) -> tuple[bool, str]:
        """Can every reader of the params files be seen? (False, why) when a stage runs something else,
        when code names a params file without visibly loading it (a constant handed to a helper that is
        not followed), or when code the stages run could not be analysed."""
        names = {posixpath.basename(file) for file in self.files}
        for facts in self.repo.code_facts():
            mentioned = {posixpath.basename(s) for s in facts.strings} & names
            if mentioned and not self._loads_params(facts.path):
                return False, f"{facts.path} names {sorted(mentioned)[0]} but is not seen loading it"
        pipeline = self.repo.pipeline
        for stage in pipeline.stages:
            entries = pipeline.entry_points(stage)
            if entries is None:
                return False, f"stage {stage.name} runs a command that is not a Python file of the repository"
            for entry in entries:
                for rel in pipeline.closure(entry):
                    analysed = self.repo.facts.get(rel)
                    if analysed is None or not analysed.parsed:
                        return False, f"{rel} could not be analysed"
        return True, ""

    def configs(self) -> dict[str, ParamsFile]:
        """The pipeline's params files and the Hydra configurations the code composes."""
        for path, facts in self._facts.items():
            for source in facts.sources:
                if source.kind == "hydra":
                    self.hydra_config(path, source)
        return {**self.files, **{rel: cfg for rel, cfg in self._hydra.items() if cfg is not None}}

    def _loads_params(self, path: str) -> bool:
        """Does the code file visibly load a params object (a loader, or a helper that returns one)?"""
        facts = self._facts.get(path)
        if facts is not None and any(source.kind in ("file", "dvc") or (source.kind == "call" and self._function(path, source.name))
                                     for source in facts.sources):
            return True
        analysed = self.repo.facts.get(path)
        calls = analysed.calls if analysed is not None else []
        return any(call.rsplit(".", 1)[-1] in self._returning and self._function(path, call) for call in calls)

    def undefined(self, file: str) -> list[tuple[Path_, list[Read]]]:
        """Keys read for sure but missing from ``file``: (the first missing key path, its readers)."""
        params = self.configs()[file]
        reads = self.all_reads(file)
        hydra = file not in self.files
        added = self._command_line_keys() if hydra else set()
        written = [r for r in reads if r.kind == "write"]
        optional = {(r.where.split(":")[0], r.path) for r in reads if r.kind == "optional"}
        missing: dict[Path_, list[Read]] = {}
        for read in reads:
            if not read.certain or read.guarded or not read.required or read.kind not in ("key", "value", "listed", "schema"):
                continue
            if not read.path or (read.where.split(":")[0], read.path) in optional:
                continue
            if hydra and (read.path[0] == "hydra" or any(read.path[:len(k)] == k for k in added)):
                continue  # Hydra's own settings, or keys added with `+key=value` on a command line
            origin = read.where.split(":")[0]
            if any(w.where.split(":")[0] == origin and read.path[:len(w.path)] == w.path for w in written):
                continue
            defined, prefix = params.lookup(read.path)
            if defined:
                continue
            missing.setdefault(read.path[:len(prefix) + 1], []).append(read)
        return sorted(missing.items())

    def _command_line_keys(self) -> set[Path_]:
        """Keys added to a Hydra configuration with ``+key=value`` in a stage command or a Makefile."""
        texts = [c for stage in self.repo.pipeline.stages for c in stage.commands]
        for name in ("Makefile", "makefile", "justfile"):
            if self.repo.exists(name):
                texts.append(self.repo.read_text(name) or "")
        return {_dotted(m.group(1)) for text in texts for m in re.finditer(r"(?<![\w+])\+{1,2}([A-Za-z_][\w.]*)=", text)}

    def unused(self, file: str) -> list[Path_]:
        """Top-most keys of ``file`` that no stage lists and no code reads (call only when followable)."""
        reads = [r for r in self.all_reads(file) if r.kind != "write"]
        whole = {r.path for r in reads if r.kind in ("value", "listed", "schema")}
        touched = {r.path for r in reads}
        out: list[Path_] = []

        def visit(node: dict[str, Any], path: Path_) -> None:
            for key, value in node.items():
                child = (*path, str(key))
                if any(child[:len(prefix)] == prefix for prefix in whole):
                    continue
                below = [t for t in touched if t[:len(child)] == child]
                if not below:
                    out.append(child)
                elif isinstance(value, dict) and value and any(len(t) > len(child) for t in below):
                    visit(value, child)
                # else: the key itself is read (a value; or a mapping read as a whole whose use was lost)

        visit(self.files[file].data, ())
        return out


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(base.get(key), dict) and isinstance(value, dict):
            _merge(base[key], value)
        else:
            base[key] = value


def _norm(base: str, name: str) -> str:
    joined = posixpath.normpath(posixpath.join(base, name)) if base else posixpath.normpath(name)
    return joined.lstrip("./") if joined.startswith("./") else joined


def _field_reads(file: str, base: Path_, fields: list[SchemaField], where: str, certain: bool) -> list[Read]:
    out = []
    for item in fields:
        path = (*base, item.name)
        if item.fields is None or item.open:
            out.append(Read(file, path, "schema", where, certain, required=item.required))
        else:
            out.append(Read(file, path, "key", where, certain, required=item.required))
            out.extend(_field_reads(file, path, item.fields, where, certain))
    return out


