"""Repository-rule results are cached under the inputs each rule read, and recomputed when one changes.

Each kind of input (mllint/repo/inputs.py) is read by a small rule through the repository model; the
rule runs on the first check, is reused on the second, and runs again after that input changed. A
change of something the rule did not read keeps it cached.
"""

from __future__ import annotations

import re
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from mllint.catalogue.index import RuleIndex, info_of
from mllint.catalogue.loader import Catalogue
from mllint.catalogue.rule import RepoFinding, RepoRule
from mllint.engine.session import Session
from mllint.repo.model import RepoModel
from mllint.testing import write_repo

Read = Callable[[RepoModel, Path], object]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _reader(read: Read, calls: list[int], code: str = "ML0990") -> type[RepoRule]:
    class Reader(RepoRule):
        name = f"reader-{code.lower()}"
        factor = 0
        summary = why = how_to_fix = "test"

        def check(self, repo):  # type: ignore[no-untyped-def]
            calls.append(1)
            yield RepoFinding(f"read {read(repo, repo.root)!r}")

    Reader.code = code
    return Reader


def _check(root: Path, rules: tuple[type[RepoRule], ...]) -> tuple[set[str], list[str]]:
    session = Session.load(root)
    session.catalogue = Catalogue(rules)
    session.index = RuleIndex(tuple(info_of(rule) for rule in rules))
    session.enabled = frozenset(rule.code for rule in rules)
    session.code_enabled = frozenset()
    result = session.check()
    return result.repo_cached, [f"{f.code}:{f.message}" for f in result.findings]


def _touch_later(path: Path, content: str) -> None:
    path.write_text(content, encoding="utf-8")


FILES = {"train.py": "import pandas\nprint(1)\n", "conf.yaml": "a: 1\n", "requirements.txt": "pandas==2.2.2\n",
         ".gitignore": "ignored/\n", "big.bin": "x" * 100}


def _outside(root: Path) -> Path:
    return root.parent / f"{root.name}-outside.txt"


def _tool(root: Path) -> Path:
    return root.parent / f"{root.name}-tool"


def _setup_extra(root: Path) -> None:
    _outside(root).write_text("one\n", encoding="utf-8")
    tool = _tool(root)
    tool.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    (root / "ignored").mkdir()


def _commit(root: Path) -> None:
    (root / "later.txt").write_text("later\n", encoding="utf-8")
    _git(root, "add", "later.txt")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "later")


def _exclude(root: Path) -> None:
    info = root / ".git" / "info"
    info.mkdir(exist_ok=True)
    with (info / "exclude").open("a", encoding="utf-8") as handle:
        handle.write("conf.yaml\n")


# (kind, what the rule reads, a change of that input, a change of something else)
CASES: list[tuple[str, Read, Callable[[Path], None], Callable[[Path], None]]] = [
    ("text", lambda repo, root: repo.read_text("conf.yaml"),
     lambda root: _touch_later(root / "conf.yaml", "a: 2\n"), lambda root: _touch_later(root / "requirements.txt", "pandas==2.2.2\nx==1\n")),
    ("files", lambda repo, root: len(repo.files),
     lambda root: _touch_later(root / "new.txt", "new\n"), lambda root: _touch_later(root / "conf.yaml", "a: 3\n")),
    ("facts", lambda repo, root: [f.imports for f in repo.code_facts()],
     lambda root: _touch_later(root / "train.py", "import numpy\nprint(1)\n"),
     lambda root: _touch_later(root / "train.py", "import pandas\nprint(1)\n# a comment does not change the facts\n")),
    ("digests", lambda repo, root: sorted(repo.digests),
     lambda root: _touch_later(root / "train.py", "import pandas\nprint(1)\n# a comment\n"),
     lambda root: _touch_later(root / "conf.yaml", "a: 4\n")),
    ("exists", lambda repo, root: repo.exists("ignored/maybe.txt"),
     lambda root: _touch_later(root / "ignored" / "maybe.txt", "now\n"), lambda root: _touch_later(root / "conf.yaml", "a: 5\n")),
    ("kind", lambda repo, root: repo.is_dir(root / "data"),
     lambda root: (root / "data").mkdir(), lambda root: _touch_later(root / "conf.yaml", "a: 6\n")),
    ("dir", lambda repo, root: repo.listdir(root / "ignored"),
     lambda root: _touch_later(root / "ignored" / "blob.csv", "1,2\n"), lambda root: _touch_later(root / "conf.yaml", "a: 7\n")),
    ("path", lambda repo, root: repo.path_text(_outside(root)),
     lambda root: _touch_later(_outside(root), "two\n"), lambda root: _touch_later(root / "conf.yaml", "a: 8\n")),
    ("size", lambda repo, root: repo.size("big.bin"),
     lambda root: _touch_later(root / "big.bin", "y" * 101), lambda root: _touch_later(root / "conf.yaml", "a: 9\n")),
    ("git refs", lambda repo, root: repo.git(["rev-list", "--count", "--all"], state="refs").text().strip(),
     _commit, lambda root: _touch_later(_outside(root), "three\n")),
    ("git files", lambda repo, root: repo.git(["check-ignore", "--", "conf.yaml"], ok_codes=(0, 1)).text(),
     _exclude, lambda root: _touch_later(_outside(root), "four\n")),
    ("which", lambda repo, root: repo.which(str(_tool(root))) is not None,
     lambda root: _touch_later(_tool(root), "#!/bin/sh\nexit 1\n"), lambda root: _touch_later(root / "conf.yaml", "b: 1\n")),
]


