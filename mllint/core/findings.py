"""The Finding record, its fix as text edits, and the JSON contract (see docs/json.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["code", "repo"]
Severity = Literal["error", "warning", "info"]
Applicability = Literal["safe", "unsafe"]
KINDS: tuple[Kind, ...] = ("code", "repo")
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

#: The keys of every object in ``--output-format json``, in order. A public promise.
JSON_KEYS = (
    "code", "name", "factor", "kind", "severity", "message", "path",
    "line", "column", "end_line", "end_column", "cell", "fix",
)


@dataclass(frozen=True)
class Position:
    """A place in a text: 1-based line and 1-based column counted in characters (as findings are).

    In a notebook the line is counted within the cell of the edit.
    """

    line: int
    column: int

    def to_json(self) -> dict[str, int]:
        return {"line": self.line, "column": self.column}


@dataclass(frozen=True)
class Edit:
    """Replace the text between ``start`` (inclusive) and ``end`` (exclusive) of ``path`` by ``text``.

    ``start == end`` inserts; an empty ``text`` deletes. For notebooks ``cell`` is the 0-based index
    into the notebook's ``cells`` array and positions count within that cell's source.
    """

    path: str
    start: Position
    end: Position
    text: str
    cell: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "start": self.start.to_json(), "end": self.end.to_json(),
                                "text": self.text}
        if self.cell is not None:
            data["cell"] = self.cell
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Edit:
        return cls(data["path"], Position(**data["start"]), Position(**data["end"]), data["text"], data.get("cell"))


@dataclass
class Fix:
    """How to resolve a finding: text edits, labelled safe (behaviour kept) or unsafe (review it)."""

    applicability: Applicability
    message: str
    edits: list[Edit] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"applicability": self.applicability, "message": self.message,
                "edits": [edit.to_json() for edit in self.edits]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fix:
        return cls(data["applicability"], data["message"], [Edit.from_json(edit) for edit in data["edits"]])


@dataclass
class Finding:
    """One violation. Lines and columns are 1-based; ``cell`` is the notebook cell index (0-based)."""

    code: str
    name: str
    factor: int
    kind: Kind
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    cell: int | None = None
    fix: Fix | None = None
    # Not part of the JSON contract: extra context used by reports and baselines.
    evidence: list[str] = field(default_factory=list, compare=False)
    #: Other places that explain the finding (the split a leak reaches): {line, column, cell, message}.
    related: list[dict[str, Any]] = field(default_factory=list, compare=False)
    waived: str | None = field(default=None, compare=False)
    #: Structured facts a repository rule's remedy reads (keys documented by that rule); not in JSON.
    data: dict[str, str] = field(default_factory=dict, compare=False)

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        return (
            self.path or "",
            -1 if self.cell is None else self.cell,
            self.line or 0,
            self.column or 0,
            self.code,
            self.message,
        )

    def to_json(self) -> dict[str, Any]:
        data = {key: getattr(self, key) for key in JSON_KEYS}
        data["fix"] = self.fix.to_json() if self.fix else None
        return data

    def to_cache(self) -> dict[str, Any]:
        data = self.to_json()
        data.update(evidence=list(self.evidence), waived=self.waived, data=dict(self.data),
                    related=[dict(item) for item in self.related])
        return data

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> Finding:
        values = dict(data)
        fix = values.pop("fix", None)
        finding = cls(**values)
        if fix:
            finding.fix = Fix.from_json(fix)
        return finding

    def location(self) -> str:
        """``path:line:col``, or ``nb.ipynb:cell N:line:col`` with N the 0-based cell index as in JSON."""
        if self.path is None:
            return "."
        parts = [self.path]
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        if self.line is not None:
            parts.append(str(self.line))
            parts.append(str(self.column if self.column is not None else 1))
        return ":".join(parts)
