"""Tables of ``rules/knowledge/ci.toml``: continuous integration and scheduling (ML0602, ML1203, ML1204;
read by ``mllint/repo/ci.py``)."""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import Regexes, Strings, Table


class CiCommands(Table):
    """Commands that count as running the tests or mllint (ML1204)."""

    tests: Regexes = Field(description="Regular expressions searched in the commands a CI job runs (one level into `make`, tox, nox, pre-commit).")
    actions: Strings = Field(description="Words of actions (`uses:` in GitHub workflows) that run tests.")


class RetrainingSchedules(Table):
    """Scheduled or triggered retraining (ML0602)."""

    job_words: Regexes = Field(description="A scheduled/triggered CI job counts when what it runs matches one of these.")
    calls: Strings = Field(description="Orchestrator calls that declare a schedule or a trigger (`airflow.DAG`, globs allowed).")
    methods: Strings = Field(description="Methods that schedule (`.create_schedule`), counted next to `with_imports` only.")
    with_imports: Strings = Field(description="The imports that make `methods` count (`prefect`, `kfp`).")
    text_words: Strings = Field(description="Words in YAML/text configs that schedule (`kind: CronJob`).")
    files: Strings = Field(description="File names that schedule (`crontab`).")
    file_globs: Strings = Field(description="Path patterns that schedule (`*.cron`).")
    training_words: Regexes = Field(description="A CI job on any trigger counts when it runs training (`dvc repro`).")