@pytest.mark.parametrize("kind, read, change, unrelated", CASES, ids=[case[0] for case in CASES])
def test_each_kind_of_input_recomputes_when_it_changes(tmp_path, kind, read, change, unrelated):
    root = write_repo(tmp_path / "repo", FILES, True)
    _setup_extra(root)
    calls: list[int] = []
    rule = _reader(read, calls)
    reused, first = _check(root, (rule,))
    assert (reused, len(calls)) == (set(), 1)
    reused, again = _check(root, (rule,))
    assert (reused, len(calls), again) == ({"ML0990"}, 1, first), "unchanged inputs: the result is reused"
    unrelated(root)
    reused, _ = _check(root, (rule,))
    assert (reused, len(calls)) == ({"ML0990"}, 1), f"a change of something the rule did not read ({kind}) keeps it cached"
    change(root)
    reused, after = _check(root, (rule,))
    assert (reused, len(calls)) == (set(), 2), f"a changed {kind} input recomputes the rule"
    reused, _ = _check(root, (rule,))
    assert (reused, len(calls)) == ({"ML0990"}, 2)
    assert after == _check_uncached(root, rule), "what is reused is what a fresh run reports"


def _check_uncached(root: Path, rule: type[RepoRule]) -> list[str]:
    session = Session.load(root)
    session.catalogue = Catalogue((rule,))
    session.index = RuleIndex((info_of(rule),))
    session.enabled = frozenset({rule.code})
    session.code_enabled = frozenset()
    return [f"{f.code}:{f.message}" for f in session.check(use_cache=False).findings]


def test_a_part_used_by_two_rules_makes_both_depend_on_everything_it_read(tmp_path):
    """``vcs`` is built by the first rule that asks; the second gets the memoised part, yet depends on its reads."""
    root = write_repo(tmp_path / "repo", {**FILES, ".dvc/config": "[core]\n"}, True)
    first_calls: list[int] = []
    second_calls: list[int] = []
    first = _reader(lambda repo, root: repo.vcs.dvc_config_texts(), first_calls, "ML0990")
    second = _reader(lambda repo, root: repo.vcs.dvc_has_remote, second_calls, "ML0991")
    assert _check(root, (first, second))[0] == set()
    assert _check(root, (first, second))[0] == {"ML0990", "ML0991"}
    (root / ".dvc" / "config").write_text("[core]\n    remote = s3\n['remote \"s3\"']\n    url = s3://b\n", encoding="utf-8")
    reused, findings = _check(root, (first, second))
    assert reused == set() and (len(first_calls), len(second_calls)) == (2, 2)
    assert "ML0991:read True" in findings


def test_a_volatile_result_is_never_reused(tmp_path):
    root = write_repo(tmp_path / "repo", FILES, True)
    calls: list[int] = []

    def read(repo: RepoModel, root: Path) -> object:
        repo.volatile()
        return 1

    rule = _reader(read, calls)
    _check(root, (rule,))
    assert _check(root, (rule,))[0] == set() and len(calls) == 2


def test_a_crashing_rule_is_not_cached(tmp_path):
    root = write_repo(tmp_path / "repo", FILES, True)
    calls: list[int] = []

    def read(repo: RepoModel, root: Path) -> object:
        raise RuntimeError("boom")

    rule = _reader(read, calls)
    _check(root, (rule,))
    assert _check(root, (rule,))[0] == set() and len(calls) == 2


def test_whole_catalogue_second_run_reuses_every_repository_rule_and_reports_the_same(make_repo):
    root = make_repo({"src/train.py": "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
                                      "df = pd.read_csv('data/x.csv')\ntrain, test = train_test_split(df, test_size=0.2)\n",
                      "requirements.txt": "pandas\nscikit-learn\n", "data/x.csv": "a,b\n1,2\n"})
    session = Session.load(root)
    first = session.check()
    second = Session.load(root).check()
    repo_rules = {rule.code for rule in session.catalogue.repo_rules() if rule.code in session.enabled}
    assert second.repo_cached == repo_rules
    shown = [(f.code, f.path, f.message) for f in second.findings]
    assert shown == [(f.code, f.path, f.message) for f in first.findings]
    assert shown == [(f.code, f.path, f.message) for f in Session.load(root).check(use_cache=False).findings]


