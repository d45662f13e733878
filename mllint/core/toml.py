"""Reading TOML: the one loader for every TOML file mllint reads (``tomllib``; ``tomli`` on 3.10).

A file that is not valid TOML, too deeply nested to parse, or not UTF-8 raises :class:`TomlError`
(a ``ValueError``), so callers handle one exception.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10
    import tomli as tomllib


class TomlError(ValueError):
    """The text is not TOML mllint can read; the message says why."""


def loads(text: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(text)
        return data
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(str(exc)) from None
    except RecursionError:
        raise TomlError("too deeply nested") from None


def load(path: Path) -> dict[str, Any]:
    """Read and parse ``path`` (OSError when it cannot be read)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TomlError(f"not UTF-8: {exc}") from None
    return loads(text)
