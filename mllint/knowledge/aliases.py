"""Canonical dotted names: re-exports and old module paths mapped through the ``[aliases]`` table."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from mllint.knowledge.runtime import Knowledge


#: The last aliases table seen and its answers: the same dotted names recur in every file of a run.
_MEMO: tuple[dict[str, str], dict[str, str]] = ({}, {})
_MEMO_MAX = 65_536


def canonical(qualname: str, knowledge: Knowledge) -> str:
    """Map re-exports and old module paths to one canonical dotted name (longest prefix wins)."""
    global _MEMO
    aliases: dict[str, str] = knowledge["aliases"]
    if not aliases:
        return qualname
    table, answers = _MEMO
    if table is not aliases or len(answers) >= _MEMO_MAX:
        table, answers = _MEMO = (aliases, {})
    found = answers.get(qualname)
    if found is None:
        found = answers[qualname] = _canonical(qualname, aliases)
    return found


def _canonical(qualname: str, aliases: dict[str, str]) -> str:
    parts = qualname.split(".")
    for cut in range(len(parts), 0, -1):
        target = aliases.get(".".join(parts[:cut]))
        if target is not None:
            rest = parts[cut:]
            return ".".join([target, *rest]) if rest else target
    return qualname
