"""Validating plain knowledge data against :class:`KnowledgeTables`, with pydantic's errors in plain words.

``check(plain, source_of)`` raises :class:`KnowledgeError` listing every problem as ``source: key.path:
expected a list of strings, got a string``; ``source_of(table)`` says which file (or the user's
configuration) a table came from. Importing this module imports the models (see ``model.py``).
"""

from __future__ import annotations

import difflib
import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from mllint.knowledge.errors import KnowledgeError, Problem
from mllint.knowledge.fields import Kind, describe, unwrap
from mllint.knowledge.model import KnowledgeTables

#: What a value of each basic type is called when it is missing or wrong.
_BASIC = {"list_type": "a list", "string_type": "a string", "dict_type": "a table", "model_type": "a table",
          "model_attributes_type": "a table", "int_type": "an integer", "bool_type": "true or false",
          "float_type": "a number"}
#: Most problems a single mistake causes (a string where a list of 40 strings was expected is one problem).
MAX_PROBLEMS = 20


def check(plain: Mapping[str, Any], source_of: Callable[[str], str]) -> None:
    """Validate every table of ``plain``; raise :class:`KnowledgeError` naming each problem."""
    try:
        tables = KnowledgeTables.model_validate(plain)
    except ValidationError as exc:
        problems = [_problem(error, source_of) for error in exc.errors(include_url=False)]
        raise KnowledgeError(problems[:MAX_PROBLEMS]) from None
    problems = [Problem(source_of(key.split(".", 1)[0]), key, message) for key, message in references(tables)]
    if problems:
        raise KnowledgeError(problems[:MAX_PROBLEMS])


def references(tables: KnowledgeTables) -> list[tuple[str, str]]:
    """Names one table uses that another must define: the RNGs of ``seeders`` and ``random_state_*``
    are ``[global_rngs]`` entries (or ``all``). Each problem as (key path, message)."""
    rngs = sorted(tables.global_rngs)
    expected = f"expected one of: {', '.join(['all', *rngs])}"
    found: list[tuple[str, str]] = []
    for name, seeded in tables.seeders.items():
        for index, rng in enumerate(seeded):
            if rng != "all" and rng not in tables.global_rngs:
                found.append((f"seeders.{name}[{index}]", f"unknown RNG {rng!r} ({expected})"))
    for table in ("random_state_callables", "random_state_methods"):
        for name, call in getattr(tables, table).items():
            if call.rng not in tables.global_rngs:
                found.append((f"{table}.{name}.rng", f"unknown RNG {call.rng!r} (expected one of: {', '.join(rngs)})"))
    return found


def check_extension(extension: Mapping[str, Any], base: Mapping[str, Any], source: str) -> None:
    """Validate what the user wrote, on its own (so a problem's key is the user's: ``kwargs[0]`` is their
    first item): a key the extension leaves out is only missing when ``base`` lacks it too."""
    try:
        KnowledgeTables.model_validate(extension)
    except ValidationError as exc:
        errors = [error for error in exc.errors(include_url=False)
                  if not (error["type"] == "missing" and _present(base, tuple(error["loc"])))]
        if errors:
            raise KnowledgeError([_problem(error, lambda table: source) for error in errors][:MAX_PROBLEMS]) from None


def _present(data: Any, loc: tuple[int | str, ...]) -> bool:
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return False
    return True


def key_path(loc: tuple[int | str, ...]) -> str:
    """``("splitters", "x.y", "kwargs", 0)`` → ``splitters.x.y.kwargs[0]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _problem(error: ErrorDetails, source_of: Callable[[str], str]) -> Problem:
    loc = tuple(error["loc"])
    table = str(loc[0]) if loc else ""
    return Problem(source_of(table), key_path(loc), _message(error, loc))


def _message(error: ErrorDetails, loc: tuple[int | str, ...]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "missing (this key is required)" if len(loc) > 1 else "missing table (no file defines it)"
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind in _BASIC:
        expected = _expected_at(loc) or _BASIC[kind]
        return f"expected {expected}, got {describe(error['input'])}"
    if kind == "greater_than_equal":
        return f"expected an integer from {error.get('ctx', {}).get('ge', 0)}, got {error['input']!r}"
    return str(error["msg"])


def _unknown_key(loc: tuple[int | str, ...]) -> str:
    owner = _model_at(loc[:-1])
    if owner is None:
        return "unknown key"
    names = list(owner.model_fields)
    what = "table" if owner is KnowledgeTables else "key"
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    if close:
        return f"unknown {what} (did you mean {close[0]!r}?)"
    if len(names) <= 12:
        return f"unknown {what} (expected one of: {', '.join(names)})"
    return f"unknown {what}"


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model whose fields the key at ``loc`` belongs to (None: not a model there)."""
    annotation, _ = _walk(loc)
    return annotation if inspect.isclass(annotation) and issubclass(annotation, BaseModel) else None


def _expected_at(loc: tuple[int | str, ...]) -> str | None:
    """How the value at ``loc`` is described (``a list of strings``), from its type's :class:`Kind`."""
    annotation, kind = _walk(loc)
    if kind is not None:
        return _article(kind.label)
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return "a table"
    return None


def _article(label: str) -> str:
    if label.startswith("table:"):
        return f"a table ({label.removeprefix('table:').strip()})"
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _walk(loc: tuple[int | str, ...]) -> tuple[Any, Kind | None]:
    """Follow ``loc`` from the top model through fields, table entries and list items."""
    annotation: Any = KnowledgeTables
    kind: Kind | None = None
    for part in loc:
        if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return None, None
            annotation, kind, _ = unwrap(field.annotation, field.metadata)
            continue
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is dict and len(args) == 2:
            annotation, kind, _ = unwrap(args[1])
        elif origin is list and args:
            annotation, kind, _ = unwrap(args[0])
        else:
            return None, None
    return annotation, kind
