"""The run: discover → read & hash → code pass (parallel, cached) → repository model → repo rules.

Output order is deterministic whatever the number of workers. Nothing here imports or executes the
checked code; the only writes are the cache directory's.
"""

from __future__ import annotations

import os
import signal
import stat
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from mllint.engine.cache import ResultCache
from mllint.catalogue.loader import Catalogue, load_catalogue
from mllint.engine.codepass import FILE_TOO_LARGE, analyze_file, content_hash, make_finding
from mllint.config.settings import Settings
from mllint.repo.inventory import CODE_SUFFIXES, Inventory, discover
from mllint.analysis.facts import empty_facts
from mllint.core.findings import Finding
from mllint.knowledge.loader import load_knowledge
from mllint.repo.model import RepoModel
from mllint.catalogue.rule import RepoFinding

INTERNAL_ERROR = "ML0004"
Progress = Callable[[int, int], None]  # (files done, files in total)
PARALLEL_THRESHOLD = 24  # below this many files to analyse, one process is faster than a pool
STALL_GRACE = 30.0  # seconds on top of the per-file limits before a silent pool is declared stuck
#: Seconds one file may take; then it is skipped with an ML0003 finding (env MLLINT_FILE_TIMEOUT).
FILE_TIMEOUT = float(os.environ.get("MLLINT_FILE_TIMEOUT") or 20)
FRESH_NS = 2_000_000_000  # files modified this recently are re-hashed on the next run (racy mtime)


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
    # Adoption (mllint/adopt/apply.py): findings set aside from ``findings`` and the exit code.
    baselined: list[Finding] = field(default_factory=list)  # accepted in the baseline file
    unchanged: list[Finding] = field(default_factory=list)  # outside --changed-since's files
    fixed: list[Any] = field(default_factory=list)  # baseline entries (mllint.adopt.baseline.Entry) gone now
    baseline_file: str | None = None


# -- worker side ---------------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _init_worker(root: str, settings: Settings, enabled: set[str], worker: bool = False) -> None:
    if worker:  # Ctrl-C is the main process's business: it stops the pool and exits 130
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if hasattr(signal, "pthread_sigmask"):  # forked with SIGINT blocked (see _spawning): now ignored
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    catalogue = load_catalogue()
    _WORKER.update(
        root=Path(root), settings=settings, enabled=enabled, catalogue=catalogue,
        knowledge=load_knowledge(settings.knowledge),
        options={rule.code: settings.rule_options(rule) for rule in catalogue.code_rules()},
    )


class _FileTimeout(BaseException):
    """Raised by the per-file alarm; a BaseException so that no rule's ``except Exception`` eats it."""


def _on_alarm(_signum, _frame) -> None:
    raise _FileTimeout


def _analyze_bounded(rel: str, data: bytes, catalogue: Catalogue, enabled: set[str], state: dict):
    """``analyze_file`` under a per-file time limit (SIGALRM, main thread only; workers always are)."""
    timer = FILE_TIMEOUT > 0 and threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if not timer:
        return analyze_file(rel, data, catalogue, enabled, state["knowledge"], state["options"])
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, FILE_TIMEOUT)
        return analyze_file(rel, data, catalogue, enabled, state["knowledge"], state["options"])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _stat_key(st: os.stat_result) -> list[int] | None:
    """What lets the next run trust the cached digest without reading the file (None: too fresh)."""
    if time.time_ns() - st.st_mtime_ns < FRESH_NS:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _skipped(rel: str, message: str, code: str = FILE_TOO_LARGE) -> tuple[str, str, list[dict], dict, None]:
    """The result of a file that was not analysed: a finding (when that rule is on) and empty facts."""
    catalogue: Catalogue = _WORKER.get("catalogue") or load_catalogue()
    enabled = _WORKER.get("enabled", {code})
    finding = make_finding(catalogue.by_code()[code], message, rel)
    return rel, "unreadable", [finding.to_cache()] if code in enabled else [], empty_facts(rel, rel.endswith(".ipynb"), False), None


