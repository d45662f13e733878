"""How text-like outputs show that a finding can be fixed (``mllint check --fix``, docs/fixes.md).

``[*]`` marks a safe fix (applied by ``--fix``), ``[*unsafe]`` a fix applied only with
``--unsafe-fixes``; the summary line says how many of each there are.
"""

from __future__ import annotations

from collections.abc import Iterable

from mllint.core.findings import Finding


def mark(finding: Finding) -> str:
    """`` [*]`` / `` [*unsafe]`` after a fixable finding, else ``""``."""
    fix = getattr(finding, "fix", None)
    if fix is None:
        return ""
    return " [*]" if fix.applicability == "safe" else " [*unsafe]"


def note(finding: Finding) -> str:
    """A short phrase for formats without a summary line (annotations, SARIF, JUnit)."""
    fix = getattr(finding, "fix", None)
    if fix is None:
        return ""
    flag = "mllint check --fix" if fix.applicability == "safe" else "mllint check --fix --unsafe-fixes"
    return f" (fixable: `{flag}`)"


def summary(findings: Iterable[Finding]) -> str | None:
    """``[*] 2 fixable with `mllint check --fix`; 3 more with `--unsafe-fixes`.``, or None when nothing is."""
    safe = sum(1 for f in findings if f.fix is not None and f.fix.applicability == "safe")
    unsafe = sum(1 for f in findings if f.fix is not None and f.fix.applicability != "safe")
    if not safe and not unsafe:
        return None
    parts = []
    if safe:
        parts.append(f"[*] {safe} fixable with `mllint check --fix`")
    if unsafe:
        parts.append(f"{unsafe} {'more ' if safe else ''}with `mllint check --fix --unsafe-fixes` ([*unsafe])")
    return "; ".join(parts) + "."
