"""What an applied fix must keep: the program parses and every name means what it meant before.

Used by the property test over offered fixes (tests/test_fix_property.py) and by the corpus
measurement (``bench/fix_corpus.py``), never by the fixer itself. :func:`judge_file` applies every fix
offered on one file, each alone and then all together in the fixer's rounds. A fix passes when

- the fixed file parses (a notebook stays valid JSON with the same cells, each code cell parsing);
- the set of identifiers the program binds or refers to is the same, except names the fix's own edits
  bind (an import or an assignment it inserts: derived from the edits' text, not from a list per rule)
  and builtins a rewritten expression no longer needs (``float`` of ``x == float("nan")``);
- in every scope, each name that was there resolves the same way (local, enclosing function, global):
  ``df.dropna()`` → ``df = df.dropna()`` inside a function that read a global ``df`` would make ``df``
  local there (an ``UnboundLocalError``), and fails;
- no scope refers to a name bound nowhere it could see that it did not refer to before (a fix reading
  ``params`` in a function while ``params`` is another function's local).
"""

from __future__ import annotations

import ast
import builtins
import json
import symtable
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field

from mllint.core.findings import Edit, Finding
from mllint.core.source import SourceError, decode_python, join_cells, notebook_cells
from mllint.core.yamlsafe import load_yaml
from mllint.engine.session import Session
from mllint.fix.code import EditError, applicable, apply_edits_to_file, fix

BUILTINS = frozenset(dir(builtins)) | {"__file__", "__name__", "__doc__", "__spec__", "__loader__", "__package__",
                                      "__builtins__", "__path__", "__annotations__", "__dict__", "__module__",
                                      "__qualname__", "__class__", "display", "get_ipython"}


class ProgramError(ValueError):
    """The program cannot be read or parsed (the message says why)."""


def program_text(path: str, data: bytes, magics: frozenset[str] = frozenset()) -> str:
    """The Python a file holds: a ``.py`` file decoded, a notebook's code cells joined (magics neutralised,
    ``magics`` the line magics a one-line cell may name without ``%``, as the code pass reads them)."""
    try:
        if path.endswith(".ipynb"):
            return join_cells(notebook_cells(data), magics=magics).text
        return decode_python(data)
    except SourceError as exc:
        raise ProgramError(exc.reason) from None


def notebook_shape(data: bytes) -> tuple[tuple[str, str], ...] | None:
    """A notebook's cells as (type, id), None when it is not valid JSON with a ``cells`` list: two
    notebooks of the same shape have the same cells in the same order."""
    try:
        notebook = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        return None
    return tuple((str(cell.get("cell_type")), str(cell.get("id", ""))) for cell in cells)


@dataclass(frozen=True)
class Scope:
    """One scope of the program: its kind and name, and how each name in it resolves."""

    kind: str
    name: str
    #: name -> "local" (bound here, parameters included), "free" (an enclosing function's) or "global".
    names: dict[str, str]


@dataclass(frozen=True)
class ProgramNames:
    """The identifiers of a program, its scopes, and the names it refers to that nothing binds."""

    identifiers: frozenset[str]
    scopes: tuple[Scope, ...]
    #: (scope index, name): a global reference with no module-level binding and no builtin of that name.
    unbound: frozenset[tuple[int, str]]
    star_import: bool


