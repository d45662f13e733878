"""``mllint check --watch``: re-check whenever a file of the project changes, clearing and reprinting the report.

Changes are found by polling: the project's inventory (as ``mllint check`` discovers it) and the
config files, by size and modification time, twice a second. Each round is a normal check, so the
result cache makes it incremental (only the changed files are analysed again), and the configuration
is re-read, so editing ``[tool.mllint]`` takes effect. Ctrl-C ends it (the CLI exits 130).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from mllint.config.settings import CONFIG_FILES
from mllint.repo.inventory import discover

#: Seconds between two looks at the files.
INTERVAL = 0.5
CLEAR = "\x1b[2J\x1b[H"

Snapshot = dict[str, tuple[int, int]]


def snapshot(root: Path, excludes: list[str], files: list[str] | None) -> Snapshot:
    """(mtime, size) of every file a check reads: the given files or the whole inventory, and the config files."""
    names = list(files) if files is not None else discover(root, excludes).files
    names += [name for name in CONFIG_FILES if name not in names]
    state: Snapshot = {}
    for name in names:
        try:
            stat = os.stat(root / name)
        except OSError:
            continue
        state[name] = (stat.st_mtime_ns, stat.st_size)
    return state


def watch(check_once: Callable[[], str], look: Callable[[], Snapshot], out: TextIO = sys.stdout,
          interval: float = INTERVAL, rounds: int | None = None) -> None:
    """Print ``check_once()`` now and after every change ``look()`` sees; returns after ``rounds`` reports (tests)."""
    previous: Snapshot | None = None
    done = 0
    clear = out.isatty()
    while rounds is None or done < rounds:
        current = look()
        if current != previous:
            report = check_once()
            stamp = time.strftime("%H:%M:%S")
            out.write(CLEAR if clear else f"\n--- mllint check at {stamp} ---\n")
            out.write(report)
            if not report.endswith("\n"):
                out.write("\n")
            out.write(f"[{stamp}] watching {len(current)} files for changes; Ctrl-C to stop\n")
            out.flush()
            previous = current
            done += 1
            continue
        time.sleep(interval)
