"""BLAKE2b, the digest of every cache key, fingerprint and content hash mllint makes.

``hashlib`` loads OpenSSL when it is imported (3-5 ms of every start, a tenth of a warm run's own
work), although BLAKE2 is not OpenSSL's: ``hashlib.blake2b`` is CPython's ``_blake2.blake2b``. It is
imported from there, and from ``hashlib`` where an interpreter has no ``_blake2`` module.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without CPython's own module
    from hashlib import blake2b

__all__ = ["blake2b"]
