"""The code pass: one file in, findings and facts out, in a single traversal of the stdlib ``ast``.

All enabled code rules and the fact collector register ``visit_<Node>``/``leave_<Node>`` methods;
the walker dispatches each node once to every interested visitor. Notebook findings are mapped back
to (cell, line); suppression comments are applied here, so cached results are final per file.
"""

from __future__ import annotations

import ast
import hashlib
import warnings
from typing import Any

from mllint.catalogue.loader import Catalogue
from mllint.analysis.context import SCOPE_NODES, FileContext, is_test_path
from mllint.analysis.facts import FactCollector, empty_facts
from mllint.core.findings import Finding
from mllint.catalogue.rule import CodeRule, Rule
from mllint.core.source import SourceError, SourceUnit, join_cells, load_source
from mllint.analysis.suppress import parse_suppressions

PARSE_ERROR = "ML0001"
UNUSED_SUPPRESSION = "ML0002"
FILE_TOO_LARGE = "ML0003"

_DISPATCH_CACHE: dict[type, list[tuple[str, str, bool]]] = {}


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _handlers(cls: type) -> list[tuple[str, str, bool]]:
    """(node type name, method name, is_leave) for every visit_/leave_ method of a visitor class."""
    if cls not in _DISPATCH_CACHE:
        found = []
        for attr in dir(cls):
            if attr.startswith("visit_"):
                found.append((attr[6:], attr, False))
            elif attr.startswith("leave_"):
                found.append((attr[6:], attr, True))
        _DISPATCH_CACHE[cls] = found
    return _DISPATCH_CACHE[cls]


def make_finding(rule: type[Rule], message: str, path: str, **location: Any) -> Finding:
    return Finding(
        code=rule.code, name=rule.name, factor=rule.factor, kind=rule.kind,
        severity=rule.severity, message=message, path=path, **location,
    )


#: Node types that are stateless leaves (``Load``, ``Add``, ``Eq``...): skipped unless a visitor asks for them.
_OPERATOR_TYPES = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
_OPERATOR_NAMES = frozenset(
    cls.__name__ for base in _OPERATOR_TYPES for cls in base.__subclasses__()
) | frozenset(base.__name__ for base in _OPERATOR_TYPES)
#: Fields that never hold nodes (identifiers, flags, literals) or only hold operator leaves.
_SCALAR_FIELDS = frozenset({"id", "attr", "name", "arg", "module", "asname", "kind", "type_comment", "level",
                            "conversion", "is_async", "simple", "rest", "kwd_attrs", "tag"})
_OPERATOR_FIELDS = frozenset({"ctx", "op", "ops"})
_LEAVE = object()  # stack marker: the node on top of ``parents`` is complete


_MIXED_LISTS = frozenset({"keys", "kw_defaults"})  # list fields that may hold None besides nodes


def _child_fields(cls: type, with_operators: bool) -> tuple[tuple[str, int], ...]:
    """Fields of ``cls`` that may hold child nodes, in reverse order (they are pushed on a stack),
    each with a kind: 0 a single node or None, 1 a list of nodes, 2 a list that may also hold None."""
    if cls is ast.Constant or cls.__name__ in ("Global", "Nonlocal", "MatchSingleton"):
        return ()
    skip = _SCALAR_FIELDS if with_operators else _SCALAR_FIELDS | _OPERATOR_FIELDS
    out = []
    for name in cls._fields:
        if name in skip:
            continue
        kind = 0
        if name in _LIST_FIELDS:
            kind = 2 if name in _MIXED_LISTS or (with_operators and name == "ops") else 1
        out.append((name, kind))
    return tuple(reversed(out))


#: Fields that hold lists in the stdlib grammar (3.10-3.13).
_LIST_FIELDS = frozenset({
    "body", "orelse", "finalbody", "handlers", "decorator_list", "bases", "keywords", "targets", "names",
    "elts", "keys", "values", "ops", "comparators", "args", "posonlyargs", "kwonlyargs", "kw_defaults",
    "defaults", "generators", "ifs", "items", "cases", "patterns", "kwd_patterns", "type_ignores",
    "type_params", "dims", "argtypes",
})


