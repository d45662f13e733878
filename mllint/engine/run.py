"""The run: discover → read & hash → code pass (parallel, cached) → repository model → repo rules.

Output order is deterministic whatever the number of workers. Nothing here imports or executes the
checked code; the only writes are the cache directory's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from mllint.core.cpus import usable_cpus
from mllint.core.findings import Finding
from mllint.engine.cache import ResultCache
from mllint.engine.repocache import RepoCache
from mllint.engine.collector import CollectInBatches, kept_out
from mllint.engine.worker import INTERNAL_ERROR, FileOutcome, StatKey, check_file, content_hash, stat_key
from mllint.repo.inputs import InputLog, Probe
from mllint.repo.inventory import Inventory, discover
from mllint.repo.model import RepoModel
from mllint.repo.projects import Project, find_projects, is_manifest, project_model, root_remainder
from mllint.repo.templates import TemplateSources, split_templates

if TYPE_CHECKING:  # pragma: no cover
    from mllint.adopt.baseline import Entry
    from mllint.config.settings import Settings
    from mllint.core.facts import FileFacts
    from mllint.engine.session import Session
    from mllint.repo.mlcode import FileRole

Only = Literal["all", "code", "repo"]
#: The life-cycle role of each file analysed in this run, with the facts it was computed from.
Roles = dict[str, "tuple[FileFacts, FileRole]"]
Progress = Callable[[int, int], None]  # (files done, files in total)
PARALLEL_THRESHOLD = 24  # below this many files to analyse, one process is faster than a pool


@dataclass
class RunResult:
    """What one run found, and what the reports and the adoption layer need to know about it."""

    root: Path
    settings: Settings
    enabled: frozenset[str]
    findings: list[Finding] = field(default_factory=list)
    waived: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    cache_hits: int = 0
    inventory: Inventory | None = None
    #: The repository model the repository rules read (None when they did not run).
    model: RepoModel | None = None
    repo_rules_run: bool = False
    #: Repository rules whose findings came from the repository-rule cache (their inputs were unchanged).
    repo_cached: set[str] = field(default_factory=set)
    code_rules_run: bool = False
    #: Seconds spent per stage: discover, code, repo.
    timings: dict[str, float] = field(default_factory=dict)
    #: Project-template sources left out of the run (``templates = "skip"``).
    templates: TemplateSources = field(default_factory=TemplateSources)
    #: The sub-projects of a monorepo, each judged on its own by the repository rules (empty otherwise).
    projects: list[Project] = field(default_factory=list)
    # Adoption (mllint/adopt/apply.py): findings set aside from ``findings`` and the exit code.
    baselined: list[Finding] = field(default_factory=list)  # accepted in the baseline file
    unchanged: list[Finding] = field(default_factory=list)  # outside --changed-since's files
    fixed: list[Entry] = field(default_factory=list)  # baseline entries gone now
    baseline_file: str | None = None
    notices: list[str] = field(default_factory=list)  # things the user should know that are not findings


def run(session: Session, *, files: list[str] | None = None, only: Only = "all", use_cache: bool = True,
        jobs: int | None = None, progress: Progress | None = None) -> RunResult:
    """Check the session's root. ``files`` (relative to root) restricts the code rules to those files
    and turns the repository rules off: they must never judge a partial file list. ``progress(done,
    total)`` is called as code files are analysed (the CLI's progress bar)."""
    settings, root = session.settings, session.root
    result = RunResult(root=root, settings=settings, enabled=session.enabled)
    clock = time.perf_counter()
    inventory = discover(root, settings.excludes()) if files is None else Inventory(root=root, files=sorted(files))
    if settings.templates == "skip":
        inventory.files, result.templates = split_templates(inventory.files)
    result.inventory = inventory
    result.timings["discover"] = time.perf_counter() - clock
    cache = None
    if use_cache:
        cache = open_cache(root, settings.cache_dir, session.fingerprint())
        cache.load()
    code_files = inventory.code_files()
    result.code_rules_run = only in ("all", "code")
    # The pass always runs the enabled code rules, so cache entries stay complete whatever --only says;
    # with --only repo their findings are dropped below and only the facts are used.
    clock = time.perf_counter()
    # A configuration (the repository's own) asks for workers, the CPUs bound them: `jobs = 128` on two
    # cores is two. Only a caller of this function (tests, tools) may ask for more explicitly.
    cores = default_jobs()
    # The repository rules will read every file's facts and life-cycle role: each analysed file's are made
    # as it arrives, while the workers go on with the others (the main process waits for them otherwise).
    roles: Roles | None = {} if files is None and only in ("all", "repo") else None
    # Every file's outcome and facts outlive the code pass and the repository phase: kept out of the
    # cycle collector's generations, no collection pass walks them again.
    with kept_out():
        outcomes, hits = _code_pass(session, code_files, jobs or min(settings.jobs or cores, cores), cache, progress, roles)
        result.timings["code"] = time.perf_counter() - clock
        result.cache_hits = hits
        result.files_checked = len(code_files)
        findings: list[Finding] = []
        if result.code_rules_run:
            for rel in code_files:
                findings.extend(outcomes[rel].findings)
        if cache is not None and files is None:
            cache.retain(set(code_files))

        if files is None and only in ("all", "repo"):
            clock = time.perf_counter()
            result.repo_rules_run = True
            usable = cache is not None and cache.ensure()  # rules may memoise only in mllint's own tagged directory
            digests = {rel: outcomes[rel].digest or "" for rel in code_files if outcomes[rel].digest}
            sizes = {rel: outcome.stat_key[0] for rel, outcome in outcomes.items() if outcome.stat_key}
            model = RepoModel(root=root, inventory=inventory, facts=LazyFacts(session, code_files, outcomes, cache),
                              knowledge=lambda: session.knowledge, cache_dir=cache.directory if usable and cache else None,
                              digests=digests, overlay=session.overlay, roles=roles,
                              sizes=sizes)
            result.model = model
            store = None
            if cache is not None and usable:
                store = RepoCache(cache.directory, cache.fingerprint, root)
                store.load()
                model.attach_probe(Probe(root, inventory, _facts_digest(cache, code_files), _content_digest(digests, code_files),
                                         session.overlay, sizes=sizes))
            result.projects = find_projects(model.files, set(model.facts), lambda: session.knowledge)
            # The code pass's cache is written while the repository rules wait for their tools (ruff): written
            # last, it was the run's last tenth of a second, one core idle.
            meanwhile = cache.save if cache is not None else None  # a no-op once nothing is left to write
            findings.extend(run_repo_rules(session, model, result.projects, store, result.repo_cached, meanwhile))
            if store is not None:
                store.save()
            result.timings["repo"] = time.perf_counter() - clock
        if cache is not None:
            cache.save()  # (again) after the repository rules: facts they had re-analysed are cached too
            if cache.problem:
                result.notices.append(cache.problem)

    for finding in findings:
        reason = settings.waiver_for(finding.code, session.index) if finding.kind == "repo" else None
        if reason:
            finding.waived = reason
            result.waived.append(finding)
        else:
            result.findings.append(finding)
    result.findings.sort(key=Finding.sort_key)
    result.waived.sort(key=Finding.sort_key)
    return result


class LazyFacts(Mapping[str, "FileFacts"]):
    """Every code file's facts, gathered on first use: a warm run whose repository rules all come from
    the repository-rule cache never reads them. Facts of files analysed in this run are at hand; the
    others are read from the cache, and a file whose cached facts are missing or unreadable is analysed
    again (its facts are cached for the next run)."""

    def __init__(self, session: Session, code_files: list[str], outcomes: dict[str, FileOutcome],
                 cache: ResultCache | None) -> None:
        self._session = session
        self._files = code_files
        self._outcomes = outcomes
        self._cache = cache
        self._facts: dict[str, FileFacts] | None = None

    def _all(self) -> dict[str, FileFacts]:
        if self._facts is None:
            self._facts = {rel: self._one(rel) for rel in self._files}
        return self._facts

    def _one(self, rel: str) -> FileFacts:
        outcome = self._outcomes[rel]
        if outcome.facts is not None or outcome.digest is None or self._cache is None:
            return outcome.facts_or_empty()
        data = self._cache.facts(rel)
        if data is not None:
            from mllint.core.facts import FileFacts

            try:
                return FileFacts.from_json(data)
            except ValueError:  # a forged or outdated entry: analyse again
                pass
        fresh = check_file(self._session, rel)
        if fresh.digest is not None:
            self._cache.put(rel, fresh.digest, [f.to_cache() for f in fresh.findings], fresh.facts_or_empty().to_json(),
                            fresh.stat_key)
        return fresh.facts_or_empty()

    def summary(self, rel: str) -> tuple[bool, bool, int]:
        """``(parsed, notebook, lines)`` of a code file: from the facts in hand or the cache entry, so that a
        rule over every module's size (ML0306) does not read every file's facts (a touched run)."""
        outcome = self._outcomes[rel]
        found = self._facts[rel] if self._facts is not None else outcome.facts
        if found is None and outcome.facts_data is not None:
            data = outcome.facts_data
            return data.get("parsed") is True, data.get("notebook") is True, int(data.get("lines", 0))
        if found is None and outcome.digest is not None and self._cache is not None:
            cached = self._cache.summary(rel)  # the entry this run's hit came from: the same content
            if cached is not None:
                return cached
        if found is None:
            found = self._one(rel)
        return found.parsed, found.notebook, found.lines

    def __getitem__(self, rel: str) -> FileFacts:
        return self._all()[rel]

    def __contains__(self, rel: object) -> bool:
        return rel in self._outcomes  # the code files: no facts read

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)  # the file names: no facts read (finding the projects needs only these)

    def __len__(self) -> int:
        return len(self._files)


