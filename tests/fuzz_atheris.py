"""Coverage-guided fuzzing of the code pass with atheris (optional; not collected by pytest).

    .venv/bin/pip install atheris
    .venv/bin/python tests/fuzz_atheris.py -atheris_runs=200000 -max_len=4096

Each input is checked both as a Python file and as a notebook with every code rule enabled; any
exception escaping ``analyze_file`` is a bug (a finding must be reported instead).
"""

import sys

import atheris

with atheris.instrument_imports():
    from mllint.catalogue.loader import load_catalogue
    from mllint.engine.codepass import analyze_file
    from mllint.config.settings import Settings
    from mllint.knowledge.loader import load_knowledge

CATALOGUE = load_catalogue()
CODES = {rule.code for rule in CATALOGUE.code_rules()}
KNOWLEDGE = load_knowledge()
OPTIONS = {rule.code: Settings().rule_options(rule) for rule in CATALOGUE.code_rules()}


def one_input(data: bytes) -> None:
    for path in ("train.py", "analysis.ipynb"):
        analyze_file(path, data, CATALOGUE, CODES, KNOWLEDGE, OPTIONS)


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
