"""Knowledge that rule plugins bring: their own tables (each with a model), and entries for built-in tables.

A plugin's TOML files (docs/plugins.md) may define new tables -- only those the plugin declares a
pydantic model for, and none a built-in file already defines -- and extend built-in tables the way
``[tool.mllint.knowledge]`` does (lists extended, tables merged), validated against the built-in
models. Problems are :class:`~mllint.knowledge.errors.KnowledgeError`\\ s naming the plugin's file and the
key; the catalogue turns them into an exit-2 error naming the plugin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mllint.knowledge.errors import KnowledgeError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from pydantic import BaseModel


@dataclass(frozen=True)
class PluginKnowledge:
    """One knowledge file of a plugin: where it is, how problems name it, and the plugin's table models."""

    path: Path
    source: str
    models: Mapping[str, type[BaseModel]] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        """The file's tables (raises :class:`KnowledgeError` when it is not readable TOML)."""
        from mllint.core.tomlsafe import TomlError, load_path

        try:
            return load_path(self.path)
        except TomlError as exc:
            raise KnowledgeError([Problem(self.source, "", f"cannot read TOML: {exc}")]) from None


def split(item: PluginKnowledge, builtin: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the plugin's own tables, its entries for built-in tables) of one file, validated; raises
    :class:`KnowledgeError` naming the file and the key of each problem."""
    from pydantic import ValidationError  # here: a run without plugins' tables never imports pydantic

    from mllint.knowledge.validate import check_extension

    own: dict[str, Any] = {}
    extension: dict[str, Any] = {}
    problems: list[Problem] = []
    for table, value in item.data().items():
        if table in builtin:
            extension[table] = value
        elif table in item.models:
            try:
                item.models[table].model_validate(value)
            except ValidationError as exc:
                for error in exc.errors(include_url=False):
                    key = ".".join(str(part) for part in (table, *error["loc"]))
                    problems.append(Problem(item.source, key, str(error["msg"])))
                continue
            own[table] = value
        else:
            problems.append(Problem(item.source, table, "unknown table: a plugin's own tables need a model "
                                                         "(Plugin(tables={name: Model}))"))
    if problems:
        raise KnowledgeError(problems)
    if extension:
        check_extension(extension, builtin, item.source)
    return own, extension


def with_plugins(builtin: Mapping[str, Any], plugins: Sequence[PluginKnowledge]) -> dict[str, Any]:
    """The built-in tables with every plugin's entries merged and its own tables added."""
    from mllint.knowledge.loader import merged

    result = dict(builtin)
    for item in plugins:
        own, extension = split(item, builtin)
        result = merged(result, extension)
        for table, value in own.items():
            if table in result:
                raise KnowledgeError([Problem(item.source, table, "table already defined by another plugin")])
            result[table] = value
    return result
