"""Configuration: ``[tool.mllint]`` in pyproject.toml, or ``mllint.toml`` / ``.mllint.toml``.

Validated with pydantic (``schema.py``; unknown keys are errors) the first time a configuration is
seen, then remembered (``mllint/core/snapshots.py``); CLI flags override file values. Every problem
raises :class:`ConfigError` naming the file, the key and what was expected; the CLI exits 2 on it.
See docs/configuration.md for the reference.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any, Literal

from mllint import __version__
from mllint.core.hashing import blake2b
from mllint.core.patterns import PathPatterns
from mllint.core.stamp import code_stamp

if TYPE_CHECKING:  # pragma: no cover
    from pydantic import ValidationError

    from mllint.catalogue.index import Selectors
    from mllint.catalogue.loader import Catalogue

CONFIG_FILES = ("mllint.toml", ".mllint.toml", "pyproject.toml")

DEFAULT_EXCLUDE = [
    ".git", ".hg", ".svn", ".venv", "venv", "virtualenv", ".tox", ".nox",
    "node_modules", "build", "dist", "site-packages", "__pycache__", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".eggs", "*.egg-info", ".ipynb_checkpoints", ".mllint_cache", ".dvc/cache",
    ".cache", "wandb", "mlruns",
]


class ConfigError(Exception):
    """Invalid configuration or usage; the message says where and what is expected."""


@dataclass
class Settings:
    """The effective settings of one run: the validated form of ``[tool.mllint]`` and the command line
    (keys documented in docs/configuration.md; validated by :class:`mllint.config.schema.SettingsModel`)."""

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] | None = None
    extend_exclude: list[str] = field(default_factory=list)
    waivers: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    knowledge: dict[str, Any] = field(default_factory=dict)
    cache_dir: str | None = None
    jobs: int | None = None
    max_file_size: int = 5_000_000
    project_url: str | None = None
    templates: Literal["skip", "check"] = "skip"
    _compiled: list[tuple[PathPatterns, list[str]]] | None = field(default=None, init=False, repr=False, compare=False)

    def to_json(self, by_alias: bool = False) -> dict[str, Any]:
        """The settings as JSON data (keys as in the configuration file with ``by_alias``)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        data = json.loads(json.dumps(data, default=str))  # deep copy, as JSON sees it
        return {key.replace("_", "-"): value for key, value in data.items()} if by_alias else data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        """Settings from :meth:`to_json` output that was validated before (a snapshot)."""
        names = {f.name for f in fields(cls) if f.init}
        if not isinstance(data, dict) or set(data) != names:
            raise ValueError("not a settings record")
        return cls(**data)

    # -- derived ----------------------------------------------------------------------------------
    def excludes(self) -> list[str]:
        base = DEFAULT_EXCLUDE if self.exclude is None else self.exclude
        return [*base, *self.extend_exclude]

    def enabled_codes(self, catalogue: Selectors) -> set[str]:
        if self.select is None:
            codes = {rule.code for rule in catalogue.rules if getattr(rule, "default_enabled", True)}
        else:
            codes = _expand_all(self.select, catalogue)
        codes |= _expand_all(self.extend_select, catalogue)
        return codes - _expand_all(self.ignore, catalogue)

    def ignored_for(self, path: str, catalogue: Selectors) -> set[str]:
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

    def waiver_for(self, code: str, catalogue: Selectors) -> str | None:
        for selector, reason in self.waivers.items():
            if code in (catalogue.expand(selector) or ()):
                return reason
        return None

    def rule_options(self, rule: Any) -> Any:
        raw = self.options.get(rule.code) or self.options.get(rule.name) or {}
        if rule.Options is None:
            return raw or None
        return rule.Options(**raw)  # the defaults without pydantic when nothing is configured

    def fingerprint(self) -> str:
        """Hash of everything that changes per-file results: settings, version, rule sources."""
        payload = json.dumps(self.to_json(), sort_keys=True, default=str)
        digest = blake2b(payload.encode(), digest_size=16)
        digest.update(__version__.encode())
        digest.update(code_stamp().encode())
        return digest.hexdigest()


def _expand_all(selectors: list[str], catalogue: Selectors) -> set[str]:
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
            if name == "pyproject.toml":
                content = _content(path)
                seen = _content_key(content) if content is not None else None
                if seen is not None and _known_without_table(seen):
                    continue  # parsed by an earlier run, byte for byte the same: no [tool.mllint]
                data = read_toml(path, content)
                tool = data.get("tool", {})
                if isinstance(tool, dict) and "mllint" in tool:
                    return path, tool["mllint"]
                if seen is not None:
                    _remember_without_table(seen)
                continue
            return path, read_toml(path)
    return None


