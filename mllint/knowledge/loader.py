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


class KnowledgeShapeError(ValueError):
    """A user extension whose shape differs from the built-in table: ``key`` (dotted) and ``detail``."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(f"{key}: {detail}")
        self.key = key
        self.detail = detail


def check_user_knowledge(user: dict[str, Any]) -> None:
    """Each value of ``[tool.mllint.knowledge]`` must have the shape of the built-in table it extends
    (a table where the built-in has a table, a list where it has a list, strings where it holds strings);
    raises :class:`KnowledgeShapeError` (``aliases``: "expected a table, got a number"). Tables and keys the built-in knowledge
    does not have are accepted (nothing reads them). Checked when the configuration is read, so a bad
    value is a configuration error instead of a crash of every file's analysis."""
    _check_shape(user, builtin_knowledge(), "")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return type(value).__name__


def _check_shape(value: Any, like: Any, where: str) -> None:
    stack: list[tuple[Any, Any, str]] = [(value, like, where)]
    while stack:
        value, like, where = stack.pop()
        if like is None:
            continue
        if _kind(value) != _kind(like):
            raise KnowledgeShapeError(where or "knowledge", f"expected {_kind(like)}, got {_kind(value)}")
        if isinstance(value, dict):
            examples = list(like.values())
            sample = examples[0] if examples and all(_kind(e) == _kind(examples[0]) for e in examples) else None
            for key, item in value.items():
                child = f"{where}.{key}" if where else str(key)
                stack.append((item, like.get(key, sample if key not in like else None), child))
        elif isinstance(value, list):
            kinds = {_kind(item) for item in like}
            if len(kinds) == 1:
                expected = next(iter(kinds))
                for index, item in enumerate(value):
                    if _kind(item) != expected:
                        raise KnowledgeShapeError(f"{where}[{index}]", f"expected {expected}, got {_kind(item)}")


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
