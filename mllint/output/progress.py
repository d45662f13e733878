"""The progress bar of long runs: on stderr, only on an interactive terminal, only for human formats.

The engine calls ``progress(done, total)`` as code files are analysed; the bar appears only once the
run has lasted ``DELAY`` seconds with files still to go, so short runs print nothing extra. It is
transient: it disappears when the run ends and never mixes with the report on stdout.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console
    from rich.progress import Progress, TaskID


HUMAN_FORMATS = ("text", "concise")
DELAY = 1.0  # seconds before a bar appears


class ProgressBar:
    """A callable ``(done, total)`` that starts a rich progress bar once the run is long."""

    def __init__(self, console: Console | None = None, delay: float = DELAY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.delay = delay
        self.clock = clock
        self.started = clock()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if done >= total or self.clock() - self.started < self.delay:
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            bar = Progress(TextColumn("mllint: checking files"), BarColumn(), MofNCompleteColumn(),
                           TimeElapsedColumn(), console=self.console, transient=True)
            bar.start()
            self._task = bar.add_task("check", total=total)
            self._bar = bar
        if self._task is not None:
            self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def wanted(output_format: str, stream: TextIO | None = None) -> bool:
    """A bar only for human formats on an interactive terminal (not in CI, not with TERM=dumb)."""
    stream = stream or sys.stderr
    if output_format not in HUMAN_FORMATS or os.environ.get("TERM") == "dumb" or os.environ.get("CI"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress_bar(output_format: str) -> Iterator[ProgressBar | None]:
    """``with progress_bar(fmt) as progress: run_check(..., progress=progress)``; None when unwanted."""
    if not wanted(output_format):
        yield None
        return
    bar = ProgressBar()
    try:
        yield bar
    finally:
        bar.close()
