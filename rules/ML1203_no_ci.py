"""ML1203 no-ci: the repository has code but no CI configuration."""

from __future__ import annotations

from mllint.catalogue.remedy import Plan, add_ci_workflow
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.core.findings import Finding
from mllint.repo.ci import ci_files_elsewhere

RUNTIMES = {"runtimes/sklearn/pyproject.toml": "[project]\nname = 'rt-sklearn'\n", "runtimes/sklearn/runtime.py": "x = 1\n",
            "runtimes/xgboost/pyproject.toml": "[project]\nname = 'rt-xgboost'\n", "runtimes/xgboost/runtime.py": "x = 1\n"}


def matrix_workflow(runtimes: str) -> str:
    """A workflow testing each runtime of a monorepo through a matrix variable."""
    return ("on: push\njobs:\n  test:\n    strategy:\n      matrix:\n        runtime: [" + runtimes + "]\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - run: tox -c ./runtimes/${{ matrix.runtime }}\n")


WORKFLOW = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pytest\n"


class NoCI(RepoRule):
    code = "ML1203"
    name = "no-ci"
    factor = 12
    severity = "warning"
    summary = "The repository has code but no continuous-integration configuration."
    why = """
        Factor 12 (deployable artifacts): without CI nothing runs the tests, the linters or the
        pipeline on each change, so breakage is found by the next person who tries to retrain or deploy.
    """
    how_to_fix = """
        Add a CI configuration that installs the project and runs the tests and `mllint check`, e.g.
        `.github/workflows/ci.yml` (GitHub Actions) or `.gitlab-ci.yml` (GitLab).
    """
    violating = [
        RepoExample({"train.py": "x = 1\n"}),
        RepoExample({"src/model.py": "x = 1\n", "tests/test_model.py": "def test_x():\n    pass\n", "Makefile": "test:\n\tpytest\n"},
                    note="a Makefile is not CI"),
        RepoExample({"train.py": "x = 1\n", ".github/dependabot.yml": "version: 2\nupdates: []\n"}, note="dependabot config only"),
        RepoExample({"train.py": "x = 1\n", ".github/workflows/README.md": "workflows go here\n"}, note="no workflow file"),
        RepoExample({**RUNTIMES, ".github/workflows/tests.yml": matrix_workflow("sklearn")},
                    note="monorepo: the CI matrix tests runtimes/sklearn/ only; runtimes/xgboost/ is covered by no job"),
    ]
    compliant = [
        RepoExample({"train.py": "x = 1\n", ".github/workflows/ci.yml": WORKFLOW}),
        RepoExample({"train.py": "x = 1\n", ".gitlab-ci.yml": "test:\n  script:\n    - pytest\n"}),
        RepoExample({"train.py": "x = 1\n", "Jenkinsfile": "pipeline { stages { stage('t') { steps { sh 'pytest' } } } }\n"}),
        RepoExample({"train.py": "x = 1\n", "azure-pipelines.yml": "steps:\n  - script: pytest\n"}),
        RepoExample({"README.md": "# notes\n"}, note="no code"),
        RepoExample({**RUNTIMES, ".github/workflows/tests.yml": matrix_workflow("sklearn, xgboost")},
                    note="monorepo: a CI matrix variable names each project's folder"),
        RepoExample({**RUNTIMES, "tox.ini": "[testenv:all-runtimes]\ncommands = pytest runtimes/sklearn runtimes/xgboost\n",
                     ".github/workflows/tests.yml": WORKFLOW.replace("pytest", "tox -e all-runtimes")},
                    note="monorepo: CI runs a tox environment that tests each project's folder"),
    ]

    @classmethod
    def remedy(cls, findings: list[Finding], plan: Plan) -> None:
        """A GitHub workflow running the tests and mllint (instructions for other CI systems)."""
        add_ci_workflow(plan, cls.code, ".github/workflows/ci.yml", "CI")

    def check(self, repo):
        if not repo.source_facts():
            return
        if repo.ci_configs:
            return
        elsewhere = ci_files_elsewhere(repo)
        if elsewhere:
            yield RepoFinding(
                f"no CI job covers this project: the repository's CI ({', '.join(elsewhere[:3])}) never names its folder; "
                "add a job (or a paths filter) that runs this project's tests and `mllint check` on it",
                path=None, evidence=elsewhere[:5],
            )
            return
        yield RepoFinding(
            "no CI configuration found: looked for .github/workflows/*.yml, .gitlab-ci.yml, Jenkinsfile, azure-pipelines.yml, "
            ".circleci/config.yml, .travis.yml, bitbucket-pipelines.yml and other CI systems (here and at the git root); "
            "add e.g. .github/workflows/ci.yml that runs the tests and `mllint check` on every push",
            path=None, evidence=[],
        )
