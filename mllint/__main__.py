"""Console entry point: ``python -m mllint`` and the ``mllint`` script."""

import sys


def main() -> None:
    """Run the command-line interface, keeping imports lazy for a fast start."""
    import os

    # pydantic (used by typer and our config) otherwise scans every installed distribution's entry
    # points for plugins at start-up: ~10% of a warm run. mllint uses no pydantic plugin.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from mllint.cli import app

    sys.exit(app())


if __name__ == "__main__":
    main()
