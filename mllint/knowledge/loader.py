"""ML-library knowledge as data: the TOML tables under ``rules/knowledge/``, merged with the user's.

Which calls split data, which take ``random_state``, which kwargs are hyperparameters, which packages
are trackers: rules read these tables instead of hard-coding names. Users extend them in
``[tool.mllint.knowledge]`` (same shape as the files; lists are extended, tables merged).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from mllint.core import toml
from mllint.core.paths import catalogue_dir


def knowledge_dir() -> Path:
    return catalogue_dir() / "knowledge"


@lru_cache(maxsize=1)
def builtin_knowledge() -> dict[str, Any]:
    """All ``rules/knowledge/*.toml`` files merged into one dict (file stems are not namespaces)."""
    merged: dict[str, Any] = {}
    for path in sorted(knowledge_dir().glob("*.toml")):
        deep_merge(merged, toml.load(path))
    return merged


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Merge ``extra`` into ``base`` in place: tables recursively, lists extended without duplicates."""
    for key, value in extra.items():
        current = base.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            deep_merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            current.extend(item for item in value if item not in current)
        else:
            base[key] = value
    return base


def load_knowledge(user: dict[str, Any] | None = None) -> dict[str, Any]:
    """Built-in knowledge plus the user's extensions (a fresh copy when extended)."""
    if not user:
        return builtin_knowledge()
    import copy

    return deep_merge(copy.deepcopy(builtin_knowledge()), user)


def canonical(qualname: str, knowledge: dict[str, Any]) -> str:
    """Map re-exports and old module paths to one canonical dotted name (``[aliases]`` table)."""
    aliases: dict[str, str] = knowledge.get("aliases", {})
    if not aliases:
        return qualname
    parts = qualname.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        target = aliases.get(prefix)
        if target is not None:
            rest = parts[cut:]
            return ".".join([target, *rest]) if rest else target
    return qualname
