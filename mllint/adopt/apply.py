"""The adoption path wired into a run: baseline files, ``--changed-since`` and ``mllint baseline``.

``apply`` takes a finished :class:`~mllint.engine.run.RunResult` and moves findings that must not fail
the run out of ``result.findings`` (which is what the reports print and the exit code reads):
baselined ones to ``result.baselined``, those outside the changed files to ``result.unchanged``.
Baseline entries that nothing matches any more land in ``result.fixed``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mllint.adopt.baselinefile import DEFAULT_BASELINE, BaselineError
from mllint.adopt.changed import changed_files, split_by_change
from mllint.core.findings import Finding

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult


def baseline_path(root: Path, option: Path | None, *, must_exist: bool) -> Path | None:
    """The baseline to use: ``--baseline FILE`` (relative to the cwd), else ROOT/.mllint-baseline.json
    when present. With ``must_exist`` an explicit file that does not exist is an error."""
    if option is not None:
        path = option if option.is_absolute() else Path.cwd() / option
        if must_exist and path.exists() and not path.is_file():
            raise BaselineError(f"baseline file {option} is not a regular file")
        if must_exist and not path.is_file():
            raise BaselineError(f"baseline file {option} does not exist (create it with `mllint baseline`)")
        return path
    default = root / DEFAULT_BASELINE
    return default if default.is_file() else None


def _checked_paths(result: RunResult) -> set[str] | None:
    if result.repo_rules_run or result.inventory is None:
        return None  # a full run: everything was in scope
    return set(result.inventory.files)


def apply(result: RunResult, baseline: Path | None = None, changed_since: str | None = None) -> None:
    """Set baselined findings and findings outside the change aside (raises BaselineError/ChangedError)."""
    if baseline is not None:
        from mllint.adopt.baseline import Baseline, compare  # only when there is a baseline

        loaded = Baseline.read(baseline)
        comparison = compare(result.findings, loaded, result.root, checked_paths=_checked_paths(result),
                             code_rules_run=result.code_rules_run or not result.repo_rules_run,
                             repo_rules_run=result.repo_rules_run, enabled=result.enabled)
        result.findings = sorted(comparison.new, key=Finding.sort_key)
        result.baselined = sorted(comparison.baselined, key=Finding.sort_key)
        result.fixed = comparison.fixed
        result.baseline_file = _display(baseline, result.root)
    if changed_since is not None:
        changed = changed_files(result.root, changed_since)
        inside, outside = split_by_change(result.findings, changed)
        result.findings = inside
        result.unchanged = sorted(outside, key=Finding.sort_key)


def reveal(result: RunResult) -> None:
    """``--show-baselined``: put the set-aside findings back into the report (not the exit code)."""
    result.findings = sorted([*result.findings, *result.baselined, *result.unchanged], key=Finding.sort_key)


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def write_baseline(result: RunResult, path: Path, prune: bool = False) -> tuple[int, int]:
    """Write the baseline for ``result``: all current findings, or with ``prune`` the existing
    baseline without the entries that are fixed (new findings are not added). Returns
    (entries written, entries dropped)."""
    from mllint.adopt.baseline import Baseline, compare
    from mllint.core.writes import lexically_inside

    confine = result.root if lexically_inside(path, result.root) else None  # a baseline in the tree stays in it
    if not prune:
        baseline = Baseline.from_findings(result.findings, result.root)
        baseline.write(path, confine)
        return len(baseline.entries), 0
    existing = Baseline.read(path)
    comparison = compare(result.findings, existing, result.root, checked_paths=_checked_paths(result),
                         code_rules_run=result.code_rules_run or not result.repo_rules_run,
                         repo_rules_run=result.repo_rules_run, enabled=result.enabled)
    refreshed = Baseline.from_findings(comparison.baselined, result.root)  # re-anchored at today's lines
    refreshed.entries.extend(comparison.untouched)
    refreshed.write(path, confine)
    return len(refreshed.entries), len(comparison.fixed)


def summary_lines(result: RunResult) -> list[str]:
    """Text-report lines about set-aside and fixed findings (empty when no baseline/--changed-since)."""
    lines = []
    baselined = getattr(result, "baselined", [])
    unchanged = getattr(result, "unchanged", [])
    fixed = getattr(result, "fixed", [])
    shown = {id(f) for f in result.findings}
    hidden = any(id(f) not in shown for f in [*baselined, *unchanged])
    hint = " (listed with --show-baselined)" if hidden else ""
    if baselined:
        source = getattr(result, "baseline_file", None) or "the baseline"
        lines.append(f"  baselined: {len(baselined)} finding{'s' if len(baselined) != 1 else ''} accepted in {source}, "
                     f"not failing the run{hint}")
    if unchanged:
        lines.append(f"  unchanged files: {len(unchanged)} finding{'s' if len(unchanged) != 1 else ''} outside "
                     f"--changed-since, not failing the run{hint}")
    if fixed:
        lines.append(f"  fixed: {len(fixed)} baselined finding{'s' if len(fixed) != 1 else ''} no longer reported; "
                     "drop them with `mllint baseline --prune`")
        for entry in fixed[:20]:
            where = entry.path or "."
            lines.append(f"    fixed: {where}: {entry.code} {entry.message}")
    return lines


def marks(result: RunResult) -> dict[int, str]:
    """id(finding) -> why it does not count ("baselined", "unchanged file"), for reports that list them."""
    out = {id(f): "baselined" for f in getattr(result, "baselined", [])}
    out.update({id(f): "unchanged file" for f in getattr(result, "unchanged", [])})
    return out
