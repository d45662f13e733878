"""The ``check`` command's work without the CLI framework: its options in, its exit code out.

typer (``mllint/cli.py``) parses ``mllint check``'s command line and hands the options here, and so does
``mllint/commands/quickline.py``, which reads a plain command line without importing typer (a third of a warm
run's instructions). Exit codes (a public promise, docs/cli.md): 0 no findings, 1 findings, 2 usage,
configuration or internal error; 130 after Ctrl-C.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import Only as Scope
    from mllint.engine.run import RunResult
    from mllint.engine.session import Session

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
INTERRUPTED = 130  # as shells report SIGINT
#: ``--only``'s values (the engine's ``Only``).
SCOPES = ("all", "code", "repo")


@dataclass
class CheckOptions:
    """``mllint check``'s options, as parsed from its command line (docs/cli.md)."""

    paths: list[Path] = field(default_factory=list)
    output_format: str = "text"
    output_file: Optional[Path] = None
    select: Optional[list[str]] = None
    extend_select: Optional[list[str]] = None
    ignore: Optional[list[str]] = None
    exclude: Optional[list[str]] = None
    extend_exclude: Optional[list[str]] = None
    config: Optional[Path] = None
    only: Scope = "all"
    no_cache: bool = False
    cache_dir: Optional[Path] = None
    jobs: Optional[int] = None
    exit_zero: bool = False
    force_exclude: bool = False
    show_settings: bool = False
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    baseline: Optional[Path] = None
    no_baseline: bool = False
    show_baselined: bool = False
    changed_since: Optional[str] = None
    add_ignore: bool = False
    watch: bool = False
    verbose: bool = False
    statistics: bool = False


class CommandError(Exception):
    """A usage, configuration or environment problem: said on stderr, and the exit code is 2."""


class Exit(Exception):
    """The command ends here with ``code`` (what it had to say is said)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def say(message: str) -> None:
    """A message on stderr; text from the checked repository in it cannot start a line of its own
    (CI runners read stderr for workflow commands too): each line goes through ``log_line``."""
    from mllint.output.escape import log_line

    sys.stderr.write("\n".join(log_line(line) for line in message.split("\n")) + "\n")
    sys.stderr.flush()


def echo(text: str) -> None:
    """A line on stdout."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run_check(options: CheckOptions) -> int:
    """Check a repository (or files) and report violations of the twelve factors: the exit code."""
    try:
        return _check(options)
    except CommandError as exc:
        say(f"mllint: error: {exc}")
        return EXIT_ERROR
    except Exit as done:
        return done.code


def _check(o: CheckOptions) -> int:
    from mllint.catalogue.index import CatalogueError
    from mllint.config.settings import ConfigError
    from mllint.engine.session import Session
    from mllint.output import render

    root, files = resolve_targets(o.paths)
    overrides = {
        "select": split_values(o.select), "extend_select": split_values(o.extend_select), "ignore": split_values(o.ignore),
        "exclude": split_values(o.exclude), "extend_exclude": split_values(o.extend_exclude),
        "cache_dir": str(o.cache_dir.resolve()) if o.cache_dir else None, "jobs": o.jobs,
    }
    try:
        session = Session.load(root, o.config, overrides)
    except (ConfigError, CatalogueError) as exc:
        raise CommandError(str(exc))
    settings = session.settings
    if o.verbose:
        say(f"mllint: root {root}; configuration: {session.config_file or 'none found (defaults)'}")
    if o.show_settings:
        data = settings.to_json(by_alias=True)
        source = session.config_file
        echo(json.dumps({"root": str(root), "config_file": str(source) if source else None, "settings": data}, indent=2))
        return EXIT_OK
    if o.force_exclude and files is not None:
        from mllint.core.patterns import PathPatterns

        excluded = PathPatterns(settings.excludes())
        files = [rel for rel in files if not excluded(rel)]
    use_cache = not o.no_cache
    if o.watch:
        if o.statistics:
            raise CommandError("--watch prints the report; it does not combine with --statistics")
        if o.fix or o.diff or o.add_ignore or o.output_file is not None:
            raise CommandError("--watch prints the report to the terminal; it does not combine with --fix, --diff, --add-ignore or --output-file")
        _watch(root, files, o.config, overrides, o.output_format, o.only, use_cache, o.baseline, o.no_baseline, o.changed_since)
    from mllint.output.progress import progress_bar

    errors: list[str] = []  # writes that failed: the report is still printed, and the exit code is 2
    try:
        with progress_bar(o.output_format) as progress:
            result = session.check(files, only=o.only, use_cache=use_cache, progress=progress)
        if o.fix or o.diff:
            result = _apply_fixes(session, result, files, o.only, write=o.fix and not o.diff, unsafe=o.unsafe_fixes,
                                  use_cache=use_cache, errors=errors)
    except KeyboardInterrupt:
        say("mllint: interrupted")
        return INTERRUPTED
    result = _adopt(session, result, files, o.only, o.baseline, o.no_baseline, o.changed_since, o.add_ignore, use_cache,
                    errors)
    for notice in result.notices:
        say(f"mllint: notice: {notice}")
    failing = list(result.findings)
    if o.show_baselined:
        from mllint.adopt.apply import reveal

        reveal(result)
    from mllint.output.escape import unicode_text

    color = o.output_file is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    if o.statistics:
        from mllint.output import statistics as stats

        if o.output_format not in ("text", "concise", "json"):
            raise CommandError("--statistics prints a text table or, with -o json, a JSON list")
        report = unicode_text(stats.render(result, as_json=o.output_format == "json"))
    else:
        report = unicode_text(render(o.output_format, result, color=color))  # every format is UTF-8
    if o.output_file is not None:
        from mllint.core.writes import atomic_write, lexically_inside

        try:  # a report written into the checked tree must stay in it (a committed symlink cannot redirect it)
            atomic_write(o.output_file, report, confine=root if lexically_inside(o.output_file, root) else None)
        except OSError as exc:
            raise CommandError(f"--output-file: {exc}")
    else:
        sys.stdout.write(report)
    for error in errors:
        say(f"mllint: error: {error}")
    if errors:
        return EXIT_ERROR
    return EXIT_OK if o.exit_zero or not failing else EXIT_FINDINGS


