"""The code pass: one file in, findings and facts out, in a single traversal of the stdlib ``ast``.

All enabled code rules and the fact collector register ``visit_<Node>``/``leave_<Node>`` methods;
the walker dispatches each node once to every interested visitor. Notebook findings are mapped back
to (cell, line); suppression comments are applied here, so cached results are final per file.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

from mllint.analysis.context import FileContext, is_test_path
from mllint.analysis.facts import FactCollector
from mllint.analysis.paramreads import ParamsCollector
from mllint.analysis.secrets import code_secrets, notebook_output_secrets, patterns_for
from mllint.analysis.suppress import parse_suppressions
from mllint.catalogue.rule import CodeRule, make_finding
from mllint.core.facts import FileFacts
from mllint.core.findings import Finding
from mllint.core.secretfacts import SecretHit
from mllint.core.source import (
    SourceError,
    SourceUnit,
    join_cells,
    load_source,
    parameter_cells,
    script_cell_starts,
)
from mllint.engine.locate import locate, map_fix, related
from mllint.engine.walk import has_handlers, walk

if TYPE_CHECKING:  # pragma: no cover
    from mllint.catalogue.index import RuleIndex
    from mllint.engine.session import Session

PARSE_ERROR = "ML0001"
UNUSED_SUPPRESSION = "ML0002"
FILE_TOO_LARGE = "ML0003"

#: The punctuation that separates syntax elements: their count bounds the nodes ``ast.parse`` builds
#: (about 1 KB of memory each, parser included). Measured: 200,000 elements cost 250 MB, 400,000
#: cost 470 MB; ordinary code has ~0.11 per byte (a 4.5 MB module stays under the budget), a 4.9 MB
#: list literal has 1,000,000.
SEPARATORS = b",()[]{}=+-*/%<>:.;@&|^~\n"
MAX_SYNTAX_ELEMENTS = 500_000


def syntax_elements(code: bytes) -> int:
    """An upper estimate of a source's syntax elements, counted before parsing (one C pass)."""
    return len(code) - len(code.translate(None, SEPARATORS))


def _parse(text: str, path: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=path)


def _syntax_reason(exc: BaseException) -> tuple[str, int | None, int | None]:
    if isinstance(exc, SyntaxError):
        return f"syntax error: {exc.msg}", exc.lineno, exc.offset
    if isinstance(exc, RecursionError):
        return "too deeply nested to parse", None, None
    if isinstance(exc, MemoryError):
        return "too large to parse", None, None
    return f"cannot parse: {exc}", None, None


class Collector(Protocol):
    """A visitor of the traversal that gathers an index for an analysis; told when the walk is done."""

    def finish(self) -> None: ...


@dataclass
class FileAnalysis:
    """What one file yields: its findings (suppressions applied, fixes mapped) and its facts."""

    findings: list[Finding]
    facts: FileFacts


