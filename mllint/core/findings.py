"""The Finding record and its JSON contract (see docs/json.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: The keys of every object in ``--output-format json``, in order. A public promise.
JSON_KEYS = (
    "code", "name", "factor", "kind", "severity", "message", "path",
    "line", "column", "end_line", "end_column", "cell", "fix",
)


@dataclass
class Fix:
    """An edit that resolves a finding: replace ``[start, end)`` (1-based line, 0-based col) by ``content``."""

    applicability: str  # "safe" or "unsafe"
    message: str
    edits: list[dict[str, Any]] = field(default_factory=list)
    #: What the rule's fixer needs beyond the position (e.g. the missing keyword); not in JSON.
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"applicability": self.applicability, "message": self.message, "edits": self.edits}


@dataclass
class Finding:
    """One violation. Lines and columns are 1-based; ``cell`` is the notebook cell index (0-based)."""

    code: str
    name: str
    factor: int
    kind: str
    severity: str
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
    waived: str | None = field(default=None, compare=False)

    def sort_key(self) -> tuple:
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
        data = asdict(self)
        return data

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> Finding:
        data = dict(data)
        fix = data.pop("fix", None)
        finding = cls(**data)
        if fix:
            finding.fix = Fix(**fix)
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
