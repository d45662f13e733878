"""``--output-format concise``: one line per finding, nothing else."""

from __future__ import annotations


def render(result, **_kwargs) -> str:
    lines = [f"{f.location()}: {f.code} {f.message}" for f in result.findings]
    return "\n".join(lines) + ("\n" if lines else "")
