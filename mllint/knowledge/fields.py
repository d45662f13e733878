"""The value types knowledge tables are made of: lists of names, regular expressions, name maps.

The tables are validated in pydantic's strict mode (a number is not a string, a string is not a
list). Each type here carries a :class:`Kind`, the words an error message and the generated
reference (docs/knowledge.md) use for it ("expected a list of strings"). Values are kept as the
TOML holds them: rules read the same plain lists and dicts.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator
from pydantic_core import PydanticCustomError


@dataclass(frozen=True)
class Kind:
    """How messages and the reference name a value type: ``list of strings``."""

    label: str


def unwrap(annotation: Any, metadata: Sequence[Any] = ()) -> tuple[Any, Kind | None, bool]:
    """A field's type without ``Annotated`` and ``| None``: (type, its :class:`Kind` if any, optional?)."""
    extra = list(metadata)
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            args = typing.get_args(annotation)
            annotation, extra = args[0], [*extra, *args[1:]]
        elif origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(annotation):
            rest = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(rest) != 1:
                break
            annotation, optional = rest[0], True
        else:
            break
    kinds = [item for item in extra if isinstance(item, Kind)]
    return annotation, (kinds[0] if kinds else None), optional


def describe(value: object) -> str:
    """A value's TOML kind with its article: ``a number``, ``a table``..."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise PydanticCustomError("knowledge_regex", "expected a regular expression, {pattern} does not compile: {reason}",
                                  {"pattern": repr(pattern), "reason": str(exc)}) from None
    return pattern


def _literals(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PydanticCustomError("knowledge_literals", "expected a table of literal values, got {got}",
                                  {"got": describe(value)})
    for key, item in value.items():
        if not isinstance(item, (str, int, float)):
            raise PydanticCustomError("knowledge_literals", "expected a literal (string, number or boolean) for {key!r}, "
                                      "got {got}", {"key": key, "got": describe(item)})
    return value


def _tables(value: object) -> object:
    if not isinstance(value, dict):
        raise PydanticCustomError("knowledge_tables", "expected a table of tables, got {got}", {"got": describe(value)})
    return value


#: Dotted names, module prefixes, file names, words: ``["sklearn.model_selection.train_test_split"]``.
Strings = Annotated[list[str], Kind("list of strings")]
#: One string (a method name, a keyword, the fix shown in a message).
Text = Annotated[str, Kind("string")]
#: A Python regular expression; refused when it does not compile.
Regex = Annotated[str, AfterValidator(_compiles), Kind("regular expression")]
#: Python regular expressions; each must compile.
Regexes = Annotated[list[Regex], Kind("list of regular expressions")]
#: The position of an argument (0 = the first).
Position = Annotated[int, Field(ge=0), Kind("position (integer from 0)")]
#: Positions of arguments.
Positions = Annotated[list[Position], Kind("list of positions")]
#: A switch.
Flag = Annotated[bool, Kind("boolean")]
#: A number (integer or decimal).
Number = Annotated[float, Kind("number")]
#: ``"name" = "other name"``.
StringMap = Annotated[dict[str, str], Kind("table: name → string")]
#: ``"name" = ["a", "b"]``.
StringsMap = Annotated[dict[str, Strings], Kind("table: name → list of strings")]
#: ``"name" = 0``: argument positions by name.
PositionMap = Annotated[dict[str, Position], Kind("table: name → position")]
#: ``{shuffle = true}``: keyword arguments and the literal values they are compared with.
Literals = Annotated[dict[str, Any], PlainValidator(_literals), Kind("table: keyword → literal")]
#: Put on ``dict[str, Model]`` fields (tables of sub-tables such as ``[splitters."<name>"]``).
Entries = BeforeValidator(_tables)


class Table(BaseModel):
    """A knowledge table (or one entry of a table of sub-tables): strict types, unknown keys refused."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, protected_namespaces=(), defer_build=True)
