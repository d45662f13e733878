"""pylint plugin: ``pylint --load-plugins=mllint.pylint_plugin`` reports mllint's code rules as pylint messages.

The plugin adapts the engine, it copies no rule: for each module pylint checks, it reads the file's
bytes and runs :func:`mllint.engine.codepass.analyze_file` with the rules that mllint's own configuration
(``[tool.mllint]`` / ``mllint.toml`` found from the file, per-file ignores included) enables, then
turns every finding into a pylint message. Message ids sit in pylint's range for external
checkers: ``ML<gg><nn>`` becomes ``<letter><70+gg><nn>`` (ML0301 → W7301, ML1302 → W8302), the
letter from mllint's severity (error → E, warning → W, info → C); symbols are mllint's rule names
(``hardcoded-split``), so ``# pylint: disable=hardcoded-split`` works, as do mllint's own
``# mllint: ignore[...]`` comments; files mllint's excludes name are skipped. Repository rules need
the whole repository: run ``mllint check``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pylint.checkers import BaseRawFileChecker
from pylint.exceptions import UnknownMessageError

from mllint.catalogue.loader import load_catalogue
from mllint.config.settings import ConfigError, find_config
from mllint.core.findings import Finding
from mllint.core.patterns import PathPatterns
from mllint.engine.session import Session

if TYPE_CHECKING:  # pragma: no cover
    from astroid import nodes
    from pylint.lint import PyLinter

SEVERITY_LETTER = {"error": "E", "warning": "W", "info": "C"}
BASE_CHECKER_ID = 70


def message_id(code: str, severity: str) -> str:
    """``ML0301`` (warning) → ``W7301``: pylint's range 51-99 is for external checkers."""
    group, index = int(code[2:4]), int(code[4:6])
    return f"{SEVERITY_LETTER.get(severity, 'W')}{BASE_CHECKER_ID + group:02d}{index:02d}"


def _symbol_taken(linter: Any, symbol: str) -> bool:
    try:
        linter.msgs_store.get_message_definitions(symbol)
    except UnknownMessageError:
        return False
    return True


def build_messages(linter: Any = None) -> tuple[dict[str, tuple[str, str, str]], dict[str, str]]:
    """pylint ``msgs`` for every code rule, and mllint code → pylint symbol."""
    msgs: dict[str, tuple[str, str, str]] = {}
    symbols: dict[str, str] = {}
    for rule in load_catalogue().code_rules():
        symbol = rule.name
        if linter is not None and _symbol_taken(linter, symbol):
            symbol = f"mllint-{symbol}"
        summary = " ".join(rule.summary.split())
        msgs[message_id(rule.code, rule.severity)] = ("%s", symbol, f"{summary} (mllint {rule.code}; `mllint rule {rule.code}`)")
        symbols[rule.code] = symbol
    return msgs, symbols


class _Project:
    """mllint's session for one configuration root, with its excludes."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.root = session.root
        self.patterns = PathPatterns(session.settings.excludes())

    def excluded(self, rel: str) -> bool:
        """Inside the project and matched by mllint's excludes (defaults plus exclude/extend-exclude)."""
        return not rel.startswith("/") and self.patterns(rel)


class _Engine:
    """Shared by the plugin's checkers: settings per configuration root, and the findings of the
    module being checked (pylint runs all checkers on one module before the next, so mllint's code
    pass runs once per file whatever the number of checkers)."""

    def __init__(self, linter: Any) -> None:
        self.linter = linter
        self.projects: dict[Path, _Project | None] = {}
        self.roots: dict[Path, Path] = {}
        self.last: tuple[Path, list[Finding]] | None = None

    def project(self, path: Path) -> _Project | None:
        folder = path.parent
        if folder not in self.roots:  # one config lookup per directory, not per file
            found = find_config(folder)
            self.roots[folder] = found[0].parent if found else Path.cwd().resolve()
        root = self.roots[folder]
        if root not in self.projects:
            try:
                self.projects[root] = _Project(Session.load(root))
            except ConfigError as exc:
                import sys

                sys.stderr.write(f"mllint plugin: configuration ignored for {root}: {exc}\n")
                self.projects[root] = None
        return self.projects[root]

    def findings(self, file: str) -> list[Finding]:
        path = Path(file).resolve()
        if self.last is not None and self.last[0] == path:
            return self.last[1]
        findings: list[Finding] = []
        project = self.project(path)
        if project is not None:
            try:
                rel = path.relative_to(project.root).as_posix()
            except ValueError:
                rel = path.as_posix()
            enabled = project.session.code_rules_for(rel)
            if project.excluded(rel):  # mllint check would not look at it either
                enabled = frozenset()
            try:
                data = path.read_bytes() if enabled else b""
            except OSError:
                enabled = frozenset()
            if enabled:
                findings = project.session.analyze(rel, data, enabled).findings
        self.last = (path, findings)
        return findings


class MllintChecker(BaseRawFileChecker):
    """Reports the findings of one mllint code group (pylint wants one checker id per checker)."""

    name = "mllint"
    msgs = {}  # set per code group by register()
    group: ClassVar[int] = 0

    def __init__(self, linter: PyLinter, engine: _Engine, symbols: dict[str, str]) -> None:
        super().__init__(linter)
        self._engine = engine
        self._symbols = symbols

    def process_module(self, node: nodes.Module) -> None:
        if not node.file or not node.file.endswith(".py"):
            return
        for finding in self._engine.findings(node.file):
            symbol = self._symbols.get(finding.code)
            if symbol is None or int(finding.code[2:4]) != self.group:
                continue
            self.add_message(
                symbol, line=finding.line or 1, args=(finding.message,),
                col_offset=None if finding.column is None else finding.column - 1,
                end_lineno=finding.end_line,
                end_col_offset=None if finding.end_column is None else finding.end_column - 1,
            )


def register(linter: PyLinter) -> None:
    """pylint's plugin entry point: one checker per mllint code group, all named ``mllint``."""
    msgs, symbols = build_messages(linter)
    engine = _Engine(linter)
    groups: dict[int, dict[str, tuple[str, str, str]]] = {}
    for msgid, definition in msgs.items():
        groups.setdefault(int(msgid[1:3]) - BASE_CHECKER_ID, {})[msgid] = definition
    for group, group_msgs in sorted(groups.items()):
        checker_class = type(f"MllintChecker{group:02d}", (MllintChecker,), {"msgs": group_msgs, "group": group})
        linter.register_checker(checker_class(linter, engine, symbols))
