"""Start a command as a terminal would: Ctrl-C delivered.

A suite started as a background job of a non-interactive shell (``make test &`` in a script, some CI
runners) inherits SIGINT as *ignored*, and Python then never raises KeyboardInterrupt in the commands
the tests start. Tests of Ctrl-C pass :func:`as_in_a_terminal` as ``preexec_fn`` so that the command
under test sees the default disposition, unblocked, as in a user's terminal.
"""

from __future__ import annotations

import signal


def as_in_a_terminal() -> None:
    """In the child, before exec: SIGINT back to its default action and not blocked."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