def _content(path: Path) -> bytes | None:
    """A pyproject.toml's bytes (None when they cannot be read: reading it as TOML then says why)."""
    from mllint.core.tomlsafe import TomlError, read_path

    try:
        return read_path(path)
    except TomlError:
        return None


def _content_key(content: bytes) -> str:
    """The key of a pyproject.toml's exact bytes."""
    from mllint.core import snapshots

    return snapshots.key_of("pyproject", code_stamp(), content)


def _known_without_table(key: str) -> bool:
    """Most projects' pyproject.toml has no [tool.mllint]: an earlier run that parsed these bytes and
    found none remembered it (the user's cache), so a warm run needs no TOML parser for it. Only a
    file that parsed is remembered: a malformed one is read (and reported) every time."""
    from mllint.core import snapshots

    return snapshots.load("pyproject", key) is False


def _remember_without_table(key: str) -> None:
    from mllint.core import snapshots

    snapshots.save("pyproject", key, False)


def read_toml(path: Path, content: bytes | None = None) -> dict[str, Any]:
    """A configuration file's TOML (``content``: its bytes, when already read); raises ConfigError."""
    from mllint.core.tomlsafe import TomlError, load_bytes, load_path

    try:
        return load_bytes(content) if content is not None else load_path(path)
    except TomlError as exc:
        raise ConfigError(f"{path}: cannot read TOML: {exc}") from None


def _format_error(source: str, error: ValidationError) -> str:
    from mllint.config.schema import SettingsModel

    lines = [f"invalid configuration in {source}:"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            names = ", ".join(sorted(f.alias or n for n, f in SettingsModel.model_fields.items()))
            message = f"unknown key (expected one of: {names})"
        lines.append(f"  key '{key}': {message}")
    return "\n".join(lines)


def load_settings(root: Path, config_file: Path | None = None, overrides: dict[str, Any] | None = None) -> tuple[Settings, Path | None]:
    """Read the config for ``root`` (or ``config_file``), apply CLI overrides and validate everything.

    A configuration validated before (same file content, same overrides, same mllint) is taken from
    its snapshot in the user's cache directory: neither pydantic nor the rule modules are imported."""
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
    from mllint.core import snapshots

    key = snapshots.key_of("settings", code_stamp(), str(source_path), json.dumps(raw, sort_keys=True, default=repr),
                           json.dumps(overrides or {}, sort_keys=True, default=repr))
    remembered = snapshots.load("settings", key)
    if remembered is not None:
        try:
            return Settings.from_json(remembered), source_path
        except (TypeError, ValueError):
            pass
    settings = _validate(raw, source_path, overrides)
    snapshots.save("settings", key, settings.to_json())
    return settings, source_path


def _validate(raw: dict[str, Any], source_path: Path | None, overrides: dict[str, Any] | None) -> Settings:
    from pydantic import ValidationError

    from mllint.catalogue.loader import load_catalogue
    from mllint.config.schema import SettingsModel

    where = f"{source_path} [tool.mllint]" if source_path and source_path.name == "pyproject.toml" else str(source_path)
    try:
        model = SettingsModel.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_error(where, exc)) from None
    _check_cache_dir(model.cache_dir, where)
    if overrides:
        merged = model.model_dump(by_alias=False)
        for key, value in overrides.items():
            if value is None:
                continue
            if key in ("ignore", "extend_select", "extend_exclude"):
                merged[key] = [*merged[key], *value]
            else:
                merged[key] = value
        try:
            model = SettingsModel.model_validate(merged)
        except ValidationError as exc:
            raise ConfigError(_format_error("command-line options", exc)) from None
    settings = Settings(**model.model_dump(by_alias=False))
    validate_against_catalogue(settings, load_catalogue(), where if source_path else "command-line options")
    return settings


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
    from pydantic import ValidationError

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
    from mllint.knowledge.errors import KnowledgeError
    from mllint.knowledge.loader import load_knowledge

    try:
        load_knowledge(settings.knowledge, catalogue.knowledge_sources() if catalogue is not None else ())
    except KnowledgeError as exc:
        builtin = [str(problem) for problem in exc.problems if problem.source]
        if builtin:
            raise ConfigError("invalid built-in knowledge:\n  " + "\n  ".join(builtin)) from None
        lines = [f"  key 'knowledge.{problem.key}': {problem.message}" if problem.key else f"  key 'knowledge': {problem.message}"
                 for problem in exc.problems]
        raise ConfigError(f"invalid configuration in {where}:\n" + "\n".join(lines)) from None