def test_no_repository_rule_reads_line_counts_from_the_facts_directly():
    """The facts digest leaves the line count out (an added line changes it): it is read only through
    ``RepoModel.line_counts``, which depends on the content digests."""
    here = Path(__file__).resolve().parents[1]
    offenders = [str(path.relative_to(here)) for folder in ("rules", "mllint/repo") for path in (here / folder).glob("*.py")
                 if re.search(r"facts\.lines\b|\.lines\s+for\s", path.read_text(encoding="utf-8"))]
    assert offenders == []


#: Reads of the disk that bypass the model (and so the cache key): attribute calls on anything but the model.
DISK_METHODS = {"is_file", "is_dir", "exists", "stat", "lstat", "read_text", "read_bytes", "iterdir", "glob", "rglob",
                "open", "scandir", "listdir", "walk", "getsize", "isfile", "isdir", "lexists"}
DISK_CALLS = {"open", "run_git"}
#: Where a direct read is known to be covered: ruff's inputs are noted by ML0306 itself (_note_inputs);
#: a UTF-16 manifest is re-decoded from the same file ``read_text`` already recorded; ci.py globs a folder
#: whose listing it records first.
ALLOWED = {("rules/ML0306_code_style.py", "is_file"), ("rules/ML0306_code_style.py", "stat"),
           ("rules/ML0306_code_style.py", "read_bytes"), ("mllint/repo/manifests.py", "read_bytes"),
           ("mllint/repo/ci.py", "glob")}


def _direct_reads(path: Path, shown: str) -> list[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    # Remedies (``remedy``/``recommend`` and their helpers, which take the ``plan``) run in ``fix --repo``,
    # not in a check: what they read is no input of a cached result.
    remedies = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                and (node.name in ("remedy", "recommend") or "plan" in [a.arg for a in node.args.args])
                for inner in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in remedies:
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in DISK_METHODS:
            receiver = ast.unparse(func.value)
            if receiver in ("repo", "self.repo", "model", "self", "re", "fnmatch", "ast") or (shown, func.attr) in ALLOWED:
                continue
            found.append(f"{shown}:{node.lineno}: {receiver}.{func.attr}()")
        elif isinstance(func, ast.Name) and func.id in DISK_CALLS and (shown, func.id) not in ALLOWED:
            found.append(f"{shown}:{node.lineno}: {func.id}()")
    return found


def test_rules_and_model_parts_read_the_disk_only_through_the_model():
    """Every input of a repository rule must be noted (mllint/repo/inputs.py): rules and the model's
    parts read files, folders and git through the model's primitives, never directly."""
    here = Path(__file__).resolve().parents[1]
    sources = [p for p in sorted((here / "rules").glob("ML*.py"))]
    sources += [here / "mllint" / "repo" / f"{name}.py" for name in ("ci", "manifests", "mlcode", "serving", "vcs", "pipeline", "params")]
    offenders = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        if path.parent.name == "rules" and "RepoRule" not in text:
            continue  # code rules read no disk: they get the file's text
        offenders += _direct_reads(path, path.relative_to(here).as_posix())
    assert offenders == []


def test_the_modules_and_their_sizes_come_from_the_cache_entries_without_the_facts(tmp_path, monkeypatch):
    """A rule over every module's size (ML0306's ruff rate) reads the parsed modules and their line counts
    from the results file's summaries: after a one-line edit, no facts file is read, and the answer is the
    one the facts give."""
    from mllint.engine.cache import ResultCache, shard_of

    calls: list[int] = []

    def sizes(repo: RepoModel, _root: Path) -> object:
        modules = repo.parsed_modules()
        return modules, repo.line_counts(modules)

    rule = _reader(sizes, calls)
    files = {"a.py": "x = 1\n", "b/c.py": "def f(:\n", "n.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
             "d.py": "import os\nprint(os)\n"}
    root = write_repo(tmp_path / "r", files)
    _, first = _check(root, (rule,))
    assert first == ["ML0990:read (['a.py', 'd.py'], [1, 2])"]  # b/c.py does not parse, n.ipynb is a notebook
    shards: list[int] = []
    original = ResultCache._shard
    monkeypatch.setattr(ResultCache, "_shard", lambda self, index: shards.append(index) or original(self, index))
    (root / "d.py").write_text("import os\nprint(os)\n# one more line\n", encoding="utf-8")
    cached, second = _check(root, (rule,))
    assert second == ["ML0990:read (['a.py', 'd.py'], [1, 3])"] and "ML0990" not in cached and len(calls) == 2
    assert shards == [shard_of("d.py")]  # only to store the edited file's facts: the others' summaries are at hand