def _check_one(rel: str) -> tuple[str, str, list[dict], dict, list[int] | None]:
    """Read, hash and analyse one file in the worker. Never raises (but for Ctrl-C)."""
    state = _WORKER
    catalogue: Catalogue = state["catalogue"]
    settings: Settings = state["settings"]
    enabled = state["enabled"] - settings.ignored_for(rel, catalogue)
    by_code = catalogue.by_code()
    path = state["root"] / rel
    try:
        # O_NONBLOCK: a FIFO swapped in after discovery must not block the run; fstat on the open file
        # (not the path) so that what we hash is what we stat.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as handle:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return _skipped(rel, "file skipped: not a regular file")
            if st.st_size > settings.max_file_size:
                finding = make_finding(by_code[FILE_TOO_LARGE], f"file skipped: {st.st_size} bytes is above max-file-size ({settings.max_file_size})", rel)
                facts = empty_facts(rel, rel.endswith(".ipynb"), False)
                return rel, f"size:{st.st_size}", [finding.to_cache()] if FILE_TOO_LARGE in enabled else [], facts, _stat_key(st)
            data = handle.read()
    except (OSError, ValueError) as exc:
        return _skipped(rel, f"file skipped: cannot read it ({getattr(exc, 'strerror', None) or exc})")
    digest = content_hash(data)
    try:
        findings, facts = _analyze_bounded(rel, data, catalogue, enabled, state)
    except _FileTimeout:
        return _skipped(rel, f"file skipped: its analysis took longer than {FILE_TIMEOUT:g} s")
    except RecursionError:
        return _skipped(rel, "file skipped: too deeply nested to analyse")
    except MemoryError:
        return _skipped(rel, "file skipped: out of memory while analysing it")
    except Exception as exc:  # a rule bug must cost one file, not the run
        finding = make_finding(by_code[INTERNAL_ERROR], f"internal error while checking this file: {type(exc).__name__}: {exc}", rel)
        findings, facts = ([finding] if INTERNAL_ERROR in enabled else []), empty_facts(rel, rel.endswith(".ipynb"), False)
    return rel, digest, [f.to_cache() for f in findings], facts, _stat_key(st)


def _check_chunk(rels: list[str]) -> list[tuple[str, str, list[dict], dict, list[int] | None]]:
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


def _cached_digest(cache: ResultCache, root: str, rel: str, limit: int) -> str | None:
    """The file's digest: from the cache entry when size, mtime and inode are unchanged (no read), else
    hashed; a hashed hit that is no longer fresh gets its stat key, so the next run skips the read."""
    full = os.path.join(root, rel)
    try:
        st = os.stat(full)
    except (OSError, ValueError):
        return None
    if cache.stat_matches(rel, [st.st_size, st.st_mtime_ns, st.st_ino]):
        return cache.entries[rel][0]
    digest = _hash_file(Path(full), limit)
    entry = cache.entries.get(rel)
    if digest is not None and entry and entry[0] == digest and entry[3] is None:
        key = _stat_key(st)
        if key is not None:
            entry[3] = key
            cache.dirty = True
    return digest


def _run_code_pass(root: Path, rels: list[str], settings: Settings, enabled: set[str], jobs: int,
                   cache: ResultCache | None, progress: Progress | None = None,
                   digests: dict[str, str] | None = None) -> tuple[dict[str, tuple[list[dict], dict]], int]:
    results: dict[str, tuple[list[dict], dict]] = {}
    todo: list[str] = []
    hits = 0
    base = str(root)
    for rel in rels:
        if cache is not None:
            digest = _cached_digest(cache, base, rel, settings.max_file_size)
            cached = cache.get(rel, digest) if digest else None
            if cached is not None:
                if digests is not None:
                    digests[rel] = digest
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
        for rel, digest, findings, facts, stat_key in produced:
            results[rel] = (findings, facts)
            if digests is not None and digest not in ("unreadable",):
                digests[rel] = digest
            if progress is not None:
                progress(len(results), len(rels))
            if cache is not None and digest not in ("unreadable",):
                cache.put(rel, digest, findings, facts, stat_key)
    return results, hits


