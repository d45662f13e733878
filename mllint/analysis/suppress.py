"""Inline suppressions: ``# mllint: ignore[...]``, ``# noqa: ML0301`` and ``# mllint: ignore-file[...]``.

A suppression names codes or rule names, comma-separated; ``# mllint: ignore`` without a list
silences every mllint rule on that line. A bare ``# noqa`` is left to the linters it was written for.
Suppressions that silence nothing are reported by ML0002 (unused-suppression).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LINE_DIRECTIVE = re.compile(r"#\s*mllint\s*:\s*ignore(?!-file)(?:\[([^\]]*)\])?", re.IGNORECASE)
FILE_DIRECTIVE = re.compile(r"#\s*mllint\s*:\s*ignore-file(?:\[([^\]]*)\])?", re.IGNORECASE)
NOQA_DIRECTIVE = re.compile(r"#\s*noqa\s*:\s*([\w\-]+(?:\s*,\s*[\w\-]+)*)", re.IGNORECASE)
ALL = "*"


@dataclass
class Suppression:
    line: int
    codes: set[str]  # resolved ML codes, or {"*"}
    column: int
    used: set[str] = field(default_factory=set)


@dataclass
class Suppressions:
    lines: dict[int, list[Suppression]] = field(default_factory=dict)
    file_codes: set[str] = field(default_factory=set)

    def silences(self, code: str, lines: tuple[int, ...]) -> bool:
        if ALL in self.file_codes or code in self.file_codes:
            return True
        for line in lines:
            for sup in self.lines.get(line, ()):
                if ALL in sup.codes or code in sup.codes:
                    sup.used.add(code)
                    return True
        return False


def _resolve(items: str | None, names: dict[str, str]) -> set[str]:
    if items is None or not items.strip():
        return {ALL}
    out = set()
    for item in items.split(","):
        item = item.strip()
        if not item:
            continue
        code = names.get(item.lower()) or (item.upper() if re.fullmatch(r"ML\d{4}", item, re.I) else None)
        if code:
            out.add(code)
    return out


def parse_suppressions(text: str, names: dict[str, str]) -> Suppressions:
    """Find suppression comments. ``names`` maps lower-case rule names to codes."""
    result = Suppressions()
    if "mllint" not in text and "noqa" not in text and "NOQA" not in text:
        return result
    for number, line in enumerate(text.split("\n"), start=1):
        if "#" not in line:
            continue
        match = FILE_DIRECTIVE.search(line)
        if match:
            result.file_codes |= _resolve(match.group(1), names)
            continue
        match = LINE_DIRECTIVE.search(line)
        if match:
            result.lines.setdefault(number, []).append(
                Suppression(number, _resolve(match.group(1), names), match.start() + 1)
            )
        match = NOQA_DIRECTIVE.search(line)
        if match:
            codes = {c for c in _resolve(match.group(1), names) if c != ALL}
            if codes:
                result.lines.setdefault(number, []).append(Suppression(number, codes, match.start() + 1))
    return result
