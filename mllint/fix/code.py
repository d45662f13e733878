"""Applying code fixes (``mllint check --fix / --unsafe-fixes / --diff``) with libcst.

Detection stays on the fast stdlib ``ast``; a fixable finding carries a :class:`~mllint.core.findings.Fix`
(applicability and message). Only when fixing is a file parsed with libcst: each fixable rule's
``fixer(targets, fix_context)`` returns a ``libcst.CSTTransformer`` that rewrites the nodes at the
findings' positions, keeping formatting and comments. The result must parse, and the loop re-checks
until nothing more is fixed (fixes converge). In notebooks only the affected cells' sources change.
"""

from __future__ import annotations

import ast
import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mllint.catalogue.loader import Catalogue
from mllint.engine.codepass import analyze_file
from mllint.core.findings import Finding
from mllint.core.source import neutralise_cell

#: Each round re-analyses the file and applies one rule's fixes (positions stay exact); 20 bounds the loop.
MAX_ROUNDS = 20


@dataclass
class FixContext:
    """What a fixer may know beyond the node: the file, its imports, the project's params."""

    path: str
    source: str
    project_root: Path | None = None
    params: dict[str, Any] = field(default_factory=dict)
    params_file: str | None = None
    #: Sections a fixer moved into the params file (shared by every file of one run; written by fix_files).
    params_added: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class FileFix:
    path: str
    before: str
    after: str
    fixed: list[Finding] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        return "".join(difflib.unified_diff(
            self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
            fromfile=f"a/{self.path}", tofile=f"b/{self.path}",
        ))


