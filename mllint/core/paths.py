"""Where mllint's own resources live: the rule catalogue and the project template.

In an installed wheel they are packaged inside the package (``mllint/_catalogue``,
``mllint/_template``); in a source checkout they are the top-level ``rules/`` and ``template/``.
"""

from __future__ import annotations

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
