"""Console entry point: ``python -m mllint`` and the ``mllint`` script.

The last line of defence: whatever escapes the command (a bug, an input no check anticipated) ends
the run with exit code 2 and one line on stderr, never a traceback with exit code 1 (which a CI gate
would read as "findings"). ``--verbose`` (or ``-v``) prints the traceback too.
"""

import sys

INTERRUPTED = 130  # exit code after Ctrl-C, as shells report SIGINT
INTERNAL_ERROR = 2


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "(no message)"
    return f"{type(exc).__name__}: {text[:300]}{'…' if len(text) > 300 else ''}"


def main() -> None:
    """Run the command-line interface, keeping imports lazy for a fast start."""
    import os

    # pydantic (used by typer and our config) otherwise scans every installed distribution's entry
    # points for plugins at start-up: ~10% of a warm run. mllint uses no pydantic plugin.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if sys.argv[1:] == ["--version"]:  # answered before the CLI framework is imported (a few ms, not ~50)
        from mllint import __version__

        sys.stdout.write(f"mllint {__version__}\n")
        sys.exit(0)
    code: str | int | None
    try:
        code = _quick(sys.argv[1:])
        if code is None:  # not a plain check: typer reads the command line
            from mllint.cli import app_for

            code = app_for(sys.argv[1:])()
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:
        code = INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the top-level handler: anything unexpected is exit 2
        if "--verbose" in sys.argv[1:] or "-v" in sys.argv[1:]:
            import traceback

            traceback.print_exc()
        try:
            sys.stderr.write(f"mllint: error: internal error: {_one_line(exc)} (run with --verbose for the traceback; "
                             "please report it)\n")
        except (OSError, ValueError, RecursionError):
            pass
        code = INTERNAL_ERROR
    if code == INTERRUPTED:
        # Ctrl-C: the report is not written and workers are killed; skip interpreter shutdown, whose
        # exit hooks would join concurrent.futures' threads over closed pipes (tracebacks on stderr).
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(INTERRUPTED)
    _exit_now(code)


def _quick(arguments: list[str]) -> int | None:
    """A plain ``check`` command line, run without typer (mllint/commands/quickline.py): its exit code, or None."""
    if arguments[:1] != ["check"]:
        return None
    from mllint.commands.quickline import read

    options = read(arguments[1:])
    if options is None:
        return None
    from mllint.commands.check import run_check

    try:
        return run_check(options)
    except BrokenPipeError:  # the reader of the report went away (`| head`): exit 1 quietly, as click does
        import os

        try:  # what is still buffered goes nowhere, without another error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # pragma: no cover - a stream without a file descriptor
            pass
        return 1


def _exit_now(code: str | int | None) -> None:
    """Exit with ``code`` as ``sys.exit`` would, without the interpreter's shutdown: freeing every
    module and object of a large run one by one costs ~0.1 s for nothing (mypy exits this way too).
    The report is written and the cache saved by now; the streams are flushed here. If a flush fails
    (a closed pipe), the ordinary shutdown reports it as it always did."""
    import os

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    status = 0 if code is None else code
    if not isinstance(status, int) or isinstance(status, bool) or not 0 <= status <= 255:
        sys.exit(code)  # a message or an unusual status: as sys.exit reports it
    os._exit(status)


if __name__ == "__main__":
    main()
