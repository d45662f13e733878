"""Lowest versions a project's root manifests allow (``torch>=2.6`` -> (2, 6)), for code rules whose
advice depends on the installed version (ML1401: ``torch.load`` is safe by default from torch 2.6).

Read once per run by the session, from the root's manifests directly (not through the repository
model: code rules run before it exists); the floors are part of the per-file results' fingerprint,
so a changed floor re-checks the files.
"""

from __future__ import annotations

import re
from pathlib import Path

FLOOR_FILES = ("pyproject.toml", "setup.py", "setup.cfg", "environment.yml", "environment.yaml", "Pipfile")
MAX_FLOOR_BYTES = 500_000


def declared_floors(root: Path, names: set[str]) -> dict[str, tuple[int, int]]:
    """The lowest ``major.minor`` version the project's root manifests allow for each of ``names``
    (``torch>=2.6`` -> (2, 6)); a package declared anywhere without a lower bound, or not declared, is
    left out (nothing can be assumed about its version). Read without building the repository model:
    the code rules consult it through the session."""
    if not names:
        return {}
    texts = _manifest_texts(root)
    floors: dict[str, tuple[int, int]] = {}
    for name in sorted(names):
        quoted = re.compile(rf"""["']{re.escape(name)}(?:\[[^\]]*\])?\s*(?P<spec>[<>=!~][^"']*)["']""", re.IGNORECASE)
        line = re.compile(rf"""^\s*{re.escape(name)}(?:\[[^\]]*\])?\s*(?P<spec>[<>=!~][^;#\n]*)?\s*(?:[;#].*)?$""",
                          re.IGNORECASE | re.MULTILINE)
        lowest: tuple[int, int] | None = None
        bounded = True
        for path, text in texts:
            matches = list(line.finditer(text)) if path.name.startswith("requirements") else list(quoted.finditer(text))
            for match in matches:
                bound = re.search(r"(?:>=|==|~=|>)\s*(\d+)\.(\d+)", match.group("spec") or "")
                if bound is None:
                    bounded = False  # `torch` with no lower bound: any version may be installed
                    continue
                version = (int(bound.group(1)), int(bound.group(2)))
                lowest = version if lowest is None else min(lowest, version)
        if lowest is not None and bounded:
            floors[name] = lowest
    return floors


def _manifest_texts(root: Path) -> list[tuple[Path, str]]:
    texts: list[tuple[Path, str]] = []
    candidates = [root / name for name in FLOOR_FILES] + sorted(root.glob("requirements*.txt"))
    for path in candidates:
        try:
            if path.is_file() and path.stat().st_size <= MAX_FLOOR_BYTES:
                texts.append((path, path.read_text("utf-8", "replace")))
        except OSError:
            continue
    return texts


def meets(floors: dict[str, tuple[int, int]], requirement: str) -> bool | None:
    """Whether the declared floors guarantee ``requirement`` (``"torch 2.6"``: the package at that
    ``major.minor`` or newer); None when nothing is known (no lower bound declared, or no requirement)."""
    package, _, version = requirement.partition(" ")
    floor = floors.get(package)
    if floor is None or not version:
        return None
    major, _, minor = version.partition(".")
    return floor >= (int(major), int(minor or 0))
