"""Console entry point: ``python -m mllint`` and the ``mllint`` script."""

import sys


def main() -> None:
    """Run the command-line interface, keeping imports lazy for a fast start."""
    from mllint.cli import app

    sys.exit(app())


if __name__ == "__main__":
    main()