def analyze_file(session: Session, path: str, data: bytes, enabled: frozenset[str] | None = None) -> FileAnalysis:
    """Check one file's bytes with the session's code rules (``enabled`` narrows them; by default the
    rules enabled for this path). Never raises for bad input: a file that does not parse is ML0001."""
    if enabled is None:
        enabled = session.code_rules_for(path)
    facts = FileFacts.empty(path, test=is_test_path(path))
    by_code = session.rule_classes(enabled)
    findings: list[Finding] = []

    def parse_error(reason: str, line: int | None = None, column: int | None = None, cell: int | None = None) -> None:
        if PARSE_ERROR in enabled:
            findings.append(make_finding(by_code[PARSE_ERROR], f"cannot check this file: {reason}", path,
                                         line=line, column=column, cell=cell))

    try:
        loaded = load_source(path, data)
    except SourceError as exc:
        parse_error(exc.reason)
        return FileAnalysis(findings, facts)
    source = data if isinstance(loaded, str) else "".join(cell for _index, cell in loaded).encode("utf-8", "surrogatepass")
    elements = syntax_elements(source)
    if elements > MAX_SYNTAX_ELEMENTS:
        if FILE_TOO_LARGE in enabled:
            findings.append(make_finding(by_code[FILE_TOO_LARGE], (
                f"file skipped: about {elements:,} syntax elements, above the analysis budget ({MAX_SYNTAX_ELEMENTS:,}); "
                "a parse tree that large needs gigabytes: generated code or data written as code? exclude it, or "
                "load the data from a file"), path))
        return FileAnalysis(findings, facts)

    if isinstance(loaded, str):
        unit = SourceUnit(loaded)
        try:
            tree = _parse(loaded, path)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
            reason, line, column = _syntax_reason(exc)
            parse_error(reason, line, column)
            return FileAnalysis(findings, facts)
    else:
        unit, parsed = _parse_notebook(path, loaded, parse_error, session.line_magics)
        if parsed is None:
            return FileAnalysis(findings, facts)
        tree = parsed
    facts.lines = unit.text.count("\n")

    ctx = FileContext(path, tree, session.knowledge, unit.line_map is not None, lines=unit.lines(), params=session.params,
                      requirement_floors=session.requirement_floors)
    ctx.cell_starts = list(unit.line_map.starts) if unit.line_map is not None else _script_cell_starts(unit.text)
    if unit.line_map is not None:
        ctx.configuration_cells(_cell_ranges(unit, parameter_cells(data)))
    ctx.cell_indexes = list(unit.line_map.cells) if unit.line_map is not None else []
    rules: list[CodeRule] = []
    for code in _in_order(enabled):
        rule_cls = by_code.get(code)
        if rule_cls is None:
            continue
        if rule_cls in _TAKES_PART:
            participant = _TAKES_PART[rule_cls]
        else:
            participant = _TAKES_PART[rule_cls] = _participant(rule_cls)
        if participant is not None:
            rules.append(participant(ctx, session.options.get(code)))
    collector = FactCollector(ctx, facts)
    params = ParamsCollector(ctx)
    indexes = _indexes(ctx, rules)
    try:
        try:
            walk(tree, ctx, [collector, params, *indexes, *rules])
            collector.finish()
            params.finish()
            for index in indexes:
                index.finish()
            for rule in rules:
                rule.finish()
        except RecursionError:
            parse_error("too deeply nested to analyse")
            return FileAnalysis(findings, facts)

        facts.params = None if params.facts.empty() else params.facts
        secret_patterns = patterns_for(session.knowledge)
        facts.secrets = [_locate_hit(hit, unit) for hit in code_secrets(secret_patterns, unit.text)]
        if unit.line_map is not None:
            facts.secrets += notebook_output_secrets(data, secret_patterns)
        suppressions = parse_suppressions(unit.text, _rule_names(session.index))
        for raw in ctx.raw_findings:
            node = raw.node
            line = getattr(node, "lineno", None)
            end_line = getattr(node, "end_lineno", None) or line
            if suppressions.silences(raw.rule.code, tuple({n for n in (line, end_line) if n is not None})):
                continue
            column = getattr(node, "col_offset", None)
            end_column = getattr(node, "end_col_offset", None)
            fix = map_fix(raw.fix, path, unit) if raw.fix is not None else None
            finding = make_finding(type(raw.rule), raw.message, path, fix=fix)
            finding = locate(finding, unit, line, column, end_line, end_column)
            finding.related = [related(unit, other, note) for other, note in raw.related]
            findings.append(finding)
        if UNUSED_SUPPRESSION in enabled:
            for line, sups in suppressions.lines.items():
                for sup in sups:
                    unused = sorted(code for code in sup.codes if code != "*" and code in enabled and code not in sup.used)
                    if "*" in sup.codes and not sup.used:
                        unused = ["(all rules)"]
                    if unused:
                        finding = make_finding(by_code[UNUSED_SUPPRESSION], f"unused suppression: {', '.join(unused)} reported nothing on this line", path)
                        findings.append(locate(finding, unit, line, sup.column - 1, line, None, byte_columns=False))
        return FileAnalysis(findings, facts)
    finally:
        ctx.release([collector, params, *indexes, *rules])  # the tree and what was built on it are freed now, not by the cycle collector


