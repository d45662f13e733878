"""``--output-format json``: an array of finding objects with the documented keys (docs/json.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult


def render(result: RunResult, **_kwargs: object) -> str:
    return json.dumps([finding.to_json() for finding in result.findings], indent=2, ensure_ascii=False) + "\n"
