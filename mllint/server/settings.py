"""What the editor tells the server: rule selection and when to run, read leniently from the client.

Clients send settings in different envelopes (VS Code's ``initializationOptions.settings``, a
``{"mllint": {...}}`` section on ``workspace/didChangeConfiguration``, a flat table from Neovim); all
are accepted. Keys the server does not use (``path``, ``interpreter``, ``args`` are the extension's)
are ignored. Rule selectors are validated later, with the project's ``[tool.mllint]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RunMode = Literal["onType", "onSave"]
RUN_MODES: tuple[RunMode, ...] = ("onType", "onSave")


@dataclass(frozen=True)
class ClientSettings:
    """The client's overrides: ``select`` replaces the project's selection, ``ignore`` adds to it."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    run: RunMode = "onType"

    def overrides(self) -> dict[str, list[str] | None]:
        """The overrides in the shape ``mllint.config.load_settings`` takes (as the CLI flags)."""
        return {"select": list(self.select) if self.select else None, "ignore": list(self.ignore) or None}


def _envelope(raw: object) -> dict[str, object]:
    """The settings table inside whatever envelope the client used (empty when there is none)."""
    if not isinstance(raw, dict):
        return {}
    for key in ("mllint", "settings"):
        inner = raw.get(key)
        if isinstance(inner, dict):
            return _envelope(inner) or inner
        if isinstance(inner, list) and inner and isinstance(inner[0], dict):  # per-folder list: the first
            return _envelope(inner[0]) or inner[0]
    if "globalSettings" in raw and isinstance(raw["globalSettings"], dict):
        return raw["globalSettings"]
    return raw


def _selectors(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(item.strip() for item in value if isinstance(item, str) and item.strip())


def parse_client_settings(raw: object, previous: ClientSettings | None = None) -> ClientSettings:
    """Client settings from ``raw``; keys that are absent keep their ``previous`` values."""
    base = previous or ClientSettings()
    table = _envelope(raw)
    select = base.select
    if "select" in table:
        select = _selectors(table["select"]) or None
    ignore = _selectors(table["ignore"]) if "ignore" in table else base.ignore
    return ClientSettings(select=select, ignore=ignore, run=_run_mode(table.get("run"), base.run))


def _run_mode(value: object, default: RunMode) -> RunMode:
    if value == "onType":
        return "onType"
    if value == "onSave":
        return "onSave"
    return default


def has_settings(raw: object) -> bool:
    """Does ``raw`` carry any setting this server reads?"""
    return any(key in _envelope(raw) for key in ("select", "ignore", "run"))
