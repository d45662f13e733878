"""ML0306 code-style: the Python code has many style, error and docstring issues (measured by ruff)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule, RuleOptions, option
from mllint.core import relpath
from mllint.core.cpus import usable_cpus
from mllint.core.lifeline import run_tool
from mllint.core.printable import visible
from mllint.core.tomlsafe import TomlError, load_path

#: The default ruff selection when the project has no ruff configuration of its own: what makes code
#: descriptive, not how it is laid out (that is a formatter's job): missing docstrings (D1), PEP 8
#: naming (N), pyflakes' errors (F: unused imports, undefined names) and pycodestyle's statement and
#: runtime errors (E4, E7, E9). Measured on well-maintained libraries (click, rich, pytest, pydantic,
#: pylint, jinja2): 0-23 issues per 1,000 lines; undocumented script piles: 100 and more.
DEFAULT_SELECT = ["E4", "E7", "E9", "F", "N", "D1"]
DEFAULT_IGNORE = ["D104", "D105", "D107"]  # docstrings of packages' __init__, magic methods, __init__
TEST_IGNORES = '{"**/test_*.py" = ["D", "N802"], "**/*_test.py" = ["D", "N802"], "**/tests/**" = ["D", "N802"], "**/conftest.py" = ["D"]}'
TIMEOUT = 120  # seconds for one ruff run (ruff checks a large repository in a few)
RUFF_MEMORY = 2_000_000_000  # bytes of address space ruff may use (RLIMIT_AS, Linux)
MAX_EXTEND_DEPTH = 8
RULE_CODE = re.compile(r"[A-Z]+[0-9]+")
MAX_ARGS_CHARS = 100_000  # beyond this, ruff gets the files in several batches


class CodeStyleOptions(RuleOptions):
    """``[tool.mllint.options.code-style]``."""

    max_per_kloc: float = option(40.0, "Report when ruff's issues per 1,000 lines of Python exceed this.", ge=0)
    min_issues: int = option(5, "Never report fewer issues than this (tiny repositories).", ge=0)
    select: list[str] | None = option(None, "Ruff rules to count instead of the default (or the project's) selection.")
    line_length: int = option(100, "Line length for E501 when the project has no ruff config.", ge=20, le=400)
    use_project_config: bool = option(True, "Use the project's own ruff configuration when it has one.")


def find_ruff() -> str | None:
    """The ruff binary installed with mllint (next to the interpreter), else ruff's own lookup, else PATH."""
    name = "ruff.exe" if os.name == "nt" else "ruff"
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    try:
        from ruff.__main__ import find_ruff_bin

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError, OSError):
        pass
    return shutil.which("ruff")


def project_ruff_config(root: Path) -> Path | None:
    """``ruff.toml``, ``.ruff.toml`` or a pyproject.toml with ``[tool.ruff]`` in the checked root.

    Only the root counts: a checked project is judged by its own configuration, never by that of a
    repository it happens to sit in (ruff then runs ``--isolated``)."""
    for name in ("ruff.toml", ".ruff.toml"):
        if (root / name).is_file():
            return root / name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            tool = load_path(pyproject).get("tool", {})
            if isinstance(tool, dict) and "ruff" in tool:
                return pyproject
        except TomlError:
            pass
    return None


def config_problem(root: Path, config: Path) -> str | None:
    """Why the project's ruff configuration must not be handed to ruff, or None.

    ruff follows ``extend = "<path>"`` (relative to the file, ``~`` and ``$VAR`` expanded): a checked
    repository could point it at a FIFO (ruff blocks), at ``/dev/zero`` (ruff reads until memory runs
    out) or at any file of the machine. Every file of the chain must be a regular TOML file inside the
    checked root, at most MAX_EXTEND_DEPTH deep, without cycles."""
    real_root = os.path.realpath(root)
    seen: set[str] = set()
    current = config
    for _depth in range(MAX_EXTEND_DEPTH + 1):
        real = os.path.realpath(current)
        if real in seen:
            return f"its `extend` chain loops at {current.name}"
        seen.add(real)
        if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
            return f"`extend` reaches outside the repository ({visible(str(current))})"
        try:
            data = load_path(Path(real))
        except TomlError as exc:
            return f"{visible(current.name)} cannot be read ({exc})"
        table = data.get("tool", {}).get("ruff", {}) if current.name == "pyproject.toml" else data
        extend = table.get("extend") if isinstance(table, dict) else None
        if extend is None:
            return None
        if not isinstance(extend, str) or not extend or "~" in extend or "$" in extend:
            return f"`extend = {visible(repr(extend))}` is not a plain path inside the repository"
        current = (Path(real).parent / extend)
    return f"its `extend` chain is deeper than {MAX_EXTEND_DEPTH}"


