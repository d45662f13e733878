"""What a warm run may skip, and must not: the stat-keyed digests, ruff's memoised counts (ML0306)."""

from __future__ import annotations

import os
import sys

from mllint.config.settings import Settings
from mllint.engine import run as engine
from mllint.engine.session import Session

MESSY = "import os, sys\ndef LoadData(Path):\n  Data=open(Path).read()\n  return Data\nclass model:\n  def Fit(self, X):\n    pass\n"


def _ml0306_module():
    return sys.modules["mllint_catalogue.ML0306_code_style"]


def test_warm_run_reads_no_file_and_reuses_ruff_counts(make_repo, monkeypatch):
    root = make_repo({f"pkg/m{i}.py": MESSY for i in range(5)})
    for rel in (root / "pkg").iterdir():  # older than the 2 s "fresh" window: stat keys are recorded
        os.utime(rel, (1_600_000_000, 1_600_000_000))
    config = Settings(select=["ALL"])
    first = Session(root, config).check(jobs=1)
    assert any(f.code == "ML0306" for f in first.findings)

    def refuse(*_args, **_kwargs):
        raise AssertionError("a warm run must not do this")

    monkeypatch.setattr(engine, "_hash_file", refuse)  # unchanged (size, mtime, inode): no read
    monkeypatch.setattr(_ml0306_module(), "run_ruff", refuse)  # same contents: memoised counts
    second = Session(root, config).check(jobs=1)
    assert second.cache_hits == 5
    assert [f.to_json() for f in second.findings] == [f.to_json() for f in first.findings]


def test_a_changed_file_is_rehashed_and_ruff_runs_again(make_repo, monkeypatch):
    root = make_repo({"a.py": MESSY, "b.py": MESSY})
    config = Settings(select=["ALL"])
    Session(root, config).check(jobs=1)
    (root / "b.py").write_text(MESSY + "import json\n")
    calls = []
    real = _ml0306_module().run_ruff

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(_ml0306_module(), "run_ruff", counting)
    result = Session(root, config).check(jobs=1)
    assert result.cache_hits == 1 and len(calls) == 1


def test_no_cache_means_no_memo(make_repo):
    root = make_repo({"a.py": MESSY})
    Session(root, Settings(select=["ALL"])).check(use_cache=False, jobs=1)
    assert not (root / ".mllint_cache").exists()


def test_ruff_counts_are_memoised_per_group_of_files(make_repo, monkeypatch):
    """Past 256 files ruff's counts are kept per group: an edit reruns ruff on the edited file's group
    only, and the total is what a fresh, ungrouped run counts. Groups counted side by side share the
    cores (one ruff thread each on two); a group counted alone has ruff's threads on every core."""
    module = _ml0306_module()
    root = make_repo({f"pkg/m{i:03d}.py": MESSY for i in range(300)})
    config = Settings(select=["ML0306"])
    calls: list[tuple[list[str], int | None]] = []
    real = module.run_ruff

    def counting(root_, files, args, threads=None):
        calls.append((list(files), threads))
        return real(root_, files, args, threads)

    monkeypatch.setattr(module, "run_ruff", counting)
    monkeypatch.setattr(module, "usable_cpus", lambda: 2)
    Session(root, config).check(jobs=1)
    assert len(calls) == 2 and all(threads == 1 for _files, threads in calls)
    (root / "pkg" / "m007.py").write_text(MESSY + "import json\n")
    calls.clear()
    again = Session(root, config).check(jobs=1)
    assert len(calls) == 1 and "pkg/m007.py" in calls[0][0] and 0 < len(calls[0][0]) < 300 and calls[0][1] == 2
    everything = real(root, sorted(f"pkg/{p.name}" for p in (root / "pkg").iterdir()),
                      module.ruff_arguments(module.CodeStyleOptions(), None))
    assert [f.message for f in again.findings] == [f.message for f in Session(root, config).check(use_cache=False, jobs=1).findings]
    assert f"ruff reports {sum(everything.values())} " in again.findings[0].message


def test_the_code_pass_is_cached_while_the_repository_rules_wait_for_ruff(make_repo, monkeypatch):
    """The files' results are written when ML0306 starts waiting for ruff, not after the last repository rule."""
    module = _ml0306_module()
    root = make_repo({"a.py": MESSY, "b.py": MESSY})
    seen: list[list[str]] = []
    real = module._Counting.result

    def result(self):
        seen.append([p.name for p in (root / ".mllint_cache").glob("results-*.json")])
        return real(self)

    monkeypatch.setattr(module._Counting, "result", result)
    Session(root, Settings(select=["ALL"])).check(jobs=1)
    assert len(seen) == 1 and len(seen[0]) == 1


