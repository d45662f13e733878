"""``mllint new``: a new project from the bundled cookiecutter template.

``mllint new`` generates a twelve-factor project (``mllint fix --repo`` brings parts of the same
template into an existing repository: ``mllint/fix/repo.py``).

``template/`` in the source tree is the single source of truth; in an installed wheel it lives at
``mllint/_template`` (see pyproject's force-include). Generation goes through cookiecutter's API, so
``--no-input``, extra context and the template's hooks behave exactly as with ``cookiecutter``.
"""

from __future__ import annotations

import logging
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


def generate(directory: Path | None, *, no_input: bool = False, extra_context: dict[str, str] | None = None,
             overwrite: bool = False) -> Path:
    """Generate a project and return its folder.

    With ``directory`` the project is created exactly there (its name becomes the default
    ``project_slug``); without it, in ``./<project_slug>``.
    """
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.main import cookiecutter

    context = dict(extra_context or {})
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
            str(template_dir()), no_input=no_input, extra_context=context or None,
            output_dir=str(output_dir), overwrite_if_exists=overwrite,
        )
    except CookiecutterException as exc:
        raise ScaffoldError(str(exc) or type(exc).__name__) from exc
    finally:
        cookiecutter_logger.setLevel(level)
    return Path(created)
