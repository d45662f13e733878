"""ML0101 not-a-git-repo: the checked root is not inside a git work tree."""

from __future__ import annotations

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule


class NotAGitRepo(RepoRule):
    code = "ML0101"
    name = "not-a-git-repo"
    factor = 1
    severity = "error"
    summary = "The project is not under version control: its folder is not inside a git work tree."
    why = """
        Factor 1 (version control of code and data): without git there is no record of which code
        produced which model, no way to go back to the version that worked, and no basis for
        review, CI or data versioning (DVC and git-lfs both build on git).
    """
    how_to_fix = """
        Run `git init`, add a `.gitignore` (virtualenvs, data, models, caches), commit the code and
        track data and models with DVC (`dvc init`, `dvc add data/`) or git-lfs.
    """
    violating = [
        RepoExample({"train.py": "import sklearn\n"}, git=False),
        RepoExample({"notebooks/eda.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'}, git=False),
        RepoExample({"README.md": "# churn model\n", "src/model.py": "x = 1\n"}, git=False),
        RepoExample({".gitignore": "data/\n", "train.py": "x = 1\n"}, git=False, note="a .gitignore alone is not a repository"),
    ]
    compliant = [
        RepoExample({"train.py": "import sklearn\n"}),
        RepoExample({"README.md": "# docs\n"}),
        RepoExample({"src/pkg/model.py": "x = 1\n", ".gitignore": "data/\n"}),
        RepoExample({"data.dvc": "outs:\n- path: data\n", "train.py": "x = 1\n"}),
    ]

    def check(self, repo):
        if repo.inventory.is_git or not repo.files:
            return
        root = repo.root.resolve()
        if any(repo.path_exists(folder / ".git") for folder in (root, *root.parents)):
            return  # a work tree git could not read (git missing, unsafe ownership): do not guess
        yield RepoFinding(
            f"{repo.root.name or repo.root} is not inside a git work tree: looked for a .git folder here and in the "
            "parent folders (`git rev-parse`); run `git init` and commit the code, with data and models tracked "
            "through DVC or git-lfs",
            path=None,
            evidence=[".git"],
        )
