"""Configuration: ``[tool.mllint]`` in pyproject.toml, or ``mllint.toml`` / ``.mllint.toml``.

Validated with pydantic (unknown keys are errors); CLI flags override file values. Every problem
raises :class:`ConfigError` naming the file, the key and what was expected; the CLI exits 2 on it.
See docs/configuration.md for the reference.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from mllint import __version__
from mllint.catalogue.loader import Catalogue, load_catalogue
from mllint.core.paths import PACKAGE_DIR, catalogue_dir
from mllint.core.patterns import PathPatterns
from mllint.knowledge.errors import KnowledgeError
from mllint.knowledge.loader import load_knowledge

CONFIG_FILES = ("mllint.toml", ".mllint.toml", "pyproject.toml")

DEFAULT_EXCLUDE = [
    ".git", ".hg", ".svn", ".venv", "venv", "virtualenv", ".tox", ".nox",
    "node_modules", "build", "dist", "site-packages", "__pycache__", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".eggs", "*.egg-info", ".ipynb_checkpoints", ".mllint_cache", ".dvc/cache",
    ".cache", "wandb", "mlruns",
]


class ConfigError(Exception):
    """Invalid configuration or usage; the message says where and what is expected."""


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class Settings(BaseModel):
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
    _compiled: list[tuple[PathPatterns, list[str]]] | None = PrivateAttr(None)

    @field_validator("waivers")
    @classmethod
    def _reasons_required(cls, value: dict[str, str]) -> dict[str, str]:
        for key, reason in value.items():
            if not isinstance(reason, str) or not reason.strip():
                raise ValueError(f"waiver for {key!r} needs a non-empty reason string")
        return value

    # -- derived ----------------------------------------------------------------------------------
    def excludes(self) -> list[str]:
        base = DEFAULT_EXCLUDE if self.exclude is None else self.exclude
        return [*base, *self.extend_exclude]

    def enabled_codes(self, catalogue: Catalogue) -> set[str]:
        if self.select is None:
            codes = {rule.code for rule in catalogue.rules if getattr(rule, "default_enabled", True)}
        else:
            codes = _expand_all(self.select, catalogue)
        codes |= _expand_all(self.extend_select, catalogue)
        return codes - _expand_all(self.ignore, catalogue)

    def ignored_for(self, path: str, catalogue: Catalogue) -> set[str]:
        """Codes ``per-file-ignores`` turns off for ``path`` (patterns in .gitignore semantics)."""
        codes: set[str] = set()
        for patterns, selectors in self._per_file_patterns():
            if patterns(path):
                codes |= _expand_all(selectors, catalogue)
        return codes

    def _per_file_patterns(self) -> list[tuple[PathPatterns, list[str]]]:
        if self._compiled is None:
            self._compiled = [(PathPatterns([pattern]), selectors) for pattern, selectors in self.per_file_ignores.items()]
        return self._compiled

    def waiver_for(self, code: str, catalogue: Catalogue) -> str | None:
        for selector, reason in self.waivers.items():
            if code in (catalogue.expand(selector) or ()):
                return reason
        return None

    def rule_options(self, rule: Any) -> Any:
        raw = self.options.get(rule.code) or self.options.get(rule.name) or {}
        if rule.Options is None:
            return raw or None
        return rule.Options(**raw)

    def fingerprint(self) -> str:
        """Hash of everything that changes per-file results: settings, version, rule sources."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, default=str)
        digest = hashlib.blake2b(payload.encode(), digest_size=16)
        digest.update(__version__.encode())
        digest.update(_code_stamp().encode())
        return digest.hexdigest()


_STAMP: list[str] = []


def _code_stamp() -> str:
    """Sizes and mtimes of mllint's own sources and rules: a cache from older code is never trusted."""
    if not _STAMP:
        rules = catalogue_dir()
        own = [path for path in PACKAGE_DIR.rglob("*.py") if "_template" not in path.relative_to(PACKAGE_DIR).parts]
        parts = []
        for path in sorted(own) + sorted(rules.glob("*.py")) + sorted((rules / "knowledge").glob("*.toml")):
            stat = path.stat()
            parts.append(f"{path.relative_to(path.parents[1])}:{stat.st_size}:{stat.st_mtime_ns}")
        _STAMP.append(hashlib.blake2b("|".join(parts).encode(), digest_size=8).hexdigest())
    return _STAMP[0]


def _expand_all(selectors: list[str], catalogue: Catalogue) -> set[str]:
    codes: set[str] = set()
    for selector in selectors:
        expanded = catalogue.expand(selector)
        if expanded is None:
            raise ConfigError(f"unknown rule selector {selector!r}")
        codes |= expanded
    return codes


def config_folders(root: Path) -> list[Path]:
    """Where a configuration file for ``root`` may be: the root, and its parents up to the enclosing git
    work tree's top (a monorepo's settings). Outside git only the root itself: a ``mllint.toml`` in a
    folder above the checked tree (a download folder, a home directory) is nobody's setting for it."""
    chain = [root, *root.parents]
    for index, folder in enumerate(chain):
        try:
            if os.path.lexists(folder / ".git"):
                return chain[:index + 1]
        except (OSError, ValueError):
            break
    return [root]


def find_config(root: Path) -> tuple[Path, dict[str, Any]] | None:
    """The first config file in ``root`` or its parents up to the git root (:func:`config_folders`)."""
    for folder in config_folders(root):
        for name in CONFIG_FILES:
            path = folder / name
            if not path.is_file():
                continue
            data = read_toml(path)
            if name == "pyproject.toml":
                tool = data.get("tool", {})
                if isinstance(tool, dict) and "mllint" in tool:
                    return path, tool["mllint"]
                continue
            return path, data
    return None


