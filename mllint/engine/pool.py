"""A small process pool on public ``multiprocessing`` API, for checking many files on several cores.

Each worker is a process with its own pair of pipes; the parent hands out files a couple at a time and knows
which file each worker holds. So a worker that dies (a segfault in a C extension, the kernel's OOM
killer) or stops answering (a hang below Python, past the per-file limit) costs exactly the file it
was on: the parent reports it (ML0004 / ML0003), starts a fresh worker and goes on. Ctrl-C kills
the workers at once; a worker dies with its parent (``kill -9`` of mllint leaves no worker behind) and
allocates at most WORKER_MEMORY beyond its start (mllint/core/lifeline.py). On Linux workers are forked and inherit the session; elsewhere they rebuild it
from the root and settings.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import select
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from mllint.core.lifeline import die_with_parent, limit_memory
from mllint.engine import worker as file_worker
from mllint.engine.collector import CollectInBatches
from mllint.engine.worker import INTERNAL_ERROR, FileOutcome, check_file, skipped

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.session import Session

#: Files sent to a worker before it has answered for the first (keeps it busy across round trips).
IN_FLIGHT = 2
#: Seconds a worker may overrun the per-file limit before the parent kills it (a hang below Python).
GRACE = 10.0
#: Bytes a worker may allocate beyond its size at start (RLIMIT_AS, Linux); past it a file's analysis
#: fails with MemoryError (ML0003) instead of the machine swapping. The syntax budget
#: (mllint/engine/codepass.py) keeps one file's parse near 600 MB at most.
WORKER_MEMORY = 1_500_000_000


def _worker_main(tasks: Connection, results: Connection, session: Session | tuple[Any, ...], parent: int) -> None:
    """A worker's life: die with the parent, stay under a memory ceiling, ignore Ctrl-C (the parent's
    business), then check files until told to stop."""
    die_with_parent(parent)
    limit_memory(WORKER_MEMORY)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # forked with SIGINT blocked (see _sigint_blocked): now ignored
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if isinstance(session, tuple):  # spawned: rebuild the session from its parts
        from mllint.engine.session import Session

        root, settings, overlay = session
        session = Session(root, settings, overlay=overlay)
    batches = CollectInBatches()
    try:
        while True:
            rel = tasks.recv()
            if rel is None:
                return
            results.send(check_file(session, rel).portable())
            batches.file_done()  # after the answer is sent: the parent hands out the next file meanwhile
    except (EOFError, OSError, KeyboardInterrupt):
        return


@dataclass
class _Worker:
    process: BaseProcess
    tasks: Connection  # files to check, parent -> worker
    conn: Connection  # outcomes, worker -> parent
    pending: deque[str] = field(default_factory=deque)
    since: float = 0.0  # when the first pending file started (monotonic)


class WorkerPool:
    """``jobs`` worker processes checking files for one session; use as a context manager."""

    def __init__(self, session: Session, jobs: int) -> None:
        self.session = session
        self.jobs = jobs
        fork = sys.platform.startswith("linux")
        self.context: ForkContext | SpawnContext = (
            multiprocessing.get_context("fork") if fork else multiprocessing.get_context("spawn"))
        self.payload: Session | tuple[Any, ...] = session if fork else (session.root, session.settings, session.overlay)
        self.workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(kill=exc[0] is not None)

    def _start(self) -> _Worker:
        task_reader, task_writer = self.context.Pipe(duplex=False)  # OS pipes, not sockets
        result_reader, result_writer = self.context.Pipe(duplex=False)
        process = self.context.Process(target=_worker_main, args=(task_reader, result_writer, self.payload, os.getpid()),
                                       daemon=True)
        with _sigint_blocked():
            process.start()
        task_reader.close()
        result_writer.close()
        return _Worker(process, task_writer, result_reader)

    def map(self, rels: list[str]) -> Iterator[FileOutcome]:
        """Check ``rels``, yielding each outcome as it arrives (any order)."""
        todo = deque(rels)
        self.workers = [self._start() for _ in range(min(self.jobs, len(rels)))]
        waiting = _Waiting()
        timeout_s = file_worker.FILE_TIMEOUT
        limit = timeout_s + GRACE if timeout_s > 0 else None
        while True:
            for worker in self.workers:
                while todo and len(worker.pending) < IN_FLIGHT:
                    if not worker.pending:
                        worker.since = time.monotonic()
                    rel = todo.popleft()
                    try:
                        worker.tasks.send(rel)
                    except OSError:  # died before we noticed: the file goes back to the queue
                        todo.appendleft(rel)
                        break
                    worker.pending.append(rel)
            busy = [worker for worker in self.workers if worker.pending]
            if not busy:
                return
            timeout = None
            if limit is not None:
                timeout = max(0.0, min(worker.since + limit for worker in busy) - time.monotonic())
            waitables: list[Any] = [worker.conn for worker in busy] + [worker.process.sentinel for worker in busy]
            ready = waiting.wait(waitables, timeout)
            for index, worker in enumerate(list(self.workers)):
                if not worker.pending:
                    continue
                if worker.conn in ready:
                    try:
                        outcome = worker.conn.recv()
                    except (EOFError, OSError):
                        yield from self._replace(index, todo, "died")
                        continue
                    worker.pending.popleft()
                    worker.since = time.monotonic()
                    yield outcome
                elif worker.process.sentinel in ready:
                    yield from self._replace(index, todo, "died")
                elif limit is not None and time.monotonic() - worker.since > limit:
                    yield from self._replace(index, todo, "stuck")

    def _replace(self, index: int, todo: deque[str], why: str) -> Iterator[FileOutcome]:
        """The worker at ``index`` died or hung: report its current file, requeue the rest, restart it."""
        worker = self.workers[index]
        _stop(worker, kill=True)
        culprit, *rest = worker.pending
        todo.extendleft(reversed(rest))
        if why == "stuck":
            yield skipped(self.session, culprit, f"file skipped: its analysis took longer than {file_worker.FILE_TIMEOUT:g} s")
        else:
            code = worker.process.exitcode
            yield skipped(self.session, culprit, "internal error: the worker process died while checking this file"
                                                 f" (exit code {code})", INTERNAL_ERROR)
        self.workers[index] = self._start()

    def close(self, kill: bool = False) -> None:
        """Stop every worker: ask politely after a normal run, kill after an error or Ctrl-C."""
        for worker in self.workers:
            _stop(worker, kill=kill)
        self.workers = []


class _Waiting:
    """``multiprocessing.connection.wait`` for a loop that waits on nearly the same pipes and sentinels
    each time: one ``poll`` object whose registrations change only when the set does (the library call
    builds and fills a selector on every call: ~60 us a file in the parent). Elsewhere: the library call."""

    def __init__(self) -> None:
        self.poll = select.poll() if hasattr(select, "poll") else None
        self.registered: dict[int, Any] = {}

    def wait(self, waitables: list[Any], timeout: float | None) -> set[Any]:
        if self.poll is None:
            return set(multiprocessing.connection.wait(waitables, timeout=timeout))
        wanted = {(item if isinstance(item, int) else item.fileno()): item for item in waitables}
        for fd in self.registered.keys() - wanted.keys():
            self.poll.unregister(fd)
        for fd in wanted.keys() - self.registered.keys():
            self.poll.register(fd, select.POLLIN)
        self.registered = wanted  # a number reused by a new worker's pipe stays registered: now for it
        events = self.poll.poll(None if timeout is None else timeout * 1000)
        return {wanted[fd] for fd, _event in events if fd in wanted}  # data, end of file or an error: ready


def _stop(worker: _Worker, kill: bool) -> None:
    if not kill:
        try:
            worker.tasks.send(None)
        except OSError:
            kill = True
    if kill and worker.process.is_alive():
        worker.process.kill()
    worker.process.join(timeout=5)
    if worker.process.is_alive():  # pragma: no cover - a worker that ignored the request
        worker.process.kill()
        worker.process.join(timeout=5)
    worker.tasks.close()
    worker.conn.close()


class _sigint_blocked:
    """Block SIGINT while a worker is forked: a Ctrl-C in that instant would otherwise hit the worker
    before it ignores SIGINT (a traceback on stderr). The parent gets the signal on unblock."""

    def __enter__(self) -> None:
        self.active = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
        if self.active:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})

    def __exit__(self, *_exc: object) -> None:
        if self.active:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
