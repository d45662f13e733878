"""mllint's cache directory: recognising it, and pruning only mllint's own files in it.

A cache directory is mllint's when it holds ``CACHEDIR.TAG`` with mllint's exact text (a regular
file, not a link). Only such a directory is written to, and :func:`prune` deletes only regular files
whose names match the pattern of one kind of mllint file (``results-<32 hex>.json``,
``ruff-<32 hex>.json``): a directory of the user's files, or one the checked repository labelled
with a foreign tag, is never emptied.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by mllint.\n"
TAG_NAME = "CACHEDIR.TAG"


def is_tagged(directory: Path) -> bool:
    """Does ``directory`` (not a link) hold mllint's CACHEDIR.TAG (a regular file, not a link)?"""
    try:
        if os.path.islink(directory):
            return False
        fd = os.open(directory / TAG_NAME, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return False
    with open(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return False
        head = handle.read(len(TAG) + 1)
    return head.decode("utf-8", "replace") == TAG


def prune(directory: Path, pattern: re.Pattern[str], keep: int) -> None:
    """Delete all but the ``keep`` newest regular files named ``pattern`` in mllint's ``directory``."""
    if not is_tagged(directory):
        return
    found: list[tuple[int, str]] = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                    found.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.name))
    except OSError:
        return
    for _mtime, name in sorted(found, reverse=True)[keep:]:
        try:
            os.unlink(directory / name)
        except OSError:
            pass
