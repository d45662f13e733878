"""Base classes of the rule catalogue: what every rule declares, and the two kinds of rule.

A rule lives in one file under ``rules/``: a class deriving from :class:`CodeRule` (checks one Python
file or notebook, as visitor methods over the stdlib ``ast``) or :class:`RepoRule` (checks the
repository model). Its documentation and its examples live beside the check, and the examples run
as tests.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from mllint.catalogue import index
from mllint.catalogue.options import RuleOptions, option
from mllint.core.findings import KINDS, SEVERITIES, Finding, Kind, Severity

if TYPE_CHECKING:  # pragma: no cover
    from mllint.analysis.context import FileContext
    from mllint.analysis.edits import RawFix
    from mllint.catalogue.remedy import Plan
    from mllint.repo.model import RepoModel

__all__ = ["KINDS", "SEVERITIES", "CodeRule", "Example", "FixExample", "RepoExample", "RepoFinding", "RepoRule", "Rule",
           "RuleOptions", "make_finding", "option"]
AnalysisT = TypeVar("AnalysisT")


@dataclass(frozen=True)
class Example:
    """A code example for a code rule: Python source, or notebook cells when ``cells`` is given.

    ``path`` is the file name the example is checked as (it matters for rules that treat tests or
    notebooks differently). ``lines`` optionally pins the lines a violating example must report.
    """

    source: str = ""
    path: str = "train.py"
    cells: tuple[str, ...] | None = None
    lines: tuple[int, ...] | None = None
    note: str = ""


@dataclass(frozen=True)
class FixExample:
    """A fix's documented effect: ``before`` (a violating file) becomes ``after`` under ``mllint check --fix``.

    ``unsafe`` fixes are applied only with ``--unsafe-fixes``. ``path`` is the file name checked;
    ``files`` are other project files present while fixing (e.g. a ``params.yaml``) and
    ``files_after`` those the fix changes too. Run as tests (tests/test_fixes.py).
    """

    before: str
    after: str
    unsafe: bool = False
    path: str = "train.py"
    files: dict[str, str] = field(default_factory=dict)
    #: The other files as the fix leaves them (e.g. the params file a value was moved into).
    files_after: dict[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class RepoExample:
    """A small repository for a repository rule: file path -> content, optionally a git repo."""

    files: dict[str, str] = field(default_factory=dict)
    git: bool = True
    note: str = ""
    #: Rule options for this example (``[tool.mllint.options.<rule>]``), e.g. a small size threshold.
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class RepoFinding:
    """What a repository rule reports: a message, the file it concerns (or None) and the evidence."""

    message: str
    path: str | None = None
    line: int | None = None
    evidence: list[str] = field(default_factory=list)
    #: Structured facts for the rule's remedy (``fix --repo``): what is missing, which file (rule-defined keys).
    data: dict[str, str] = field(default_factory=dict)
    #: For a notebook: the index of the cell (in its cells array) ``line`` counts in.
    cell: int | None = None
    column: int | None = None


class Rule:
    """Metadata every rule declares. Subclasses set the class attributes below."""

    code: ClassVar[str]
    name: ClassVar[str]
    factor: ClassVar[int]
    kind: ClassVar[Kind]
    severity: ClassVar[Severity] = "warning"
    summary: ClassVar[str]
    why: ClassVar[str]
    how_to_fix: ClassVar[str]
    violating: ClassVar[Sequence[Example | RepoExample]] = []
    compliant: ClassVar[Sequence[Example | RepoExample]] = []
    #: Documented fixes (of code rules whose reports carry a fix); they run as tests.
    fixes: ClassVar[Sequence[FixExample]] = []
    #: Where the rule comes from: "mllint", or the plugin distribution and version (set by the loader).
    origin: ClassVar[str] = "mllint"
    #: A plugin rule's page (set by the loader from the plugin's ``docs_url``); mllint's are in docs/rules/.
    docs_url: ClassVar[str] = ""
    #: Optional per-rule options (``[tool.mllint.options.<name>]``; ``mllint.catalogue.options``).
    Options: ClassVar[type[RuleOptions] | None] = None

    @classmethod
    def resolve_options(cls, options: Any) -> Any:
        """The rule's ``Options`` instance (defaults when nothing was configured), or ``options`` as given."""
        if cls.Options is None or isinstance(options, cls.Options):
            return options
        return cls.Options(**(options or {}))

    @classmethod
    def group(cls) -> int:
        """The factor or group (plugin codes carry no group: their declared factor)."""
        return int(cls.code[2:4]) if cls.code.startswith("ML") else cls.factor


class CodeRule(Rule):
    """A rule over one parsed file. Define ``visit_<Node>``/``leave_<Node>`` methods and call ``report``.

    One instance is created per file; all enabled rules share one traversal. ``self.ctx`` gives the
    file context: import resolution, scope, module constants, library knowledge and options.
    """

    kind = "code"
    #: Per-file analyses the rule reads (``DataFlow``, ``Evidence``...): computed once per file, on the
    #: first request of a rule that declares them (``self.analysis(DataFlow)``).
    requires: ClassVar[tuple[type, ...]] = ()
    #: Set (in ``__init__``) by a rule that knows before the traversal that it can report nothing in this
    #: file: the traversal then calls none of its handlers but those it shares with other visitors
    #: (``once_per_node``); ``finish`` still runs.
    idle: bool = False

    def __init__(self, ctx: FileContext, options: Any = None) -> None:
        self.ctx = ctx
        self.options = self.resolve_options(options)

    def analysis(self, kind: type[AnalysisT]) -> AnalysisT:
        """The file's ``kind`` analysis; a rule must declare it in ``requires``."""
        if kind not in self.requires:
            raise TypeError(f"{self.code} reads {kind.__name__} without declaring it in `requires`")
        return self.ctx.analysis(kind)

    def report(self, node: ast.AST, message: str, fix: RawFix | None = None,
               related: list[tuple[ast.AST, str]] | None = None) -> None:
        """Report ``node``; ``fix`` (edits built with ``mllint.analysis.edits``) resolves it; ``related``
        names other places that explain it (``(node, note)``: SARIF related locations)."""
        self.ctx.report(self, node, message, fix, related)

    def finish(self) -> None:
        """Called once after the traversal; rules that judge the whole file report here."""


class RepoRule(Rule):
    """A rule over the whole repository: implement ``check`` and yield :class:`RepoFinding`."""

    kind = "repo"

    def __init__(self, options: Any = None) -> None:
        self.options = self.resolve_options(options)

    def check(self, repo: RepoModel) -> Iterable[RepoFinding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def start(self, repo: RepoModel) -> None:
        """Optional: begin slow work outside Python (a tool's subprocess) that ``check`` will collect, so
        that it runs while the other repository rules do. The engine calls it, with the view ``check``
        gets, for every rule about to run before any of them checks; it reads its inputs through that
        view as ``check`` would. Nothing by default."""

    @classmethod
    def remedy(cls, findings: list[Finding], plan: Plan) -> None:
        """What ``mllint fix --repo`` does about these findings: by default, the rule's advice."""
        plan.instruct(f"{cls.code} {cls.name}: {' '.join(cls.how_to_fix.split())}", cls.code)

    @classmethod
    def recommend(cls, plan: Plan) -> None:
        """Scaffolding worth offering without a finding (a Dockerfile for a service): none by default."""


make_finding = index.make_finding
