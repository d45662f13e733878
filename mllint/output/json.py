"""``--output-format json``: an array of finding objects with the documented keys (docs/json.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mllint.output.escape import unicode_text

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult


def _unicode(value: Any) -> Any:
    """Strings with undecodable bytes (from file names that are not UTF-8) as U+FFFD: JSON is Unicode."""
    if isinstance(value, str):
        return unicode_text(value)
    if isinstance(value, list):
        return [_unicode(item) for item in value]
    if isinstance(value, dict):
        return {key: _unicode(item) for key, item in value.items()}
    return value


def render(result: RunResult, **_kwargs: object) -> str:
    return json.dumps([_unicode(finding.to_json()) for finding in result.findings], indent=2, ensure_ascii=False) + "\n"
