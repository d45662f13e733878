"""``mllint new``: a new project from the bundled cookiecutter template.

``mllint new`` generates a twelve-factor project (``mllint fix --repo`` brings parts of the same
template into an existing repository: ``mllint/fix/repo.py``).

``template/`` in the source tree is the single source of truth; in an installed wheel it lives at
``mllint/_template`` (see pyproject's force-include). Generation goes through cookiecutter's API, so
``--no-input``, extra context and the template's hooks behave exactly as with ``cookiecutter``.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from mllint.core.paths import template_dir


class ScaffoldError(Exception):
    """The project could not be generated (bad answers, target exists, broken template)."""


def parse_context(pairs: list[str] | None) -> dict[str, str]:
    """``["key=value", ...]`` -> dict; a pair without ``=`` or with an empty key is an error."""
    context: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ScaffoldError(f"extra context must be key=value, got {pair!r}")
        context[key.strip()] = value
    return context


def split_arguments(arguments: list[str] | None) -> tuple[Path | None, dict[str, str]]:
    """``mllint new [DIR] [KEY=VALUE ...]``: the folder (the one argument without ``=``) and the answers."""
    folders = [arg for arg in arguments or [] if "=" not in arg]
    if len(folders) > 1:
        raise ScaffoldError(f"one folder at most, got {', '.join(repr(f) for f in folders)} (answers are KEY=VALUE)")
    answers = parse_context([arg for arg in arguments or [] if "=" in arg])
    return (Path(folders[0]) if folders else None), answers


def _git(cwd: Path, *args: str) -> str | None:
    """``git <args>`` in ``cwd``; None when git is missing or the command fails."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def template_origin(template: Path) -> dict[str, str]:
    """Where a template comes from, for the project's ``.cruft.json`` (private cookiecutter answers).

    The bundled template keeps its public repository as source; any template inside a git checkout
    records the commit it was generated from, which ``mllint new --update`` later merges from.
    """
    origin: dict[str, str] = {}
    top = _git(template, "rev-parse", "--show-toplevel")
    if top is None:
        return origin
    commit = _git(template, "rev-parse", "HEAD")
    if commit:
        origin["_template_commit"] = commit
    if template.resolve() != template_dir().resolve():
        origin["_template_source"] = str(Path(top).resolve())
        origin["_template_directory"] = template.resolve().relative_to(Path(top).resolve()).as_posix()
    return origin


def generate(directory: Path | None, *, no_input: bool = False, extra_context: dict[str, str] | None = None,
             overwrite: bool = False, template: Path | None = None) -> Path:
    """Generate a project and return its folder.

    With ``directory`` the project is created exactly there (its name becomes the default
    ``project_slug``); without it, in ``./<project_slug>``. ``template`` defaults to the bundled one.
    """
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.main import cookiecutter

    source = template or template_dir()
    context = {**template_origin(source), **(extra_context or {})}
    output_dir = Path.cwd()
    if directory is not None:
        target = directory.resolve()
        if "project_slug" in context and context["project_slug"] != target.name:
            raise ScaffoldError(
                f"project_slug={context['project_slug']!r} contradicts the target folder {target.name!r}"
            )
        context["project_slug"] = target.name
        output_dir = target.parent
        if target.exists() and not target.is_dir():
            raise ScaffoldError(f"{directory} exists and is not a folder")
        if target.is_dir() and any(target.iterdir()) and not overwrite:
            raise ScaffoldError(f"{directory} exists and is not empty (use --overwrite-if-exists)")
        overwrite = overwrite or target.is_dir()
        output_dir.mkdir(parents=True, exist_ok=True)
    # cookiecutter logs a traceback when a hook rejects the answers; the hook's own message suffices.
    cookiecutter_logger = logging.getLogger("cookiecutter")
    level = cookiecutter_logger.level
    cookiecutter_logger.setLevel(logging.CRITICAL)
    try:
        created = cookiecutter(
            str(source), no_input=no_input, extra_context=context or None,
            output_dir=str(output_dir), overwrite_if_exists=overwrite,
        )
    except CookiecutterException as exc:
        raise ScaffoldError(str(exc) or type(exc).__name__) from exc
    finally:
        cookiecutter_logger.setLevel(level)
    return Path(created)