def walk(tree: ast.AST, ctx: FileContext, visitors: list[Any]) -> None:
    """Iterative depth-first traversal dispatching to visitors; maintains ``ctx.parents``/``ctx.scopes``.

    Per node type it precomputes the enter/leave handlers and the fields that can hold children, so
    the per-node cost is one dict lookup; operator leaves (``Load``, ``Add``...) are only visited
    when some visitor defines a handler for them, and a childless node is left at once instead of
    going through the stack again. Never recursive: deep trees cannot overflow it.
    """
    enter: dict[str, list] = {}
    leave: dict[str, list] = {}
    for visitor in visitors:
        for node_type, method, is_leave in _handlers(type(visitor)):
            (leave if is_leave else enter).setdefault(node_type, []).append(getattr(visitor, method))
    with_operators = not _OPERATOR_NAMES.isdisjoint(enter) or not _OPERATOR_NAMES.isdisjoint(leave)
    table: dict[type, tuple] = {}
    parents = ctx.parents
    scopes = ctx.scopes
    node_type = ast.AST
    stack: list[Any] = [tree]
    pop, push, extend = stack.pop, stack.append, stack.extend
    marker = _LEAVE
    while stack:
        node = pop()
        if node is marker:
            node = parents[-1]
            _enter, on_leave, is_scope, _fields = table[node.__class__]
            for handler in on_leave:
                handler(node)
            parents.pop()
            if is_scope:
                scopes.pop()
            continue
        cls = node.__class__
        info = table.get(cls)
        if info is None:
            name = cls.__name__
            info = table[cls] = (tuple(enter.get(name, ())), tuple(leave.get(name, ())),
                                 issubclass(cls, SCOPE_NODES), _child_fields(cls, with_operators))
        on_enter, on_leave, is_scope, fields = info
        parents.append(node)
        for handler in on_enter:
            handler(node)
        if is_scope:
            scopes.append(node)
        if not fields:  # a leaf (Name, Constant...): leave it now
            for handler in on_leave:
                handler(node)
            parents.pop()
            if is_scope:
                scopes.pop()
            continue
        push(marker)
        for field_name, kind in fields:
            value = getattr(node, field_name, None)
            if value is None:
                continue
            if kind == 0 and isinstance(value, node_type):
                push(value)
            elif kind == 1 and value.__class__ is list:
                extend(value[::-1])
            elif value.__class__ is list:
                for child in reversed(value):
                    if isinstance(child, node_type):
                        push(child)
            elif isinstance(value, node_type):
                push(value)


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


