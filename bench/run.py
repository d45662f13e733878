"""The benchmark: mllint (cold / warm / one file touched) against the parsing floor, dslinter and ruff.

    python bench/run.py                      # synthetic repos of 300, 1000 and 3000 code files
    python bench/run.py --sizes 1000 --repo ~/src/some-ml-repo --runs 7
    make bench                               # the same as the first line

Every figure is the median of ``--runs`` wall-clock runs of a fresh process (startup included), on
the same files; the floor and the cold run alternate (floor, cold, floor, cold ...), and so do the warm
and the touched run, so that a change of the machine's speed affects both sides of a ratio alike.
mllint runs from a frozen copy of its sources with their bytecode compiled first, as after ``pip
install``; ``mllint --version`` is timed too. Peak RSS is sampled over the whole process tree (main process + workers) in one
extra run; the largest single process is reported too. dslinter (the pylint plugin for ML code
smells) runs in its own Python 3.10 virtualenv under ``bench/.venv-dslinter`` and is slow, so it
runs once, on a deterministic subset of at most ``--dslinter-files`` Python files (notebooks are
not supported by it), and mllint is timed on that same subset (file mode: code rules). Results are
printed as a table and written to ``bench/results/`` as JSON. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
RESULTS = HERE / "results"
DSLINTER_VENV = HERE / ".venv-dslinter"
DSLINTER_MESSAGES = ("C5501,C5502,C5503,C5504,C5505,C5506,E5501,R5501,R5502,R5503,R5504,R5505,R5506,R5507,R5508,"
                     + ",".join(f"W55{i:02d}" for i in range(1, 22)))
PY = sys.executable
BIN = Path(sys.executable).parent
TARGETS = {  # the targets, as ratios measured in one run (docs/benchmarks.md)
    "cold_over_floor": 3.0, "dslinter_over_mllint": 20.0, "warm_over_cold": 0.05,
    "touched_over_cold": 0.15, "peak_rss_mb_at_3000": 250.0, "ms_per_file_3000_over_300": 1.3, "version_ms": 60.0,
}
#: Targets whose cold/floor, warm/cold and touched/cold are judged (the synthetic 1,000 files and any --repo).
JUDGED = ("synth-1000",)

# Bytecode caching on, as in any pip-installed tool (some CI images set PYTHONDONTWRITEBYTECODE, which
# would make every run recompile mllint and its rules: a cost users do not pay).
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
MLLINT = [str(BIN / "mllint")]
#: What ``pip install`` writes as the ``mllint`` console script (its ``#!`` line aside).
CONSOLE_SCRIPT = ("import re\nimport sys\nfrom mllint.__main__ import main\nif __name__ == '__main__':\n"
                  "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(main())\n")


def snapshot() -> None:
    """Run a frozen copy of mllint's sources: the cache fingerprint covers them, so an edit during a
    long benchmark (a busy work tree) would silently turn every warm run into a cold one."""
    frozen = RESULTS / "snapshot"
    shutil.rmtree(frozen, ignore_errors=True)
    shutil.copytree(PROJECT / "mllint", frozen / "mllint", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PROJECT / "rules", frozen / "rules", ignore=shutil.ignore_patterns("__pycache__"))
    ENV["PYTHONPATH"] = str(frozen) + os.pathsep + ENV.get("PYTHONPATH", "")
    # Started as pip's console script starts it (``python -m`` would add runpy's import, ~5 ms, to every run).
    launcher = frozen / "bin" / "mllint"
    launcher.parent.mkdir()
    launcher.write_text(CONSOLE_SCRIPT, encoding="utf-8")
    MLLINT[:] = [PY, str(launcher)]
    # Bytecode compiled once, as ``pip install`` does: no run pays for compiling mllint or its rules.
    subprocess.run([PY, "-m", "compileall", "-q", str(frozen)], check=True, env=ENV, stdout=subprocess.DEVNULL)

sys.path.insert(0, str(HERE))
import synth  # noqa: E402


# -- measuring processes ---------------------------------------------------------------------------
def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    total, stack = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * page
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def run(cmd: list[str], cwd: Path, sample_memory: bool = False, timeout: float | None = None) -> dict:
    """Run ``cmd``; wall seconds, exit code, max single-process RSS and (optionally) sampled tree RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    peak = [0]
    stop = threading.Event()

    def sampler() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            stop.wait(0.005)

    thread = None
    if sample_memory:
        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
    timed_out = False
    deadline = None if timeout is None else start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            proc.kill()
            timed_out = True
        time.sleep(0.002)
    wall = time.perf_counter() - start
    stop.set()
    if thread:
        thread.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    return {"seconds": wall, "cpu_seconds": usage.ru_utime + usage.ru_stime,  # includes reaped workers
            "exit": proc.returncode, "max_process_rss_mb": usage.ru_maxrss / 1024,
            "tree_rss_mb": peak[0] / 2**20 if sample_memory else None, "timed_out": timed_out,
            "stderr": stderr[-2000:]}


