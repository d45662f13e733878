"""ML0005 incomplete-check: mllint could not look at part of the repository (git refused, a path unreadable)."""

from __future__ import annotations

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule


class IncompleteCheck(RepoRule):
    code = "ML0005"
    name = "incomplete-check"
    factor = 0
    severity = "warning"
    summary = "Part of the repository could not be looked at: git refused or timed out, or a path could not be read."
    why = """
        A check that could not look must not pass. When git refuses a repository (a checkout owned
        by another user: "dubious ownership"; a bare repository inside the tree), times out, or a
        path cannot be read (longer than the system allows, a folder without permission), the rules
        that need it judge an incomplete picture: the version-control rules of factor 1 would
        otherwise be satisfied without a word. This finding says what was not seen and why.
    """
    how_to_fix = """
        For a checkout owned by another user (CI containers), mark it trusted with
        `git config --global --add safe.directory PATH` if it is. Remove bare repositories and
        unreadable paths from the tree, or exclude them (`extend-exclude`). If git times out on a
        large repository, check its `.gitignore` for pathological patterns.
    """
    violating = [
        RepoExample({".git/HEAD": "not a ref\n", "train.py": "x = 1\n"}, git=False,
                    note="a .git folder git cannot read"),
    ]
    compliant = [
        RepoExample({"train.py": "x = 1\n"}),
        RepoExample({"train.py": "x = 1\n"}, git=False, note="simply not in git: that is ML0101"),
    ]

    def check(self, repo):
        for blind in repo.inventory.blind:
            yield RepoFinding(blind.message, path=blind.path, evidence=[blind.path] if blind.path else [])