def open_cache(root: Path, configured: str | None, fingerprint: str) -> ResultCache:
    """The run's cache: ``cache-dir`` relative to the root (the default ``.mllint_cache`` too) stays
    confined to the root, symlinks resolved; only an absolute directory, which a configuration file
    cannot name (mllint.config.settings), may lie elsewhere."""
    directory = Path(configured) if configured else Path(".mllint_cache")
    if directory.is_absolute():
        return ResultCache(directory, fingerprint)
    return ResultCache(root / directory, fingerprint, confine=root)


# -- the code pass ------------------------------------------------------------------------------
def _code_pass(session: Session, rels: list[str], jobs: int | None, cache: ResultCache | None,
               progress: Progress | None, roles: Roles | None = None) -> tuple[dict[str, FileOutcome], int]:
    """Every file's outcome: from the cache when its content is unchanged, else analysed. With ``roles``,
    each analysed file's facts are built and classified (mllint.repo.mlcode) as they arrive."""
    outcomes: dict[str, FileOutcome] = {}
    todo: list[str] = []
    for rel in rels:
        if cache is not None:
            cached = _from_cache(session, cache, rel)
            if cached is not None:
                outcomes[rel] = cached
                continue
        todo.append(rel)
    hits = len(outcomes)
    if todo:  # not at the top: a warm run analyses nothing
        from mllint.core.facts import FileFacts, shared_strings
        from mllint.repo.mlcode import classify
    for outcome in _analyse(session, todo, jobs):
        if outcome.facts_data is not None:  # from a worker: kept until the repository rules, names shared
            shared_strings(outcome.facts_data)
            if roles is not None:
                outcome.facts = FileFacts.from_json(outcome.facts_data)  # the strings shared with the cached form
        if roles is not None and outcome.facts is not None and outcome.facts.parsed:
            roles[outcome.path] = (outcome.facts, classify(outcome.facts, session.knowledge))
        outcomes[outcome.path] = outcome
        if progress is not None:
            progress(len(outcomes), len(rels))
        if cache is not None and outcome.digest is not None:
            cache.put(outcome.path, outcome.digest, [f.to_cache() for f in outcome.findings],
                      outcome.facts_json(), outcome.stat_key)
    return outcomes, hits


