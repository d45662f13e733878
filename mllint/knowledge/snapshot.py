"""Validated knowledge, remembered across runs (like Python's bytecode cache).

Validating the tables means importing every table model, which costs more than a warm run can
afford. Once a set of tables has validated, its plain data is saved as JSON in the user's cache
directory (``~/.cache/mllint/knowledge/<key>.json``), under a key that covers everything the result
depends on: the TOML files' bytes, the user's extensions, the models' sources, mllint's, pydantic's
and Python's versions. A later run with the same key loads the JSON instead of parsing and
validating. Only successes are saved (atomically, never through a symlink); a missing, unreadable
or foreign file is ignored; failing to write is not an error; nothing is read from or written to the
checked repository.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mllint import __version__
from mllint.core import snapshots
from mllint.core.paths import user_cache_dir
from mllint.core.stamp import package_stamp

FORMAT = 1
#: Snapshots kept (one per set of built-in files and user extensions: several projects, several versions).
KEEP = 16
_MODELS_DIR = Path(__file__).resolve().parent


def snapshot_dir() -> Path | None:
    base = user_cache_dir()
    return base / "knowledge" if base is not None else None


def models_stamp() -> str:
    """Sizes and modification times of the model sources (``mllint/knowledge/**.py``)."""
    parts = [__version__, package_stamp("pydantic", "version.py"), f"{sys.version_info[0]}.{sys.version_info[1]}", str(FORMAT)]
    for path in sorted(_MODELS_DIR.rglob("*.py")):
        try:
            stat = path.stat()
        except OSError:
            continue
        parts.append(f"{path.relative_to(_MODELS_DIR).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def key_of(*parts: bytes) -> str:
    return snapshots.key_of(*parts)


def load(key: str, directory: Path | None = None) -> dict[str, Any] | None:
    """The tables saved under ``key`` (None when there are none)."""
    folder = directory if directory is not None else snapshot_dir()
    tables = snapshots.load_from(folder, key) if folder is not None else None
    if not isinstance(tables, dict) or not all(isinstance(table, (dict, list)) for table in tables.values()):
        return None
    return tables


def save(key: str, tables: dict[str, Any], directory: Path | None = None) -> None:
    """Remember validated ``tables`` under ``key`` (silently nothing when it cannot, e.g. a TOML date JSON
    cannot hold: validated again next time)."""
    folder = directory if directory is not None else snapshot_dir()
    if folder is not None:
        snapshots.save_to(folder, key, tables, KEEP)
