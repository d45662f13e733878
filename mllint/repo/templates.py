"""Project-template sources in a tree: cookiecutter/copier folders and files named by Jinja expressions.

A folder such as ``{{ cookiecutter.repo_name }}/`` is the source a project generator renders, not a
project: its Python files hold Jinja (``{{ cookiecutter.module_name }}``) and fail to parse, and its
requirements, tests and CI belong to the generated project. By default they are left out of the
inventory (``templates = "skip"``); the run says so in one line and the scorecard marks what could not be
read as partly checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: A Jinja expression or statement in a path component (``{{ cookiecutter.x }}``, ``{% if ... %}``).
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


@dataclass
class TemplateSources:
    """Where template sources were found and how many files they hold."""

    roots: list[str] = field(default_factory=list)  # shallowest templated folders (or files), sorted
    files: int = 0


def split_templates(files: list[str]) -> tuple[list[str], TemplateSources]:
    """``files`` without the template sources, and what was set aside."""
    kept: list[str] = []
    found = TemplateSources()
    roots: set[str] = set()
    for rel in files:
        root = template_root(rel)
        if root is None:
            kept.append(rel)
        else:
            roots.add(root)
            found.files += 1
    found.roots = sorted(roots)
    return kept, found


def template_root(rel: str) -> str | None:
    """The shallowest Jinja-named component of ``rel`` and its parents (``a/{{ x }}``), or None."""
    parts = rel.split("/")
    for index, part in enumerate(parts):
        if JINJA.search(part):
            return "/".join(parts[: index + 1])
    return None