def program_names(source: str) -> ProgramNames:
    """Names, scopes and unbound references of ``source`` (raises :class:`ProgramError` if it does not compile)."""
    try:
        tree = ast.parse(source)
        table = symtable.symtable(source, "<fixed>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ProgramError(f"does not parse: {exc}") from None
    identifiers: set[str] = set()
    star = False
    for node in ast.walk(tree):
        identifiers.update(_bound_or_used(node))
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            star = True
    scopes: list[Scope] = []
    module_bound = {symbol.get_name() for symbol in table.get_symbols()
                    if symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace()}
    for scope in _tables(table):
        for symbol in scope.get_symbols():
            if symbol.is_declared_global() and symbol.is_assigned():
                module_bound.add(symbol.get_name())
    unbound: set[tuple[int, str]] = set()
    for index, scope in enumerate(_tables(table)):
        kinds: dict[str, str] = {}
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            if scope.get_type() == "module" or symbol.is_global():
                kind = "global"  # a module's names are its globals, bound or not
            elif symbol.is_free():
                kind = "free"
            else:
                kind = "local"
            kinds[name] = kind
            if kind == "global" and symbol.is_referenced() and name not in module_bound and name not in BUILTINS:
                unbound.add((index, name))
        scopes.append(Scope(str(scope.get_type()), scope.get_name(), kinds))
    return ProgramNames(frozenset(identifiers), tuple(scopes), frozenset(unbound), star)


def _tables(table: symtable.SymbolTable) -> Iterable[symtable.SymbolTable]:
    yield table
    for child in table.get_children():
        yield from _tables(child)


def _bound_or_used(node: ast.AST) -> Iterable[str]:
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.arg):
        yield node.arg
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            if alias.name != "*":
                yield alias.asname or alias.name.split(".", 1)[0]
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        yield from node.names
    elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
        yield node.name
    elif isinstance(node, ast.MatchMapping) and node.rest:
        yield node.rest


def bound_by(edits: Iterable[Edit]) -> frozenset[str]:
    """Names the edits' inserted text binds: the imports and assignments of whole statements it adds.

    A fragment (``to_numpy()``, ``, random_state=SEED``) binds nothing; a statement prefix such as
    ``df = `` binds its target (it is completed by the text it is inserted before).
    """
    names: set[str] = set()
    for edit in edits:
        if not edit.path.endswith((".py", ".ipynb")):
            continue
        text = textwrap.dedent(edit.text)
        for candidate in (text, text + "None"):  # "df = " + the expression it precedes
            try:
                tree = ast.parse(candidate)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
                elif isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.update(_bound_or_used(node))
            break
    return frozenset(names)


@dataclass
class Verdict:
    """What applying some fixes did to one file: whether it parses and keeps its names, and why not."""

    parses: bool = True
    names_kept: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.parses and self.names_kept


def compare(path: str, before: bytes, after: bytes, edits: Iterable[Edit], magics: frozenset[str] = frozenset()) -> Verdict:
    """Judge ``after`` (``before`` with ``edits`` applied) as the module docstring says (``magics``: as
    for :func:`program_text`)."""
    verdict = Verdict()
    edits = list(edits)
    if path.endswith(".ipynb"):
        shape = notebook_shape(after)
        if shape is None:
            return _broken(verdict, "the notebook is no longer valid JSON with a cells list")
        if shape != notebook_shape(before):
            return _broken(verdict, "the notebook's cells changed in number or type")
    try:
        old = program_names(program_text(path, before, magics))
    except ProgramError:
        return verdict  # nothing to compare against: the file did not parse before the fix
    try:
        new = program_names(program_text(path, after, magics))
    except ProgramError as exc:
        return _broken(verdict, str(exc))
    added = new.identifiers - old.identifiers - bound_by(edits)
    removed = old.identifiers - new.identifiers - BUILTINS  # `x == float("nan")` → `math.isnan(x)`
    if added:
        verdict.problems.append(f"refers to names it did not before: {', '.join(sorted(added))}")
    if removed:
        verdict.problems.append(f"no longer refers to: {', '.join(sorted(removed))}")
    if [(s.kind, s.name) for s in old.scopes] != [(s.kind, s.name) for s in new.scopes]:
        verdict.problems.append("its functions, classes or comprehensions changed")
    else:
        for was, now in zip(old.scopes, new.scopes):
            for name in sorted(was.names.keys() & now.names.keys()):
                if was.names[name] != now.names[name]:
                    verdict.problems.append(f"`{name}` in {_where(was)} was {was.names[name]}, is now {now.names[name]}")
        if not new.star_import:
            for index, name in sorted(new.unbound - old.unbound):
                verdict.problems.append(f"`{name}` in {_where(new.scopes[index])} is bound nowhere it can be seen")
    verdict.names_kept = not verdict.problems
    return verdict


