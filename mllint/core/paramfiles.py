"""Where a project's params file may be, and a digest of those files' bytes.

Kept apart from the params file's parser (``mllint.analysis.params``): the session's fingerprint needs
the digest on every run, a run whose results come from the cache needs nothing else of it.
"""

from __future__ import annotations

from pathlib import Path

from mllint.core.hashing import blake2b

#: Where a project's parameters live, in the order they are looked for.
PARAMS_FILES = ("params.yaml", "params.yml", "conf/base/parameters.yml", "config/params.yaml")
MAX_PARAMS_BYTES = 1_000_000


def params_stamp(root: Path, overlay: dict[str, bytes] | None = None) -> str:
    """A digest of every candidate params file's bytes (what code rules' results depend on), without
    parsing any: a run whose results come from the cache needs no YAML parser."""
    digest = blake2b(digest_size=8)
    for rel in PARAMS_FILES:
        data = (overlay or {}).get(rel)
        if data is None:
            try:
                path = root / rel
                if not path.is_file() or path.stat().st_size > MAX_PARAMS_BYTES:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
        digest.update(f"{rel}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()
