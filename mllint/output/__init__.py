"""Report writers: one module per ``--output-format``; each exposes ``render(result) -> str``."""

from __future__ import annotations

import importlib

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit", "markdown", "badge")


def render(fmt: str, result, **kwargs) -> str:
    module = importlib.import_module(f"mllint.output.{fmt}")
    return module.render(result, **kwargs)
