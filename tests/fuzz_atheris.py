"""Coverage-guided fuzzing of the code pass with atheris (optional; not collected by pytest).

    .venv/bin/pip install atheris
    .venv/bin/python tests/fuzz_atheris.py -atheris_runs=200000 -max_len=4096

Each input is checked both as a Python file and as a notebook with every code rule enabled; any
exception escaping ``analyze_file`` is a bug (a finding must be reported instead).
"""

import sys

import atheris

with atheris.instrument_imports():
    from pathlib import Path

    from mllint.config.settings import Settings
    from mllint.engine.session import Session

SESSION = Session(Path.cwd(), Settings(select=["ALL"]))


def one_input(data: bytes) -> None:
    for path in ("train.py", "analysis.ipynb"):
        SESSION.analyze(path, data, SESSION.code_enabled)


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