def split_values(values: Optional[list[str]]) -> Optional[list[str]]:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def resolve_targets(paths: list[Path]) -> tuple[Path, Optional[list[str]]]:
    """One directory → (that root, None: full check). Files → (cwd, their relative paths: code rules only)."""
    if not paths:
        paths = [Path(".")]
    for path in paths:
        if not path.exists():
            raise CommandError(f"path does not exist: {path}")
    if len(paths) == 1 and paths[0].is_dir():
        return paths[0].resolve(), None
    root = Path.cwd().resolve()
    from mllint.config.settings import DEFAULT_EXCLUDE
    from mllint.repo.inventory import CODE_SUFFIXES, discover

    files: list[str] = []
    for path in paths:
        absolute = path.resolve()
        if absolute.is_dir():
            inventory = discover(absolute, DEFAULT_EXCLUDE)
            files.extend(relative_posix(absolute / rel, root) for rel in inventory.code_files())
        elif absolute.suffix in CODE_SUFFIXES:
            files.append(relative_posix(absolute, root))
    return root, sorted(set(files))


def relative_posix(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _watch(root: Path, files: Optional[list[str]], config: Optional[Path], overrides: dict[str, Any], output_format: str,
           only: Scope, use_cache: bool,
           baseline: Optional[Path], no_baseline: bool, changed_since: Optional[str]) -> None:
    """``check --watch``: a check per change of the project's files (settings re-read each time) until Ctrl-C."""
    from mllint.catalogue.index import CatalogueError
    from mllint.config.settings import DEFAULT_EXCLUDE, ConfigError
    from mllint.engine.session import Session
    from mllint.output import render
    from mllint.watch import snapshot, watch

    excludes: list[str] = list(DEFAULT_EXCLUDE)

    def check_once() -> str:
        try:
            session = Session.load(root, config, overrides)
        except (ConfigError, CatalogueError) as exc:
            return f"mllint: error: {exc}\n"
        excludes[:] = session.settings.excludes()
        result = session.check(files, only=only, use_cache=use_cache)
        result = _adopt(session, result, files, only, baseline, no_baseline, changed_since, False, use_cache)
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        return render(output_format, result, color=color)

    try:
        watch(check_once, lambda: snapshot(root, excludes, files))
    except KeyboardInterrupt:
        say("mllint: stopped watching")
        raise Exit(INTERRUPTED)


def _adopt(session: Session, result: RunResult, files: Optional[list[str]], only: Scope, baseline: Optional[Path],
           no_baseline: bool, changed_since: Optional[str], add_ignore: bool, use_cache: bool = True,
           errors: Optional[list[str]] = None) -> RunResult:
    """--add-ignore, then the baseline and --changed-since (docs/adoption.md); exit 2 on a bad baseline or ref."""
    from mllint.adopt.apply import apply, baseline_path
    from mllint.adopt.baselinefile import BaselineError
    from mllint.adopt.changed import ChangedError

    root = session.root
    if add_ignore:
        from mllint.fix.ignores import add_ignores

        report = add_ignores(root, result.findings)
        for problem in report.problems:
            say(f"mllint: {problem}")
        if errors is not None:
            errors.extend(report.failed)
        say(f"Added {report.added} ignore comment(s) in {len(report.files)} file(s).")
        if report.added:
            result = session.check(files, only=only, use_cache=use_cache)
    try:
        path = None if no_baseline else baseline_path(root, baseline, must_exist=True)
        apply(result, path, changed_since)
    except (BaselineError, ChangedError) as exc:
        raise CommandError(str(exc))
    return result


def _apply_fixes(session: Session, result: RunResult, files: Optional[list[str]], only: Scope, write: bool, unsafe: bool,
                 use_cache: bool, errors: Optional[list[str]] = None) -> RunResult:
    """Fix (or diff) the fixable findings; returns the last round's result, or raises the exit for --diff.
    Files that could not be written go to ``errors`` (each is left as it was)."""
    from mllint.fix.code import fix as apply_fixes
    from mllint.fix.code import write_changes

    report = apply_fixes(session, result, unsafe=unsafe, files=files, only=only, use_cache=use_cache)
    for problem in report.problems:
        say(f"mllint: {problem}")
    if not write:
        for change in report.changes:  # the files' own bytes, as git diff prints them (a patch must apply)
            _write_raw(change.diff().encode("utf-8", "surrogateescape"))
        say(f"Would fix {report.fixed_count} finding(s) in {len(report.changes)} file(s).")
        raise Exit(EXIT_FINDINGS if report.changes else EXIT_OK)
    failed: list[str] = []
    written = set(write_changes(session.root, report.changes, failed))
    if errors is not None:
        errors.extend(failed)
    count = sum(len(change.fixed) for change in report.changes if change.path in written)
    say(f"Fixed {count} finding(s) in {len(written)} file(s).")
    if failed:  # what is on disk is not what the last round checked: check the disk again
        return session.check(files, only=only, use_cache=use_cache)
    return report.result


def _write_raw(data: bytes) -> None:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:  # a text-only stream (an embedding test harness)
        sys.stdout.write(data.decode("utf-8", "replace"))
