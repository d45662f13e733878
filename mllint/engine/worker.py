"""Checking one file where it runs (a pool worker or the main process): read, hash, analyse, contain.

:func:`check_file` never raises (but for Ctrl-C): a file that cannot be read, is too large, takes
too long or trips a rule bug costs that file only and becomes a finding (ML0003/ML0004) with empty
facts. The result is a :class:`FileOutcome`, small enough to cross a process boundary.
"""

from __future__ import annotations

import os
import signal
import stat
import threading
import time
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any

from mllint.catalogue.index import make_finding
from mllint.core.findings import Finding
from mllint.core.hashing import blake2b

if TYPE_CHECKING:  # pragma: no cover
    from mllint.core.facts import FileFacts
    from mllint.engine.session import Session

FILE_TOO_LARGE = "ML0003"
INTERNAL_ERROR = "ML0004"
#: Seconds one file may take; then it is skipped with an ML0003 finding (env MLLINT_FILE_TIMEOUT).
FILE_TIMEOUT = float(os.environ.get("MLLINT_FILE_TIMEOUT") or 20)
FRESH_NS = 2_000_000_000  # files modified this recently are re-hashed on the next run (racy mtime)
#: A cache entry's stat key: size, mtime (ns) and inode; equal keys let a warm run skip reading the file.
StatKey = list[int]


def content_hash(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


@dataclass
class FileOutcome:
    """One file's result: ``digest`` is None when the file was not read (then it is not cached)."""

    path: str
    digest: str | None
    findings: list[Finding] = field(default_factory=list)
    facts: FileFacts | None = None
    stat_key: StatKey | None = None
    #: The facts in their cached form, instead of ``facts``, once the outcome left a worker (:meth:`portable`).
    facts_data: dict[str, Any] | None = None

    def facts_or_empty(self) -> FileFacts:
        if self.facts is not None:
            return self.facts
        from mllint.core.facts import FileFacts  # not at the top: a warm run reads no facts

        if self.facts_data is not None:
            return FileFacts.from_json(self.facts_data)
        from mllint.analysis.context import is_test_path

        return FileFacts.empty(self.path, test=is_test_path(self.path))

    def facts_json(self) -> dict[str, Any]:
        """The facts as the cache stores them."""
        return self.facts_data if self.facts_data is not None else self.facts_or_empty().to_json()

    def portable(self) -> FileOutcome:
        """This outcome with its facts in their cached form: a worker sends it so, and the main process
        keeps one copy of every file's facts (the one it caches) instead of the objects and their
        cached form; it builds the objects when a repository rule asks, after the workers are gone."""
        if self.facts is not None:
            self.facts_data, self.facts = self.facts.to_json(), None
        return self


def stat_key(st: os.stat_result) -> StatKey | None:
    """What lets the next run trust the cached digest without reading the file (None: too fresh)."""
    if time.time_ns() - st.st_mtime_ns < FRESH_NS:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def skipped(session: Session, rel: str, message: str, code: str = FILE_TOO_LARGE,
            digest: str | None = None, key: StatKey | None = None) -> FileOutcome:
    """The outcome of a file that was not analysed: a finding (when that rule is on), empty facts."""
    findings = []
    if code in session.enabled:
        findings.append(make_finding(session.index.by_code()[code], message, rel))
    return FileOutcome(rel, digest, findings, None, key)


class FileTimeout(BaseException):
    """Raised by the per-file alarm; a BaseException so that no rule's ``except Exception`` eats it."""


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    raise FileTimeout


def _analyze_bounded(session: Session, rel: str, data: bytes) -> tuple[list[Finding], FileFacts]:
    """``analyze_file`` under the per-file time limit (SIGALRM: main thread of a process only)."""
    from mllint.engine.codepass import analyze_file

    timer = FILE_TIMEOUT > 0 and threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not timer:
        result = analyze_file(session, rel, data)
        return result.findings, result.facts
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, FILE_TIMEOUT)
        result = analyze_file(session, rel, data)
        return result.findings, result.facts
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _read(session: Session, rel: str) -> tuple[bytes, os.stat_result | None] | FileOutcome:
    """The file's bytes and stat (the overlay's bytes, unstat'ed), or the outcome of a skipped file."""
    if rel in session.overlay:
        return session.overlay[rel], None
    path = session.root / rel
    limit = session.settings.max_file_size
    try:
        # O_NONBLOCK: a FIFO swapped in after discovery must not block the run; fstat on the open file
        # (not the path) so that what we hash is what we stat.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as handle:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return skipped(session, rel, "file skipped: not a regular file")
            if st.st_size > limit:
                return skipped(session, rel, f"file skipped: {st.st_size} bytes is above max-file-size ({limit})",
                               digest=f"size:{st.st_size}", key=stat_key(st))
            return handle.read(), st
    except (OSError, ValueError) as exc:
        return skipped(session, rel, f"file skipped: cannot read it ({getattr(exc, 'strerror', None) or exc})")


def check_file(session: Session, rel: str) -> FileOutcome:
    """Read, hash and analyse one file. Never raises (but for Ctrl-C)."""
    read = _read(session, rel)
    if isinstance(read, FileOutcome):
        return read
    data, st = read
    digest = content_hash(data)
    key = stat_key(st) if st is not None else None
    try:
        findings, facts = _analyze_bounded(session, rel, data)
    except FileTimeout:
        return skipped(session, rel, f"file skipped: its analysis took longer than {FILE_TIMEOUT:g} s")
    except RecursionError:
        return skipped(session, rel, "file skipped: too deeply nested to analyse")
    except MemoryError:
        return skipped(session, rel, "file skipped: out of memory while analysing it")
    except Exception as exc:  # a rule bug must cost one file, not the run
        return skipped(session, rel, f"internal error while checking this file: {type(exc).__name__}: {exc}",
                       INTERNAL_ERROR, digest=digest, key=key)
    return FileOutcome(rel, digest, findings, facts, key)