def _parallel(root: Path, todo: list[str], settings: Settings, enabled: set[str], jobs: int):
    """Batches of files on a process pool, yielded as they complete.

    Faults cost only the file that caused them: if a worker dies (or the pool stops answering for
    longer than the per-file limit allows), the unfinished files are re-run one at a time in a fresh
    single-worker pool, where the culprit is known and reported (ML0004 died / ML0003 timed out).
    Ctrl-C kills the workers at once and propagates KeyboardInterrupt.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    load_knowledge(settings.knowledge)  # parsed once here, inherited by forked workers
    size = max(1, min(32, len(todo) // (jobs * 8) or 1))
    batches = [todo[i:i + size] for i in range(0, len(todo), size)]
    stall = FILE_TIMEOUT * size + STALL_GRACE if FILE_TIMEOUT > 0 else None
    leftover: list[str] = []
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                               initargs=(str(root), settings, enabled, True))
    try:
        with _spawning():
            pending = {pool.submit(_check_chunk, batch): batch for batch in batches}
        while pending:
            done, _ = wait(pending, timeout=stall, return_when=FIRST_COMPLETED)
            if not done:  # nothing finished for too long: a worker is stuck below Python
                break
            for future in done:
                batch = pending.pop(future)
                try:
                    produced = future.result()
                except Exception:  # BrokenProcessPool: a worker died; retry these files in isolation
                    leftover.extend(batch)
                    continue
                yield from produced
        for batch in pending.values():
            leftover.extend(batch)
    except BaseException as exc:
        _kill(pool)
        if isinstance(exc, KeyboardInterrupt):
            _exit_backstop()
        raise
    _kill(pool) if leftover else pool.shutdown(wait=True)
    if leftover:
        yield from _isolated(root, sorted(leftover), settings, enabled, context)


def _isolated(root: Path, rels: list[str], settings: Settings, enabled: set[str], context):
    """One file at a time in a single worker: a death or a hang is pinned on that file."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures import TimeoutError as FutureTimeout

    def fresh() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_init_worker,
                                   initargs=(str(root), settings, enabled, True))

    _init_worker(str(root), settings, enabled)  # for _skipped in this process
    pool = fresh()
    try:
        for rel in rels:
            try:
                yield from pool.submit(_check_chunk, [rel]).result(timeout=FILE_TIMEOUT + STALL_GRACE if FILE_TIMEOUT > 0 else None)
                continue
            except FutureTimeout:
                result = _skipped(rel, f"file skipped: its analysis took longer than {FILE_TIMEOUT:g} s")
            except Exception as exc:  # the worker died on this file
                result = _skipped(rel, f"internal error: the worker process died while checking this file ({type(exc).__name__})",
                                  INTERNAL_ERROR)
            _kill(pool)
            pool = fresh()
            yield result
    except BaseException:
        _kill(pool)
        raise
    pool.shutdown(wait=True)


class _spawning:
    """Block SIGINT while worker processes are forked: a Ctrl-C in that instant would otherwise hit a
    worker before it ignores SIGINT (a traceback on stderr). The main process gets it on unblock."""

    def __enter__(self) -> None:
        self.active = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
        if self.active:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})

    def __exit__(self, *_exc) -> None:
        if self.active:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _exit_backstop(grace: float = 5.0) -> None:
    """After Ctrl-C in the command-line tool, exit 130 even if interpreter shutdown then waits on a
    pool thread that killed workers left stuck (concurrent.futures joins its threads at exit)."""
    entry = os.path.basename(sys.argv[0]) if sys.argv else ""
    if entry not in ("mllint", "__main__.py") or "mllint" not in (sys.argv[0] if sys.argv else ""):
        return  # in-process callers (tests, IDEs) decide for themselves
    timer = threading.Timer(grace, os._exit, args=(130,))
    timer.daemon = True
    timer.start()


def _kill(pool) -> None:
    """Stop a pool now: cancel queued work and kill its workers (they ignore SIGINT)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        try:
            process.kill()
        except (OSError, AttributeError, ValueError):
            pass
    try:
        pool.shutdown(wait=False, cancel_futures=True)
    except Exception:
        pass
    try:  # and keep concurrent.futures' exit hook from waking a thread whose pipe is closed (an
        # "Exception ignored ... Bad file descriptor" traceback at exit)
        from concurrent.futures import process as futures_process

        futures_process._threads_wakeups.pop(getattr(pool, "_executor_manager_thread", None), None)
    except Exception:
        pass
    for process in processes:
        try:
            process.join(timeout=5)
        except (OSError, AttributeError, ValueError, AssertionError):
            pass


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
    digests: dict[str, str] = {}
    results, hits = _run_code_pass(root, code_files, settings, code_enabled, jobs or settings.jobs or default_jobs(), cache, progress,
                                   digests)
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
        usable = cache is not None and cache.directory.is_dir() and not cache.directory.is_symlink()
        model = RepoModel(root=root, inventory=inventory, facts=facts, knowledge=load_knowledge(settings.knowledge), settings=settings,
                          cache_dir=cache.directory if usable else None, digests=digests)
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
