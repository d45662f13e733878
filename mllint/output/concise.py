"""``--output-format concise``: one line per finding (``[*]`` when fixable), nothing else.

Paths and messages go through :func:`mllint.output.escape.log_line`: one finding, one line, and never a
line a CI runner reads as a command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mllint.output.escape import log_line
from mllint.output.fixmarks import mark
from mllint.output.locations import display_location

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult

def render(result: RunResult, **_kwargs: object) -> str:
    lines = [f"{log_line(display_location(f, result.root))}: {f.code} {log_line(f.message)}{mark(f)}" for f in result.findings]
    return "\n".join(lines) + ("\n" if lines else "")