def _analyse(session: Session, todo: list[str], jobs: int | None) -> Iterable[FileOutcome]:
    if not todo:
        return
    from mllint.engine.pool import WorkerPool  # multiprocessing: only when files are analysed

    jobs = jobs or default_jobs()
    # What exists now (the session: rules, knowledge, settings) outlives the pass: kept out of the
    # collector's generations. The main process's receipt of the workers' outcomes makes no garbage:
    # no collection pass while it runs either (a one-process run collects its files' in batches).
    batches = CollectInBatches()
    try:
        with kept_out():
            if jobs > 1 and len(todo) >= PARALLEL_THRESHOLD:
                session.prepare_workers()  # what they share, made once before they fork
                with WorkerPool(session, jobs) as pool:
                    yield from pool.map(_largest_first(session, todo))
            else:
                for rel in todo:
                    yield check_file(session, rel)
                    batches.file_done()
    finally:
        batches.restore()  # after the outcomes were kept out (within a run): no pass over them now


def _largest_first(session: Session, todo: list[str]) -> list[str]:
    """The files by decreasing size: the workers finish together instead of one of them ending the
    pass alone on a large file handed out last (size stands in for analysis time)."""
    def size(rel: str) -> int:
        data = session.overlay.get(rel)
        if data is not None:
            return len(data)
        try:
            return os.stat(session.root / rel).st_size
        except (OSError, ValueError):
            return 0

    sizes = {rel: size(rel) for rel in todo}
    return sorted(todo, key=lambda rel: -sizes[rel])


