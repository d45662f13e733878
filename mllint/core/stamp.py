"""The stamp of mllint's own code: what every cached result of an older mllint must not survive.

Sizes and modification times of mllint's sources, the rule files and the knowledge tables (a
source checkout changes under a developer; an installed wheel never does), with mllint's and
Python's versions. Computed once per process.
"""

from __future__ import annotations

import hashlib
import sys
from functools import lru_cache

from mllint import __version__
from mllint.core.paths import PACKAGE_DIR, catalogue_dir


@lru_cache(maxsize=1)
def code_stamp() -> str:
    rules = catalogue_dir()
    own = [path for path in PACKAGE_DIR.rglob("*.py") if "_template" not in path.relative_to(PACKAGE_DIR).parts]
    parts = [__version__, f"{sys.version_info[0]}.{sys.version_info[1]}"]
    for path in sorted(own) + sorted(rules.glob("*.py")) + sorted((rules / "knowledge").glob("*.toml")):
        try:
            stat = path.stat()
        except OSError:
            continue
        parts.append(f"{path.relative_to(path.parents[1])}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.blake2b("|".join(parts).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


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
