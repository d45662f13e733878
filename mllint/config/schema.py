"""The configuration schema: ``[tool.mllint]`` validated with pydantic (unknown keys are errors).

Used only when a configuration has to be validated (``mllint.config.settings.load_settings``): its
result is remembered across runs (``mllint/core/snapshots.py``), so a run with an unchanged
configuration imports neither this module nor pydantic. The field descriptions are the reference
of docs/configuration.md (``python -m mllint.docgen``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class SettingsModel(BaseModel):
    """The effective settings of one run (documented key by key in docs/configuration.md)."""

    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True)

    select: list[str] | None = Field(None, description="Rules to enable (codes, prefixes, names, ALL).")
    extend_select: list[str] = Field(default_factory=list, description="Rules enabled on top of select.")
    ignore: list[str] = Field(default_factory=list, description="Rules to disable.")
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict, description="Glob -> rules ignored there.")
    exclude: list[str] | None = Field(None, description="Paths/globs never checked (replaces the defaults).")
    extend_exclude: list[str] = Field(default_factory=list, description="Paths/globs excluded on top.")
    waivers: dict[str, str] = Field(default_factory=dict, description="Repository rule -> reason it is waived.")
    options: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Per-rule options by code or name.")
    knowledge: dict[str, Any] = Field(default_factory=dict, description="Extensions of the ML-library knowledge.")
    cache_dir: str | None = Field(None, description="Cache directory, a relative path inside the root (default .mllint_cache); only --cache-dir may point elsewhere.")
    jobs: int | None = Field(None, ge=1, le=256, description="Worker processes (default: CPU count; never more than the CPUs).")
    max_file_size: int = Field(5_000_000, ge=1, le=20_000_000, description="Bytes (at most 20 MB); larger code files are not parsed (ML0003).")
    project_url: str | None = Field(None, description="Base URL of mllint's documentation (its docs/ folder, e.g. an internal mirror): reports link each rule's page under it. Unset: they point to `mllint rule CODE`.")
    templates: Literal["skip", "check"] = Field("skip", description="Project-template sources (folders named `{{ cookiecutter.x }}`): skip them (one info line), or check them like code.")

    @field_validator("waivers")
    @classmethod
    def _reasons_required(cls, value: dict[str, str]) -> dict[str, str]:
        for key, reason in value.items():
            if not isinstance(reason, str) or not reason.strip():
                raise ValueError(f"waiver for {key!r} needs a non-empty reason string")
        return value
