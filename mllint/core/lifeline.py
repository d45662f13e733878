"""Child processes that cannot outlive mllint, and a memory ceiling for the ones that analyse files.

When mllint is killed (``kill -9``, a CI job cancelled, the OOM killer), its worker processes and the
``git``/``ruff`` processes it started must not run on for minutes. On Linux each child asks the
kernel for ``SIGKILL`` when its parent dies (``prctl(PR_SET_PDEATHSIG)``, which survives ``exec``) and
checks that the parent is still the one that started it (it may have died before the request).
Elsewhere a worker watches its parent from a thread; ``git`` and ``ruff`` there are bounded by
their time limits only.

:func:`limit_memory` caps the address space of the calling process (``RLIMIT_AS``) at its current
size plus a budget: past it, allocations fail (``MemoryError`` in Python), which costs one file.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        # the process's own symbols, libc's among them (``dlopen(NULL)``): no ``ctypes.util.find_library``,
        # which imports ~16 ms of modules and runs ``ldconfig -p``
        libc = ctypes.CDLL(None, use_errno=True)
        function: Callable[..., int] = libc.prctl
        return function
    except (OSError, AttributeError):
        return None


#: Looked up once in the parent, so that a forked child only calls it (no loading after fork).
_PRCTL = _prctl()


def die_with_parent(parent: int) -> None:
    """Make the calling process die when ``parent`` does (call first thing in the child)."""
    if _PRCTL is not None and _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
        if os.getppid() != parent:  # the parent died before the request: nobody would signal us
            os._exit(1)
        return
    _watch_parent(parent)


def _watch_parent(parent: int, every: float = 1.0) -> None:
    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(every)

    threading.Thread(target=watch, name="mllint-parent-watch", daemon=True).start()


def child_setup(memory: int | None = None) -> Callable[[], None] | None:
    """A ``preexec_fn`` for ``subprocess``: the child dies with mllint and (with ``memory``) gets an
    address-space ceiling of that many bytes. None where there is nothing to set up (not Linux)."""
    if _PRCTL is None:
        return None
    parent = os.getpid()
    prctl = _PRCTL

    def setup() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)
        if memory is not None:
            _set_address_space(memory)

    return setup


def _set_address_space(limit: int) -> None:
    try:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def limit_memory(budget: int) -> None:
    """Cap this process's address space at its current size plus ``budget`` bytes (Linux)."""
    size = _address_space()
    if size is not None:
        _set_address_space(size + budget)


def _address_space() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
