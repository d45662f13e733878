"""The strings of a GitHub Actions (or Gitea) workflow with its jobs' matrix variables filled in.

A monorepo's CI often tests each sub-project through a matrix (``tox -c ./runtimes/${{ matrix.runtime }}``
with ``runtime: [sklearn, xgboost]``): the folder appears only once the variable is replaced by its
values. :func:`expanded_strings` yields every string of each job with each ``${{ matrix.<key> }}`` replaced
by each value the job's ``strategy.matrix`` gives that key (its lists and its ``include`` entries; an
object value's fields as ``matrix.<key>.<field>``). Values computed at run time (``fromJSON(...)``) are
unknown and stay unexpanded. The number of expansions is bounded.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from mllint.core.yamlsafe import walk_strings

MATRIX_REF = re.compile(r"\$\{\{\s*matrix\.([\w.-]+)\s*\}\}")
MAX_EXPANSIONS = 2_000  # expanded strings per workflow
MAX_JOB_STRINGS = 5_000


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _add(values: dict[str, list[str]], key: str, value: Any, depth: int = 0) -> None:
    """Record ``value`` under ``key``; an object's fields under ``key.field`` (two levels deep)."""
    if isinstance(value, dict) and depth < 2:
        for field, inner in value.items():
            _add(values, f"{key}.{field}", inner, depth + 1)
        return
    text = _scalar(value)
    if text is not None and "${{" not in text and text not in values.setdefault(key, []):
        values[key].append(text)


def matrix_values(job: Any) -> dict[str, list[str]]:
    """Each matrix key of a job -> the values it takes (``include`` entries added; ``exclude`` ignored)."""
    strategy = job.get("strategy") if isinstance(job, dict) else None
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    values: dict[str, list[str]] = {}
    if not isinstance(matrix, dict):
        return values
    for key, value in matrix.items():
        if not isinstance(key, str) or key == "exclude":
            continue
        if key == "include":
            for entry in value if isinstance(value, list) else []:
                if isinstance(entry, dict):
                    for name, item in entry.items():
                        if isinstance(name, str):
                            _add(values, name, item)
            continue
        for item in value if isinstance(value, list) else [value]:
            _add(values, key, item)
    return values


def _expand(text: str, values: dict[str, list[str]], budget: list[int]) -> Iterator[str]:
    keys = [key for key in dict.fromkeys(MATRIX_REF.findall(text)) if values.get(key)]
    if not keys:
        return
    for combination in itertools.product(*(values[key] for key in keys)):
        if budget[0] <= 0:
            return
        budget[0] -= 1
        chosen = dict(zip(keys, combination))
        yield MATRIX_REF.sub(lambda match: chosen.get(match.group(1), match.group(0)), text)


def expanded_strings(workflow: Any) -> Iterator[str]:
    """Every string of each job that refers to a matrix variable, once per value of its variables."""
    jobs = workflow.get("jobs") if isinstance(workflow, dict) else None
    if not isinstance(jobs, dict):
        return
    budget = [MAX_EXPANSIONS]
    for job in jobs.values():
        values = matrix_values(job)
        if not values:
            continue
        for text in walk_strings(job, MAX_JOB_STRINGS):
            if "matrix." in text:
                yield from _expand(text, values, budget)