def median_of(cmd: list[str], cwd: Path, runs: int, before=None) -> dict:
    return alternating({"only": (cmd, before)}, cwd, runs)["only"]


def alternating(commands: dict[str, tuple[list[str], object]], cwd: Path, runs: int) -> dict[str, dict]:
    """Each command ``runs`` times, in turn (A B A B ...), so that a drift of the machine's speed
    affects all alike; the median of each. ``commands``: name -> (command, function run before it)."""
    samples: dict[str, list[dict]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (cmd, before) in commands.items():
            if before:
                before()
            result = run(cmd, cwd)
            samples[name].append(result)
            if result["exit"] not in (0, 1):
                print(f"  ! {' '.join(cmd[:3])}... exited {result['exit']}: {result['stderr'][-400:]}", file=sys.stderr)
    out = {}
    for name, results in samples.items():
        times = [r["seconds"] for r in results]
        out[name] = {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "runs": runs,
                     "cpu_median_s": statistics.median(r["cpu_seconds"] for r in results), "load_avg": os.getloadavg()[0],
                     "max_process_rss_mb": max(r["max_process_rss_mb"] for r in results),
                     "exit_codes": sorted({r["exit"] for r in results})}
    return out


# -- the targets -------------------------------------------------------------------------------------
def code_files(root: Path) -> list[str]:
    proc = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                          capture_output=True, check=False)
    if proc.returncode == 0:
        names = [p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p]
    else:
        names = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
    return sorted(n for n in names if n.endswith((".py", ".ipynb")) and (root / n).is_file())


def prepare_repo(source: Path, work: Path) -> Path:
    """A private copy of a user's repository (we touch files in it; the original is never written)."""
    dest = work / f"repo-{source.name}"
    if dest.exists():
        shutil.rmtree(dest)
    if (source / ".git").exists():
        subprocess.run(["git", "clone", "-q", "--local", str(source), str(dest)], check=True)
    else:
        shutil.copytree(source, dest, symlinks=True,
                        ignore=shutil.ignore_patterns(".venv", "venv", "node_modules", ".mllint_cache", "__pycache__"))
    return dest


