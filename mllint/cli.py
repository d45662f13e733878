"""The command-line interface (typer): ``check``, ``rules``, ``rule`` and friends.

Exit codes (a public promise, docs/cli.md): 0 no findings, 1 findings, 2 usage, configuration or
internal error.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Any, Callable, List, Optional, Union, get_args, get_origin

import typer
from typer.core import TyperCommand, TyperGroup

from mllint import __version__
from mllint.commands.check import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, relative_posix, say, split_values

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import Only as Scope


# -- option values without a pydantic model per option ---------------------------------------------
class _Coerce:
    """What typer (0.2x) does per option with a pydantic ``TypeAdapter`` (built per option on every run:
    the largest single cost of a warm run's start-up), done directly for the few annotations mllint's
    options use: str, int and float (with their min), Path, Enum choices, lists and Optional of those.
    A value it does not accept is handed to typer's own coercion, so error messages are typer's."""

    def __init__(self, annotation: Any, info: Any) -> None:
        self.annotation = annotation
        self.info = info

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        many = param.multiple or param.nargs == -1
        if value is None:
            return () if many else None
        try:
            if many:
                if isinstance(value, str):
                    raise ValueError(value)
                return [self._one(item, _item_type(self.annotation)) for item in value]
            return self._one(value, _optional_of(self.annotation))
        except (ValueError, TypeError):
            from typer._coercion import build_runtime_param

            return build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=ctx)

    def _one(self, value: Any, kind: Any) -> Any:
        if isinstance(kind, type) and issubclass(kind, Enum):
            return value if isinstance(value, kind) else kind(value)
        if kind is Path:
            if isinstance(value, Path):
                return value
            if isinstance(value, str):
                return Path(value)
            raise TypeError(value)
        if kind is str and isinstance(value, str):
            return value
        if kind in (int, float) and not isinstance(value, bool) and isinstance(value, (int, float, str)):
            number = kind(value)
            low, high = getattr(self.info, "min", None), getattr(self.info, "max", None)
            if (low is not None and number < low) or (high is not None and number > high):
                raise ValueError(value)
            return number
        raise TypeError(value)


def _optional_of(annotation: Any) -> Any:
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    return args[0] if get_origin(annotation) in (Union, UnionType) and len(args) == 1 else annotation


def _item_type(annotation: Any) -> Any:
    inner = _optional_of(annotation)
    args = get_args(inner)
    return args[0] if get_origin(inner) in (list, List) and len(args) == 1 else inner


def _light(params: list[Any]) -> None:
    """Give each option a :class:`_Coerce` (typer versions that coerce through pydantic build a
    ``_runtime_param`` per option lazily; other versions have none and are left as they are)."""
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is not None and getattr(param, "_runtime_param", "absent") is None:
            param._runtime_param = _Coerce(descriptor.annotation, descriptor.parameter_info)


class _Command(TyperCommand):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _light(self.get_params(ctx))
        return super().parse_args(ctx, args)


class _Group(TyperGroup):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _light(self.get_params(ctx))
        return super().parse_args(ctx, args)

app = typer.Typer(
    name="mllint",
    help="Lint machine-learning repositories against the twelve factors of reproducible production ML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Group,
    rich_markup_mode=None,  # plain help and usage errors: --help and a typo do not import rich
)


def app_for(arguments: list[str]) -> typer.Typer:
    """``app``, or a copy of it that registers only the command ``arguments`` name. Typer builds the click
    command of every registered command on each start (~5 ms of a warm ``check``), though one runs; the
    application's own help (``mllint``, ``mllint --help``) and an unknown command see them all."""
    from typer.main import get_command_name

    name = next((argument for argument in arguments if not argument.startswith("-")), None)
    chosen = [info for info in app.registered_commands
              if info.callback is not None and (info.name or get_command_name(info.callback.__name__)) == name]
    if name is None or len(chosen) != 1:
        return app
    slim = copy.copy(app)
    slim.registered_commands = chosen
    return slim


def _readable_help() -> None:
    """``--help`` shows each parameter's metavar (``PATH``, ``RULES``) and nothing after a flag, instead of the
    Python types typer prints in its type column (``<list[Path]>``, ``<bool>``)."""
    from typer import core

    for cls in (getattr(core, "TyperArgument", None), getattr(core, "TyperOption", None)):
        original = getattr(cls, "display_type_rich", None) if cls is not None else None
        if original is not None:
            setattr(cls, "display_type_rich", _metavar_first(original))


def _metavar_first(original: Callable[[Any, Any], Optional[str]]) -> Callable[[Any, Any], Optional[str]]:
    def display_type_rich(self: Any, ctx: Any) -> Optional[str]:
        metavar = getattr(self, "metavar", None)
        if metavar is not None:
            return str(metavar)
        if getattr(self, "is_flag", False):
            return None
        return original(self, ctx)

    return display_type_rich


_readable_help()


class OutputFormat(str, Enum):
    text = "text"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    github = "github"
    gitlab = "gitlab"
    junit = "junit"
    markdown = "markdown"
    badge = "badge"


class Only(str, Enum):
    all = "all"
    code = "code"
    repo = "repo"


def _scope(option: Only) -> Scope:
    """The engine's name for ``--only``."""
    scopes: dict[str, Scope] = {"all": "all", "code": "code", "repo": "repo"}
    return scopes[option.value]


def fail(message: str) -> typer.Exit:
    say(f"mllint: error: {message}")
    return typer.Exit(EXIT_ERROR)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mllint {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit.")) -> None:
    """mllint: the twelve-factor linter for ML repositories."""


@app.command(cls=_Command)
def check(
    paths: List[Path] = typer.Argument(None, metavar="PATH", help="A project directory (default: .), or files to check with the code rules only."),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--output-format", "-o", metavar="FORMAT", help="Report format: text, concise, json, sarif, github, gitlab, junit, markdown, badge."),
    output_file: Optional[Path] = typer.Option(None, "--output-file", metavar="FILE", help="Write the report to this file instead of stdout."),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="RULES", help="Rules to enable (replaces the config's select)."),
    extend_select: Optional[List[str]] = typer.Option(None, "--extend-select", metavar="RULES", help="Rules to enable on top."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="RULES", help="Rules to disable."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", metavar="PATTERNS", help="Paths/globs to exclude (replaces defaults)."),
    extend_exclude: Optional[List[str]] = typer.Option(None, "--extend-exclude", metavar="PATTERNS", help="Paths/globs to exclude on top."),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help="Use this config file (pyproject.toml or mllint.toml)."),
    only: Only = typer.Option(Only.all, "--only", metavar="all|code|repo", help="Run only the code rules or only the repository rules."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", metavar="DIR", help="Cache directory (default: ROOT/.mllint_cache)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, metavar="N", help="Worker processes (default: number of cores)."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when there are findings."),
    force_exclude: bool = typer.Option(False, "--force-exclude", help="Apply exclude/extend-exclude to files named on the command line too (pre-commit)."),
    show_settings: bool = typer.Option(False, "--show-settings", help="Print the effective settings and exit."),
    fix: bool = typer.Option(False, "--fix", help="Apply safe fixes, then report what is left."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Also apply fixes that may change behaviour (with --fix/--diff)."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes as a unified diff instead of writing them; exit 1 if any."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", metavar="FILE", help="Baseline file of accepted findings (default: ROOT/.mllint-baseline.json when present)."),
    no_baseline: bool = typer.Option(False, "--no-baseline", help="Ignore the baseline file: report every finding."),
    show_baselined: bool = typer.Option(False, "--show-baselined", help="Also list baselined findings and those outside --changed-since (they still do not fail the run)."),
    changed_since: Optional[str] = typer.Option(None, "--changed-since", metavar="REF", help="Per-PR mode: only findings in files changed since this git ref count for the exit code."),
    add_ignore: bool = typer.Option(False, "--add-ignore", help="Write `# mllint: ignore[CODE]` comments for the current code findings, then report what is left."),
    watch: bool = typer.Option(False, "--watch", help="Re-check whenever a file changes, clearing and reprinting the report; Ctrl-C to stop."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Say which configuration file is used; show the traceback of an internal error."),
    statistics: bool = typer.Option(False, "--statistics", help="Print how many findings each rule reported (text, or json with -o json) instead of the findings."),
) -> None:
    """Check a repository (or files) and report violations of the twelve factors."""
    from mllint.commands.check import CheckOptions, run_check

    raise typer.Exit(run_check(CheckOptions(
        paths=list(paths or []), output_format=output_format.value, output_file=output_file, select=_given(select),
        extend_select=_given(extend_select), ignore=_given(ignore), exclude=_given(exclude),
        extend_exclude=_given(extend_exclude), config=config,
        only=_scope(only), no_cache=no_cache, cache_dir=cache_dir, jobs=jobs, exit_zero=exit_zero,
        force_exclude=force_exclude, show_settings=show_settings, fix=fix, unsafe_fixes=unsafe_fixes, diff=diff,
        baseline=baseline, no_baseline=no_baseline, show_baselined=show_baselined, changed_since=changed_since,
        add_ignore=add_ignore, watch=watch, verbose=verbose, statistics=statistics)))


def _given(values: Optional[List[str]]) -> Optional[List[str]]:
    """A repeatable option's values: None when it was not given (typer makes an empty list of it)."""
    return list(values) if values else None


@app.command("baseline", cls=_Command)
def write_baseline_cmd(
    path: Path = typer.Argument(Path("."), metavar="PATH", help="The project directory (default: .)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", metavar="FILE", help="Baseline file to write (default: PATH/.mllint-baseline.json)."),
    prune: bool = typer.Option(False, "--prune", help="Only drop baseline entries that are fixed; add nothing new."),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help="Use this config file (pyproject.toml or mllint.toml)."),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="RULES", help="Rules to enable (as for `mllint check`)."),
    extend_select: Optional[List[str]] = typer.Option(None, "--extend-select", metavar="RULES", help="Rules to enable on top."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="RULES", help="Rules to disable."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache."),
) -> None:
    """Accept today's findings: write them to a baseline file that `mllint check` then does not fail on."""
    from mllint.adopt.apply import write_baseline
    from mllint.adopt.baseline import DEFAULT_BASELINE, BaselineError
    from mllint.catalogue.index import CatalogueError
    from mllint.config.settings import ConfigError
    from mllint.engine.session import Session

    if not path.is_dir():
        raise fail(f"not a directory: {path}")
    root = path.resolve()
    try:
        overrides = {"select": split_values(select), "extend_select": split_values(extend_select), "ignore": split_values(ignore)}
        session = Session.load(root, config, overrides)
    except (ConfigError, CatalogueError) as exc:
        raise fail(str(exc))
    target = baseline if baseline is not None else root / DEFAULT_BASELINE
    if prune and not target.is_file():
        raise fail(f"--prune: baseline file {target} does not exist")
    result = session.check(use_cache=not no_cache)
    try:
        written, dropped = write_baseline(result, target, prune=prune)
    except (BaselineError, OSError) as exc:
        raise fail(str(exc))
    shown = target.name if target.parent.resolve() == Path.cwd().resolve() else str(target)
    if prune:
        typer.echo(f"Pruned {dropped} fixed finding(s) from {shown}; {written} remain.")
    else:
        typer.echo(f"Wrote {written} finding(s) to {shown}. Commit it; `mllint check` now fails only on new findings.")


@app.command("new", cls=_Command)
def new_project(
    arguments: Optional[List[str]] = typer.Argument(None, metavar="[DIR] [KEY=VALUE]...", help="Folder to create the project in (default: ./<project_slug>), then answers as KEY=VALUE, as cookiecutter's extra context (e.g. model_family=pytorch). With --update: the project to update (default: .)."),
    no_input: bool = typer.Option(False, "--no-input", help="Do not prompt: use the defaults and the KEY=VALUE answers."),
    extra_context: Optional[List[str]] = typer.Option(None, "--extra-context", "-x", metavar="KEY=VALUE", help="An answer as key=value (repeatable), e.g. ci_provider=gitlab."),
    overwrite: bool = typer.Option(False, "--overwrite-if-exists", help="Generate into a non-empty existing folder."),
    update_project: bool = typer.Option(False, "--update", help="Bring a generated project to the current template (three-way merge; conflicts are left marked)."),
    template_repo: Optional[Path] = typer.Option(None, "--template", help="With --update: a local git clone of the template repository that holds the project's recorded commit."),
) -> None:
    """Create a new ML project that satisfies all twelve factors (from the bundled cookiecutter template), or --update one."""
    from mllint.fix.scaffold import ScaffoldError, generate, parse_context, split_arguments

    if update_project:
        _update_project(arguments or [], template_repo)
        return
    try:
        directory, answers = split_arguments(arguments)
        answers.update(parse_context(extra_context))
        created = generate(directory, no_input=no_input, extra_context=answers, overwrite=overwrite)
    except ScaffoldError as exc:
        raise fail(str(exc))
    except (KeyboardInterrupt, EOFError):
        typer.echo("mllint: aborted", err=True)
        raise typer.Exit(EXIT_ERROR)
    shown = relative_posix(created, Path.cwd().resolve())
    typer.echo(f"Created {shown}\nNext: cd {shown} && make run && make test")


def _update_project(arguments: List[str], template_repo: Optional[Path]) -> None:
    """``mllint new --update [DIR]``: exit 0 updated (or nothing to do), 1 conflicts left, 2 refused."""
    from mllint.fix.update import UpdateError, update

    if len(arguments) > 1 or any("=" in arg for arg in arguments):
        raise fail("--update takes one project folder and no answers (they are recorded in .cruft.json)")
    project = Path(arguments[0]) if arguments else Path(".")
    try:
        result = update(project, template_repo)
    except UpdateError as exc:
        raise fail(str(exc))
    if not result.changed and not result.conflicts:
        typer.echo(f"Up to date with the template (commit {result.new_commit[:12]}).")
        return
    typer.echo(f"Updated from template commit {result.old_commit[:12]} to {result.new_commit[:12]}: "
               f"{len(result.changed)} file(s) changed, staged for review.")
    for rel in result.changed:
        typer.echo(f"  {rel}")
    if result.conflicts:
        typer.echo(f"{len(result.conflicts)} file(s) with conflicts (resolve the <<<<<<< markers, then git add):")
        for rel in result.conflicts:
            typer.echo(f"  {rel}")
        raise typer.Exit(EXIT_FINDINGS)


@app.command("fix", cls=_Command)
def fix_repo(
    path: Path = typer.Argument(Path("."), metavar="PATH", help="The repository (default: .)."),
    repo: bool = typer.Option(False, "--repo", help="Scaffold what repository findings ask for from the project template."),
    apply: bool = typer.Option(False, "--apply", help="Write the planned files (default: show the plan and a diff)."),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help="Use this config file (pyproject.toml or mllint.toml)."),
) -> None:
    """Show (or --apply) a plan that brings missing factors in from the template; never overwrites a file."""
    from mllint.catalogue.index import CatalogueError
    from mllint.config.settings import ConfigError
    from mllint.engine.session import Session
    from mllint.fix import repo as scaffolding

    if not repo:
        raise fail("use `mllint fix --repo` for repository scaffolding; code fixes are `mllint check --fix`")
    if not path.is_dir():
        raise fail(f"not a directory: {path}")
    root = path.resolve()
    try:
        session = Session.load(root, config, {})
    except (ConfigError, CatalogueError) as exc:
        raise fail(str(exc))
    result = session.check(only="repo", use_cache=False)
    assert result.model is not None
    plan = scaffolding.build_plan(root, result.findings, result.model)
    typer.echo(scaffolding.render(plan), nl=False)
    if not apply:
        diff = scaffolding.diff(plan)
        if diff:
            typer.echo("")
            sys.stdout.write(diff)
        raise typer.Exit(EXIT_FINDINGS if plan.pieces else EXIT_OK)
    written = scaffolding.apply(plan)
    typer.echo(f"Wrote {len(written)} file(s): {', '.join(written)}" if written else "Nothing written.")
    for problem in plan.problems:
        say(f"mllint: error: {problem}")
    if plan.problems:
        raise typer.Exit(EXIT_ERROR)


@app.command("server", cls=_Command)
def language_server(
    stdio: bool = typer.Option(True, "--stdio", help="Talk LSP over stdin/stdout (the only transport; accepted for editors that pass it)."),
    debounce: float = typer.Option(0.25, "--debounce", min=0.0, metavar="SECONDS", help="Seconds after the last edit before a document is re-checked."),
) -> None:
    """Run the language server (LSP over stdio): diagnostics, quick fixes and hovers in editors and notebooks."""
    from mllint.server.server import serve

    serve(debounce)


@app.command("rules", cls=_Command)
def list_rules(
    as_json: bool = typer.Option(False, "--json", help="Print the catalogue as JSON."),
) -> None:
    """List every rule: code, name, factor, kind and summary (and where a plugin's rule comes from)."""
    from mllint.catalogue.index import BUILTIN, CatalogueError
    from mllint.catalogue.loader import load_catalogue

    try:
        catalogue = load_catalogue()
    except CatalogueError as exc:
        raise fail(str(exc))
    if as_json:
        rows = [{"code": r.code, "name": r.name, "factor": r.factor, "kind": r.kind, "severity": r.severity,
                 "summary": r.summary.strip(), "origin": r.origin} for r in catalogue.rules]
        typer.echo(json.dumps(rows, indent=2))
        return
    group: str | None = None
    for r in catalogue.rules:
        heading = _group_title(r.group()) if r.origin == BUILTIN else f"Plugin rules from {r.origin}"
        if heading != group:
            typer.echo(("" if group is None else "\n") + heading)
            group = heading
        typer.echo(f"  {r.code}  {r.name:<28} {r.kind:<4}  {r.severity:<7}  {r.summary.strip()}")


def _group_title(group: int) -> str:
    """A rule group in words: ``The tool itself (ML00)``, ``Factor 3: Descriptive training ... (ML03)``."""
    from mllint.catalogue.index import FACTORS

    title = FACTORS.get(group, f"group {group}")
    return f"{'Factor ' + str(group) + ': ' if 1 <= group <= 12 else ''}{title} (ML{group:02d})"


@app.command("rule", cls=_Command)
def show_rule(key: str = typer.Argument(..., metavar="RULE", help="A rule code (ML0301) or name (hardcoded-split).")) -> None:
    """Print a rule's full entry: why it matters, examples, how to fix."""
    from mllint.catalogue.index import CatalogueError
    from mllint.catalogue.loader import load_catalogue
    from mllint.catalogue.ruledoc import rule_markdown

    try:
        rule = load_catalogue().get(key)
    except CatalogueError as exc:
        raise fail(str(exc))
    if rule is None:
        raise fail(f"unknown rule {key!r} (see `mllint rules`)")
    text = rule_markdown(rule)
    if sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb":
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))  # rendered on a terminal; the Markdown itself when piped
    else:
        typer.echo(text)