def test_an_outcome_leaves_a_worker_with_its_facts_in_cached_form_and_comes_back_equal(tmp_path):
    import pickle

    from mllint.core.facts import shared_strings
    from mllint.engine.session import Session
    from mllint.engine.worker import check_file

    (tmp_path / "a.py").write_text("import numpy as np\nfrom sklearn.model_selection import train_test_split\n"
                                   "def load(path):\n    return np.load(path)\n")
    (tmp_path / "b.py").write_text("import numpy as np\nx = np.load('features.npy')\n")
    session = Session(tmp_path)
    direct = check_file(session, "a.py")
    sent = pickle.loads(pickle.dumps(check_file(session, "a.py").portable()))  # as it crosses the pipe
    assert direct.facts is not None and sent.facts is None and sent.facts_data is not None
    assert sent.facts_or_empty() == direct.facts and sent.facts_json() == direct.facts.to_json()
    other = pickle.loads(pickle.dumps(check_file(session, "b.py").portable()))
    assert next(n for n in sent.facts_data["imports"] if n == "numpy") is not next(  # type: ignore[index]
        n for n in other.facts_data["imports"] if n == "numpy")  # type: ignore[index]
    first, second = shared_strings(sent.facts_data), shared_strings(other.facts_data)  # type: ignore[arg-type]
    assert first == direct.facts.to_json()  # interning changes no value
    name_a = next(n for n in first["imports"] if n == "numpy")
    name_b = next(n for n in second["imports"] if n == "numpy")
    assert name_a is name_b  # one string object for a module both files import


def test_what_a_run_keeps_is_kept_out_of_the_collector_until_the_outermost_block_ends(make_repo):
    """kept_out nests: the inner block (the code pass) keeps what it made for the outer one (the run's
    repository phase); the outermost block releases everything, and a run leaves nothing frozen."""
    import gc

    from mllint.engine.collector import kept_out

    class Node:
        pass

    def frozen(obj: object) -> bool:
        return gc.is_tracked(obj) and not any(o is obj for o in gc.get_objects())

    assert gc.get_freeze_count() == 0
    before = Node()
    with kept_out():
        assert frozen(before)
        with kept_out():
            made = Node()
            assert not frozen(made)
        assert frozen(made)  # made by the inner block, kept for the outer one
    assert gc.get_freeze_count() == 0 and not frozen(before) and not frozen(made)
    root = make_repo({f"m{i}.py": "x = 1\n" for i in range(3)})
    Session(root, Settings()).check(use_cache=False, jobs=1)
    assert gc.get_freeze_count() == 0


def test_a_process_analysing_file_after_file_collects_cycles_in_batches(make_repo):
    """CollectInBatches (pool workers, one-process runs): no collection pass while a file is analysed
    (below the safety threshold), the young generations every COLLECT_EVERY files, everything every
    FULL_EVERY batches, the thresholds back afterwards."""
    import gc
    import weakref

    from mllint.engine.collector import CollectInBatches

    class Node:
        pass

    before = gc.get_threshold()
    batches = CollectInBatches()
    try:
        assert gc.get_threshold()[0] == CollectInBatches.GC_THRESHOLD
        cycle = Node()
        cycle.me = cycle  # garbage only the cycle collector frees
        alive = weakref.ref(cycle)
        del cycle
        for _ in range(CollectInBatches.COLLECT_EVERY - 1):
            batches.file_done()
        assert alive() is not None  # not collected between files...
        batches.file_done()
        assert alive() is None  # ...but every COLLECT_EVERY files
        holder = [Node()]
        holder[0].me = holder[0]
        old = weakref.ref(holder[0])
        gc.collect()  # the cycle lives through a full collection: in the oldest generation now
        holder.clear()  # garbage that the younger generations' batch collections do not look at
        while batches.done % (CollectInBatches.COLLECT_EVERY * CollectInBatches.FULL_EVERY) != 0:
            assert old() is not None
            batches.file_done()
        assert old() is None  # the whole heap every FULL_EVERY batches
    finally:
        batches.restore()
    assert gc.get_threshold() == before
    root = make_repo({f"m{i}.py": "x = 1\n" for i in range(3)})
    Session(root, Settings()).check(use_cache=False, jobs=1)
    assert gc.get_threshold() == before  # a one-process run puts them back
