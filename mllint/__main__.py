"""Console entry point: ``python -m mllint`` and the ``mllint`` script."""

import sys

INTERRUPTED = 130  # exit code after Ctrl-C, as shells report SIGINT


def main() -> None:
    """Run the command-line interface, keeping imports lazy for a fast start."""
    import os

    # pydantic (used by typer and our config) otherwise scans every installed distribution's entry
    # points for plugins at start-up: ~10% of a warm run. mllint uses no pydantic plugin.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from mllint.cli import app

    try:
        code = app()
    except SystemExit as exc:
        code = exc.code
    if code == INTERRUPTED:
        # Ctrl-C: the report is not written and workers are killed; skip interpreter shutdown, whose
        # exit hooks would join concurrent.futures' threads over closed pipes (tracebacks on stderr).
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(INTERRUPTED)
    sys.exit(code)


if __name__ == "__main__":
    main()
