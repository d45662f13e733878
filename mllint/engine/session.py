"""The session: the one per-run context every entry point uses.

A :class:`Session` is built once from a root and its settings (``Session.load`` reads the
configuration): the rule catalogue, the enabled codes, the ML-library knowledge, each rule's options
and the project's params file. The CLI, the fixer, ``fix --repo``, the pylint plugin, the tests and
the language server all go through it: ``analyze(path, data)`` checks one file in memory,
``check(files)`` runs the engine over the repository and returns a :class:`RunResult`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mllint.catalogue.index import RuleIndex, plugins_installed, rule_index
from mllint.config.settings import Settings, load_settings
from mllint.core.hashing import blake2b

if TYPE_CHECKING:  # pragma: no cover
    from mllint.analysis.params import ProjectParams
    from mllint.catalogue.loader import Catalogue
    from mllint.catalogue.rule import Rule
    from mllint.engine.codepass import FileAnalysis
    from mllint.engine.run import Only, Progress, RunResult
    from mllint.knowledge.runtime import Knowledge


class Session:
    """Settings resolved once for one root; cheap to share, never mutated after construction.

    What only the analysis needs is built on first use: the rule classes (``catalogue``: every rule
    module is imported), the knowledge tables, each rule's validated options and the params file. A
    warm run, whose results all come from the caches, needs none of them: selectors, per-file ignores
    and waivers are resolved on the rule ``index`` (the rules' declarations, no rule module imported).
    """

    def __init__(self, root: Path, settings: Settings | None = None, *, config_file: Path | None = None,
                 overlay: Mapping[str, bytes] | None = None) -> None:
        self.root = root.resolve()
        self.settings = settings if settings is not None else Settings()
        self.config_file = config_file
        #: File contents that replace the disk's (a fix round's edits, an editor's unsaved buffers).
        self.overlay: dict[str, bytes] = dict(overlay or {})
        self.index: RuleIndex = rule_index()
        self.enabled: frozenset[str] = frozenset(self.settings.enabled_codes(self.index))
        self.code_enabled: frozenset[str] = self.enabled & self.index.codes("code")
        self._per_file: dict[str, frozenset[str]] = {}
        self._builtin_classes: dict[frozenset[str], dict[str, type[Rule]]] = {}  # rule_classes, per set of codes

    @cached_property
    def catalogue(self) -> Catalogue:
        """Every rule class (imports every rule module: only when a rule has to run)."""
        from mllint.catalogue.loader import load_catalogue

        return load_catalogue()

    def rule_classes(self, codes: Iterable[str]) -> dict[str, type[Rule]]:
        """The classes of the rules ``codes`` names (unknown codes left out). Without plugins only their
        modules are imported (mllint.catalogue.loader.builtin_rules): a one-file run needs the code rules
        and the repository rules whose results are not cached, not the whole catalogue."""
        if "catalogue" in self.__dict__ or plugins_installed():
            by_code = self.catalogue.by_code()
            return {code: by_code[code] for code in codes if code in by_code}
        from mllint.catalogue.loader import builtin_rules

        if not isinstance(codes, frozenset):
            return builtin_rules(codes)
        found = self._builtin_classes.get(codes)  # a file's enabled rules: the same set for most files
        if found is None:
            found = self._builtin_classes[codes] = builtin_rules(codes)
        return dict(found)

    def prepare_workers(self) -> None:
        """Make, before the workers fork, what each would otherwise make on its first file: they inherit
        the code rules' modules, the code pass's and the parsed params file instead of each importing and
        reading them again (~0.1 s of imports and ~20 ms more per worker)."""
        self.rule_classes(self.code_enabled)
        import mllint.engine.codepass  # noqa: F401  (imported by the first file's analysis otherwise)

        self.params  # noqa: B018  (every file's context reads it)

    @cached_property
    def knowledge(self) -> Knowledge:
        """The ML-library knowledge tables, with the configuration's extensions."""
        from mllint.knowledge.loader import load_knowledge

        sources = self.catalogue.knowledge_sources() if plugins_installed() else ()
        return load_knowledge(self.settings.knowledge, sources)

    @cached_property
    def requirement_floors(self) -> dict[str, tuple[int, int]]:
        """Lowest versions the project's manifests allow for the packages rules ask about (ML1401: torch)."""
        from mllint.repo.floors import declared_floors

        return declared_floors(self.root, self._floor_packages())

    def _floor_packages(self) -> set[str]:
        """The packages whose floors matter (:func:`_floor_packages`), remembered in the user's cache under
        what the knowledge is made of (mllint's code and tables, the configuration's extensions): a warm
        run needs no knowledge tables at all. With plugins (their tables may extend these) it is computed."""
        if plugins_installed():
            return _floor_packages(self.knowledge)
        import json

        from mllint.core import snapshots
        from mllint.core.stamp import code_stamp

        key = snapshots.key_of(code_stamp(), json.dumps(self.settings.knowledge, sort_keys=True, default=repr))
        found = snapshots.load("floors", key)
        if isinstance(found, list) and all(isinstance(name, str) for name in found):
            return set(found)
        packages = _floor_packages(self.knowledge)
        snapshots.save("floors", key, sorted(packages))
        return packages

    @cached_property
    def line_magics(self) -> frozenset[str]:
        """The line magics a one-line notebook cell may name without ``%`` (IPython's automagic)."""
        return frozenset(self.knowledge["ipython_automagic"]["line_magics"])

    @cached_property
    def options(self) -> OptionsByRule:
        """Each rule's validated options (``session.options.get(code)``), built when a rule asks."""
        return OptionsByRule(self)

    @cached_property
    def params(self) -> ProjectParams | None:
        """The project's params file (parsed when a code rule needs it)."""
        from mllint.analysis.params import ProjectParams

        return ProjectParams.load(self.root, self.overlay)

    @classmethod
    def load(cls, root: Path, config_file: Path | None = None, overrides: dict[str, Any] | None = None) -> Session:
        """Read the configuration for ``root`` (raises ``ConfigError``/``CatalogueError`` on bad input)."""
        settings, source = load_settings(root, config_file, overrides)
        return cls(root, settings, config_file=source)

    def with_overlay(self, overlay: Mapping[str, bytes]) -> Session:
        """The same settings over other in-memory contents (the params file may have changed)."""
        return Session(self.root, self.settings, config_file=self.config_file, overlay=overlay)

    # -- what applies where -----------------------------------------------------------------------
    def code_rules_for(self, path: str) -> frozenset[str]:
        """The code rules enabled for ``path`` (per-file ignores applied)."""
        found = self._per_file.get(path)
        if found is None:
            found = self._per_file[path] = self.code_enabled - self.settings.ignored_for(path, self.index)
        return found

    def fingerprint(self) -> str:
        """What per-file results depend on besides the file: settings, mllint's code, the params file."""
        from mllint.core.paramfiles import params_stamp

        digest = blake2b(self.settings.fingerprint().encode(), digest_size=16)
        digest.update(params_stamp(self.root, self.overlay).encode())
        if plugins_installed():
            digest.update(self.catalogue.stamp().encode())  # installed plugins and their sources
        digest.update(repr(sorted(self.requirement_floors.items())).encode())
        return digest.hexdigest()

    def read(self, rel: str) -> bytes:
        """A file's bytes: the overlay's if it holds the file, else the disk's (raises OSError)."""
        data = self.overlay.get(rel)
        return data if data is not None else (self.root / rel).read_bytes()

    # -- running ------------------------------------------------------------------------------------
    def analyze(self, path: str, data: bytes | str, enabled: frozenset[str] | None = None) -> FileAnalysis:
        """Check one file's content with the code rules (no cache, no repository rules)."""
        from mllint.engine.codepass import analyze_file

        content = data.encode("utf-8") if isinstance(data, str) else data
        return analyze_file(self, path, content, enabled)

    def check(self, files: list[str] | None = None, *, only: Only = "all", use_cache: bool = True,
              jobs: int | None = None, progress: Progress | None = None) -> RunResult:
        """Run the engine: the code rules over ``files`` (default: every code file of the repository)
        and, on a full run, the repository rules."""
        from mllint.engine.run import run

        return run(self, files=files, only=only, use_cache=use_cache, jobs=jobs, progress=progress)


class OptionsByRule:
    """``options.get(code)``: the rule's validated ``Options`` (or the raw table of a rule without a
    model), computed once per rule, when that rule first runs (it needs the rule's class)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._done: dict[str, Any] = {}

    def get(self, code: str, default: Any = None) -> Any:
        if code not in self._done:
            rule = self._session.rule_classes((code,)).get(code)
            if rule is None:
                return default
            self._done[code] = self._session.settings.rule_options(rule)
        return self._done[code]

    def __getitem__(self, code: str) -> Any:
        if code not in self._session.rule_classes((code,)):
            raise KeyError(code)
        return self.get(code)


def _floor_packages(knowledge: Knowledge) -> set[str]:
    """Packages whose declared minimum version some rule's knowledge depends on (ML1401's ``safe_from``,
    ML1303's ``fix_requires``)."""
    entries = knowledge.get("deserialization", {}).get("flag_required", [])
    found = {str(entry["safe_from"]).split()[0] for entry in entries if isinstance(entry, dict) and entry.get("safe_from")}
    fix_requires = str(knowledge.get("smells_values", {}).get("fix_requires", "")).split()
    if fix_requires:
        found.add(fix_requires[0])
    return found
