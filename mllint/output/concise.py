"""``--output-format concise``: one line per finding (``[*]`` when fixable), nothing else."""

from __future__ import annotations

from mllint.output.fixmarks import mark


def render(result, **_kwargs) -> str:
    lines = [f"{f.location()}: {f.code} {f.message}{mark(f)}" for f in result.findings]
    return "\n".join(lines) + ("\n" if lines else "")
