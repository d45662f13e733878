"""Where mllint's own resources live (the rule catalogue, the project template) and where it may keep
caches of its own (the user's cache directory).

In an installed wheel they are packaged inside the package (``mllint/_catalogue``,
``mllint/_template``); in a source checkout they are the top-level ``rules/`` and ``template/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _resource(packaged: str, source: str) -> Path:
    inside = PACKAGE_DIR / packaged
    return inside if inside.is_dir() else PACKAGE_DIR.parent / source


def catalogue_dir() -> Path:
    """``mllint/_catalogue`` in a wheel, else the source tree's ``rules/``."""
    return _resource("_catalogue", "rules")


def template_dir() -> Path:
    """``mllint/_template`` in a wheel, else the source tree's ``template/``."""
    return _resource("_template", "template")


def user_cache_dir() -> Path | None:
    """mllint's folder in the user's cache directory (``$XDG_CACHE_HOME/mllint``, ``~/.cache/mllint``,
    ``~/Library/Caches/mllint``, ``%LOCALAPPDATA%\\mllint``); None when there is no home to put it in."""
    try:
        if sys.platform == "win32":
            base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        elif sys.platform == "darwin":
            base = Path.home() / "Library" / "Caches"
        else:
            xdg = os.environ.get("XDG_CACHE_HOME", "")
            base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    except (RuntimeError, KeyError, OSError):  # no home directory
        return None
    return base / "mllint"
