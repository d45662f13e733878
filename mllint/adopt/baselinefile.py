"""The baseline file's default name and the error a bad one raises.

What every run needs to know about baselines before it knows whether there is one; the fingerprints
and their matching (``mllint.adopt.baseline``) are imported only when a baseline is read or written.
"""

from __future__ import annotations

DEFAULT_BASELINE = ".mllint-baseline.json"


class BaselineError(Exception):
    """The baseline file cannot be read; the CLI exits 2 on it."""
