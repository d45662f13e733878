"""Every user-facing path pattern speaks .gitignore (mllint/core/patterns.py): the table of
docs/configuration.md, the fast combined matcher agreeing with pathspec, and each option that takes
patterns (exclude, extend-exclude, per-file-ignores, --force-exclude) end to end."""

from __future__ import annotations

import json

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint.config.settings import DEFAULT_EXCLUDE, Settings
from mllint.core.patterns import PathPatterns
from mllint.engine.session import Session

SPLIT = "from sklearn.model_selection import train_test_split\nX = [1, 2]\na, b = train_test_split(X, test_size=0.2)\n"

# (pattern, path, matches?) — the examples docs/configuration.md shows, and the two cases.
TABLE = [
    ("scripts/**/*.py", "scripts/x.py", True),
    ("scripts/**/*.py", "scripts/a/b/x.py", True),
    ("scripts/**/*.py", "other/scripts/x.py", False),
    ("src/*.py", "src/c.py", True),
    ("src/*.py", "src/a/b.py", False),
    ("*.py", "a/b/c.py", True),
    ("build", "build/lib/x.py", True),
    ("build", "pkg/build/x.py", True),
    ("/build", "pkg/build/x.py", False),
    ("legacy/", "legacy/old.py", True),
    ("legacy/", "src/legacy/old.py", True),
    ("./legacy/", "legacy/old.py", True),
    ("notebooks/*.ipynb", "notebooks/a.ipynb", True),
    ("notebooks/*.ipynb", "notebooks/old/a.ipynb", False),
    ("**/test_*.py", "tests/unit/test_x.py", True),
    ("*.egg-info", "pkg.egg-info/PKG-INFO", True),
    ("d?ta/", "data/raw.csv", True),
    ("[ab]*.py", "b1.py", True),
]


@pytest.mark.parametrize("pattern, rel, expected", TABLE)
def test_gitignore_semantics(pattern, rel, expected):
    assert PathPatterns([pattern])(rel) is expected


def test_negation_re_includes():
    patterns = PathPatterns(["data/", "!data/schema.py"])
    assert patterns("data/raw.py") and not patterns("data/schema.py")


def test_the_configuration_docs_show_the_same_table():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[1] / "docs" / "configuration.md").read_text()
    for pattern, rel, expected in TABLE[:10]:
        assert f"`{pattern}`" in docs and f"`{rel}`" in docs, (pattern, rel)


segment = st.sampled_from(["src", "build", ".venv", "a b", "x.egg-info", "data", "node_modules", "pkg", "m.py", "n.ipynb"])
pattern = st.one_of(st.sampled_from(DEFAULT_EXCLUDE),
                    st.builds(lambda lead, parts, tail: lead + "/".join(parts) + tail,
                              st.sampled_from(["", "/", "**/"]),
                              st.lists(st.sampled_from(["src", "*", "build", "*.py", "d?ta", "[ab]*", "pkg", "**"]),
                                       min_size=1, max_size=3),
                              st.sampled_from(["", "/", "/*"])))


@given(st.lists(segment, min_size=1, max_size=4).map("/".join), st.lists(pattern, max_size=6))
@settings(max_examples=300, deadline=None)
def test_the_combined_matcher_agrees_with_pathspec(rel, patterns):
    assert PathPatterns(patterns, remember=False)(rel) == pathspec.GitIgnoreSpec.from_lines(patterns).match_file(rel)


def test_translations_are_remembered_across_processes_and_bounded(tmp_path, monkeypatch):
    """A second process with the same pattern lists neither imports pathspec nor translates (the
    knowledge tables' globs of every cold run); the table keeps the newest REMEMBERED_MAX lists."""
    import subprocess
    import sys

    env = {"XDG_CACHE_HOME": str(tmp_path / "user-cache"), "PYTHONPATH": ":".join(sys.path)}
    probe = ("import sys; from mllint.core.patterns import PathPatterns; "
             "print(PathPatterns(['*.egg-info', 'data/**/*.csv'])('x.egg-info/PKG'), PathPatterns(['!keep', 'k*'])('kx'), "
             "PathPatterns(['a\\nb'])('a\\nb'), PathPatterns(['a', 'b'])('a\\nb'), 'pathspec' in sys.modules)")
    first = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout.split()
    second = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert first == ["True", "True", "True", "False", "True"]
    # the list with a re-inclusion has no single expression (None, remembered too): pathspec matches it
    assert second == ["True", "True", "True", "False", "True"]
    only_plain = probe.replace("PathPatterns(['!keep', 'k*'])('kx')", "True")
    third = subprocess.run([sys.executable, "-c", only_plain], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert third == ["True", "True", "True", "False", "False"]  # nothing translated: pathspec never imported

    from mllint.core import patterns

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "bounded"))
    monkeypatch.setattr(patterns, "_REMEMBERED", None)
    monkeypatch.setattr(patterns, "REMEMBERED_MAX", 3)
    for index in range(5):
        assert PathPatterns([f"dir{index}/"])(f"dir{index}/x.py")
    monkeypatch.setattr(patterns, "_REMEMBERED", None)  # as a new process: read back from the disk
    assert list(patterns._remembered()) == [json.dumps([f"dir{index}/"]) for index in (2, 3, 4)]


def _findings(root, **options):
    result = Session(root, Settings(select=["ML0301"], **options)).check(use_cache=False, jobs=1)
    return sorted(f.path for f in result.findings)


def test_extend_exclude_double_star_excludes_a_file_directly_inside(make_repo):
    root = make_repo({"scripts/x.py": SPLIT, "scripts/a/y.py": SPLIT, "train.py": SPLIT})
    assert _findings(root, extend_exclude=["scripts/**/*.py"]) == ["train.py"]


def test_exclude_replaces_the_defaults(make_repo):
    root = make_repo({"build/gen.py": SPLIT, "src/x.py": SPLIT}, use_git=False)
    assert _findings(root) == ["src/x.py"]  # build/ is a default exclude
    assert _findings(root, exclude=["src/"]) == ["build/gen.py"]


def test_per_file_ignores_star_does_not_cross_folders(make_repo):
    root = make_repo({"src/c.py": SPLIT, "src/a/b.py": SPLIT})
    assert _findings(root, per_file_ignores={"src/*.py": ["ML0301"]}) == ["src/a/b.py"]
    assert _findings(root, per_file_ignores={"src/**/*.py": ["ML0301"]}) == []


def test_force_exclude_applies_the_patterns_to_named_files(make_repo, cli):
    root = make_repo({"mllint.toml": "extend-exclude = ['gen/*.py']\n", "gen/x.py": SPLIT, "y.py": SPLIT})
    import os

    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = cli("check", "--no-cache", "--select", "ML0301", "-o", "json", "--force-exclude", "gen/x.py", "y.py")
    finally:
        os.chdir(cwd)
    assert sorted(item["path"] for item in json.loads(result.stdout)) == ["y.py"]


name_part = st.text(alphabet="ab._-x1 ", min_size=1, max_size=6).filter(lambda part: part not in (".", ".."))


@given(st.lists(name_part, min_size=1, max_size=4).map("/".join))
@settings(max_examples=500, deadline=None)
def test_relative_path_parts_equal_purepath(rel):
    """mllint.core.relpath answers as PurePosixPath does for the inventory's normalised paths."""
    from pathlib import PurePosixPath

    from mllint.core import relpath

    path = PurePosixPath(rel)
    assert relpath.name(rel) == path.name
    assert relpath.suffix(rel) == path.suffix
    assert relpath.folders(rel) == list(path.parts[:-1])
    assert relpath.parent(rel) == str(path.parent)
