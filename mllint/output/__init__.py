"""Report writers: one module per ``--output-format``; each exposes ``render(result) -> str``."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult


FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit", "markdown", "badge")


def render(fmt: str, result: RunResult, **kwargs: object) -> str:
    module = importlib.import_module(f"mllint.output.{fmt}")
    report: str = module.render(result, **kwargs)
    return report
