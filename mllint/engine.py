"""The run: discover → read & hash → code pass (parallel, cached) → repository model → repo rules.

Output order is deterministic whatever the number of workers. Nothing here imports or executes the
checked code; the only writes are the cache directory's.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from mllint.cache import ResultCache
from mllint.catalogue import Catalogue, load_catalogue
from mllint.codepass import FILE_TOO_LARGE, analyze_file, content_hash, make_finding
from mllint.config import Settings
from mllint.discover import CODE_SUFFIXES, Inventory, discover
from mllint.facts import empty_facts
from mllint.findings import Finding
from mllint.knowledge import load_knowledge
from mllint.repo import RepoModel
from mllint.rule import RepoFinding

INTERNAL_ERROR = "ML0004"
Progress = Callable[[int, int], None]  # (files done, files in total)
PARALLEL_THRESHOLD = 24  # below this many files to analyse, one process is faster than a pool


@dataclass
class RunResult:
    root: Path
    settings: Settings
    enabled: set[str]
    findings: list[Finding] = field(default_factory=list)
    waived: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    cache_hits: int = 0
    inventory: Inventory | None = None
    repo_rules_run: bool = False
    code_rules_run: bool = False
    # Adoption (mllint/adoption.py): findings set aside from ``findings`` and the exit code.
    baselined: list[Finding] = field(default_factory=list)  # accepted in the baseline file
    unchanged: list[Finding] = field(default_factory=list)  # outside --changed-since's files
    fixed: list[Any] = field(default_factory=list)  # baseline entries (mllint.baseline.Entry) gone now
    baseline_file: str | None = None


# -- worker side ---------------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _init_worker(root: str, settings: Settings, enabled: set[str]) -> None:
    catalogue = load_catalogue()
    _WORKER.update(
        root=Path(root), settings=settings, enabled=enabled, catalogue=catalogue,
        knowledge=load_knowledge(settings.knowledge),
        options={rule.code: settings.rule_options(rule) for rule in catalogue.code_rules()},
    )


def _check_one(rel: str) -> tuple[str, str, list[dict], dict]:
    """Read, hash and analyse one file in the worker. Never raises."""
    state = _WORKER
    catalogue: Catalogue = state["catalogue"]
    settings: Settings = state["settings"]
    enabled = state["enabled"] - settings.ignored_for(rel, catalogue)
    by_code = catalogue.by_code()
    path = state["root"] / rel
    try:
        size = path.stat().st_size
        if size > settings.max_file_size:
            finding = make_finding(by_code[FILE_TOO_LARGE], f"file skipped: {size} bytes is above max-file-size ({settings.max_file_size})", rel)
            facts = empty_facts(rel, rel.endswith(".ipynb"), False)
            return rel, f"size:{size}", [finding.to_cache()] if FILE_TOO_LARGE in enabled else [], facts
        data = path.read_bytes()
    except OSError as exc:
        finding = make_finding(by_code[FILE_TOO_LARGE], f"file skipped: cannot read it ({exc.strerror or exc})", rel)
        return rel, "unreadable", [finding.to_cache()] if FILE_TOO_LARGE in enabled else [], empty_facts(rel, False, False)
    digest = content_hash(data)
    try:
        findings, facts = analyze_file(rel, data, catalogue, enabled, state["knowledge"], state["options"])
    except Exception as exc:  # a rule bug must cost one file, not the run
        finding = make_finding(by_code[INTERNAL_ERROR], f"internal error while checking this file: {type(exc).__name__}: {exc}", rel)
        findings, facts = ([finding] if INTERNAL_ERROR in enabled else []), empty_facts(rel, rel.endswith(".ipynb"), False)
    return rel, digest, [f.to_cache() for f in findings], facts


def _check_chunk(rels: list[str]) -> list[tuple[str, str, list[dict], dict]]:
    return [_check_one(rel) for rel in rels]


# -- main side -----------------------------------------------------------------------------------
def _hash_file(path: Path, limit: int) -> str | None:
    try:
        size = path.stat().st_size
        if size > limit:
            return f"size:{size}"
        return content_hash(path.read_bytes())
    except OSError:
        return None


def _run_code_pass(root: Path, rels: list[str], settings: Settings, enabled: set[str], jobs: int,
                   cache: ResultCache | None, progress: Progress | None = None) -> tuple[dict[str, tuple[list[dict], dict]], int]:
    results: dict[str, tuple[list[dict], dict]] = {}
    todo: list[str] = []
    hits = 0
    for rel in rels:
        if cache is not None:
            digest = _hash_file(root / rel, settings.max_file_size)
            cached = cache.get(rel, digest) if digest else None
            if cached is not None:
                results[rel] = cached
                hits += 1
                continue
        todo.append(rel)
    if todo:
        if jobs > 1 and len(todo) >= PARALLEL_THRESHOLD:
            produced = _parallel(root, todo, settings, enabled, jobs)
        else:
            _init_worker(str(root), settings, enabled)
            produced = map(_check_one, todo)
        for rel, digest, findings, facts in produced:
            results[rel] = (findings, facts)
            if progress is not None:
                progress(len(results), len(rels))
            if cache is not None and digest not in ("unreadable",):
                cache.put(rel, digest, findings, facts)
    return results, hits


def _parallel(root: Path, todo: list[str], settings: Settings, enabled: set[str], jobs: int):
    import multiprocessing

    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    chunks = max(1, min(64, len(todo) // (jobs * 4) or 1))
    batches = [todo[i:i + chunks] for i in range(0, len(todo), chunks)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                             initargs=(str(root), settings, enabled)) as pool:
        for batch in pool.map(_check_chunk, batches):
            yield from batch  # lazily, so the caller can report progress batch by batch


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_check(root: Path, settings: Settings, *, files: list[str] | None = None, only: str = "all",
              use_cache: bool = True, jobs: int | None = None, progress: Progress | None = None) -> RunResult:
    """Check ``root``. ``files`` (relative to root) restricts the code rules to those files and turns
    the repository rules off: they must never judge a partial file list. ``progress(done, total)`` is
    called as code files are analysed (the CLI's progress bar)."""
    catalogue = load_catalogue()
    root = root.resolve()
    enabled = settings.enabled_codes(catalogue)
    result = RunResult(root=root, settings=settings, enabled=enabled)
    inventory = discover(root, settings.excludes()) if files is None else Inventory(root=root, files=sorted(files))
    result.inventory = inventory
    code_enabled = {r.code for r in catalogue.code_rules()} & enabled
    run_code = only in ("all", "code")
    cache = None
    if use_cache:
        cache_dir = Path(settings.cache_dir) if settings.cache_dir else root / ".mllint_cache"
        cache = ResultCache(cache_dir if cache_dir.is_absolute() else root / cache_dir, settings.fingerprint())
        cache.load()
    code_files = [f for f in inventory.code_files() if f.endswith(CODE_SUFFIXES)]
    result.code_rules_run = run_code
    # The pass always runs the enabled code rules, so cache entries stay complete whatever --only says;
    # with --only repo their findings are dropped below and only the facts are used.
    results, hits = _run_code_pass(root, code_files, settings, code_enabled, jobs or settings.jobs or default_jobs(), cache, progress)
    result.cache_hits = hits
    result.files_checked = len(code_files)
    findings: list[Finding] = []
    for rel in code_files if run_code else ():
        findings.extend(Finding.from_cache(item) for item in results[rel][0])
    if cache is not None:
        if files is None:
            cache.retain(set(code_files))
        cache.save()

    if files is None and only in ("all", "repo"):
        result.repo_rules_run = True
        facts = {rel: results[rel][1] for rel in code_files}
        model = RepoModel(root=root, inventory=inventory, facts=facts, knowledge=load_knowledge(settings.knowledge), settings=settings)
        findings.extend(_run_repo_rules(model, catalogue, settings, enabled))

    for finding in findings:
        reason = settings.waiver_for(finding.code, catalogue) if finding.kind == "repo" else None
        if reason:
            finding.waived = reason
            result.waived.append(finding)
        else:
            result.findings.append(finding)
    result.findings.sort(key=Finding.sort_key)
    result.waived.sort(key=Finding.sort_key)
    return result


def _run_repo_rules(model: RepoModel, catalogue: Catalogue, settings: Settings, enabled: set[str]) -> list[Finding]:
    out: list[Finding] = []
    by_code = catalogue.by_code()
    for rule_cls in catalogue.repo_rules():
        if rule_cls.code not in enabled:
            continue
        try:
            reported = list(rule_cls(settings.rule_options(rule_cls)).check(model))
        except Exception as exc:  # a rule bug must not take the run down
            if INTERNAL_ERROR in enabled:
                out.append(make_finding(by_code[INTERNAL_ERROR], f"internal error in {rule_cls.code} ({rule_cls.name}): {type(exc).__name__}: {exc}", None))
            continue
        for item in reported:
            if not isinstance(item, RepoFinding):
                continue
            if item.path and rule_cls.code in settings.ignored_for(item.path, catalogue):
                continue
            finding = make_finding(rule_cls, item.message, item.path, line=item.line, evidence=list(item.evidence))
            if item.line is not None:
                finding.column = 1
            out.append(finding)
    return out
