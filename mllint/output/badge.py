"""``--output-format badge``: a shields.io endpoint JSON with the scorecard's ``N/12`` for a README badge.

Publish the file somewhere public and point ``https://img.shields.io/endpoint?url=<its URL>`` at it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from mllint.output.scorecard import build_scorecard

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult



def render(result: RunResult, **_kwargs: object) -> str:
    card = build_scorecard(result)
    n = card.satisfied
    color = "brightgreen" if n == 12 else "green" if n >= 9 else "yellow" if n >= 6 else "orange" if n >= 3 else "red"
    badge = {"schemaVersion": 1, "label": "twelve-factor ML", "message": f"{n}/12 factors", "color": color}
    return json.dumps(badge) + "\n"
