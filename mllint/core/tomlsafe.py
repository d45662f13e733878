"""TOML from a checked repository (pyproject.toml, mllint.toml, Pipfile, ruff.toml): bounded, one error type.

``tomllib`` (``tomli`` on Python 3.10) raises ``TOMLDecodeError`` on bad syntax, but a document nested
thousands of levels deep (``x = [[[[…]]]]``) makes it raise ``RecursionError``, and one nested a few
hundred levels parses but then breaks whatever walks it (pydantic, ``json.dumps``). Every TOML
document mllint reads goes through :func:`loads`: larger than :data:`MAX_TOML_BYTES`, undecodable,
invalid or nested deeper than :data:`MAX_DEPTH` is a :class:`TomlError` (a ``ValueError``), which
callers turn into a configuration error (exit 2) or "no data".
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mllint.core.reads import depth_exceeds

MAX_TOML_BYTES = 2_000_000
MAX_DEPTH = 64  # tables and arrays inside each other; real configurations stay below 10


class TomlError(ValueError):
    """The document is not usable TOML (the message says why)."""


def loads(text: str) -> dict[str, Any]:
    """Parse ``text``; raises :class:`TomlError`."""
    if len(text) > MAX_TOML_BYTES:
        raise TomlError(f"larger than {MAX_TOML_BYTES} bytes")
    if sys.version_info >= (3, 11):  # the parser is imported when a document is parsed, not with this module
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(str(exc)) from None
    except RecursionError:
        raise TomlError(f"nested deeper than {MAX_DEPTH} levels") from None
    except MemoryError:
        raise TomlError("too large to parse") from None
    if depth_exceeds(data, MAX_DEPTH):
        raise TomlError(f"nested deeper than {MAX_DEPTH} levels")
    return data


def load_path(path: Path) -> dict[str, Any]:
    """Read and parse a file: a regular file only (never a FIFO or a device), at most MAX_TOML_BYTES."""
    return load_bytes(read_path(path))


def read_path(path: Path) -> bytes:
    """A TOML file's bytes (a regular file of at most MAX_TOML_BYTES); raises :class:`TomlError`."""
    from mllint.core.reads import read_regular

    try:
        return read_regular(path, MAX_TOML_BYTES)
    except OSError as exc:
        raise TomlError(exc.strerror or str(exc)) from None


def load_bytes(data: bytes) -> dict[str, Any]:
    """Parse a document's bytes (UTF-8); raises :class:`TomlError`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TomlError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return loads(text)
