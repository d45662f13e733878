"""The repository-rule cache: each repository rule's findings, keyed by the inputs the rule read.

Beside the per-file results (``cache.py``), in the same directory mllint owns, one file per settings
fingerprint (``repo-<fingerprint>.json``): for every repository rule that ran, the findings it
reported and the ``[kind, key, value]`` records of everything it read through the repository model
(``mllint/repo/inputs.py``). A later run reuses those findings while every record still holds, and
runs the rule again when one input changed. JSON, never pickle; a corrupt or foreign file is
ignored; failing to write it is not an error.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from mllint import __version__
from mllint.core.cachedir import is_tagged, prune
from mllint.core.writes import atomic_write

FORMAT = 1
KEEP = 4
REPO_RESULTS = re.compile(r"repo-[0-9a-f]{32}\.json")


class RepoCache:
    """Cached repository-rule results of one settings fingerprint and one checked root."""

    def __init__(self, directory: Path, fingerprint: str, root: Path) -> None:
        self.directory = directory
        self.file = directory / f"repo-{fingerprint}.json"
        self.fingerprint = fingerprint
        self.root = str(root)
        self.rules: dict[str, dict[str, Any]] = {}
        self.dirty = False

    def load(self) -> None:
        self.rules = {}
        if not is_tagged(self.directory):
            return
        try:
            fd = os.open(self.file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
            with open(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return
                data = json.load(handle)
        except (OSError, ValueError, RecursionError, MemoryError):
            return
        if not (isinstance(data, dict) and data.get("format") == FORMAT and data.get("version") == __version__
                and data.get("fingerprint") == self.fingerprint and data.get("root") == self.root
                and isinstance(data.get("rules"), dict)):
            return
        self.rules = {code: entry for code, entry in data["rules"].items()
                      if isinstance(entry, dict) and isinstance(entry.get("inputs"), list)
                      and isinstance(entry.get("findings"), list)}

    def get(self, code: str) -> tuple[list[Any], list[Any]] | None:
        """(input records, findings) of ``code``'s last run."""
        entry = self.rules.get(code)
        if entry is None:
            return None
        return entry["inputs"], entry["findings"]

    def put(self, code: str, inputs: list[list[Any]], findings: list[dict[str, Any]]) -> None:
        self.rules[code] = {"inputs": inputs, "findings": findings}
        self.dirty = True

    def drop(self, code: str) -> None:
        if self.rules.pop(code, None) is not None:
            self.dirty = True

    def save(self) -> None:
        if not self.dirty or not is_tagged(self.directory):
            return
        payload = {"format": FORMAT, "version": __version__, "fingerprint": self.fingerprint, "root": self.root,
                   "rules": self.rules}
        try:
            text = json.dumps(payload, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):
            return
        try:
            atomic_write(self.file, text, confine=self.directory)
        except OSError:
            return
        prune(self.directory, REPO_RESULTS, KEEP)