def bench_target(label: str, root: Path, args: argparse.Namespace) -> dict:
    files = code_files(root)
    lines = 0
    for rel in files:
        try:
            lines += (root / rel).read_bytes().count(b"\n")
        except OSError:
            pass
    n = len(files)
    print(f"\n== {label}: {n} code files, {lines} lines ({root})", flush=True)
    listing = RESULTS / f"files-{label}.txt"
    listing.write_text("".join(str(root / f) + "\n" for f in files), encoding="utf-8")
    cache = root / ".mllint_cache"
    mllint = [*MLLINT, "check", "--exit-zero", str(root)]

    def clear_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    out: dict = {"label": label, "root": str(root), "files": n, "lines": lines}
    run(mllint, root)  # one throw-away run: the user's snapshots (rule index, settings) exist, as after any first run
    floor_cmd = [PY, str(HERE / "floor.py"), str(listing)]
    pair = alternating({"floor": (floor_cmd, None), "cold": (mllint, clear_cache)}, root, args.runs)
    out["floor"], out["cold"] = pair["floor"], pair["cold"]
    print(f"  floor       {out['floor']['median_s']:.3f} s", flush=True)
    print(f"  mllint cold {out['cold']['median_s']:.3f} s", flush=True)
    run(mllint, root)  # fill the cache
    victims = [f for f in files if f.endswith(".py")] or files
    victim = root / victims[len(victims) // 2]
    original = victim.read_bytes()
    counter = [0]

    def touch() -> None:  # one line appended to a module (its content changes, its facts hardly)
        counter[0] += 1
        victim.write_bytes(original + f"\n# touched {counter[0]}\n".encode())

    try:
        pair = alternating({"warm": (mllint, None), "touched": (mllint, touch)}, root, args.runs)
    finally:
        victim.write_bytes(original)
    out["warm"], out["touched"] = pair["warm"], pair["touched"]
    print(f"  mllint warm {out['warm']['median_s']:.3f} s", flush=True)
    print(f"  mllint touched {out['touched']['median_s']:.3f} s", flush=True)
    out["version"] = median_of([*MLLINT, "--version"], root, max(args.runs, 9))
    print(f"  mllint --version {1000 * out['version']['median_s']:.0f} ms", flush=True)
    clear_cache()
    memory = run(mllint, root, sample_memory=True)
    out["cold_memory"] = {"tree_rss_mb": memory["tree_rss_mb"], "max_process_rss_mb": memory["max_process_rss_mb"]}
    print(f"  mllint cold peak RSS {memory['tree_rss_mb']:.0f} MB (tree), {memory['max_process_rss_mb']:.0f} MB (largest process)")
    one = median_of([*mllint, "--jobs", "1"], root, max(1, args.runs // 2), before=clear_cache)
    out["cold_1_process"] = one
    print(f"  mllint cold, 1 process {one['median_s']:.3f} s", flush=True)
    clear_cache()

    ruff = BIN / "ruff"
    if ruff.exists() and not args.no_ruff:
        out["ruff"] = median_of([str(ruff), "check", "--select", "ALL", "--no-cache", "--exit-zero", "--quiet", "."],
                                root, args.runs)
        print(f"  ruff ALL    {out['ruff']['median_s']:.3f} s", flush=True)

    out["dslinter"] = bench_dslinter(root, files, args)
    return out


def bench_dslinter(root: Path, files: list[str], args: argparse.Namespace) -> dict | None:
    pylint = DSLINTER_VENV / "bin" / "pylint"
    if args.no_dslinter:
        return None
    if not pylint.exists():
        print("  dslinter: not installed (make bench-dslinter, or see docs/benchmarks.md); skipped")
        return {"skipped": "not installed"}
    py = [f for f in files if f.endswith(".py")]
    step = max(1, -(-len(py) // args.dslinter_files))
    subset = py[::step][: args.dslinter_files]
    cmd = [str(pylint), "-j", str(args.jobs), "--load-plugins=dslinter", "--disable=all",
           f"--enable={DSLINTER_MESSAGES}", "--score=n", *subset]
    result = run(cmd, root, sample_memory=True, timeout=args.dslinter_timeout)
    if result["exit"] not in range(0, 64) and not result["timed_out"]:
        print(f"  dslinter failed (exit {result['exit']}): {result['stderr'][-300:]}")
    same = median_of([*MLLINT, "check", "--no-cache", "--exit-zero", *subset], root, args.runs)
    info = {"files": len(subset), "of": len(py), "seconds": result["seconds"], "timed_out": result["timed_out"],
            "exit": result["exit"], "tree_rss_mb": result["tree_rss_mb"], "mllint_same_files": same,
            "ratio": result["seconds"] / same["median_s"]}
    capped = " (TIMED OUT: lower bound)" if result["timed_out"] else ""
    print(f"  dslinter    {result['seconds']:.1f} s on {len(subset)} of {len(py)} .py files{capped}; "
          f"mllint on the same files {same['median_s']:.3f} s -> {info['ratio']:.0f}x", flush=True)
    return info


# -- report --------------------------------------------------------------------------------------------
def ratios(target: dict) -> dict:
    cold = target["cold"]["median_s"]
    ds = target.get("dslinter") or {}
    cpu = {key: target[key]["cpu_median_s"] for key in ("floor", "cold", "warm", "touched")}
    return {
        "cpu_cold_over_floor": cpu["cold"] / cpu["floor"],
        "cpu_warm_over_cold": cpu["warm"] / cpu["cold"],
        "cpu_touched_over_cold": cpu["touched"] / cpu["cold"],
        "cold_over_floor": cold / target["floor"]["median_s"],
        "warm_over_cold": target["warm"]["median_s"] / cold,
        "touched_over_cold": target["touched"]["median_s"] / cold,
        "dslinter_over_mllint": ds.get("ratio"),
        "ruff_over_mllint": target["ruff"]["median_s"] / cold if "ruff" in target else None,
        "ms_per_file": 1000 * cold / max(1, target["files"]),
        "files_per_s": target["files"] / cold,
        "floor_files_per_s": target["files"] / target["floor"]["median_s"],
        "version_ms": 1000 * target["version"]["median_s"] if "version" in target else None,
    }


def table(results: list[dict]) -> str:
    head = ("target", "files", "lines", "floor s", "cold s", "warm s", "touch s", "1-proc s", "ruff s",
            "cold/floor", "warm/cold", "touch/cold", "ds/mllint", "--version ms", "ms/file", "files/s", "RSS MB",
            "cpu cold/floor", "cpu warm/cold", "cpu touch/cold", "load")
    rows = [head]
    for t in results:
        r = t["ratios"]
        ds = t.get("dslinter") or {}
        rows.append((
            t["label"], str(t["files"]), str(t["lines"]), f"{t['floor']['median_s']:.2f}", f"{t['cold']['median_s']:.2f}",
            f"{t['warm']['median_s']:.3f}", f"{t['touched']['median_s']:.3f}", f"{t['cold_1_process']['median_s']:.2f}",
            f"{t['ruff']['median_s']:.2f}" if "ruff" in t else "-", f"{r['cold_over_floor']:.2f}",
            f"{r['warm_over_cold']:.3f}", f"{r['touched_over_cold']:.3f}",
            (f"{r['dslinter_over_mllint']:.0f}" + ("+" if ds.get("timed_out") else "")) if r["dslinter_over_mllint"] else "-",
            f"{r['version_ms']:.0f}" if r.get("version_ms") else "-", f"{r['ms_per_file']:.2f}", f"{r['files_per_s']:.0f}", f"{t['cold_memory']['tree_rss_mb']:.0f}",
            f"{r['cpu_cold_over_floor']:.2f}", f"{r['cpu_warm_over_cold']:.3f}", f"{r['cpu_touched_over_cold']:.3f}",
            f"{t['cold']['load_avg']:.1f}",
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def verdicts(results: list[dict]) -> list[str]:
    by = {t["label"]: t for t in results}
    out = []

    def line(name: str, value: float | None, limit: float, higher_is_better: bool = False) -> None:
        if value is None:
            out.append(f"  {name:<34} not measured")
            return
        ok = value >= limit if higher_is_better else value <= limit
        out.append(f"  {name:<34} {value:8.3f}  target {'>=' if higher_is_better else '<='} {limit:<6} {'OK' if ok else 'MISSED'}")

    judged = [t for t in results if t["label"] in JUDGED or not t["label"].startswith("synth-")]
    for t in judged:
        line(f"cold / floor ({t['label']})", t["ratios"]["cold_over_floor"], TARGETS["cold_over_floor"])
        line(f"warm / cold ({t['label']})", t["ratios"]["warm_over_cold"], TARGETS["warm_over_cold"])
        line(f"touched / cold ({t['label']})", t["ratios"]["touched_over_cold"], TARGETS["touched_over_cold"])
    ds = [t["ratios"]["dslinter_over_mllint"] for t in results if t["ratios"]["dslinter_over_mllint"]]
    line("dslinter / mllint (min)", min(ds) if ds else None, TARGETS["dslinter_over_mllint"], True)
    versions = [t["ratios"]["version_ms"] for t in results if t["ratios"].get("version_ms")]
    line("--version ms (median, max of targets)", max(versions) if versions else None, TARGETS["version_ms"])
    if "synth-3000" in by:
        line("peak RSS MB at 3000 (tree)", by["synth-3000"]["cold_memory"]["tree_rss_mb"], TARGETS["peak_rss_mb_at_3000"])
    if "synth-300" in by and "synth-3000" in by:
        line("ms/file 3000 / 300", by["synth-3000"]["ratios"]["ms_per_file"] / by["synth-300"]["ratios"]["ms_per_file"],
             TARGETS["ms_per_file_3000_over_300"])
    return out


def markdown(report: dict) -> str:
    """The report as Markdown tables (for docs/benchmarks.md): ``python bench/run.py --markdown``."""
    rows = ["| target | files | lines | floor s | cold s | warm s | touched s | 1 process s | ruff ALL s | dslinter (files) s |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    ratios_rows = ["| target | cold/floor | warm/cold | touched/cold | dslinter/mllint | --version ms | ms/file | files/s | peak RSS MB (tree / largest) "
                   "| CPU cold/floor | CPU warm/cold | CPU touched/cold | load avg |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for t in report["results"]:
        r, ds = t["ratios"], t.get("dslinter") or {}
        dstext = f"{ds['seconds']:.1f} ({ds['files']})" + (" timed out" if ds.get("timed_out") else "") if "seconds" in ds else "-"
        rows.append(f"| {t['label']} | {t['files']} | {t['lines']} | {t['floor']['median_s']:.2f} | {t['cold']['median_s']:.2f} | "
                    f"{t['warm']['median_s']:.2f} | {t['touched']['median_s']:.2f} | {t['cold_1_process']['median_s']:.2f} | "
                    f"{t['ruff']['median_s']:.2f} | {dstext} |" if "ruff" in t else
                    f"| {t['label']} | {t['files']} | {t['lines']} | {t['floor']['median_s']:.2f} | {t['cold']['median_s']:.2f} | "
                    f"{t['warm']['median_s']:.2f} | {t['touched']['median_s']:.2f} | {t['cold_1_process']['median_s']:.2f} | - | {dstext} |")
        dsr = f"{r['dslinter_over_mllint']:.0f}x" if r.get("dslinter_over_mllint") else "-"
        ratios_rows.append(
            f"| {t['label']} | {r['cold_over_floor']:.2f} | {r['warm_over_cold']:.3f} | {r['touched_over_cold']:.3f} | {dsr} | "
            f"{r['version_ms']:.0f} | {r['ms_per_file']:.1f} | {r['files_per_s']:.0f} | {t['cold_memory']['tree_rss_mb']:.0f} / {t['cold_memory']['max_process_rss_mb']:.0f} | "
            f"{r['cpu_cold_over_floor']:.2f} | {r['cpu_warm_over_cold']:.3f} | {r['cpu_touched_over_cold']:.3f} | {t['cold']['load_avg']:.1f} |")
    return "\n".join(rows) + "\n\n" + "\n".join(ratios_rows) + "\n\nTargets:\n\n```text\n" + "\n".join(verdicts(report["results"])) + "\n```\n"


def main() -> None:
    if "--markdown" in sys.argv:
        print(markdown(json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[300, 1000, 3000])
    parser.add_argument("--repo", type=Path, action="append", default=[], help="also benchmark this local repository")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2, help="processes for dslinter (pylint -j)")
    parser.add_argument("--dslinter-files", type=int, default=100)
    parser.add_argument("--dslinter-timeout", type=float, default=300.0)
    parser.add_argument("--no-dslinter", action="store_true")
    parser.add_argument("--no-ruff", action="store_true")
    parser.add_argument("--live", action="store_true", help="run the work tree's sources, not a frozen copy")
    args = parser.parse_args()
    if not args.live:
        snapshot()

    RESULTS.mkdir(parents=True, exist_ok=True)
    work = RESULTS / "repos"
    work.mkdir(exist_ok=True)
    results = []
    for n in args.sizes:
        root = work / f"synth-{n}-seed{args.seed}"
        if not (root / ".git").exists():
            shutil.rmtree(root, ignore_errors=True)
            synth.generate(root, n, args.seed)
        results.append(bench_target(f"synth-{n}", root, args))
    for repo in args.repo:
        results.append(bench_target(repo.resolve().name, prepare_repo(repo.resolve(), work), args))
    for target in results:
        target["ratios"] = ratios(target)

    machine = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
               "processor": _cpu_model()}
    version = subprocess.run([*MLLINT, "--version"], capture_output=True, text=True, env=ENV).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True).stdout.strip()
    report = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "mllint": version, "commit": commit, "machine": machine,
              "runs": args.runs, "targets": TARGETS, "results": results}
    print("\n" + table(results))
    print("\nTargets:")
    print("\n".join(verdicts(results)))
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    for name in (f"bench-{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"\nwritten: {RESULTS / f'bench-{stamp}.json'}")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