def analyze_file(path: str, data: bytes, catalogue: Catalogue, enabled: set[str], knowledge: dict[str, Any],
                 options: dict[str, Any] | None = None) -> tuple[list[Finding], dict[str, Any]]:
    """Check one file's bytes with the enabled code rules. Never raises for bad input."""
    notebook = path.endswith(".ipynb")
    facts = empty_facts(path, notebook, is_test_path(path))
    by_code = catalogue.by_code()
    findings: list[Finding] = []

    def parse_error(reason: str, line: int | None = None, column: int | None = None, cell: int | None = None) -> None:
        if PARSE_ERROR in enabled:
            findings.append(make_finding(by_code[PARSE_ERROR], f"cannot check this file: {reason}", path,
                                         line=line, column=column, cell=cell))

    try:
        loaded = load_source(path, data)
    except SourceError as exc:
        parse_error(exc.reason)
        return findings, facts

    if isinstance(loaded, str):
        unit = SourceUnit(loaded)
        try:
            tree = _parse(loaded, path)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
            reason, line, column = _syntax_reason(exc)
            parse_error(reason, line, column)
            return findings, facts
    else:
        unit, tree = _parse_notebook(path, loaded, parse_error)
        if tree is None:
            return findings, facts
    facts["lines"] = unit.text.count("\n")

    ctx = FileContext(path, tree, knowledge, notebook)
    ctx.cell_starts = list(unit.line_map.starts) if unit.line_map is not None else []
    rules: list[CodeRule] = []
    options = options or {}
    for code in sorted(enabled):
        rule_cls = by_code.get(code)
        if rule_cls is None or not issubclass(rule_cls, CodeRule) or not _has_handlers(rule_cls):
            continue
        rules.append(rule_cls(ctx, options.get(code)))
    collector = FactCollector(ctx, facts)
    try:
        walk(tree, ctx, [collector, *rules])
        for visitor in (collector, *rules):
            visitor.finish()
    except RecursionError:
        parse_error("too deeply nested to analyse")
        return findings, facts

    names = catalogue.names()
    suppressions = parse_suppressions(unit.text, names)
    for rule, node, message, fix in ctx.raw_findings:
        line = getattr(node, "lineno", None)
        end_line = getattr(node, "end_lineno", None) or line
        if suppressions.silences(rule.code, tuple({line, end_line})):
            continue
        column = getattr(node, "col_offset", None)
        end_column = getattr(node, "end_col_offset", None)
        findings.append(_locate(make_finding(type(rule), message, path, fix=fix), unit, line, column, end_line, end_column))
    if UNUSED_SUPPRESSION in enabled:
        for line, sups in suppressions.lines.items():
            for sup in sups:
                unused = sorted(code for code in sup.codes if code != "*" and code in enabled and code not in sup.used)
                if "*" in sup.codes and not sup.used:
                    unused = ["(all rules)"]
                if unused:
                    finding = make_finding(by_code[UNUSED_SUPPRESSION], f"unused suppression: {', '.join(unused)} reported nothing on this line", path)
                    findings.append(_locate(finding, unit, line, sup.column - 1, line, None, byte_columns=False))
    return findings, facts


def _has_handlers(rule_cls: type) -> bool:
    return bool(_handlers(rule_cls)) or rule_cls.finish is not CodeRule.finish


def _char_column(unit: SourceUnit, line: int | None, byte_column: int | None) -> int | None:
    """The ast's UTF-8 byte offset as a 0-based character offset (they differ on non-ASCII lines)."""
    if byte_column is None or line is None or byte_column == 0:
        return byte_column
    lines = unit.lines()
    if not 0 < line <= len(lines):
        return byte_column
    text = lines[line - 1]
    if text.isascii():
        return byte_column
    return len(text.encode("utf-8")[:byte_column].decode("utf-8", "replace"))


def _locate(finding: Finding, unit: SourceUnit, line: int | None, column: int | None,
            end_line: int | None, end_column: int | None, byte_columns: bool = True) -> Finding:
    """Set 1-based line/column (characters) on ``finding``, mapped to (cell, line) for notebooks."""
    if line is None:
        return finding
    if byte_columns:
        column = _char_column(unit, line, column)
        end_column = _char_column(unit, end_line, end_column)
    if unit.line_map is not None:
        cell, cell_line = unit.line_map.locate(line)
        end_cell, end_cell_line = unit.line_map.locate(end_line or line)
        finding.cell = cell
        line = cell_line
        end_line = end_cell_line if end_cell == cell else cell_line
    finding.line = line
    finding.column = None if column is None else column + 1
    finding.end_line = end_line
    finding.end_column = None if end_column is None else end_column + 1
    return finding


def _parse_notebook(path: str, cells: list[tuple[int, str]], parse_error) -> tuple[SourceUnit, ast.Module | None]:
    """Parse the joined program; a cell with a syntax error is reported and blanked, the rest checked."""
    unit = join_cells(cells)
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
    unit = join_cells(cells, skip=bad)
    try:
        return unit, _parse(unit.text, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
        reason, _line, _column = _syntax_reason(exc)
        parse_error(reason)
        return unit, None
