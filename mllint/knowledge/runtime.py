"""The knowledge rules read: validated tables as plain TOML data, with a typed view on demand.

``knowledge["splitters"]`` and ``knowledge.get("smells_torch", {})`` return a table exactly as the
TOML files hold it (merged with ``[tool.mllint.knowledge]``): the lists and dicts rules have always
read. A table name that does not exist raises :class:`UnknownTableError` in both forms instead of
returning the default, so a typo in a rule fails its catalogue examples. ``knowledge.typed`` is the
same data as :class:`mllint.knowledge.model.KnowledgeTables` (``knowledge.typed.splitters[name].kwargs``),
built on first use (it imports every table model: tens of milliseconds once per process).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

if TYPE_CHECKING:  # pragma: no cover
    from mllint.knowledge.model import KnowledgeTables


DerivedT = TypeVar("DerivedT")


AnswerT = TypeVar("AnswerT")
MAX_JUDGED = 50_000  # names a NameJudgements remembers (past it, it starts again: a long-lived server stays bounded)


class NameJudgements(Generic[AnswerT]):
    """What a resolved name alone decides for a rule, as a pure function of the name and the knowledge
    (``judge``), remembered per name. Made once per knowledge (``knowledge.derived(SubClass)``): the same
    callees recur in file after file, so each name is judged once. The memo changes no answer."""

    def __init__(self) -> None:
        self._answers: dict[str, AnswerT] = {}

    def of(self, name: str) -> AnswerT:
        try:
            return self._answers[name]
        except KeyError:
            if len(self._answers) >= MAX_JUDGED:
                self._answers.clear()
            made = self._answers[name] = self.judge(name)
            return made

    def judge(self, name: str) -> AnswerT:  # pragma: no cover - abstract
        raise NotImplementedError


class UnknownTableError(KeyError):
    """Code asked for a knowledge table that does not exist (a typo, or a table that is not in the model)."""

    def __init__(self, table: object, known: list[str]) -> None:
        super().__init__(table)
        self.table = table
        import difflib  # only for this message: not among a run's imports

        close = difflib.get_close_matches(str(table), known, n=1)
        self.hint = f"; did you mean {close[0]!r}?" if close else ""

    def __str__(self) -> str:
        return (f"unknown knowledge table {self.table!r}{self.hint} (the tables are the fields of "
                f"mllint.knowledge.model.KnowledgeTables)")


class Knowledge:
    """Every knowledge table, already validated (built by ``mllint.knowledge.loader``, never by hand)."""

    __slots__ = ("_derived", "_plain", "_typed")

    def __init__(self, plain: dict[str, Any]) -> None:
        self._plain = plain
        self._typed: KnowledgeTables | None = None
        self._derived: dict[Callable[[Knowledge], object], object] = {}

    def __getitem__(self, table: str) -> Any:
        try:
            return self._plain[table]
        except KeyError:
            raise UnknownTableError(table, list(self._plain)) from None

    def get(self, table: str, default: Any = None) -> Any:
        """The table as plain data. ``default`` is accepted for the dict interface rules grew up with and
        is never returned: every table exists, and a name that is not a table raises."""
        return self[table]

    def __contains__(self, table: object) -> bool:
        return table in self._plain

    def tables(self) -> list[str]:
        """The table names."""
        return list(self._plain)

    def plain(self) -> dict[str, Any]:
        """Every table as plain data (shared with every reader: never modify it)."""
        return self._plain

    @property
    def typed(self) -> KnowledgeTables:
        """The tables as model instances (``knowledge.typed.smells_torch.backward_names``)."""
        if self._typed is None:
            from mllint.knowledge.model import KnowledgeTables

            fields = KnowledgeTables.model_fields  # plugins' own tables are not part of the model
            self._typed = KnowledgeTables.model_validate({k: v for k, v in self._plain.items() if k in fields})
        return self._typed

    def derived(self, build: Callable[[Knowledge], DerivedT]) -> DerivedT:
        """What ``build`` (a module-level function: it is the key) makes of these tables -- sets and lookup
        tables a visitor reads -- made once and shared by every file's visitors: nobody may modify it."""
        try:
            return cast(DerivedT, self._derived[build])
        except KeyError:
            made = self._derived[build] = build(self)
            return made

    def __getstate__(self) -> dict[str, Any]:
        return {"plain": self._plain}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._plain = state["plain"]
        self._typed = None
        self._derived = {}

    def __repr__(self) -> str:
        return f"Knowledge({len(self._plain)} tables)"
