"""A rule's documentation, rendered from its catalogue entry (``mllint rule``, docs/rules/)."""

from __future__ import annotations

import textwrap

from mllint.catalogue.index import FACTORS
from mllint.catalogue.rule import Example, RepoExample, Rule


def _example_block(example: Example | RepoExample) -> str:
    if isinstance(example, RepoExample):
        parts = []
        for path, content in sorted(example.files.items()):
            body = content.rstrip("\n") or "(empty file)"
            if len(body) > 5000 or max(map(len, body.splitlines()), default=0) > 500:  # filler: start and size only
                body = f"{body[:80]}... ({len(content)} characters)"
            parts.append(f"# {path}\n{body}")
        if getattr(example, "options", None):
            parts.append("# (rule options: " + ", ".join(f"{k} = {v!r}" for k, v in example.options.items()) + ")")
        if not example.git:
            parts.append("# (not a git repository)")
        if not example.files:
            parts.append("# (an empty repository)")
        lang = "text"
        text = "\n\n".join(parts)
    elif example.cells is not None:
        lang = "python"
        text = "\n".join(f"# ── {example.path}, cell {i} ──\n{cell.rstrip()}" for i, cell in enumerate(example.cells))
    else:
        lang = "python"
        header = f"# {example.path}\n" if example.path not in ("train.py",) else ""
        text = header + textwrap.dedent(example.source).strip("\n")
    note = f"{example.note}:\n\n" if example.note else ""
    return f"{note}```{lang}\n{text}\n```"


def _diff(before: str, after: str) -> list[str]:
    """The whole example as a diff: unchanged lines with a space, removed with ``-``, added with ``+``."""
    import difflib

    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if not line.startswith("?")]


def rule_markdown(rule: type[Rule], limit: int | None = None) -> str:
    """Markdown page: What it does / Why is this bad? / Example / Use instead / How to fix."""
    factor = FACTORS.get(rule.factor, "")
    lines = [
        f"# {rule.code} `{rule.name}`",
        "",
        f"Factor {rule.factor} ({factor}) · {rule.kind} rule · default severity: {rule.severity}",
        "",
        "## What it does",
        "",
        textwrap.dedent(rule.summary).strip(),
        "",
        "## Why is this bad?",
        "",
        textwrap.dedent(rule.why).strip(),
        "",
    ]
    violating = list(rule.violating)[:limit] if limit else list(rule.violating)
    compliant = list(rule.compliant)[:limit] if limit else list(rule.compliant)
    if violating:
        lines += ["## Example", ""]
        for example in violating:
            lines += [_example_block(example), ""]
    if compliant:
        lines += ["## Use instead", ""]
        for example in compliant:
            lines += [_example_block(example), ""]
    lines += ["## How to fix", "", textwrap.dedent(rule.how_to_fix).strip(), ""]
    fixes = list(getattr(rule, "fixes", []) or [])
    if fixes:
        lines += ["## Automatic fix", "", "`mllint check --fix` applies safe fixes; unsafe ones need `--unsafe-fixes` "
                  "(see [Fixes](../fixes.md) in the docs).", ""]
        for fix in fixes:
            label = "unsafe" if fix.unsafe else "safe"
            note = f" ({fix.note})" if fix.note else ""
            lines += [f"{label.capitalize()} fix{note}:", "", "```diff",
                      *_diff(textwrap.dedent(fix.before).strip("\n"), textwrap.dedent(fix.after).strip("\n")), "```", ""]
    options = getattr(rule, "Options", None)
    if options is not None:
        lines += ["## Options", "", f"Set in `[tool.mllint.options.{rule.name}]`:", ""]
        for field in options.option_fields():
            lines.append(f"- `{field.key}` (default `{field.default!r}`): {field.description}")
        lines.append("")
    return "\n".join(lines)


__all__ = ["rule_markdown", "Example", "RepoExample"]
