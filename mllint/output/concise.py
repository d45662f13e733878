"""``--output-format concise``: one line per finding (``[*]`` when fixable), nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mllint.output.fixmarks import mark

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult


def render(result: RunResult, **_kwargs: object) -> str:
    lines = [f"{f.location()}: {f.code} {f.message}{mark(f)}" for f in result.findings]
    return "\n".join(lines) + ("\n" if lines else "")
