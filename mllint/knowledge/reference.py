"""The reference of the knowledge tables (docs/knowledge.md), written from the models.

One section per ``rules/knowledge/*.toml`` file, one table per knowledge table: its keys, their
types (the :class:`~mllint.knowledge.fields.Kind` of each), defaults and meanings. Tables of
sub-tables (``[splitters."<name>"]``) list the keys of one entry.
"""

from __future__ import annotations

import inspect
import textwrap
import typing
from itertools import groupby
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from mllint.knowledge.fields import unwrap
from mllint.knowledge.loader import table_files
from mllint.knowledge.model import KnowledgeTables


def tables_reference() -> str:
    """Markdown: every file, every table, every key."""
    owners = table_files()
    lines: list[str] = []
    for file, tables in groupby(owners, key=lambda table: owners[table]):
        lines += [f"### `{file}`", ""]
        for table in tables:
            lines += _table(table, KnowledgeTables.model_fields[table])
    missing = [table for table in KnowledgeTables.model_fields if table not in owners]
    for table in missing:  # pragma: no cover - the loader refuses a knowledge without them
        lines += _table(table, KnowledgeTables.model_fields[table])
    return "\n".join(lines)


def _table(name: str, field: FieldInfo) -> list[str]:
    annotation, kind, _ = unwrap(field.annotation, field.metadata)
    if _is_model(annotation):
        return _model_section(f"[{name}]", annotation, field.description)
    entry = _entry_model(annotation)
    if entry is not None:
        return _model_section(f'[{name}."<name>"]', entry, field.description, entries=True)
    label = kind.label if kind is not None else _label(annotation)
    return [f"#### `[{name}]`", "", _text(field.description), "", f"Type: {label}.", ""]


def _model_section(header: str, model: type[BaseModel], description: str | None, entries: bool = False) -> list[str]:
    lines = [f"#### `{header}`", ""]
    about = _text(description) or _text(model.__doc__)
    if entries:
        about += " Each entry has these keys:"
    lines += [about, "", "| key | type | default | meaning |", "|---|---|---|---|"]
    nested: list[tuple[str, type[BaseModel], str | None]] = []
    for key, field in model.model_fields.items():
        annotation, kind, optional = unwrap(field.annotation, field.metadata)
        entry = _entry_model(annotation)
        if entry is not None:
            nested.append((key, entry, field.description))
            label = f'tables of `[{header.strip("[]")}.{key}."<name>"]`'
        else:
            label = kind.label if kind is not None else _label(annotation)
        lines.append(f"| `{key}` | {label} | {_default(field, optional)} | {_cell(field.description)} |")
    lines.append("")
    for key, entry, text in nested:
        lines += _model_section(f'[{header.strip("[]")}.{key}."<name>"]', entry, text, entries=True)
    return lines


def _is_model(annotation: Any) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, BaseModel)


def _entry_model(annotation: Any) -> type[BaseModel] | None:
    """The entry model of a table of sub-tables (``dict[str, Model]``)."""
    if typing.get_origin(annotation) is dict:
        value, _, _ = unwrap(typing.get_args(annotation)[1])
        if _is_model(value):
            return typing.cast(type[BaseModel], value)
    return None


def _label(annotation: Any) -> str:
    return getattr(annotation, "__name__", str(annotation))


def _default(field: FieldInfo, optional: bool) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value!r}`"


def _text(text: str | None) -> str:
    return " ".join(textwrap.dedent(text or "").split())


def _cell(text: str | None) -> str:
    return _text(text).replace("|", "\\|")
