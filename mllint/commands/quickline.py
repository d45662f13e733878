"""A plain ``mllint check`` command line, read without typer.

Importing typer and building its commands is a third of a warm run's instructions, and the checks run
most often (pre-commit, CI, an editor's save) have plain command lines: paths and a few options. This
reads such a line into the :class:`~mllint.commands.check.CheckOptions` typer makes of it, and answers
None for anything else: ``--help``, the options that change files or keep running (``--fix``,
``--diff``, ``--add-ignore``, ``--watch``, ``--show-settings``), an option spelled in a way typer
accepts but this does not read (``-ojson``, ``-vj2``), a value typer would reject. typer reads those,
and reports their errors. ``OPTIONS`` stays equal to ``check``'s declarations in ``mllint/cli.py``: a
test compares the two, and what both make of many command lines.
"""

from __future__ import annotations

from pathlib import Path

from mllint.commands.check import SCOPES, CheckOptions
from mllint.output import FORMATS

#: The options of ``check`` read here: each name -> (its parameter, what it takes): ``flag`` (nothing),
#: ``text``, ``texts`` (one value per occurrence, all kept), ``path``, ``format``/``scope`` (one of
#: FORMATS/SCOPES) or ``jobs`` (an integer of at least 1).
OPTIONS: dict[str, tuple[str, str]] = {
    "--output-format": ("output_format", "format"), "-o": ("output_format", "format"),
    "--output-file": ("output_file", "path"),
    "--select": ("select", "texts"), "--extend-select": ("extend_select", "texts"), "--ignore": ("ignore", "texts"),
    "--exclude": ("exclude", "texts"), "--extend-exclude": ("extend_exclude", "texts"),
    "--config": ("config", "path"), "--only": ("only", "scope"), "--no-cache": ("no_cache", "flag"),
    "--cache-dir": ("cache_dir", "path"), "--jobs": ("jobs", "jobs"), "-j": ("jobs", "jobs"),
    "--exit-zero": ("exit_zero", "flag"), "--force-exclude": ("force_exclude", "flag"),
    "--baseline": ("baseline", "path"), "--no-baseline": ("no_baseline", "flag"),
    "--show-baselined": ("show_baselined", "flag"), "--changed-since": ("changed_since", "text"),
    "--verbose": ("verbose", "flag"), "-v": ("verbose", "flag"), "--statistics": ("statistics", "flag"),
}


def read(arguments: list[str]) -> CheckOptions | None:
    """The options of ``mllint check ARGUMENTS`` as typer reads them, or None when typer must read them."""
    options = CheckOptions()
    lists: dict[str, list[str]] = {}
    index, only_paths = 0, False
    while index < len(arguments):
        argument = arguments[index]
        index += 1
        if only_paths or argument == "-" or not argument.startswith("-"):
            if not argument:
                return None
            options.paths.append(Path(argument))
            continue
        if argument == "--":  # the rest are paths, whatever they look like
            only_paths = True
            continue
        name, equals, attached = argument.partition("=") if argument.startswith("--") else (argument, "", "")
        known = OPTIONS.get(name)
        if known is None:
            return None
        parameter, kind = known
        if kind == "flag":
            if equals:
                return None
            setattr(options, parameter, True)
            continue
        if equals:
            value = attached
        elif index < len(arguments):
            value = arguments[index]
            index += 1
        else:
            return None
        if not value or value.startswith("-"):  # typer's to read (or to report)
            return None
        if kind == "texts":
            lists.setdefault(parameter, []).append(value)
        elif kind == "path":
            setattr(options, parameter, Path(value))
        elif kind == "text":
            setattr(options, parameter, value)
        elif kind == "format" or kind == "scope":
            if value not in (FORMATS if kind == "format" else SCOPES):
                return None
            setattr(options, parameter, value)
        else:  # jobs
            try:
                jobs = int(value)
            except ValueError:
                return None
            if jobs < 1:
                return None
            setattr(options, parameter, jobs)
    for parameter, given in lists.items():
        setattr(options, parameter, given)
    return options
