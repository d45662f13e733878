"""The session: the one per-run context every entry point uses.

A :class:`Session` is built once from a root and its settings (``Session.load`` reads the
configuration): the rule catalogue, the enabled codes, the ML-library knowledge, each rule's options
and the project's params file. The CLI, the fixer, ``fix --repo``, the pylint plugin, the tests and
the language server all go through it: ``analyze(path, data)`` checks one file in memory,
``check(files)`` runs the engine over the repository and returns a :class:`RunResult`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mllint.analysis.params import ProjectParams
from mllint.catalogue.loader import Catalogue, load_catalogue
from mllint.config.settings import Settings, load_settings
from mllint.knowledge.loader import load_knowledge
from mllint.knowledge.runtime import Knowledge

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.codepass import FileAnalysis
    from mllint.engine.run import Only, Progress, RunResult


class Session:
    """Settings resolved once for one root; cheap to share, never mutated after construction."""

    def __init__(self, root: Path, settings: Settings | None = None, *, config_file: Path | None = None,
                 overlay: Mapping[str, bytes] | None = None) -> None:
        self.root = root.resolve()
        self.settings = settings if settings is not None else Settings()
        self.config_file = config_file
        #: File contents that replace the disk's (a fix round's edits, an editor's unsaved buffers).
        self.overlay: dict[str, bytes] = dict(overlay or {})
        self.catalogue: Catalogue = load_catalogue()
        self.enabled: frozenset[str] = frozenset(self.settings.enabled_codes(self.catalogue))
        self.code_enabled: frozenset[str] = self.enabled & {rule.code for rule in self.catalogue.code_rules()}
        self.knowledge: Knowledge = load_knowledge(self.settings.knowledge)
        self.options: dict[str, Any] = {rule.code: self.settings.rule_options(rule) for rule in self.catalogue.rules}
        self.params: ProjectParams | None = ProjectParams.load(self.root, self.overlay)
        self._per_file: dict[str, frozenset[str]] = {}

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
            found = self._per_file[path] = self.code_enabled - self.settings.ignored_for(path, self.catalogue)
        return found

    def fingerprint(self) -> str:
        """What per-file results depend on besides the file: settings, mllint's code, the params file."""
        digest = hashlib.blake2b(self.settings.fingerprint().encode(), digest_size=16)
        digest.update((self.params.digest() if self.params else "-").encode())
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