def _from_cache(session: Session, cache: ResultCache, rel: str) -> FileOutcome | None:
    """The cached outcome of ``rel`` if its content is the one the entry was computed for (with the file's
    stat key: its size is then known to the repository phase without another stat)."""
    if rel not in cache.entries:
        return None  # nothing to compare with: not hashed here (the worker that analyses it hashes it)
    current = _current_digest(session, cache, rel)
    if current is None:
        return None
    digest, key = current
    findings_data = cache.get(rel, digest)
    if findings_data is None:
        return None
    try:
        findings = [Finding.from_cache(item) for item in findings_data]
    except (TypeError, ValueError, KeyError, AttributeError):  # a forged or outdated entry: analyse again
        return None
    return FileOutcome(rel, digest, findings, None, key)  # facts: read from the cache when a repository rule asks


def _current_digest(session: Session, cache: ResultCache, rel: str) -> tuple[str, StatKey | None] | None:
    """The file's digest: from the cache entry when size, mtime and inode are unchanged (no read), else
    hashed; a hashed hit that is no longer fresh gets its stat key, so the next run skips the read. With
    the digest, the file's stat key (None for an editor's buffer or a file too fresh to trust)."""
    if rel in session.overlay:
        return content_hash(session.overlay[rel]), None
    full = os.path.join(session.root, rel)
    try:
        st = os.stat(full)
    except (OSError, ValueError):
        return None
    if cache.stat_matches(rel, [st.st_size, st.st_mtime_ns, st.st_ino]):
        return str(cache.entries[rel][0]), stat_key(st)
    digest = _hash_file(Path(full), st.st_size, session.settings.max_file_size)
    if digest is None:
        return None
    key = stat_key(st)
    entry = cache.entries.get(rel)
    if entry and entry[0] == digest and entry[2] is None and key is not None:
        cache.set_stat(rel, key)
    return digest, key


def _hash_file(path: Path, size: int, limit: int) -> str | None:
    """The content digest (``size:N`` for a file above the size limit: it is not read)."""
    if size > limit:
        return f"size:{size}"
    try:
        return content_hash(path.read_bytes())
    except OSError:
        return None


def _facts_digest(cache: ResultCache, code_files: list[str]) -> str:
    """One digest of every code file's facts digest (a file without cached facts counts by its path)."""
    lines = [f"{rel}\0{cache.facts_digest(rel) or '-'}" for rel in code_files]
    return content_hash("\n".join(lines).encode("utf-8", "surrogateescape"))


def _content_digest(digests: dict[str, str], code_files: list[str]) -> str:
    lines = [f"{rel}\0{digests.get(rel, '-')}" for rel in code_files]
    return content_hash("\n".join(lines).encode("utf-8", "surrogateescape"))


def default_jobs() -> int:
    """The CPUs this process may run on (its affinity), at least one."""
    return usable_cpus()


# -- repository rules -----------------------------------------------------------------------------
#: Repository rules about the whole git repository (its history, its DVC setup, its style): run once even
#: in a monorepo, where every other repository rule runs once per project.
REPO_WIDE = frozenset({"ML0101", "ML0102", "ML0104", "ML0105", "ML0305", "ML0306"})


def run_repo_rules(session: Session, model: RepoModel, projects: list[Project] | None = None,
                   store: RepoCache | None = None, reused: set[str] | None = None,
                   meanwhile: Callable[[], None] | None = None) -> list[Finding]:
    """Every enabled repository rule over the model; in a monorepo (mllint/repo/projects.py), the rules about
    a project run once per project, each finding naming it. A rule that crashes costs its own findings only.

    With a ``store`` (the repository-rule cache), a rule whose recorded inputs all still hold is not run:
    its findings come from the store (its code is added to ``reused``); every rule that runs is recorded
    (``mllint/repo/inputs.py``). Monorepos are not cached yet: their rules run on each project's view.
    ``meanwhile`` is called when the rules that started outside work (ruff) are about to wait for it."""
    if projects is None:
        projects = find_projects(model.files, set(model.facts), lambda: session.knowledge)
    if not projects:
        return _run_rules(session, model, store=store, reused=reused, meanwhile=meanwhile)
    out = _run_rules(session, model, codes=REPO_WIDE, meanwhile=meanwhile)
    for project in projects:
        out += _run_rules(session, project_model(model, project), project=project, skip=REPO_WIDE, meanwhile=meanwhile)
    remainder = root_remainder(projects, model.files)
    manifests = [rel for rel in remainder if "/" not in rel and is_manifest(rel)]
    root = Project("", manifests[0] if manifests else "")
    sub = project_model(model, root, files=remainder)
    if sub.facts and (manifests or sub.ml.training or sub.serving):
        out += _run_rules(session, sub, project=root, skip=REPO_WIDE, meanwhile=meanwhile)
    return out


