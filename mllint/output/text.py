"""``--output-format text`` (default): ``path:line:col: CODE name message`` and a summary by factor."""

from __future__ import annotations

from collections import Counter

from mllint.catalogue import FACTORS

STYLES = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def render(result, color: bool = False, **_kwargs) -> str:
    def paint(text: str, style: str) -> str:
        return f"{style}{text}{RESET}" if color else text

    lines = []
    for f in result.findings:
        code = paint(f.code, STYLES.get(f.severity, ""))
        lines.append(f"{paint(f.location(), BOLD)}: {code} {f.name} {f.message}")
    if lines:
        lines.append("")
    by_factor = Counter(f.factor for f in result.findings)
    total = len(result.findings)
    if total:
        lines.append(paint(f"Found {total} finding{'s' if total != 1 else ''} in {result.files_checked} code files.", BOLD))
        for factor in sorted(by_factor):
            lines.append(f"  factor {factor:>2} {FACTORS.get(factor, ''):<42} {by_factor[factor]:>4}")
    else:
        lines.append(paint(f"All checks passed ({result.files_checked} code files).", BOLD))
    for f in result.waived:
        lines.append(paint(f"  waived: {f.code} {f.name} ({f.waived})", DIM))
    return "\n".join(lines) + "\n"
