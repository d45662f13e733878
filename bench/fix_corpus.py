"""Every offered fix, applied to real repositories: per rule, how many parse and keep their names.

``python bench/fix_corpus.py REPO [REPO ...]`` copies each repository's Python files, notebooks and
params file into a temporary directory (never writing into the repositories given), checks the copy
with every code rule, and on each file that has fixes applies every offered fix (safe and unsafe),
first each alone, then all of them in the fixer's rounds (``mllint check --fix --unsafe-fixes``), and
judges the results with :mod:`mllint.fix.verify`. Per rule it reports: fixes offered (safe/unsafe),
applied in the rounds, results that parse, results that keep every name meaning what it meant, and
files where fixing converged (no fix offered afterwards); then each failure with its file.

Options: ``--jobs N`` (workers of the check), ``--json FILE`` (the figures as JSON),
``--keep DIR`` (write the fixed copies under DIR to read the changes; DIR must not be inside a
repository given). Figures are recorded in docs/accuracy.md ("Fixes on real code").
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mllint.analysis.params import PARAMS_FILES
from mllint.config.settings import Settings
from mllint.engine.session import Session
from mllint.fix.code import applicable
from mllint.fix.verify import judge_file

CODE_SUFFIXES = (".py", ".ipynb")
SKIPPED_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mllint_cache"}
MAX_BYTES = 5_000_000


@dataclass
class RuleFigures:
    offered_safe: int = 0
    offered_unsafe: int = 0
    applied: int = 0
    parses: int = 0
    names_kept: int = 0
    files: int = 0
    converged: int = 0
    combined_ok: int = 0

    @property
    def offered(self) -> int:
        return self.offered_safe + self.offered_unsafe


@dataclass
class Corpus:
    repos: list[tuple[str, str]] = field(default_factory=list)  # (name, commit or "-")
    rules: dict[str, RuleFigures] = field(default_factory=lambda: defaultdict(RuleFigures))
    failures: list[str] = field(default_factory=list)
    files_checked: int = 0
    files_with_fixes: int = 0


def commit_of(repo: Path) -> str:
    if not (repo / ".git").exists():
        return "-"
    done = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else "-"


def copy_code(repo: Path, target: Path) -> int:
    """Copy the repository's code files and params file (no symlinks, nothing huge) under ``target``."""
    copied = 0
    stack = [repo]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if entry.name not in SKIPPED_DIRS:
                    stack.append(entry)
                continue
            rel = entry.relative_to(repo)
            if not (entry.suffix in CODE_SUFFIXES or rel.as_posix() in PARAMS_FILES):
                continue
            try:
                if entry.stat().st_size > MAX_BYTES:
                    continue
                (target / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(entry, target / rel)
            except OSError:
                continue
            copied += 1
    return copied


def measure(repo: Path, corpus: Corpus, jobs: int, keep: Path | None) -> None:
    name = repo.name
    corpus.repos.append((name, commit_of(repo)))
    with tempfile.TemporaryDirectory(prefix="mllint-fixes-") as scratch:
        root = Path(scratch) / name
        root.mkdir()
        copy_code(repo, root)
        session = Session(root, Settings(select=["ALL"]))
        result = session.check(only="code", use_cache=False, jobs=jobs)
        corpus.files_checked += result.files_checked
        paths = sorted({f.path for f in result.findings if f.path and applicable(f, unsafe=True)})
        corpus.files_with_fixes += len(paths)
        for rel in paths:
            trial = judge_file(session, rel)
            codes = set()
            for alone in trial.trials:
                figures = corpus.rules[alone.finding.code]
                fix = alone.finding.fix
                if fix is not None and fix.applicability == "safe":
                    figures.offered_safe += 1
                else:
                    figures.offered_unsafe += 1
                figures.parses += alone.verdict.parses
                figures.names_kept += alone.verdict.names_kept
                codes.add(alone.finding.code)
                if not alone.verdict.ok:
                    corpus.failures.append(f"{name}/{rel}:{alone.finding.line} {alone.finding.code} alone: "
                                           f"{'; '.join(alone.verdict.problems)}")
            for finding in trial.applied:
                corpus.rules[finding.code].applied += 1
            combined = trial.verdict.ok and not trial.problems
            for code in codes:
                corpus.rules[code].files += 1
                corpus.rules[code].converged += trial.converged
                corpus.rules[code].combined_ok += combined
            if not combined:
                corpus.failures.append(f"{name}/{rel} all fixes: {'; '.join(trial.problems + trial.verdict.problems)}")
            if not trial.converged:
                corpus.failures.append(f"{name}/{rel}: fixes still offered after the rounds")
            if keep is not None:
                for path, data in trial.after.items():
                    out = keep / name / path
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(data)


def table(corpus: Corpus) -> str:
    rows = ["| rule | offered (safe/unsafe) | applied | parse | names kept | files converged | files, all fixes ok |",
            "|---|---|---|---|---|---|---|"]
    total = RuleFigures()
    for code in sorted(corpus.rules):
        f = corpus.rules[code]
        rows.append(f"| {code} | {f.offered} ({f.offered_safe}/{f.offered_unsafe}) | {f.applied} | {f.parses} | "
                    f"{f.names_kept} | {f.converged}/{f.files} | {f.combined_ok}/{f.files} |")
        for key in ("offered_safe", "offered_unsafe", "applied", "parses", "names_kept"):
            setattr(total, key, getattr(total, key) + getattr(f, key))
    rows.append(f"| all | {total.offered} ({total.offered_safe}/{total.offered_unsafe}) | {total.applied} | "
                f"{total.parses} | {total.names_kept} | | |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, dest="json_out")
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args(argv)
    repos = [repo.resolve() for repo in args.repos if repo.is_dir()]
    keep = args.keep.resolve() if args.keep else None
    if keep is not None and any(keep == repo or repo in keep.parents for repo in repos):
        parser.error("--keep must not be inside a repository given")
    corpus = Corpus()
    for repo in repos:
        print(f"{repo.name} ...", file=sys.stderr, flush=True)
        measure(repo, corpus, args.jobs, keep)
    print(f"{len(corpus.repos)} repositories, {corpus.files_checked} files checked, "
          f"{corpus.files_with_fixes} with a fix offered\n")
    print(table(corpus))
    if corpus.failures:
        print("\nFailures:")
        for line in corpus.failures:
            print(f"- {line}")
    if args.json_out:
        data = {"repos": [{"name": n, "commit": c} for n, c in corpus.repos],
                "files_checked": corpus.files_checked, "files_with_fixes": corpus.files_with_fixes,
                "rules": {code: {**vars(f), "offered": f.offered} for code, f in sorted(corpus.rules.items())},
                "failures": corpus.failures}
        args.json_out.write_text(json.dumps(data, indent=1) + "\n")
    return 1 if corpus.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