def _run_rules(session: Session, model: RepoModel, *, project: Project | None = None,
               codes: frozenset[str] | None = None, skip: frozenset[str] = frozenset(),
               store: RepoCache | None = None, reused: set[str] | None = None,
               meanwhile: Callable[[], None] | None = None) -> list[Finding]:
    out: list[Finding] = []
    settings, index = session.settings, session.index
    probe = model.probe
    prefix = f"{project.path}/" if project is not None and project.path else ""
    ran: list[tuple[str, InputLog, list[Finding]]] = []
    stale: list[str] = []
    for info in index.rules:  # the rule classes are loaded only when a rule has to run
        code = info.code
        if info.kind != "repo" or code not in session.enabled or code in skip or (codes is not None and code not in codes):
            continue
        if store is not None and probe is not None:
            cached = _cached_findings(store, probe, code)
            if cached is not None:
                out.extend(cached)
                if reused is not None:
                    reused.add(code)
                continue
        stale.append(code)
    if not stale:
        return out
    from mllint.catalogue.rule import RepoFinding, RepoRule, make_finding

    by_code = cast("dict[str, type[RepoRule]]", session.rule_classes(stale))
    prepared: list[tuple[bool, str, InputLog, RepoRule | None, RepoModel]] = []
    for code in stale:  # every rule first starts its slow outside work (ruff), then each checks in turn
        log = InputLog()
        view = model.view(log)
        rule: RepoRule | None = None
        started = False
        try:
            made = by_code[code](session.options.get(code))
            if type(made).start is not RepoRule.start:
                made.start(view)
                started = True
            rule = made
        except Exception:  # a failed start is the check's to report: it is made and run again there
            pass
        prepared.append((started, code, log, rule, view))
    # The started rules check last: their outside work has the others' time to finish (the findings are
    # sorted afterwards, so the order of the checks does not show).
    prepared.sort(key=lambda item: item[0])
    for started, code, log, rule, view in prepared:
        if started and meanwhile is not None:
            meanwhile()
        rule_cls = by_code[code]
        try:
            reported: list[object] = list((rule or rule_cls(session.options.get(code))).check(view))
        except Exception as exc:  # a rule bug must not take the run down
            if INTERNAL_ERROR in session.enabled:
                out.append(make_finding(index.by_code()[INTERNAL_ERROR], f"internal error in {code} ({rule_cls.name}): "
                                                                 f"{type(exc).__name__}: {exc}", None))
            if store is not None:
                store.drop(code)
            continue
        found: list[Finding] = []
        for item in reported:
            if not isinstance(item, RepoFinding):
                continue
            path = prefix + item.path if item.path else None
            if path and code in settings.ignored_for(path, index):
                continue
            message = f"project {project.label}: {item.message}" if project is not None else item.message
            data = dict(item.data)
            if project is not None:
                data["project"] = project.path or "."
            column = (item.column or 1) if item.line is not None else None
            found.append(make_finding(rule_cls, message, path, line=item.line, column=column, cell=item.cell,
                                      evidence=[prefix + e if prefix and e in model.file_set else e for e in item.evidence],
                                      data=data))
        out.extend(found)
        ran.append((code, log, found))
    if store is not None and probe is not None:
        for code, log, found in ran:  # after every rule: the parts' logs are complete
            records = [[kind, key, probe.value((kind, key))] for kind, key in sorted(model.inputs_of(log))]
            store.put(code, records, [finding.to_cache() for finding in found])
    return out


def _cached_findings(store: RepoCache, probe: Probe, code: str) -> list[Finding] | None:
    """The stored findings of ``code`` when every input it read still has the recorded value."""
    entry = store.get(code)
    if entry is None:
        return None
    inputs, findings = entry
    if not probe.unchanged(inputs):
        return None
    try:
        return [Finding.from_cache(item) for item in findings]
    except (TypeError, ValueError, KeyError, AttributeError):  # a forged or outdated entry: run the rule
        return None
