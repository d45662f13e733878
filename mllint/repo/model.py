"""The repository model: built once per run from the inventory and the per-file facts.

Repository rules read it; they never walk the disk themselves. Parsed configuration files are
loaded lazily and memoised, with size limits, so a rule that is not enabled costs nothing.

Every read goes through a primitive of the model (``read_text``, ``exists``, ``path_text``,
``is_file``/``is_dir``, ``listdir``, ``size``, ``git``, ``which``, ``facts``, ``files``/``inventory``,
``digests``), and each one notes what it read in the :class:`~mllint.repo.inputs.InputLog` of the
model's view: the engine gives each repository rule its own view (:meth:`RepoModel.view`), so that a
rule's result can be cached under the inputs it read and reused until one of them changes
(``mllint/engine/repocache.py``). The parts (``vcs``, ``manifests``, ``ml``, ``ci_configs``, ``serving``)
are built once, on a view of their own: what a part reads is its inputs, and a rule that uses a part
depends on all of them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from mllint.repo.inputs import MAX_PATH_BYTES, Input, InputLog, Probe, Value, file_size, listing, path_kind, read_limited, text_value, which_value
from mllint.repo.inventory import Inventory

if TYPE_CHECKING:  # pragma: no cover - the parts import this module, so they are loaded on first use
    from mllint.core.facts import FileFacts
    from mllint.core.git import GitRun
    from mllint.knowledge.runtime import Knowledge
    from mllint.repo.ci import CIConfig
    from mllint.repo.manifests import Manifests
    from mllint.repo.mlcode import FileRole, MLProfile
    from mllint.repo.params import ParamsUsage
    from mllint.repo.pipeline import Pipeline
    from mllint.repo.serving import ServingModule
    from mllint.repo.vcs import Vcs

T = TypeVar("T")

MAX_CONFIG_BYTES = 2_000_000


class _Shared:
    """What every view of one model shares: memoised reads, the parts and what each part read."""

    def __init__(self) -> None:
        self.texts: dict[tuple[int, str], str | None] = {}
        self.parts: dict[str, Any] = {}
        self.part_logs: dict[str, InputLog] = {}
        self.probe: Probe | None = None
        self.code_facts: list[FileFacts] | None = None  # the facts of the parsed code files, in path order


class RepoModel:
    def __init__(self, root: Path, inventory: Inventory, facts: Mapping[str, FileFacts], knowledge: Knowledge | Callable[[], Knowledge],
                 cache_dir: Path | None = None, digests: dict[str, str] | None = None,
                 overlay: dict[str, bytes] | None = None, enclosing: tuple[RepoModel, str] | None = None,
                 roles: dict[str, tuple[FileFacts, FileRole]] | None = None, sizes: dict[str, int] | None = None) -> None:
        self.root = root
        self._knowledge = knowledge  # the tables, or a function that loads them when a rule first asks
        self.cache_dir = cache_dir  # the run's cache directory (None with --no-cache): rules may memoise there
        #: Contents that replace the disk's (the files a fix round has changed but not yet written).
        self.overlay: dict[str, bytes] = overlay if overlay is not None else {}
        self._inventory = inventory
        self._facts = facts
        self._digests: dict[str, str] = digests if digests is not None else {}  # content digest of each code file
        self._shared = _Shared()
        self._enclosing = enclosing  # the whole repository's model when this is a sub-project's (monorepo)
        self._roles = roles if roles is not None else {}  # roles computed during the code pass (engine/run.py)
        self._sizes = sizes if sizes is not None else {}  # sizes of the files the code pass read (engine/run.py)
        self.log: InputLog | None = None  # where this view notes its reads (None: nothing is noted)

    # -- views and recording ---------------------------------------------------------------------
    def view(self, log: InputLog) -> RepoModel:
        """The same model, noting every read in ``log`` (memoised reads and parts stay shared)."""
        copy = object.__new__(RepoModel)
        copy.__dict__.update(self.__dict__)
        copy.log = log
        return copy

    def attach_probe(self, probe: Probe) -> None:
        """Values computed while reading are handed to ``probe`` (so the record needs no second read)."""
        self._shared.probe = probe

    @property
    def probe(self) -> Probe | None:
        return self._shared.probe

    def inputs_of(self, log: InputLog) -> set[Input]:
        """What ``log``'s reader depends on: its own reads and those of every part it used, transitively."""
        found = set(log.inputs)
        seen: set[str] = set()
        stack = list(log.parts)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            part = self._shared.part_logs.get(name)
            if part is not None:
                found |= part.inputs
                stack.extend(part.parts)
        return found

    def _note(self, kind: str, key: str = "", value: Value | None = None, known: bool = False) -> None:
        if self.log is not None:
            self.log.note(kind, key)
        probe = self._shared.probe
        if known and probe is not None:
            probe.remember((kind, key), value)

    def _part(self, name: str, build: Callable[[RepoModel], T]) -> T:
        if self.log is not None:
            self.log.parts.add(name)
        if name not in self._shared.parts:
            log = self._shared.part_logs.setdefault(name, InputLog())
            self._shared.parts[name] = build(self.view(log))
        return cast(T, self._shared.parts[name])

    @property
    def knowledge(self) -> Knowledge:
        """The ML-library knowledge tables (part of the settings fingerprint: not an input)."""
        if "knowledge" not in self._shared.parts:
            source = self._knowledge
            self._shared.parts["knowledge"] = source() if callable(source) else source
        return cast("Knowledge", self._shared.parts["knowledge"])

    def enclosing(self) -> tuple[RepoModel, str] | None:
        """For a project of a monorepo (``mllint/repo/projects.py``): the whole repository's model and the
        project's folder in it ("" for the files outside every project); None otherwise. What a rule reads
        there is not among this model's inputs, so its result is never reused from the cache."""
        if self._enclosing is None:
            return None
        self.volatile()
        return self._enclosing

    # -- the inventory and the facts -----------------------------------------------------------------
    @property
    def inventory(self) -> Inventory:
        self._note("files")
        return self._inventory

    @property
    def files(self) -> list[str]:
        self._note("files")
        return self._inventory.files

    @cached_property
    def _file_set(self) -> set[str]:
        return set(self._inventory.files)

    @property
    def file_set(self) -> set[str]:
        self._note("files")
        return self._file_set

    @property
    def facts(self) -> Mapping[str, FileFacts]:
        self._note("facts")
        return self._facts

    @property
    def digests(self) -> dict[str, str]:
        """The content digest of each code file (a rule that runs a tool over the sources depends on all)."""
        self._note("digests")
        return self._digests

    def line_counts(self, paths: Sequence[str]) -> list[int]:
        """The number of lines of each code file: it changes with any edit, so it depends on the files'
        content digests (the facts digest a cached result is keyed by leaves it out)."""
        self._note("digests")
        return [self._summary(path)[2] if path in self._facts else 0 for path in paths]

    def parsed_modules(self) -> list[str]:
        """The parsed ``.py`` code files (notebooks left out), in path order: what ``code_facts`` would give
        for them, without reading every file's facts (the same input: the facts)."""
        self._note("facts")
        out = []
        for path in sorted(self._facts):
            parsed, notebook, _lines = self._summary(path)
            if parsed and not notebook and path.endswith(".py"):
                out.append(path)
        return out

    def _summary(self, path: str) -> tuple[bool, bool, int]:
        """``(parsed, notebook, lines)`` of a code file: from the run's summaries when it has them."""
        summary = getattr(self._facts, "summary", None)
        if summary is not None:
            return cast("tuple[bool, bool, int]", summary(path))
        found = self._facts[path]  # the line count is read here for line_counts only (its input: the digests)
        return found.parsed, found.notebook, found.lines

    def role(self, facts: FileFacts) -> FileRole:
        """The life-cycle role of one file's facts (:func:`mllint.repo.mlcode.classify`): the one computed
        while the code pass ran, for these very facts, else computed now. (Its input: the facts.)"""
        known = self._roles.get(facts.path)
        if known is not None and known[0] is facts:
            return known[1]
        from mllint.repo.mlcode import classify

        return classify(facts, self.knowledge)

    def code_facts(self) -> list[FileFacts]:
        """Facts of every parsed code file, in path order (a new list each time; found once per model)."""
        facts = self.facts
        found = self._shared.code_facts
        if found is None:
            found = self._shared.code_facts = [one for path in sorted(facts) if (one := facts[path]).parsed]
        return list(found)

    def test_facts(self) -> list[FileFacts]:
        return [facts for facts in self.code_facts() if facts.test]

    def source_facts(self) -> list[FileFacts]:
        return [facts for facts in self.code_facts() if not facts.test]

    # -- files of the tree -------------------------------------------------------------------------
    def read_text(self, rel: str, limit: int = MAX_CONFIG_BYTES) -> str | None:
        """A text file of the tree (None if missing, too large or unreadable); memoised."""
        memo = (limit, rel)
        key = f"{limit}:{rel}"
        if memo in self._shared.texts:
            self._note("text", key)
            return self._shared.texts[memo]
        text: str | None = None
        if rel in self.overlay:
            data: bytes | None = self.overlay[rel]
            data = data if data is not None and len(data) <= limit else None
            value: Value = text_value(data, None)
        else:
            data, tag = read_limited(self.root / rel, limit)
            value = text_value(data, tag)
        if data is not None:
            text = _text(data)
        self._shared.texts[memo] = text
        self._note("text", key, value, known=True)
        return text

    def read_yaml(self, rel: str) -> Any:
        """A YAML file of the tree parsed with ``yaml.safe_load`` (None if missing/too large/invalid)."""
        from mllint.core.yamlsafe import load_yaml

        return load_yaml(self.read_text(rel))

    def exists(self, rel: str) -> bool:
        """Whether ``rel`` (relative to the root) exists: in the inventory or on disk."""
        found = rel in self._file_set or os.path.exists(self.root / rel)
        self._note("exists", rel, found, known=True)
        return found

    def size(self, rel: str) -> int | None:
        """The size of a file of the tree (None when it cannot be read): as the code pass found it when it read
        the file, else stat'ed now."""
        found = file_size(self.root, rel, self._sizes)
        self._note("size", rel, found, known=True)
        return found

    # -- paths anywhere (the root's parents up to the git root, a DVC folder above it) -------------------
    def path_text(self, path: Path, limit: int = MAX_CONFIG_BYTES) -> str | None:
        """The text of a file at an absolute path (None if missing, not a file or larger than ``limit``)."""
        data, tag = read_limited(path, min(limit, MAX_PATH_BYTES))
        self._note("path", str(path), text_value(data, tag), known=limit >= MAX_PATH_BYTES)
        return _text(data) if data is not None else None

    def path_kind(self, path: Path) -> str:
        """``file``, ``dir``, ``other`` or ``missing``."""
        found = path_kind(path)
        self._note("kind", str(path), found, known=True)
        return found

    def is_file(self, path: Path) -> bool:
        return self.path_kind(path) == "file"

    def is_dir(self, path: Path) -> bool:
        return self.path_kind(path) == "dir"

    def path_exists(self, path: Path) -> bool:
        return self.path_kind(path) != "missing"

    def listdir(self, path: Path) -> list[str]:
        """The names in a folder, sorted (empty when it cannot be listed)."""
        found = listing(path)
        self._note("dir", str(path), found, known=True)
        return list(found or [])

    # -- git and programs -----------------------------------------------------------------------------
    def git(self, args: Sequence[str], *, state: str = "files", **options: Any) -> GitRun:
        """Run a read-only git command (:func:`mllint.core.git.run_git`) at the root. ``state`` is what its
        answer depends on besides the tree's files: ``files`` (index, config, ignore and attributes files)
        or ``refs`` (the commits every ref points to: history)."""
        from mllint.core.git import run_git

        self._note("files")
        self._note("git", "files")
        if state == "refs":
            self._note("git", "refs")
        return run_git(list(args), self.root, **options)

    def which(self, name: str) -> str | None:
        """Where a program is on PATH (its size and modification time are part of what was read)."""
        found = which_value(name)
        self._note("which", name, found, known=True)
        return found[0] if found else None

    def volatile(self) -> None:
        """The result depends on something no input captures (a tool that failed or timed out): never reuse it."""
        self._note("volatile")

    # -- rules' memo files in the cache directory -----------------------------------------------------
    def read_memo(self, name: str, limit: int = MAX_CONFIG_BYTES) -> bytes | None:
        """A file a rule memoised in mllint's cache directory (None without a cache or when unreadable)."""
        from mllint.core.cachedir import is_tagged
        from mllint.core.reads import read_regular

        if self.cache_dir is None or "/" in name or not is_tagged(self.cache_dir):
            return None
        try:
            path = self.cache_dir / name
            if path.is_symlink():
                return None
            return read_regular(path, limit)
        except OSError:
            return None

    def write_memo(self, name: str, data: bytes, family: re.Pattern[str], keep: int = 4) -> None:
        """Memoise ``data`` as ``name`` in mllint's cache directory (atomically; failing is not an error)
        and keep the ``keep`` newest files of its ``family`` (a name pattern of that rule's files)."""
        from mllint.core.cachedir import is_tagged, prune
        from mllint.core.writes import atomic_write

        if self.cache_dir is None or "/" in name or not family.fullmatch(name) or not is_tagged(self.cache_dir):
            return
        try:
            atomic_write(self.cache_dir / name, data, confine=self.cache_dir)
        except OSError:
            return
        prune(self.cache_dir, family, keep)

    # -- version control, data and dependencies (mllint/repo/vcs.py, mllint/repo/manifests.py) -------------
    @property
    def vcs(self) -> Vcs:
        """Git and DVC facts: tracked files, LFS, ignore status, history blobs, DVC outputs."""
        from mllint.repo.vcs import Vcs

        return self._part("vcs", Vcs)

    @property
    def pipeline(self) -> Pipeline:
        """The DVC stages, the Python entry points their commands run and what those import."""
        from mllint.repo.pipeline import Pipeline

        return self._part("pipeline", Pipeline)

    @property
    def params(self) -> ParamsUsage:
        """The params files of the pipeline, their keys, and which keys stages and code read."""
        from mllint.repo.params import ParamsUsage

        return self._part("params", ParamsUsage)

    @property
    def manifests(self) -> Manifests:
        """Parsed dependency manifests and lock files."""
        from mllint.repo.manifests import Manifests

        return self._part("manifests", Manifests)

    # -- life cycle, CI and serving (mllint/repo/mlcode.py, mllint/repo/ci.py, mllint/repo/serving.py) ----------
    @property
    def ml(self) -> MLProfile:
        """What each code file does: trains, persists, loads a model, computes/writes metrics, tracks."""
        from mllint.repo.mlcode import profile

        return self._part("ml", profile)

    @property
    def ci_configs(self) -> list[CIConfig]:
        """CI configuration files (here or at the git root of a monorepo) and the commands they run."""
        from mllint.repo.ci import find_ci_configs

        return self._part("ci_configs", find_ci_configs)

    @property
    def serving(self) -> list[ServingModule]:
        """Serving modules and batch prediction scripts."""
        from mllint.repo.serving import find_serving

        return self._part("serving", find_serving)


def _text(data: bytes) -> str:
    """Bytes decoded as text mode reads them (UTF-8 with replacement, universal newlines)."""
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
