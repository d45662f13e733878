"""The server's one bridge to the engine: a project root with its settings, and what the server asks of it.

``Project`` analyses one file's in-memory content with the enabled code rules (the same function the
engine runs per file), runs the repository rules on what is on disk, and returns each finding's fix
as text edits. Everything the server needs from the machinery goes through here, so that moving to the
engine's session object is a change to this module only.

Robustness lives here too: a rule that raises is taken out for that file and reported as ML0004
(the other rules' findings are kept), and a fix whose finding carries no ``fix.edits`` yet gets its
edits from the libcst fixer, run on the in-memory text (and diffed), never on the file on disk.
"""

from __future__ import annotations

import types as pytypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mllint.catalogue.loader import Catalogue, load_catalogue
from mllint.catalogue.rule import CodeRule
from mllint.config.settings import Settings, load_settings
from mllint.core.findings import Finding
from mllint.engine.codepass import FILE_TOO_LARGE, analyze_file, make_finding
from mllint.knowledge.loader import load_knowledge
from mllint.repo.inventory import ExcludeMatcher
from mllint.server.edits import Edit, diff_edits
from mllint.server.settings import ClientSettings

INTERNAL_ERROR = "ML0004"
CONFIG_NAMES = ("pyproject.toml", "mllint.toml", ".mllint.toml")


