"""Child processes that cannot outlive mllint, and a memory ceiling for the ones that analyse files.

When mllint is killed (``kill -9``, a CI job cancelled, the OOM killer), its worker processes and the
``git``/``ruff`` processes it started must not run on for minutes. On Linux each child asks the
kernel for ``SIGKILL`` when its parent dies (``prctl(PR_SET_PDEATHSIG)``, which survives ``exec``) and
checks that the parent is still the one that started it (it may have died before the request).
Elsewhere a worker watches its parent from a thread; ``git`` and ``ruff`` there are bounded by
their time limits only.

:func:`start_tool` starts an outside tool (ruff) that way without forking the interpreter where it can:
late in a run mllint's process is large, and a fork copies its page tables (~6 ms each on a 150 MB
process, and a run starts ruff once per group of files). With util-linux's ``setpriv`` (Linux, 2019 and
later) the tool is started by ``vfork`` through ``setpriv --pdeathsig KILL``, and its address-space
ceiling is set from here (``prlimit``); elsewhere ``preexec_fn`` does both in a forked child.

:func:`limit_memory` caps the address space of the calling process (``RLIMIT_AS``) at its current
size plus a budget: past it, allocations fail (``MemoryError`` in Python), which costs one file.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
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


def start_tool(command: list[str], memory: int | None = None, *, cwd: str | os.PathLike[str] | None = None,
               env: dict[str, str] | None = None, stdin: int | None = None, stdout: int | None = None,
               stderr: int | None = None) -> subprocess.Popen[str]:
    """Start ``command`` (in text mode) so that it dies with mllint and (with ``memory``) gets an
    address-space ceiling of that many bytes."""
    setpriv = _setpriv()
    if setpriv is None:
        return subprocess.Popen(command, text=True, cwd=cwd, env=env, stdin=stdin, stdout=stdout, stderr=stderr,
                                preexec_fn=child_setup(memory))
    process = subprocess.Popen([setpriv, "--pdeathsig", "KILL", "--", *command], text=True, cwd=cwd, env=env,
                               stdin=stdin, stdout=stdout, stderr=stderr)
    if memory is not None:
        _limit_process(process.pid, memory)
    return process


def run_tool(command: list[str], timeout: float, memory: int | None = None, *, cwd: str | os.PathLike[str] | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """:func:`start_tool` with no input, its output collected as ``subprocess.run(..., capture_output=True)``
    does (``subprocess.TimeoutExpired`` after ``timeout`` seconds, the tool killed)."""
    process = start_tool(command, memory, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return subprocess.CompletedProcess(command, process.returncode, out, err)


_SETPRIV: list[str | None] = []  # [path or None] once looked for


def _setpriv() -> str | None:
    """util-linux's ``setpriv``, when it can ask for the parent-death signal (looked for once a process)."""
    if not _SETPRIV:
        import shutil

        found = shutil.which("setpriv") if _PRCTL is not None else None
        if found is not None:
            try:
                usage = subprocess.run([found, "--help"], capture_output=True, text=True, timeout=5, stdin=subprocess.DEVNULL)
                found = found if "--pdeathsig" in usage.stdout else None
            except (OSError, subprocess.SubprocessError):
                found = None
        _SETPRIV.append(found)
    return _SETPRIV[0]


def _limit_process(pid: int, limit: int) -> None:
    """Set another process's address-space ceiling (``prlimit``, Linux); a process already gone is left."""
    try:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.prlimit(pid, resource.RLIMIT_AS, (limit, hard))
    except (ImportError, AttributeError, ValueError, OSError):
        pass


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
