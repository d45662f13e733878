"""Sub-projects of a monorepo: folders with a dependency manifest of their own, judged one by one.

A repository of many ML projects (each with its own ``requirements.txt``/``pyproject.toml``, tests,
pipelines) is not one project: a sibling's tests do not test this one, a sibling's CI does not build it.
Two or more such folders make the repository a monorepo; its repository rules then run once per project
on a model of that folder (as ``mllint check <folder>`` would), and each finding names its project.
Folders under examples/, docs/, tests/... (the life-cycle scope's peripheral folders) are never projects.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from mllint.core import relpath
from mllint.knowledge.runtime import Knowledge
from mllint.repo.inventory import Inventory
from mllint.repo.model import RepoModel

#: Base names of the manifests that make a folder a project (requirements*.txt matched by pattern).
MANIFEST_NAMES = ("pyproject.toml", "setup.py", "setup.cfg", "environment.yml", "environment.yaml", "conda.yaml",
                  "conda.yml", "Pipfile")
MANIFEST_PATTERNS = ("requirements*.txt",)
#: Folders that never hold projects of their own, besides the life-cycle scope's peripheral ones.
NOT_PROJECT_DIRS = {"tests", "test", "testing", ".github", "scripts", "tools", "ci", "docker", "deploy", "requirements"}


@dataclass(frozen=True)
class Project:
    """A project of the repository: its folder relative to the root ("" for the root) and its manifest."""

    path: str
    manifest: str

    @property
    def label(self) -> str:
        return f"{self.path}/" if self.path else "(repository root)"

    def owns(self, rel: str) -> bool:
        return not self.path or rel == self.path or rel.startswith(self.path + "/")


def is_manifest(name: str) -> bool:
    return name in MANIFEST_NAMES or any(fnmatch.fnmatchcase(name, pattern) for pattern in MANIFEST_PATTERNS)


def find_projects(files: list[str], code_files: set[str], knowledge: Knowledge | Callable[[], Knowledge]) -> list[Project]:
    """The sub-projects of a monorepo, shallowest folder per manifest chain; empty when fewer than two
    folders with a manifest hold code (then the repository is one project). ``knowledge`` may be given
    as a function: it is loaded only when two folders have a manifest."""
    nested = {rel.rsplit("/", 1)[0] for rel in files if "/" in rel and is_manifest(rel.rsplit("/", 1)[1])}
    if len(nested) < 2:
        return []
    tables = knowledge() if callable(knowledge) else knowledge
    peripheral = {d.lower() for d in tables.get("lifecycle_scope", {}).get("ignore_dirs", [])} | NOT_PROJECT_DIRS
    folders: dict[str, str] = {}
    for rel in files:
        in_folders = relpath.folders(rel)
        if not in_folders or not is_manifest(relpath.name(rel)):
            continue
        if any(part.lower() in peripheral or part.startswith(".") for part in in_folders):
            continue
        folder = relpath.parent(rel)
        folders.setdefault(folder, rel)
    chosen: dict[str, str] = {}
    for folder in sorted(folders, key=lambda f: (f.count("/"), f)):
        if not any(folder.startswith(kept + "/") for kept in chosen):
            chosen[folder] = folders[folder]
    projects = [Project(folder, manifest) for folder, manifest in sorted(chosen.items())
                if any(rel.startswith(folder + "/") for rel in code_files)]
    return projects if len(projects) >= 2 else []


def root_remainder(projects: list[Project], files: list[str]) -> list[str]:
    """Files that belong to no sub-project."""
    return [rel for rel in files if not any(p.owns(rel) for p in projects)]


def project_model(model: RepoModel, project: Project, files: list[str] | None = None) -> RepoModel:
    """A repository model of one project's folder: paths relative to it, as if it had been checked alone
    (``files`` overrides the file list, for the root's remainder)."""
    prefix = f"{project.path}/" if project.path else ""
    inventory = model.inventory
    owned = files if files is not None else [rel for rel in inventory.files if rel.startswith(prefix)]
    sub_files = [rel[len(prefix):] for rel in owned]
    tracked = None if inventory.tracked is None else {rel[len(prefix):] for rel in inventory.tracked if rel.startswith(prefix)}
    if files is not None and tracked is not None:
        tracked &= set(sub_files)
    root = model.root / project.path if project.path else model.root
    sub_inventory = Inventory(root=Path(root), files=sub_files, git_root=inventory.git_root, tracked=tracked)
    owned_set = set(owned)
    facts = {rel[len(prefix):]: replace(facts, path=rel[len(prefix):]) for rel, facts in model.facts.items() if rel in owned_set}
    digests = {rel[len(prefix):]: digest for rel, digest in model.digests.items() if rel in owned_set}
    overlay = {rel[len(prefix):]: data for rel, data in model.overlay.items() if rel in owned_set}
    return RepoModel(root=Path(root), inventory=sub_inventory, facts=facts, knowledge=model.knowledge,
                     cache_dir=model.cache_dir, digests=digests, overlay=overlay, enclosing=(model, project.path))