def read_toml(path: Path) -> dict[str, Any]:
    from mllint.core.tomlsafe import TomlError, load_path

    try:
        return load_path(path)
    except TomlError as exc:
        raise ConfigError(f"{path}: cannot read TOML: {exc}") from None


def _format_error(source: str, error: ValidationError) -> str:
    lines = [f"invalid configuration in {source}:"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            fields = ", ".join(sorted(f.alias or n for n, f in Settings.model_fields.items()))
            message = f"unknown key (expected one of: {fields})"
        lines.append(f"  key '{key}': {message}")
    return "\n".join(lines)


def load_settings(root: Path, config_file: Path | None = None, overrides: dict[str, Any] | None = None) -> tuple[Settings, Path | None]:
    """Read the config for ``root`` (or ``config_file``), apply CLI overrides and validate everything."""
    catalogue = load_catalogue()
    source_path: Path | None = None
    raw: dict[str, Any] = {}
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"config file {config_file} does not exist")
        data = read_toml(config_file)
        if config_file.name == "pyproject.toml":
            data = data.get("tool", {}).get("mllint", {})
        source_path, raw = config_file, data
    else:
        found = find_config(root)
        if found:
            source_path, raw = found
    if not isinstance(raw, dict):
        raise ConfigError(f"{source_path}: [tool.mllint] must be a table")
    where = f"{source_path} [tool.mllint]" if source_path and source_path.name == "pyproject.toml" else str(source_path)
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_error(where, exc)) from None
    _check_cache_dir(settings.cache_dir, where)
    if overrides:
        merged = settings.model_dump(by_alias=False)
        for key, value in overrides.items():
            if value is None:
                continue
            if key in ("ignore", "extend_select", "extend_exclude"):
                merged[key] = [*merged[key], *value]
            else:
                merged[key] = value
        try:
            settings = Settings.model_validate(merged)
        except ValidationError as exc:
            raise ConfigError(_format_error("command-line options", exc)) from None
    validate_against_catalogue(settings, catalogue, where if source_path else "command-line options")
    return settings, source_path


def _check_cache_dir(value: str | None, where: str) -> None:
    """A configuration file (part of the checked repository) may not choose where mllint writes outside
    the root: its ``cache-dir`` is a relative path that stays inside (``--cache-dir`` may go anywhere)."""
    if value is None:
        return
    path = PurePosixPath(value.replace("\\", "/"))
    if path.is_absolute() or PureWindowsPath(value).is_absolute() or PureWindowsPath(value).drive or ".." in path.parts:
        raise ConfigError(f"invalid configuration in {where}:\n  key 'cache-dir': must be a relative path inside the "
                          f"checked directory (got {value!r}); use --cache-dir on the command line to put the cache elsewhere")


def validate_against_catalogue(settings: Settings, catalogue: Catalogue, where: str) -> None:
    """Selectors, waivers and per-rule options must name real rules with valid options; knowledge
    extensions must fit the knowledge tables' models."""
    validate_knowledge(settings, where, catalogue)
    checks: list[tuple[str, list[str]]] = [
        ("select", settings.select or []),
        ("extend-select", settings.extend_select),
        ("ignore", settings.ignore),
        ("waivers", list(settings.waivers)),
    ]
    checks += [(f"per-file-ignores.{glob}", sel) for glob, sel in settings.per_file_ignores.items()]
    expected = "a rule code (ML0301), a code prefix (ML03), a rule name (hardcoded-split) or ALL"
    for key, selectors in checks:
        for selector in selectors:
            if not isinstance(selector, str) or catalogue.expand(selector) is None:
                raise ConfigError(f"invalid configuration in {where}:\n  key '{key}': unknown rule selector {selector!r} (expected {expected})")
    for key, value in settings.options.items():
        rule = catalogue.get(key)
        if rule is None:
            raise ConfigError(f"invalid configuration in {where}:\n  key 'options.{key}': unknown rule (expected a rule code or name)")
        if rule.Options is None and value:
            raise ConfigError(f"invalid configuration in {where}:\n  key 'options.{key}': rule {rule.code} ({rule.name}) takes no options")
        try:
            settings.rule_options(rule)
        except (ValidationError, TypeError) as exc:
            detail = exc.errors() if isinstance(exc, ValidationError) else [{"loc": (), "msg": str(exc)}]
            parts = "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in detail)
            raise ConfigError(f"invalid configuration in {where}:\n  key 'options.{key}': {parts}") from None


def validate_knowledge(settings: Settings, where: str, catalogue: Catalogue | None = None) -> None:
    """The built-in knowledge, the plugins' and ``[tool.mllint.knowledge]`` merged into it must validate
    (``mllint/knowledge/model.py``, the plugins' models); a problem of the user's is named
    ``knowledge.<table>.<key>``."""
    try:
        load_knowledge(settings.knowledge, catalogue.knowledge_sources() if catalogue is not None else ())
    except KnowledgeError as exc:
        builtin = [str(problem) for problem in exc.problems if problem.source]
        if builtin:
            raise ConfigError("invalid built-in knowledge:\n  " + "\n  ".join(builtin)) from None
        lines = [f"  key 'knowledge.{problem.key}': {problem.message}" if problem.key else f"  key 'knowledge': {problem.message}"
                 for problem in exc.problems]
        raise ConfigError(f"invalid configuration in {where}:\n" + "\n".join(lines)) from None