def notice(message: str, skipped: bool = True) -> None:
    what = "ML0306 code-style skipped: " if skipped else "ML0306 code-style: "
    sys.stderr.write(f"mllint: notice: {what}{visible(message)}\n")


def ruff_arguments(options: CodeStyleOptions, config: str | None) -> list[str]:
    """The ``ruff check`` options mllint uses (shown to the user in the finding). ``config`` is the
    project's own configuration (relative to the root), passed explicitly: ruff then reads that file
    (and its checked ``extend`` chain) only, never one of a sub-folder or of a folder above the root."""
    args: list[str] = []
    if config is None:
        args += ["--isolated", "--select", ",".join(options.select or DEFAULT_SELECT),
                 "--ignore", ",".join(DEFAULT_IGNORE), "--line-length", str(options.line_length),
                 "--config", f"lint.per-file-ignores = {TEST_IGNORES}"]
    else:
        args += ["--config", config, "--force-exclude"]
        if options.select:
            args += ["--select", ",".join(options.select)]
    return args


def _batches(files: list[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    size = 0
    for path in files:
        if size + len(path) > MAX_ARGS_CHARS and out[-1]:
            out.append([])
            size = 0
        out[-1].append(path)
        size += len(path) + 1
    return out


def run_ruff(root: Path, files: list[str], args: list[str], threads: int | None = None) -> Counter | str:
    """Ruff's issue counts by code, or the reason it could not run. ``threads``: ruff's worker threads
    (its default is one per core; several ruff processes side by side share the cores instead)."""
    binary = find_ruff()
    if binary is None:
        return "ruff is not installed (it is a dependency of mllint: `pip install ruff`)"
    counts: Counter = Counter()
    for batch in _batches(files):
        # --statistics: ruff prints one count per code (a few kB) instead of every issue (MBs of JSON).
        command = [binary, "check", "--no-cache", "--exit-zero", "--no-fix", "--statistics", "--output-format", "json",
                   "--quiet", *args, "--", *batch]
        env = {**os.environ, "NO_COLOR": "1"}
        if threads:
            env["RAYON_NUM_THREADS"] = str(threads)
        try:
            done = run_tool(command, TIMEOUT, RUFF_MEMORY, cwd=root, env=env)
        except subprocess.TimeoutExpired:
            return f"ruff did not finish within {TIMEOUT} s"
        except OSError as exc:
            return f"cannot run ruff ({binary}): {exc}"
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            return f"ruff failed (exit {done.returncode}): {detail[0] if detail else 'no output'}"
        try:
            items = json.loads(done.stdout or "[]")
        except ValueError:
            return "ruff printed something that is not its JSON report"
        for item in items if isinstance(items, list) else ():
            code = item.get("code") if isinstance(item, dict) else None
            count = item.get("count", 1) if isinstance(item, dict) else 0
            if isinstance(code, str) and RULE_CODE.fullmatch(code) and isinstance(count, int):  # not syntax errors (ML0001)
                counts[code] += count
    return counts


class CodeStyle(RepoRule):
    code = "ML0306"
    name = "code-style"
    factor = 3
    severity = "info"
    summary = "The Python code has many style, error and docstring issues per 1,000 lines (measured with ruff)."
    why = """
        Factor 3 (descriptive training and preprocessing): the code that turns data into a model is
        read far more often than it is written: by reviewers, by the next person to retrain, by whoever
        debugs a drifting model. PEP 8 names, docstrings on public functions and the absence of
        unused imports and undefined names make that code descriptive; a high density of ruff issues
        means nobody runs a formatter or linter, and the pipeline is hard to review and reuse.
    """
    how_to_fix = """
        Run ruff and fix what it reports: `ruff check --fix .` removes unused imports and much more,
        then add docstrings and rename what ruff's N rules name. Configure `[tool.ruff]` in
        pyproject.toml (mllint then counts with your selection) and run ruff in CI or pre-commit.
        The threshold is `[tool.mllint.options.code-style] max-per-kloc` (default 40).
    """
    Options = CodeStyleOptions
    _messy = (
        "import os, sys\nimport numpy as np\n"
        "def LoadData(Path):\n  Data=open(Path).read()\n  return Data\n"
        "def Clean(x):\n    l = 1\n    return x\n"
        "class model:\n    def Fit(self, X):\n        pass\n"
    )
    violating = [
        RepoExample({"train.py": _messy}, note="no docstrings, unused imports, non-PEP 8 names"),
        RepoExample({f"src/pipeline/step{i}.py": "import os\ndef run(df):\n    return df\n" for i in range(4)},
                    note="a package whose modules and functions have no docstrings and unused imports"),
        RepoExample({"pyproject.toml": '[project]\nname = "x"\n[tool.ruff.lint]\nselect = ["D"]\n',
                     "model.py": "".join(f"def step{i}(x):\n    return x\n" for i in range(6))},
                    note="the project's own ruff config selects docstring rules"),
        RepoExample({"train.py": _messy, "analysis.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'},
                    git=False, note="not a git repository; notebooks are not counted"),
    ]
    _clean = (
        '"""Training entry point."""\n\nimport json\n\n\n'
        'def load_params(path: str) -> dict:\n    """Read the training parameters."""\n'
        '    with open(path, encoding="utf-8") as handle:\n        return json.load(handle)\n'
    )
    compliant = [
        RepoExample({"train.py": _clean, "src/features.py": '"""Features."""\n\n\ndef scale(x):\n    """Scale x."""\n    return x / 2\n'}),
        RepoExample({"pyproject.toml": '[project]\nname = "x"\n[tool.ruff.lint]\nselect = ["E9", "F63"]\n', "train.py": _messy},
                    note="the project's ruff config selects only syntax-level errors: mllint respects it"),
        RepoExample({"train.py": "import os\ndef f(x):\n    return x\n"}, note="fewer issues than min-issues"),
        RepoExample({"train.py": _clean + "".join(f'\n\ndef step_{i}(x):\n    """Step {i}."""\n    return x + {i}\n' for i in range(60))
                     + "\n\ndef Unusual(x):\n    return x\n"}, note="a few issues in a long file: below the rate"),
        RepoExample({"explore.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
                     '"source": ["import os, sys\\n", "def F(X):\\n", "  return X\\n"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
                     "README.md": "# notebook only\n"}, note="notebooks are not style-checked"),
    ]

    def start(self, repo):
        """Start ruff now: it runs while the other repository rules do, and ``check`` collects it."""
        self._started = self._count(repo)

    def check(self, repo):
        started, self._started = getattr(self, "_started", None), None
        counting = started if started is not None else self._count(repo)
        if counting is None:
            return
        options, lines, args, config = self.options, counting.lines, counting.args, counting.config
        counts = counting.result()
        if isinstance(counts, str):
            notice(counts)
            repo.volatile()  # ruff did not answer: ask again next time
            return
        total = sum(counts.values())
        rate = 1000.0 * total / lines
        if total < max(options.min_issues, 1) or rate <= options.max_per_kloc:
            return
        top = ", ".join(f"{code} ×{count}" for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
        shown = display_command(args)
        where = f"the project's ruff config ({config.relative_to(repo.root) if config.is_relative_to(repo.root) else config})" if config else "mllint's default selection"
        yield RepoFinding(
            f"ruff reports {total} style, error and docstring issues in {lines:,} lines of Python "
            f"({rate:.0f} per 1,000 lines, above {options.max_per_kloc:g}) with {where}; top codes: {top}; "
            f"see them with `{shown}`",
            path=None,
            evidence=["*.py"],
        )

    def _count(self, repo) -> _Counting | None:
        """The files, the arguments, and ruff started on the groups whose counts are not memoised."""
        options = self.options
        files = repo.parsed_modules()
        if not files:
            return None
        lines = sum(max(count, 1) for count in repo.line_counts(files))
        _note_inputs(repo)
        config = project_ruff_config(repo.root) if options.use_project_config else None
        problem = config_problem(repo.root, config) if config is not None else None
        if config is not None and problem is not None:
            notice(f"the project's ruff configuration is not used: {problem}; counting with mllint's default selection",
                   skipped=False)
            config = None
        args = ruff_arguments(options, config.relative_to(repo.root).as_posix() if config is not None else None)
        return _Counting(repo, files, lines, args, config)


RUFF_CONFIGS = ("ruff.toml", ".ruff.toml", "pyproject.toml")


def _note_inputs(repo) -> None:
    """What ruff's answer depends on, read through the model so that the result is cached under it:
    every file's content, every ruff configuration of the tree (nested ones apply to their folder) and
    the ruff binary."""
    repo.digests
    for rel in repo.files:
        if relpath.name(rel) in RUFF_CONFIGS:
            repo.read_text(rel)
    for name in RUFF_CONFIGS:
        repo.read_text(name)
    repo.which(find_ruff() or "ruff")


MEMO = re.compile(r"ruff-[0-9a-f]{32}\.json")  # ruff's counts memoised in mllint's cache directory


def _memo_name(repo, paths: list[str], args: list[str], config: Path | None) -> str | None:
    """The memo of ruff's counts for exactly these file contents, arguments, config and ruff binary
    (None when the run has no cache or a file has no content digest)."""
    digests = getattr(repo, "digests", None) or {}
    binary = find_ruff()
    if getattr(repo, "cache_dir", None) is None or binary is None or any(not str(digests.get(p, "size:")).isalnum() for p in paths):
        return None
    key = hashlib.blake2b(digest_size=16)
    try:
        stat = os.stat(binary)
        key.update(json.dumps([args, binary, stat.st_size, stat.st_mtime_ns]).encode())
        if config is not None:
            key.update(config.read_bytes())
    except OSError:
        return None
    for path in paths:
        key.update(f"{path}\0{digests[path]}\n".encode("utf-8", "surrogateescape"))
    return f"ruff-{key.hexdigest()}.json"


GROUP_FILES = 128  # files per group of ruff's memoised counts (at most MAX_GROUPS groups)
MAX_GROUPS = 16


class _Counting:
    """Ruff's counts over ``paths``, memoised per group of files (by a hash of the path): an edit of one
    file runs ruff on its group only. The groups that must run are started at once, side by side, in
    the background; :meth:`result` waits for them."""

    def __init__(self, repo, paths: list[str], lines: int, args: list[str], config: Path | None) -> None:
        self.repo, self.lines, self.args, self.config = repo, lines, args, config
        size = min(MAX_GROUPS, max(1, len(paths) // GROUP_FILES))
        groups: dict[int, list[str]] = {}
        for path in paths:
            index = hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=2).digest()
            groups.setdefault(int.from_bytes(index, "little") % size, []).append(path)
        self.counts: Counter = Counter()
        self.todo: list[tuple[str | None, list[str]]] = []
        for _index, members in sorted(groups.items()):
            memo = _memo_name(repo, members, args, config)
            found = _read_memo(repo, memo)
            if found is None:
                self.todo.append((memo, members))
            else:
                self.counts += found
        self.pool = None
        self.running = []
        if self.todo:
            from concurrent.futures import ThreadPoolExecutor

            # ruff runs its own threads: a group per core and one more at a time (four ruff processes at
            # once on two cores were not faster, and added ~40 MB to the run's peak memory)
            side_by_side = min(4, usable_cpus() + 1, len(self.todo))
            threads = max(1, usable_cpus() // side_by_side)  # one per core in all (ruff's own default: one each)
            self.pool = ThreadPoolExecutor(max_workers=side_by_side)
            self.running = [self.pool.submit(run_ruff, repo.root, members, args, threads) for _memo, members in self.todo]

    def result(self) -> Counter | str:
        """The counts over every group (memoising the new ones), or why ruff could not count them."""
        try:
            results = [future.result() for future in self.running]
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)
        counts = Counter(self.counts)
        for (memo, _members), result in zip(self.todo, results):
            if isinstance(result, str):
                return result
            _write_memo(self.repo, memo, result)
            counts += result
        return counts


def _read_memo(repo, name: str | None) -> Counter | None:
    raw = repo.read_memo(name) if name else None
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, int) for k, v in data.items()):
        return None
    return Counter(data)


def _write_memo(repo, name: str | None, counts: Counter) -> None:
    """Keep the counts (and the newest memos: four runs' groups); failing to write is not an error."""
    if name:
        repo.write_memo(name, json.dumps(dict(counts)).encode(), MEMO, keep=4 * MAX_GROUPS)


def display_command(args: list[str]) -> str:
    """The ruff command a user can paste to see the issues (test-file ignores left out for brevity)."""
    shown: list[str] = []
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg == "--force-exclude":
            continue
        if arg == "--config" and index + 1 < len(args) and "per-file-ignores" in args[index + 1]:
            skip = True
            continue
        shown.append(f'"{arg}"' if any(ch in arg for ch in " '{}=*") else arg)
    return " ".join(["ruff", "check", *shown, "."])
