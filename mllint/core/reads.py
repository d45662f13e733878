"""Reading a file of a checked repository without being stalled or flooded by it.

A path the repository controls may be a FIFO (``open`` blocks until a writer comes), a symlink to
``/dev/zero`` or ``/proc/kcore`` (reads never end, or report a size of 0), or a gigabyte file. The
file is opened ``O_NONBLOCK``, the open file (not the path) is ``fstat``-ed, anything but a regular
file is refused, and at most ``limit`` bytes are read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any


class ReadError(OSError):
    """The file is not a regular file, or is larger than the limit."""


def read_regular(path: str | Path, limit: int) -> bytes:
    """The bytes of ``path`` (a regular file of at most ``limit`` bytes); raises OSError/ReadError."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb") as handle:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadError(f"{path} is not a regular file")
        if st.st_size > limit:
            raise ReadError(f"{path} is larger than {limit} bytes")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ReadError(f"{path} is larger than {limit} bytes")
    return data


def depth_exceeds(value: Any, limit: int) -> bool:
    """Is a parsed document (JSON, TOML, YAML data) nested more than ``limit`` containers deep? Iterative: the
    answer does not depend on the Python version's recursion limits."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values() if isinstance(child, (dict, list)))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item if isinstance(child, (dict, list)))
    return False
