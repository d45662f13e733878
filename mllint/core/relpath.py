"""The parts of a checked file's path, as ``PurePosixPath`` names them, without building one.

The inventory's paths are relative and normalised (``a/b/c.txt``: no ``./``, no ``//``, no trailing
``/``); for them these functions equal ``PurePosixPath(rel).name``, ``.suffix``, ``.parts[:-1]`` and
``str(.parent)`` (tests compare them on generated paths) at a fraction of the cost: the repository
rules ask them of every file of the tree.
"""

from __future__ import annotations


def name(rel: str) -> str:
    """The last part: ``c.txt`` of ``a/b/c.txt``."""
    return rel[rel.rfind("/") + 1:]


def suffix(rel: str) -> str:
    """The last part's extension with its dot (``.txt``); none for ``.bashrc`` or ``notes.``."""
    last = rel[rel.rfind("/") + 1:]
    dot = last.rfind(".")
    return last[dot:] if 0 < dot < len(last) - 1 else ""


def folders(rel: str) -> list[str]:
    """The folders it is in, outermost first: ``['a', 'b']`` of ``a/b/c.txt``."""
    return rel.split("/")[:-1]


def parent(rel: str) -> str:
    """The folder it is in: ``a/b`` of ``a/b/c.txt``, ``.`` of a file at the root."""
    cut = rel.rfind("/")
    return rel[:cut] if cut > 0 else "."
