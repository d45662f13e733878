"""The cycle collector's schedule in a run: batches of files, and what outlives a phase kept out of it.

Almost everything a run allocates is freed by reference counting; what remains is what the run keeps
(the session, every file's facts) and, per file, a few reference cycles. The collector's automatic
passes would walk the kept objects again and again; here they are moved out of its generations while
they are kept (:func:`kept_out`), and a process that analyses file after file collects in batches.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


_depth = 0  # kept_out blocks open (in any thread of the process: the generations are the process's)
_lock = threading.Lock()


@contextmanager
def kept_out() -> Iterator[None]:
    """What exists now outlives the block: kept out of the collector's generations until it ends
    (``gc.freeze``), so that no collection inside walks it again, and a process forked inside does not
    write to its pages. Blocks nest: a block inside another keeps what it made for the outer one (the
    code pass's outcomes outlive it, for the repository phase). Released when the outermost block ends,
    so a long-lived process (the language server) still collects whatever of it becomes garbage."""
    global _depth
    with _lock:
        gc.freeze()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth:
                gc.freeze()
            else:
                gc.unfreeze()


class CollectInBatches:
    """The cycle collector of a process that analyses file after file (a pool worker, a one-process run).

    With the default thresholds the collector ran ~150 times a file, walking the file's syntax tree again
    and again while it was analysed (8-15% of the analysis); almost everything a file allocates is freed
    by reference counting once it is done. So the process collects every ``COLLECT_EVERY`` files, and
    automatically only once ``GC_THRESHOLD`` more objects are alive than at the last collection (the
    safety net for a file that builds many reference cycles). A batch's garbage is young: the batch
    collection looks at the two younger generations only, and the whole heap every ``FULL_EVERY``
    batches (collecting everything each time walked again what the process keeps from file to file, the
    tables it builds on first use: 2-3 ms a batch on the synthetic repository, against under 1 ms).
    ``restore`` puts the thresholds back."""

    COLLECT_EVERY = 32
    FULL_EVERY = 16
    GC_THRESHOLD = 100_000

    def __init__(self) -> None:
        self.saved = gc.get_threshold()
        self.done = 0
        gc.set_threshold(self.GC_THRESHOLD, *self.saved[1:])

    def file_done(self) -> None:
        self.done += 1
        if self.done % self.COLLECT_EVERY == 0:
            gc.collect(2 if self.done % (self.COLLECT_EVERY * self.FULL_EVERY) == 0 else 1)

    def restore(self) -> None:
        gc.set_threshold(*self.saved)