def applicable(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and (finding.fix.applicability == "safe" or unsafe)


def _transform(source: str, findings: list[Finding], catalogue: Catalogue, ctx: FixContext) -> tuple[str, str | None]:
    """Apply the first rule fixer (by code) that changes the source; returns the new source and that code."""
    import libcst as cst

    by_code = catalogue.by_code()
    # (1-based line, 0-based column) -> the finding's Fix; a dict, so ``position in targets`` works
    targets: dict[str, dict[tuple[int, int], Any]] = {}
    for finding in findings:
        targets.setdefault(finding.code, {})[(finding.line or 0, (finding.column or 1) - 1)] = finding.fix
    module = cst.parse_module(source)
    for code in sorted(targets):
        rule = by_code.get(code)
        make = getattr(rule, "fixer", None)
        if make is None:
            continue
        transformer = make(targets[code], ctx)
        if transformer is None:
            continue
        new = cst.MetadataWrapper(module).visit(transformer)
        if new.code != module.code:
            # positions of the other rules' findings may have moved: they are fixed in the next round,
            # after the file is analysed again
            return new.code, code
    return module.code, None


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def fix_python(path: str, source: str, run, catalogue: Catalogue, unsafe: bool, ctx: FixContext) -> tuple[str, list[Finding], str | None]:
    """Fix a ``.py`` source until convergence. ``run(bytes)`` returns the file's findings."""
    fixed: list[Finding] = []
    current = source
    for _ in range(MAX_ROUNDS):
        todo = [f for f in run(current.encode("utf-8")) if applicable(f, unsafe)]
        if not todo:
            break
        try:
            candidate, code = _transform(current, todo, catalogue, ctx)
        except Exception as exc:  # libcst cannot parse this file: leave it untouched
            return current, fixed, f"not fixed: {type(exc).__name__}: {exc}"
        if candidate == current:
            break
        if not _parses(candidate):
            return current, fixed, "not fixed: a fix produced code that does not parse (please report)"
        fixed.extend(f for f in todo if f.code == code)
        current = candidate
    return current, fixed, None


def _restore_magics(original: str, neutral: str, fixed: str) -> str | None:
    """Put IPython lines back after fixing a neutralised cell; None if a fix touched one of them.

    Lines are aligned with difflib, so fixes may insert lines (e.g. a ``SEED = 42`` constant).
    """
    if original == neutral:
        return fixed
    orig_lines, neutral_lines, fixed_lines = original.split("\n"), neutral.split("\n"), fixed.split("\n")
    if len(orig_lines) != len(neutral_lines):
        return None
    magic = {index for index, (orig, neut) in enumerate(zip(orig_lines, neutral_lines)) if orig != neut}
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, neutral_lines, fixed_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(orig_lines[i1:i2])
        elif magic.intersection(range(i1, i2)):
            return None
        else:
            out.extend(fixed_lines[j1:j2])
    return "\n".join(out)


def fix_notebook(path: str, data: bytes, run, catalogue: Catalogue, unsafe: bool, ctx: FixContext) -> tuple[bytes, list[Finding], str | None]:
    """Fix code cells of a notebook in place; everything else in the JSON is kept."""
    fixed_all: list[Finding] = []
    current = data
    for _ in range(MAX_ROUNDS):
        todo = [f for f in run(current) if applicable(f, unsafe) and f.cell is not None]
        if not todo:
            break
        notebook = json.loads(current.decode("utf-8-sig"))
        cells = notebook.get("cells") or []
        changed = False
        for index in sorted({f.cell for f in todo}):
            cell = cells[index]
            raw = cell["source"]
            original = "".join(raw) if isinstance(raw, list) else raw
            neutral = neutralise_cell(original)
            cell_findings = [f for f in todo if f.cell == index]
            try:
                fixed, code = _transform(neutral, cell_findings, catalogue, ctx)
            except Exception:
                continue
            restored = _restore_magics(original, neutral, fixed)
            if restored is None or restored == original or not _parses(neutralise_cell(restored)):
                continue
            cell["source"] = restored.splitlines(keepends=True) if isinstance(raw, list) else restored
            fixed_all.extend(f for f in cell_findings if f.code == code)
            changed = True
        if not changed:
            break
        indent = 1 if b'\n "' in current[:200] else 2
        current = (json.dumps(notebook, indent=indent, ensure_ascii=False) + "\n").encode("utf-8")
    return current, fixed_all, None


def load_params(root: Path) -> tuple[str | None, dict[str, Any]]:
    """The project's params file (params.yaml / params.yml / conf/base/parameters.yml), if any."""
    for rel in ("params.yaml", "params.yml", "conf/base/parameters.yml", "config/params.yaml"):
        path = root / rel
        if path.is_file() and path.stat().st_size < 1_000_000:
            try:
                import yaml

                data = yaml.safe_load(path.read_text("utf-8"))
            except Exception:
                continue
            if isinstance(data, dict):
                return rel, data
    return None, {}


def fix_files(root: Path, paths: list[str], catalogue: Catalogue, enabled: set[str], knowledge: dict[str, Any],
              options: dict[str, Any], unsafe: bool) -> list[FileFix]:
    """Compute fixes for ``paths`` (relative to root); the caller decides to write or to diff."""
    params_file, params = load_params(root)
    params_added: dict[str, dict[str, Any]] = {}
    results = []
    for rel in paths:
        full = root / rel
        try:
            data = full.read_bytes()
        except OSError:
            continue

        def run(content: bytes, rel=rel) -> list[Finding]:
            return analyze_file(rel, content, catalogue, enabled, knowledge, options)[0]

        ctx = FixContext(path=rel, source="", project_root=root, params=params, params_file=params_file,
                         params_added=params_added)
        if rel.endswith(".ipynb"):
            new, fixed, error = fix_notebook(rel, data, run, catalogue, unsafe, ctx)
            before, after = data.decode("utf-8", "replace"), new.decode("utf-8", "replace")
        else:
            try:
                before = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            ctx.source = before
            after, fixed, error = fix_python(rel, before, run, catalogue, unsafe, ctx)
        if fixed or error:
            results.append(FileFix(rel, before, after, fixed, error))
    if params_file and any(params_added.values()) and any(item.changed for item in results):
        results.append(_params_fix(root, params_file, params_added))
    return results


def _params_fix(root: Path, params_file: str, added: dict[str, dict[str, Any]]) -> FileFix:
    """The params file with the moved sections appended (new top-level sections only, formatting kept)."""
    import yaml

    before = (root / params_file).read_text("utf-8")
    sections = {section: values for section, values in added.items() if values}
    block = yaml.safe_dump(sections, sort_keys=False, default_flow_style=False)
    after = before + ("" if before.endswith("\n") or not before else "\n") + "# moved here by `mllint check --fix --unsafe-fixes`\n" + block
    return FileFix(params_file, before, after)


def write_fixes(root: Path, fixes: list[FileFix]) -> None:
    """Write changed files (only inside the checked root)."""
    resolved_root = root.resolve()
    for item in fixes:
        if not item.changed:
            continue
        target = (root / item.path).resolve()
        if resolved_root not in target.parents:
            continue
        target.write_text(item.after, encoding="utf-8")
