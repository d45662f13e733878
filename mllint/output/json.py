"""``--output-format json``: an array of finding objects with the documented keys (docs/json.md)."""

from __future__ import annotations

import json


def render(result, **_kwargs) -> str:
    return json.dumps([finding.to_json() for finding in result.findings], indent=2, ensure_ascii=False) + "\n"
