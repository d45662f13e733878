"""The stamp of mllint's own code: what every cached result of an older mllint must not survive.

Sizes and modification times of mllint's sources, the rule files and the knowledge tables (a
source checkout changes under a developer; an installed wheel never does), with mllint's and
Python's versions. Computed once per process.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache

from mllint import __version__
from mllint.core.hashing import blake2b
from mllint.core.paths import PACKAGE_DIR, catalogue_dir


@lru_cache(maxsize=1)
def code_stamp() -> str:
    rules = str(catalogue_dir())
    parts = [__version__, f"{sys.version_info[0]}.{sys.version_info[1]}"]
    found = _files(str(PACKAGE_DIR), ".py", skip="_template") + _files(rules, ".py", deep=False)
    found += _files(os.path.join(rules, "knowledge"), ".toml", deep=False)
    for name, stat in found:
        parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return blake2b("|".join(parts).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


def _files(folder: str, suffix: str, deep: bool = True, skip: str = "") -> list[tuple[str, os.stat_result]]:
    """(name below the folder's parent, stat) of the files ending in ``suffix`` under ``folder``
    (``deep``: in its subfolders too, except those named ``skip`` or ``__pycache__``), sorted by name.
    ``os.scandir``: the stat of each entry comes with the listing (a warm run pays this stamp)."""
    out: list[tuple[str, os.stat_result]] = []
    base = os.path.basename(folder)
    pending = [(folder, base)]
    while pending:
        current, shown = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if deep and entry.name not in (skip, "__pycache__"):
                        pending.append((entry.path, f"{shown}/{entry.name}"))
                elif entry.name.endswith(suffix):
                    out.append((f"{shown}/{entry.name}", entry.stat()))
            except OSError:
                continue
    out.sort(key=lambda item: item[0])
    return out


def package_stamp(package: str, marker: str = "__init__.py") -> str:
    """Which installed ``package`` (without importing it): the path, size and modification time of its
    ``marker`` file (``version.py`` for pydantic)."""
    import importlib.util
    from pathlib import Path

    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    for folder in list(spec.submodule_search_locations or []) if spec is not None else []:
        try:
            stat = (Path(folder) / marker).stat()
        except OSError:
            continue
        return f"{folder}:{stat.st_size}:{stat.st_mtime_ns}"
    return f"{package}?"
