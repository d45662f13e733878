"""ML1204 ci-runs-no-checks: CI exists but runs neither the tests nor mllint."""

from __future__ import annotations

from mllint.catalogue.remedy import Plan, add_ci_workflow
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.core.findings import Finding
from mllint.repo.ci import runs_checks

RUNTIMES = {"runtimes/sklearn/pyproject.toml": "[project]\nname = 'rt-sklearn'\n", "runtimes/sklearn/runtime.py": "x = 1\n",
            "runtimes/xgboost/pyproject.toml": "[project]\nname = 'rt-xgboost'\n", "runtimes/xgboost/runtime.py": "x = 1\n"}
MATRIX = ("on: push\njobs:\n  check:\n    strategy:\n      matrix:\n        runtime: [sklearn, xgboost]\n"
          "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: {command} ./runtimes/${{{{ matrix.runtime }}}}\n")
LINT_ONLY = "name: lint\non: [push]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ruff check .\n"


class CIRunsNoChecks(RepoRule):
    code = "ML1204"
    name = "ci-runs-no-checks"
    factor = 12
    severity = "warning"
    summary = "CI is configured but runs neither the tests nor mllint."
    why = """
        Factor 12 (deployable artifacts): a CI pipeline that only builds, lints or publishes
        gives a green tick without checking that preprocessing, training and serving still work.
    """
    how_to_fix = """
        Add a step that runs the test suite (`pytest`, `python -m unittest`, `tox`, `make test`) and
        `mllint check .` to the CI configuration.
    """
    violating = [
        RepoExample({"train.py": "x = 1\n", "Makefile": "BIN = .venv/bin\n\ninstall:\n\ttest -x $(BIN)/python || python3 -m venv .venv\n"
                                                      "\t$(BIN)/pip install -r requirements.txt\n",
                     ".github/workflows/ci.yml": "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
                                                 "      - uses: actions/checkout@v4\n      - run: make install\n"},
                    note="the shell's `test -x` in a make recipe is a condition, not a test run"),
        RepoExample({"train.py": "x = 1\n", ".github/workflows/lint.yml": LINT_ONLY}),
        RepoExample({"train.py": "x = 1\n", ".gitlab-ci.yml": "build:\n  script:\n    - pip install -r requirements.txt\n    - python -m build\n"}),
        RepoExample({"train.py": "x = 1\n", ".github/workflows/publish.yml":
                     "on:\n  release:\n    types: [published]\njobs:\n  pypi:\n    runs-on: ubuntu-latest\n    steps:\n"
                     "      - uses: pypa/gh-action-pypi-publish@release/v1\n"}),
        RepoExample({"train.py": "x = 1\n", "Makefile": "test:\n\tpytest\nlint:\n\truff check .\n",
                     ".github/workflows/ci.yml": LINT_ONLY.replace("ruff check .", "make lint")}, note="make lint runs no tests"),
    ]
    compliant = [
        RepoExample({**RUNTIMES, ".github/workflows/tests.yml": MATRIX.format(command="tox -c")},
                    note="monorepo: the CI matrix tests each project's folder"),
        RepoExample({"train.py": "x = 1\n", "deploy/jobs/workloads.yaml": "name: workloads\nentrypoint: bash deploy/jobs/workloads.sh\n",
                     "deploy/jobs/workloads.sh": "#!/bin/bash\npython -m pytest tests/code --verbose\npython train.py\n",
                     ".github/workflows/workloads.yml": "on: pull_request\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n"
                                                        "      - uses: actions/checkout@v4\n"
                                                        "      - run: anyscale jobs submit deploy/jobs/workloads.yaml --wait\n"},
                    note="CI submits a job whose entrypoint script runs the tests"),
        RepoExample({"train.py": "x = 1\n", ".github/workflows/ci.yml": LINT_ONLY.replace("ruff check .", "python -m pytest -q")}),
        RepoExample({"train.py": "x = 1\n", "Makefile": "check: lint test\ntest:\n\tpytest\nlint:\n\truff check .\n",
                     ".github/workflows/ci.yml": LINT_ONLY.replace("ruff check .", "make check")}, note="through make targets"),
        RepoExample({"train.py": "x = 1\n", ".gitlab-ci.yml": "lint:\n  script:\n    - mllint check .\n"}),
        RepoExample({"train.py": "x = 1\n", ".circleci/config.yml": "jobs:\n  test:\n    steps:\n      - run:\n          command: tox -e py311\n"}),
        RepoExample({"train.py": "x = 1\n"}, note="no CI at all (ML1203)"),
    ]

    @classmethod
    def remedy(cls, findings: list[Finding], plan: Plan) -> None:
        """A GitHub workflow running the tests and mllint (instructions for other CI systems)."""
        add_ci_workflow(plan, cls.code, ".github/workflows/mllint.yml", "Checks")

    def check(self, repo):
        configs = repo.ci_configs
        if not configs or runs_checks(configs, repo):
            return
        target = next((config for config in configs if config.report_path), None)
        seen = [f"{config.path}: {command.strip()[:60]}" for config in configs for command in config.commands[:3] if command.strip()]
        yield RepoFinding(
            f"CI is configured ({', '.join(config.path for config in configs[:3])}) but runs neither the tests nor mllint: "
            "looked for pytest, unittest, tox, nox, make test or mllint in its jobs (and in the make targets they call); "
            "add a step that runs `pytest` and `mllint check .`",
            path=target.report_path if target else None, evidence=seen[:5],
        )
