"""Validate the answers before anything is written: a clear message instead of a broken project."""

import re
import sys

SLUG = "{{ cookiecutter.project_slug }}"
PACKAGE = "{{ cookiecutter.package_name }}"
EMAIL = "{{ cookiecutter.author_email }}"
FAMILY = "{{ cookiecutter.model_family }}"
PYTHON = "{{ cookiecutter.python_version }}"

problems = []
if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", SLUG):
    problems.append(f"project_slug {SLUG!r} must be lower-case letters, digits and single dashes")
if not re.fullmatch(r"[a-z][a-z0-9_]*", PACKAGE) or PACKAGE in {"test", "tests", "src"}:
    problems.append(f"package_name {PACKAGE!r} must be a lower-case Python identifier (not test/tests/src)")
if "@" not in EMAIL:
    problems.append(f"author_email {EMAIL!r} does not look like an e-mail address")
if FAMILY == "pytorch" and PYTHON != "3.11":
    problems.append(
        f"model_family 'pytorch' needs python_version 3.11 (its locked CPU build of torch), got {PYTHON!r}"
    )
if problems:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    sys.exit(1)
