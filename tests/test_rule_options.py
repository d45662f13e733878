"""Rule options (mllint/catalogue/options.py): defaults without pydantic, a configured table validated by it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import Field, ValidationError, field_validator

from mllint.catalogue.options import REQUIRED, OptionField, RuleOptions, option


class Sizes(RuleOptions):
    """Options of a made-up rule."""

    size_threshold: int = option(1_000, "Bytes.", ge=1)
    ratio: float = option(0.5, "A share.", gt=0, lt=1)
    names: list[str] = option(default_factory=lambda: ["main"], description="Names left alone.")
    select: list[str] | None = option(None, "Codes.")
    strict: bool = False


class MoreSizes(Sizes):
    extra: int = option(3, "One more.", le=10)


class WrittenForPydantic(RuleOptions):
    """Options declared as they were when RuleOptions was a pydantic model: Field defaults, a validator."""

    limit: int = Field(5, ge=0, description="A limit.")
    tags: list[str] = Field(default_factory=list, description="Tags.")

    @field_validator("tags")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [tag.lower() for tag in value]


class Required(RuleOptions):
    path: str = option(description="No default: the configuration must set it.")


def test_defaults_are_the_declared_values_and_fresh_per_instance():
    first, second = Sizes(), Sizes()
    assert vars(first) == {"size_threshold": 1_000, "ratio": 0.5, "names": ["main"], "select": None, "strict": False}
    assert first == second and first.names is not second.names
    first.names.append("cli")
    assert Sizes().names == ["main"]
    assert vars(MoreSizes()) == {**vars(Sizes()), "extra": 3}
    assert Sizes() != MoreSizes() and repr(Sizes()).startswith("Sizes(size_threshold=1000, ")


def test_a_configured_table_is_validated_with_kebab_case_keys():
    options = Sizes(**{"size-threshold": "2000", "strict": True, "names": ["run"]})
    assert (options.size_threshold, options.strict, options.names, options.ratio) == (2000, True, ["run"], 0.5)
    assert isinstance(options, Sizes) and options == Sizes(size_threshold=2000, strict=True, names=["run"])
    with pytest.raises(ValidationError) as bounds:
        Sizes(**{"size-threshold": 0})
    assert bounds.value.errors()[0]["loc"] == ("size-threshold",)
    with pytest.raises(ValidationError, match="less than 1"):
        Sizes(ratio=1.5)
    with pytest.raises(ValidationError) as unknown:
        Sizes(**{"size-treshold": 10})
    assert unknown.value.errors()[0]["loc"] == ("size-treshold",) and unknown.value.errors()[0]["type"] == "extra_forbidden"
    assert MoreSizes(**{"size-threshold": 5, "extra": 10}).size_threshold == 5
    with pytest.raises(ValidationError):
        MoreSizes(extra=11)


def test_a_class_written_for_pydantic_keeps_its_defaults_and_validators():
    assert vars(WrittenForPydantic()) == {"limit": 5, "tags": []}
    assert WrittenForPydantic(tags=["A", "b"]).tags == ["a", "b"]
    with pytest.raises(ValidationError):
        WrittenForPydantic(limit=-1)
    assert [field.description for field in WrittenForPydantic.option_fields()] == ["A limit.", "Tags."]


def test_an_option_without_a_default_must_be_configured():
    with pytest.raises(ValidationError) as missing:
        Required()
    assert missing.value.errors()[0]["loc"] == ("path",)
    assert Required(path="data").path == "data"
    assert Required.option_fields()[0].default is REQUIRED


def test_fields_document_keys_defaults_and_descriptions():
    assert MoreSizes.option_fields() == [
        OptionField("size_threshold", "size-threshold", 1_000, "Bytes."),
        OptionField("ratio", "ratio", 0.5, "A share."),
        OptionField("names", "names", ["main"], "Names left alone."),
        OptionField("select", "select", None, "Codes."),
        OptionField("strict", "strict", False, ""),
        OptionField("extra", "extra", 3, "One more."),
    ]


def test_declaring_and_defaulting_options_imports_no_pydantic():
    code = ("import sys\nfrom mllint.catalogue.options import RuleOptions, option\n"
            "class O(RuleOptions):\n    a: int = option(1, 'x', ge=0)\n    b: list[str] = option(default_factory=list)\n"
            "assert vars(O()) == {'a': 1, 'b': []}\nassert 'pydantic' not in sys.modules, 'imported pydantic'\n"
            "O(a=2)\nassert 'pydantic' in sys.modules\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_an_option_may_be_named_model_but_not_like_a_method_of_rule_options():
    class Architecture(RuleOptions):
        model: str = option("resnet", "The architecture.")

    assert Architecture().model == "resnet" and Architecture(model="vit").model == "vit"
    with pytest.raises(TypeError, match="option_fields"):
        class Clash(RuleOptions):  # noqa: F841 - made to fail
            option_fields: int = 1