#: The codes of each ``enabled`` set in order (the same one or few sets for every file of a run).
_ORDER: dict[frozenset[str], tuple[str, ...]] = {}
_ORDER_MAX = 1024
#: Each rule class seen, if it takes part in the traversal (a code rule with visitor methods or a
#: ``finish``), else None: a property of the class, which the traversal's dispatch tables already take as fixed.
_TAKES_PART: dict[type, type[CodeRule] | None] = {}
#: The last rule index seen and its rule names (a pure function of its frozen ``rules``: read-only).
_NAMES: tuple[RuleIndex | None, dict[str, str]] = (None, {})


def _in_order(enabled: frozenset[str]) -> tuple[str, ...]:
    """``sorted(enabled)``, made once per set."""
    if enabled.__class__ is not frozenset:  # typed as one, but a caller's plain set is not hashable
        return tuple(sorted(enabled))
    found = _ORDER.get(enabled)
    if found is None:
        if len(_ORDER) >= _ORDER_MAX:
            _ORDER.clear()
        found = _ORDER[enabled] = tuple(sorted(enabled))
    return found


def _participant(rule_cls: type) -> type[CodeRule] | None:
    return rule_cls if issubclass(rule_cls, CodeRule) and has_handlers(rule_cls) else None


def _rule_names(index: RuleIndex) -> dict[str, str]:
    """``index.names()`` (lower-case rule name -> code), made once per index, not per file; the
    suppression parser only reads it."""
    global _NAMES
    known, names = _NAMES
    if known is not index:
        known, names = _NAMES = (index, index.names())
    return names


def _script_cell_starts(text: str) -> list[int]:
    """:func:`script_cell_starts`, which splits the text and matches every line: a cell marker line holds
    ``In[`` or ``%%`` and nbconvert's header ``# coding: utf-8``, so a text with none of them (most) has
    no cells, found by three scans of the text."""
    if "In[" not in text and "%%" not in text and "# coding: utf-8" not in text:
        return []
    return script_cell_starts(text)


def _indexes(ctx: FileContext, rules: list[CodeRule]) -> list[Collector]:
    """The visitors gathering indexes for the analyses the rules require (their ``collectors``), one of
    each, registered in ``ctx.indexes`` for the analyses to find once the traversal is complete."""
    for rule in rules:
        for kind in rule.requires:
            for collector_cls in getattr(kind, "collectors", ()):
                if collector_cls not in ctx.indexes:
                    ctx.indexes[collector_cls] = collector_cls(ctx)
    return cast(list[Collector], list(ctx.indexes.values()))


def _locate_hit(hit: SecretHit, unit: SourceUnit) -> SecretHit:
    """A hit in a notebook's joined program, placed in its cell."""
    if unit.line_map is None:
        return hit
    cell, line = unit.line_map.locate(hit.line)
    return SecretHit(line, hit.column, hit.kind, cell, hit.where)


def _parse_notebook(path: str, cells: list[tuple[int, str]], parse_error: Callable[..., None],
                    magics: frozenset[str]) -> tuple[SourceUnit, ast.Module | None]:
    """Parse the joined program (``magics``: the line magics a one-line cell may name without ``%``);
    a cell with a syntax error is reported and blanked, the rest checked."""
    unit = join_cells(cells, magics=magics)
    try:
        return unit, _parse(unit.text, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        pass
    bad: set[int] = set()
    for index, _raw in cells:
        try:
            _parse(unit.cell_sources[index] + "\n", path)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
            reason, line, column = _syntax_reason(exc)
            parse_error(f"{reason} (cell skipped)", line, column, index)
            bad.add(index)
    unit = join_cells(cells, skip=bad, magics=magics)
    try:
        return unit, _parse(unit.text, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
        reason, _line, _column = _syntax_reason(exc)
        parse_error(reason)
        return unit, None


def _cell_ranges(unit: SourceUnit, cells: set[int]) -> list[tuple[int, int]]:
    """The joined-program line ranges (first, last) of the notebook cells ``cells``."""
    if not cells or unit.line_map is None:
        return []
    starts, indexes = unit.line_map.starts, unit.line_map.cells
    ranges = []
    for position, index in enumerate(indexes):
        if index in cells:
            end = starts[position + 1] - 1 if position + 1 < len(starts) else len(unit.lines())
            ranges.append((starts[position], end))
    return ranges
