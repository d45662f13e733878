"""Validated forms remembered across runs in the user's cache directory (like Python's bytecode cache).

Validating the configuration or listing the rule catalogue costs a warm run more than the run
itself (pydantic, every rule module). Once a result has been validated, its plain data is saved as
JSON under ``<user cache>/mllint/<kind>/<key>.json``, the key covering everything the result depends
on (mllint's code stamp and the inputs); a later run with the same key loads the JSON instead. Only
successes are saved, atomically and never through a symlink; a missing, unreadable or foreign file
is ignored; failing to write is not an error; nothing is read from or written to a checked repository.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mllint.core.hashing import blake2b
from mllint.core.paths import user_cache_dir

FORMAT = 1
KEEP = 16  # snapshots kept per kind (several projects, several configurations)
KIND = re.compile(r"[a-z]+")


def key_of(*parts: str | bytes) -> str:
    """A digest of ``parts`` (each length-prefixed: no two sequences of parts collide by concatenation)."""
    digest = blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def _folder(kind: str) -> Path | None:
    base = user_cache_dir()
    if base is None or not KIND.fullmatch(kind):
        return None
    return base / kind


def load(kind: str, key: str) -> Any:
    """The data saved under ``key`` (None when there is none)."""
    folder = _folder(kind)
    return load_from(folder, key) if folder is not None else None


def load_from(folder: Path, key: str) -> Any:
    """The data saved under ``key`` in ``folder`` (None when there is none, or it is not ours)."""
    try:
        data = json.loads((folder / f"{key}.json").read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
        return None
    return data.get("data")


def save(kind: str, key: str, value: Any) -> None:
    """Remember ``value`` (JSON data) under ``key``; silently nothing when it cannot."""
    folder = _folder(kind)
    if folder is not None:
        save_to(folder, key, value)


def save_to(folder: Path, key: str, value: Any, keep: int = KEEP) -> None:
    """Remember ``value`` under ``key`` in ``folder`` (atomically; the ``keep`` newest files stay)."""
    try:
        payload = json.dumps({"format": FORMAT, "key": key, "data": value}, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return
    from mllint.core.writes import atomic_write

    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / f"{key}.json", payload)
    except OSError:  # WriteError included: a symlinked target, a read-only or full disk
        return
    prune(folder, keep)


def prune(folder: Path, keep: int) -> None:
    """Keep the ``keep`` most recently written ``*.json`` files of ``folder`` (never fails)."""
    found = []
    for path in folder.glob("*.json"):
        try:
            found.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _mtime, path in sorted(found, reverse=True)[keep:]:
        try:
            path.unlink()
        except OSError:
            pass
