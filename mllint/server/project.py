"""The server's one bridge to the engine: a project root with its settings, and what the server asks of it.

``Project`` analyses one file's in-memory content with the enabled code rules (the same function the
engine runs per file), runs the repository rules on what is on disk, and returns each finding's fix
as text edits. Everything the server needs from the machinery goes through here, so that moving to the
engine's session object is a change to this module only.

Robustness lives here too: a rule that raises is taken out for that file and reported as ML0004
(the other rules' findings are kept). A finding's fix is the text edits it carries (``fix.edits``).
"""

from __future__ import annotations

import types as pytypes
from dataclasses import dataclass, field
from pathlib import Path

from mllint.catalogue.loader import Catalogue, load_catalogue
from mllint.catalogue.rule import CodeRule, make_finding
from mllint.config.settings import Settings, load_settings
from mllint.core.findings import Edit, Finding
from mllint.core.patterns import PathPatterns
from mllint.engine.session import Session
from mllint.engine.worker import FILE_TOO_LARGE, INTERNAL_ERROR
from mllint.server.settings import ClientSettings

CONFIG_NAMES = ("pyproject.toml", "mllint.toml", ".mllint.toml")


@dataclass
class Project:
    """One workspace root. ``reload()`` (re)reads ``[tool.mllint]`` merged with the client's settings."""

    root: Path
    client: ClientSettings = field(default_factory=ClientSettings)
    settings: Settings = field(default_factory=lambda: Settings())
    config_file: Path | None = None
    catalogue: Catalogue = field(default_factory=load_catalogue)
    _session: Session | None = None
    _excluded: PathPatterns | None = None

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
        self._session = Session(self.root, settings, config_file=self.config_file)
        self._excluded = PathPatterns(settings.excludes())

    @property
    def session(self) -> Session:
        if self._session is None:
            self._apply(self.settings)
        assert self._session is not None
        return self._session

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
        session = self.session
        enabled = session.enabled - self.settings.ignored_for(rel, self.catalogue)
        if len(data) > self.settings.max_file_size:
            if FILE_TOO_LARGE not in enabled:
                return []
            message = f"file skipped: {len(data)} bytes is above max-file-size ({self.settings.max_file_size})"
            return [make_finding(self.catalogue.by_code()[FILE_TOO_LARGE], message, rel)]
        crashed: dict[str, str] = {}
        while True:
            try:
                findings = session.analyze(rel, data, frozenset(enabled - set(crashed))).findings
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

    def _internal_error(self, rel: str, message: str, enabled: frozenset[str]) -> list[Finding]:
        if INTERNAL_ERROR not in enabled:
            return []
        return [make_finding(self.catalogue.by_code()[INTERNAL_ERROR], message, rel)]

    # -- repository rules on disk -----------------------------------------------------------------
    def check_repository(self) -> list[Finding]:
        """The repository findings (waived ones left out), from the files on disk; uses the result cache."""
        result = self.session.check(only="repo", jobs=1)
        return list(result.findings)

    # -- fixes ------------------------------------------------------------------------------------
    def fix_edits(self, finding: Finding) -> list[Edit]:
        """The edits of ``finding``'s fix, as the JSON output carries them."""
        return list(finding.fix.edits) if finding.fix is not None else []

    def fix_all(self, rel: str, data: bytes) -> bytes:
        """``data`` with every safe fix applied, in rounds, as ``mllint check --fix`` would."""
        from mllint.fix.code import fix_content

        return fix_content(self.session, rel, data)


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