def _where(scope: Scope) -> str:
    return "the module" if scope.kind == "module" else f"{scope.kind} {scope.name}"


def _broken(verdict: Verdict, reason: str) -> Verdict:
    verdict.parses = False
    verdict.names_kept = False
    verdict.problems.append(reason)
    return verdict


# -- judging every fix offered on one file ----------------------------------------------------------
@dataclass
class FixTrial:
    """One offered fix applied alone to the file as checked."""

    finding: Finding
    verdict: Verdict


@dataclass
class FileTrial:
    """Every fix offered on one file: each alone, then all (unsafe too) in the fixer's rounds."""

    path: str
    trials: list[FixTrial]
    #: The findings the rounds fixed (a later round's findings included).
    applied: list[Finding]
    #: The file (and the other files the fixes touched) after the rounds, against the originals.
    verdict: Verdict
    #: No fix is offered any more after the rounds.
    converged: bool
    #: The fixer's own account of fixes it dropped (edits that did not apply or would not parse).
    problems: list[str]
    after: dict[str, bytes] = field(default_factory=dict)


def apply_alone(session: Session, finding: Finding) -> Verdict:
    """Apply ``finding``'s fix by itself to the session's contents and judge the result."""
    verdict = Verdict()
    assert finding.fix is not None
    by_path: dict[str, list[Edit]] = {}
    for edit in finding.fix.edits:
        by_path.setdefault(edit.path, []).append(edit)
    for path, edits in by_path.items():
        try:
            before = session.read(path)
        except OSError as exc:
            return _broken(verdict, f"{path}: cannot read it ({exc})")
        try:
            after = apply_edits_to_file(path, before, edits)
        except EditError as exc:
            return _broken(verdict, f"{path}: {exc}")
        _judge_into(verdict, path, before, after, finding.fix.edits, session.line_magics)
    return verdict


def judge_file(session: Session, path: str) -> FileTrial:
    """Check ``path`` with the session's code rules, apply each offered fix alone, then all of them in
    rounds as ``mllint check --fix --unsafe-fixes`` does, and judge every result (nothing is written)."""
    result = session.check(files=[path], only="code", use_cache=False)
    offered = [finding for finding in result.findings if applicable(finding, unsafe=True)]
    trials = [FixTrial(finding, apply_alone(session, finding)) for finding in offered]
    verdict = Verdict()
    if not offered:
        return FileTrial(path, trials, [], verdict, True, [])
    report = fix(session, result, unsafe=True, files=[path], only="code", use_cache=False)
    applied = [finding for change in report.changes for finding in change.fixed]
    edits = [edit for finding in applied if finding.fix is not None for edit in finding.fix.edits]
    after: dict[str, bytes] = {}
    for change in report.changes:
        _judge_into(verdict, change.path, change.before, change.after, edits, session.line_magics)
        after[change.path] = change.after
    converged = not any(applicable(finding, unsafe=True) for finding in report.result.findings)
    return FileTrial(path, trials, applied, verdict, converged, list(report.problems), after)


def _judge_into(verdict: Verdict, path: str, before: bytes, after: bytes, edits: list[Edit],
                magics: frozenset[str]) -> None:
    if path.endswith((".py", ".ipynb")):
        judged = compare(path, before, after, edits, magics)
        verdict.parses = verdict.parses and judged.parses
        verdict.names_kept = verdict.names_kept and judged.names_kept
        verdict.problems.extend(f"{path}: {problem}" for problem in judged.problems)
    elif path.endswith((".yaml", ".yml")):
        try:
            loaded = load_yaml(after.decode("utf-8"))
        except UnicodeDecodeError:
            loaded = None
        if not isinstance(loaded, dict):
            _broken(verdict, f"{path}: no longer a YAML mapping")
