"""A rule's options: declared without pydantic, validated by pydantic when a configuration sets them.

A rule's ``class Options(RuleOptions)`` declares annotated fields whose defaults are plain values or
:func:`option` declarations (a default, what it does, its bounds). ``Options()`` is the defaults and needs
nothing more: a run whose configuration sets no option never imports pydantic (0.15-0.2 s of CPU, a third
of a run that analyses one changed file). ``Options(**table)`` validates ``[tool.mllint.options.<rule>]`` (kebab-case
keys, unknown keys refused) through a pydantic model made from the same class body the first time
(:meth:`RuleOptions.validating_model`); a class written for pydantic (``Field`` defaults, validators) works too.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # pragma: no cover
    from pydantic import BaseModel

__all__ = ["Option", "OptionField", "RuleOptions", "option"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of an option that has none: the configuration must set it.
REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Option:
    """An option's declaration: its default (or a factory making it), its description and its bounds."""

    default: Any = REQUIRED
    description: str = ""
    default_factory: Callable[[], Any] | None = None
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    def value(self) -> Any:
        """A fresh default (``REQUIRED`` when there is none)."""
        return self.default_factory() if self.default_factory is not None else _fresh(self.default)

    def field(self) -> Any:
        """The pydantic ``Field`` of the validating model."""
        from pydantic import Field

        bounds = {name: bound for name in ("ge", "gt", "le", "lt") if (bound := getattr(self, name)) is not None}
        description = self.description or None
        if self.default_factory is not None:
            return Field(default_factory=self.default_factory, description=description, **bounds)
        return Field(... if self.default is REQUIRED else self.default, description=description, **bounds)


@dataclass(frozen=True)
class OptionField:
    """What the documentation says of an option: its key, its default and its description."""

    name: str
    key: str
    default: Any
    description: str


def option(default: Any = REQUIRED, description: str = "", *, default_factory: Callable[[], Any] | None = None,
           ge: float | None = None, gt: float | None = None, le: float | None = None, lt: float | None = None) -> Any:
    """Declare an option: ``size_threshold: int = option(1_000_000, "Bytes; ...", ge=1)``."""
    return Option(default, description, default_factory, ge, gt, le, lt)


class RuleOptions:
    """Base of a rule's ``Options``: kebab-case keys in ``[tool.mllint.options.<rule>]``, unknown keys refused.

    Instances hold the (validated) values as attributes and compare by them."""

    #: Field name -> its declaration (an :class:`Option`, a pydantic ``FieldInfo`` or a plain default).
    _declared: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = dict(cls._declared)
        for name, annotation in inspect.get_annotations(cls).items():  # the class's own, unevaluated
            if name.startswith("_") or str(annotation).replace("typing.", "").startswith("ClassVar"):
                continue
            if name in _RESERVED:
                raise TypeError(f"{cls.__qualname__}: an option cannot be named {name!r} (a method of RuleOptions)")
            declared[name] = cls.__dict__.get(name, REQUIRED)
        cls._declared = declared

    def __init__(self, **values: Any) -> None:
        if not values:
            defaults = {name: _default(declaration) for name, declaration in self._declared.items()}
            if not any(value is REQUIRED for value in defaults.values()):
                self.__dict__.update(defaults)
                return
        validated = type(self).validating_model()(**values)
        self.__dict__.update({name: getattr(validated, name) for name in type(validated).model_fields})

    @classmethod
    def option_fields(cls) -> list[OptionField]:
        """The declared options, in order (a class written for pydantic: its ``Field`` descriptions)."""
        return [OptionField(name, name.replace("_", "-"), _default(declaration),
                            str(getattr(declaration, "description", None) or ""))
                for name, declaration in cls._declared.items()]

    @classmethod
    def validating_model(cls) -> type[BaseModel]:
        """The pydantic model validating a configured table: this class's body on a pydantic base (made once)."""
        made = cls.__dict__.get("_model")
        if made is None:
            parent = next(base for base in cls.__mro__[1:] if issubclass(base, RuleOptions))
            base = _root_model() if parent is RuleOptions else parent.validating_model()
            namespace = {key: value.field() if isinstance(value, Option) else value for key, value in cls.__dict__.items()
                         if key not in ("_declared", "_model", "__dict__", "__weakref__")}
            made = type(cls.__name__, (base,), namespace)
            cls._model = made  # type: ignore[attr-defined]
        return made

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{name}={value!r}' for name, value in vars(self).items())})"


_RESERVED = frozenset(name for name in vars(RuleOptions) if not name.startswith("_"))


def _default(declaration: Any) -> Any:
    if isinstance(declaration, Option):
        return declaration.value()
    if type(declaration).__name__ == "FieldInfo" and type(declaration).__module__.startswith("pydantic"):
        # a Field(...) of a class written for pydantic
        from pydantic_core import PydanticUndefined

        default = declaration.get_default(call_default_factory=True)
        return REQUIRED if default is PydanticUndefined else default
    return _fresh(declaration)


def _fresh(value: Any) -> Any:
    return copy.deepcopy(value) if isinstance(value, (list, dict, set)) else value


@cache
def _root_model() -> type[BaseModel]:
    from pydantic import BaseModel, ConfigDict

    class Root(BaseModel):
        model_config = ConfigDict(extra="forbid", alias_generator=lambda name: name.replace("_", "-"),
                                  populate_by_name=True)

    return Root
