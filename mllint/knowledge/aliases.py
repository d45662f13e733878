"""Canonical dotted names: re-exports and old module paths mapped through the ``[aliases]`` table."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from mllint.knowledge.runtime import Knowledge


def canonical(qualname: str, knowledge: Knowledge) -> str:
    """Map re-exports and old module paths to one canonical dotted name (longest prefix wins)."""
    aliases: dict[str, str] = knowledge["aliases"]
    if not aliases:
        return qualname
    parts = qualname.split(".")
    for cut in range(len(parts), 0, -1):
        target = aliases.get(".".join(parts[:cut]))
        if target is not None:
            rest = parts[cut:]
            return ".".join([target, *rest]) if rest else target
    return qualname
