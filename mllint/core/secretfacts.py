"""A committed credential as the per-file facts record it: where, and what kind -- never its value.

Found in the shared traversal (string literals of code) and in notebook outputs by
``mllint.analysis.secrets``; reported by ML1403. The value is never stored: the cache and every
output must not copy a secret.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

WHERE = ("code", "output", "text")


@dataclass(frozen=True)
class SecretHit:
    """A credential found at a place: the kind of credential, never its value."""

    line: int
    column: int
    kind: str
    #: The notebook cell (index in its cells array), for notebooks.
    cell: int | None = None
    #: "code" (a literal in code), "output" (a notebook cell's output) or "text" (a configuration file).
    where: str = "code"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> SecretHit:
        """Rebuild from :meth:`to_json`; raises ``ValueError`` on anything malformed."""
        if not isinstance(data, dict) or set(data) != {"line", "column", "kind", "cell", "where"}:
            raise ValueError("not a secret record")
        if not (type(data["line"]) is int and type(data["column"]) is int and isinstance(data["kind"], str)
                and (data["cell"] is None or type(data["cell"]) is int) and data["where"] in WHERE):
            raise ValueError("secret record has the wrong types")
        return cls(**data)
