"""ML0406 dvc-lock-stale: dvc.lock records dependency hashes or params values the workspace no longer has."""

from __future__ import annotations

import hashlib
import posixpath

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule, RuleOptions
from mllint.core.yamlsafe import key_lines
from mllint.repo.dvchash import DvcHasher

SCRIPT = "print('train')\n"
SCRIPT_MD5 = hashlib.md5(SCRIPT.encode()).hexdigest()
STAGES = "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    params: [train.lr]\n    outs: [model.pkl]\n"


def _lock(md5: str, lr: float = 0.1, cmd: str = "python train.py") -> str:
    return (f"schema: '2.0'\nstages:\n  train:\n    cmd: {cmd}\n    deps:\n    - path: train.py\n      hash: md5\n"
            f"      md5: {md5}\n      size: {len(SCRIPT)}\n    params:\n      params.yaml:\n        train.lr: {lr}\n"
            "    outs:\n    - path: model.pkl\n      hash: md5\n      md5: 0123456789abcdef0123456789abcdef\n")


class DvcLockStale(RepoRule):
    code = "ML0406"
    name = "dvc-lock-stale"
    factor = 4
    severity = "warning"
    summary = "dvc.lock records a dependency hash, params value or command that no longer matches the workspace."
    why = """
        Factor 4 (reproducible training): `dvc.lock` is the record of which code, data and
        parameters produced the committed outputs. When a dependency or a parameter changed after
        the last `dvc repro`, the record describes a run that the current code would not repeat:
        the metrics and model in git belong to an older version of the pipeline.
    """
    how_to_fix = """
        Run `dvc repro` (or `dvc commit` if the change must not re-run anything) and commit the
        updated `dvc.lock` together with the change. mllint computes DVC's hashes itself (MD5 of the
        file content for DVC 3 lock entries, the CRLF-normalised MD5 for DVC 2 ones, DVC's `.dir`
        hash for folders, honouring `.dvcignore`); files that are missing (not pulled) are not judged,
        and a file that differs only by its line endings (a lock written on Windows) is not stale.
    """

    class Options(RuleOptions):
        #: Files larger than this (bytes) are not hashed.
        max_file_bytes: int = 256 * 1024 * 1024
        #: Folders with more files than this are not hashed.
        max_dir_files: int = 10_000

    violating = [
        RepoExample({"dvc.yaml": STAGES, "params.yaml": "train:\n  lr: 0.1\n", "train.py": SCRIPT + "print('changed')\n",
                     "dvc.lock": _lock(SCRIPT_MD5)}, note="train.py changed since the last run"),
        RepoExample({"dvc.yaml": STAGES, "params.yaml": "train:\n  lr: 0.05\n", "train.py": SCRIPT,
                     "dvc.lock": _lock(SCRIPT_MD5)}, note="train.lr changed"),
        RepoExample({"dvc.yaml": STAGES.replace("python train.py", "python train.py --fast"), "params.yaml": "train:\n  lr: 0.1\n",
                     "train.py": SCRIPT, "dvc.lock": _lock(SCRIPT_MD5)}, note="the command changed"),
    ]
    compliant = [
        RepoExample({"dvc.yaml": STAGES, "params.yaml": "train:\n  lr: 0.1\n", "train.py": SCRIPT, "dvc.lock": _lock(SCRIPT_MD5)}),
        RepoExample({"dvc.yaml": STAGES, "params.yaml": "train:\n  lr: 0.1\n", "dvc.lock": _lock(SCRIPT_MD5)},
                    note="the dependency is not in the workspace: not judged"),
        RepoExample({"dvc.yaml": STAGES, "params.yaml": "train:\n  lr: 0.1\n", "train.py": SCRIPT,
                     "dvc.lock": _lock(hashlib.md5(SCRIPT.replace("\n", "\r\n").encode()).hexdigest())},
                    note="the lock was written on Windows (CRLF), git checked the script out with LF"),
    ]

    def check(self, repo):
        hasher = DvcHasher(repo.root, repo.cache_dir, self.options.max_file_bytes, self.options.max_dir_files)
        stages = {(s.dvcfile, s.name): s for s in repo.pipeline.stages}
        for dvcfile in repo.vcs.dvc_yaml_files:
            lock_rel = posixpath.join(posixpath.dirname(dvcfile), "dvc.lock")
            lock = repo.read_yaml(lock_rel) if repo.exists(lock_rel) else None
            recorded = lock.get("stages") if isinstance(lock, dict) else None
            if not isinstance(recorded, dict):
                continue
            lines = key_lines(repo.read_text(lock_rel))
            base = posixpath.dirname(dvcfile)
            by_change: dict[str, list[str]] = {}
            for name, entry in recorded.items():
                if not isinstance(name, str) or not isinstance(entry, dict):
                    continue
                for change in self._changes(repo, hasher, base, stages.get((dvcfile, name)), entry):
                    by_change.setdefault(change, []).append(name)
            for change, names in by_change.items():  # one finding per change, naming every stage it affects
                which = f"stage {names[0]} is" if len(names) == 1 else f"stages {', '.join(names)} are"
                yield RepoFinding(
                    f"{lock_rel} is out of date: {change}, so {which} not what the workspace would produce; "
                    f"run `dvc repro` and commit {lock_rel}",
                    path=lock_rel, line=lines.get(("stages", names[0])), evidence=[f"{lock_rel}: stage {n}" for n in names],
                )
        hasher.save()

    def _changes(self, repo, hasher, base, stage, entry) -> list[str]:
        changes: list[str] = []
        folder = stage.cwd if stage is not None else base
        if stage is not None and not stage.templated and isinstance(entry.get("cmd"), (str, list)):
            recorded = entry["cmd"] if isinstance(entry["cmd"], list) else [entry["cmd"]]
            if [str(c).strip() for c in recorded] != [c.strip() for c in stage.commands]:
                changes.append(f"the command of stage {stage.name} changed")
        for dep in entry.get("deps") or []:
            if not isinstance(dep, dict) or not isinstance(dep.get("path"), str) or not isinstance(dep.get("md5"), str):
                continue
            rel = posixpath.normpath(posixpath.join(folder, dep["path"])) if folder else posixpath.normpath(dep["path"])
            if rel.startswith("../") or "://" in dep["path"]:
                continue
            dos2unix = dep.get("hash") != "md5"
            expected = dep["md5"]
            folder_dep = expected.endswith(".dir")
            current = hasher.directory(rel, dos2unix) if folder_dep else hasher.file(rel, dos2unix)
            if current is None or current == expected:
                continue
            # written on Windows, checked out with LF: the same content (DVC would disagree, git does not)
            crlf = hasher.directory(rel, dos2unix, crlf=True) if folder_dep else hasher.file(rel, dos2unix, crlf=True)
            if crlf == expected:
                continue
            change = f"{rel} changed"
            listing = hasher.listing(rel) if folder_dep else None
            recorded = dep.get("nfiles")
            if listing is not None and isinstance(recorded, int) and recorded > len(listing):
                change += (f" (dvc.lock counted {recorded} files, the folder has {len(listing)}: files that are not "
                           "committed, such as __pycache__, were hashed; list them in .dvcignore)")
            changes.append(change)
        for file, values in (entry.get("params") or {}).items():
            if not isinstance(file, str) or not isinstance(values, dict):
                continue
            rel = posixpath.normpath(posixpath.join(folder, file)) if folder else file
            params = repo.params.files.get(rel)
            if params is None:
                continue
            for key, value in values.items():
                path = tuple(str(key).split("."))
                defined, _prefix = params.lookup(path)
                if not defined:
                    changes.append(f"{rel}: {key} was removed")
                    continue
                now = _get(params.data, path)
                if now != value:
                    changes.append(f"{rel}: {key} is {_short(now)}, was {_short(value)}")
        return changes


def _get(data, path):
    node = data
    for key in path:
        if not isinstance(node, dict):
            return node
        node = node.get(key)
    return node


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
