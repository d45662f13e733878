"""``mllint check --statistics``: how many findings each rule reported, most frequent first (a first look at
a big repository, as ``ruff --statistics`` gives)."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult


def rows(result: RunResult) -> list[dict[str, Any]]:
    """One row per rule with findings: code, name, severity, count, how many carry a fix."""
    counts: Counter[str] = Counter()
    fixable: Counter[str] = Counter()
    meta: dict[str, tuple[str, str]] = {}
    for finding in result.findings:
        counts[finding.code] += 1
        fixable[finding.code] += finding.fix is not None
        meta[finding.code] = (finding.name, finding.severity)
    return [{"code": code, "name": meta[code][0], "severity": meta[code][1], "count": count, "fixable": fixable[code]}
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def render(result: RunResult, as_json: bool = False) -> str:
    table = rows(result)
    if as_json:
        return json.dumps(table, indent=2) + "\n"
    if not table:
        return "No findings.\n"
    width = len(str(table[0]["count"]))
    lines = []
    for row in table:
        fix = f"  [{row['fixable']} fixable]" if row["fixable"] else ""
        lines.append(f"{row['count']:>{width}}  {row['code']}  {row['name']:<28} {row['severity']:<7}{fix}".rstrip())
    total = sum(row["count"] for row in table)
    lines.append(f"Found {total} finding{'s' if total != 1 else ''} from {len(table)} rule{'s' if len(table) != 1 else ''}.")
    return "\n".join(lines) + "\n"