@dataclass
class Project:
    """One workspace root. ``reload()`` (re)reads ``[tool.mllint]`` merged with the client's settings."""

    root: Path
    client: ClientSettings = field(default_factory=ClientSettings)
    settings: Settings = field(default_factory=lambda: Settings.model_validate({}))
    config_file: Path | None = None
    catalogue: Catalogue = field(default_factory=load_catalogue)
    _enabled: set[str] = field(default_factory=set)
    _knowledge: dict[str, Any] = field(default_factory=dict)
    _options: dict[str, Any] = field(default_factory=dict)
    _excluded: ExcludeMatcher | None = None

    def __post_init__(self) -> None:
        self._apply(self.settings)

    def reload(self, client: ClientSettings | None = None) -> None:
        """Re-read the configuration; raises ``ConfigError`` (and keeps the previous settings) when it is invalid."""
        client = client or self.client
        settings, source = load_settings(self.root, None, client.overrides())
        self.client = client
        self.config_file = source
        self._apply(settings)

    def _apply(self, settings: Settings) -> None:
        self.settings = settings
        self._enabled = settings.enabled_codes(self.catalogue)
        self._knowledge = load_knowledge(settings.knowledge)
        self._options = {rule.code: settings.rule_options(rule) for rule in self.catalogue.code_rules()}
        self._excluded = ExcludeMatcher(settings.excludes())

    # -- paths ------------------------------------------------------------------------------------
    def relative(self, path: Path) -> str | None:
        """``path`` relative to the root (POSIX), or None when it lies outside."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return None

    def excluded(self, rel: str) -> bool:
        return self._excluded is not None and self._excluded(rel)

    # -- code rules on one file in memory ---------------------------------------------------------
    def analyze(self, rel: str, data: bytes) -> list[Finding]:
        """The code findings of one file's content, as ``mllint check`` reports them. Never raises."""
        enabled = self._enabled - self.settings.ignored_for(rel, self.catalogue)
        if len(data) > self.settings.max_file_size:
            if FILE_TOO_LARGE not in enabled:
                return []
            message = f"file skipped: {len(data)} bytes is above max-file-size ({self.settings.max_file_size})"
            return [make_finding(self.catalogue.by_code()[FILE_TOO_LARGE], message, rel)]
        crashed: dict[str, str] = {}
        while True:
            try:
                findings, _facts = analyze_file(rel, data, self.catalogue, enabled - set(crashed),
                                                self._knowledge, self._options)
                break
            except (RecursionError, MemoryError) as exc:
                return self._internal_error(rel, f"file skipped: {type(exc).__name__} while analysing it", enabled)
            except Exception as exc:  # a rule bug costs that rule on this file, never the server
                code = _failing_rule(exc)
                if code is None or code in crashed:
                    return self._internal_error(rel, f"internal error while checking this file: {type(exc).__name__}: {exc}", enabled)
                crashed[code] = f"{type(exc).__name__}: {exc}"
        by_code = self.catalogue.by_code()
        for code, reason in sorted(crashed.items()):
            if INTERNAL_ERROR in enabled:
                rule = by_code[code]
                findings.append(make_finding(by_code[INTERNAL_ERROR], f"internal error in {code} ({rule.name}), "
                                             f"skipped for this file; the other rules ran: {reason}", rel))
        findings.sort(key=Finding.sort_key)
        return findings

    def _internal_error(self, rel: str, message: str, enabled: set[str]) -> list[Finding]:
        if INTERNAL_ERROR not in enabled:
            return []
        return [make_finding(self.catalogue.by_code()[INTERNAL_ERROR], message, rel)]

    # -- repository rules on disk -----------------------------------------------------------------
    def check_repository(self) -> list[Finding]:
        """The repository findings (waived ones left out), from the files on disk; uses the result cache."""
        from mllint.engine.run import run_check

        result = run_check(self.root, self.settings, only="repo", jobs=1)
        return list(result.findings)

    # -- fixes ------------------------------------------------------------------------------------
    def fix_edits(self, rel: str, data: bytes, finding: Finding) -> list[Edit]:
        """The edits of ``finding``'s fix, against ``data`` (the content it was found in); [] when none applies."""
        if finding.fix is None:
            return []
        declared = [Edit.from_json(item, rel, finding.cell) for item in finding.fix.edits]
        if finding.fix.edits:
            return [edit for edit in declared if edit is not None]
        try:
            return self._fixer_edits(rel, data, finding)
        except Exception:  # the fixer cannot handle this text (libcst parse error...): no quick fix
            return []

    def _fixer_edits(self, rel: str, data: bytes, finding: Finding) -> list[Edit]:
        """Run the rule's libcst fixer for this one finding on the in-memory text; the edits are the diff."""
        from mllint.core.source import load_source, neutralise_cell
        from mllint.fix.code import FixContext, _restore_magics, _transform, load_params

        params_file, params = load_params(self.root)
        ctx = FixContext(path=rel, source="", project_root=self.root, params=params, params_file=params_file,
                         params_added={})
        loaded = load_source(rel, data)
        if isinstance(loaded, str):
            ctx.source = loaded
            fixed, code = _transform(loaded, [finding], self.catalogue, ctx)
            if code is None:
                return []
            edits = diff_edits(loaded, fixed, rel)
        else:
            original = dict(loaded).get(finding.cell if finding.cell is not None else -1)
            if original is None:
                return []
            neutral = neutralise_cell(original)
            fixed, code = _transform(neutral, [finding], self.catalogue, ctx)
            restored = _restore_magics(original, neutral, fixed) if code is not None else None
            if restored is None:
                return []
            edits = diff_edits(original, restored, rel, finding.cell)
        if params_file and any(ctx.params_added.values()):
            edits.extend(self._params_edits(params_file, ctx.params_added))
        return edits

    def _params_edits(self, params_file: str, added: dict[str, dict[str, Any]]) -> list[Edit]:
        from mllint.fix.code import _params_fix

        change = _params_fix(self.root, params_file, added)
        return diff_edits(change.before, change.after, params_file)


def _failing_rule(exc: BaseException) -> str | None:
    """The code of the innermost rule method on the traceback of ``exc``, if a rule raised it."""
    code = None
    tb: pytypes.TracebackType | None = exc.__traceback__
    while tb is not None:
        owner = tb.tb_frame.f_locals.get("self")
        if isinstance(owner, CodeRule):
            code = owner.code
        tb = tb.tb_next
    return code


def is_config_file(path: Path) -> bool:
    return path.name in CONFIG_NAMES
