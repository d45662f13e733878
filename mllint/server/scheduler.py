"""When analyses run: debounced after edits, at once on save, one at a time, superseded work dropped.

Analyses run on one worker thread, so the event loop keeps answering requests (and reading
``$/cancelRequest``) while a file is checked. Each key (a document or notebook URI, or the
repository) has a generation number: scheduling again bumps it, and work whose generation is no
longer current is skipped before it starts and its result dropped after it ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class Scheduler:
    """Debounced, cancellable work per key on a single analysis thread."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mllint-analysis")
        self._generation: dict[str, int] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def current(self, key: str, generation: int) -> bool:
        return self._generation.get(key) == generation

    def schedule(self, key: str, job: Callable[[int], Coroutine[object, object, None]], delay: float | None = None) -> None:
        """Run ``job(generation)`` after ``delay`` (default: the debounce), replacing any pending run for ``key``."""
        generation = self._generation.get(key, 0) + 1
        self._generation[key] = generation
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        loop = asyncio.get_running_loop()
        wait = self.delay if delay is None else delay

        def start() -> None:
            self._timers.pop(key, None)
            if not self.current(key, generation):
                return
            task: asyncio.Task[None] = loop.create_task(job(generation))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        if wait <= 0:
            start()
        else:
            self._timers[key] = loop.call_later(wait, start)

    def forget(self, key: str) -> None:
        """Drop pending work for ``key`` (a closed document); work already running is discarded when it ends."""
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        self._generation[key] = self._generation.get(key, 0) + 1

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the analysis thread; awaiting it can be cancelled (the result is then dropped)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    def shutdown(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)
