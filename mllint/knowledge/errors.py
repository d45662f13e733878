"""What is wrong with knowledge data: each problem names where it is (a file or ``[tool.mllint.knowledge]``)
and the key path inside it (``splitters.sklearn.model_selection.train_test_split.kwargs``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem: ``source`` (a built-in file, empty for the user's extensions), ``key`` (the dotted key
    path from the top of the knowledge, ``[i]`` for list items) and what is wrong."""

    source: str
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        return f"{where}{self.key}: {self.message}" if self.key else f"{where}{self.message}"


class KnowledgeError(ValueError):
    """Invalid knowledge (a built-in file, or the user's ``[tool.mllint.knowledge]``); one line per problem."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = tuple(problems)
