"""ML0105 dvc-incomplete: DVC is used, but the setup would not let someone else reproduce or pull."""

from __future__ import annotations

from pathlib import PurePosixPath

from mllint.catalogue.remedy import Piece, Plan
from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.core import relpath
from mllint.core.findings import Finding

CONFIG_REMOTE = "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://bucket/dvc\n"
STAGES = "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    outs: [model.pkl]\n"
LOCK = "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n"


class DvcIncomplete(RepoRule):
    code = "ML0105"
    name = "dvc-incomplete"
    factor = 1
    severity = "warning"
    summary = "DVC is used, but its config is untracked, no remote is set, dvc.lock is missing or outputs are not git-ignored."
    why = """
        Factor 1 (version control of code and data): DVC only versions data if the pieces are all
        there. Without a tracked `.dvc/config` and a remote nobody else can `dvc pull`; without a
        committed `dvc.lock` the exact data and model hashes of a run are lost; an output that is
        not git-ignored ends up in git as well (twice stored, and out of sync).
    """
    how_to_fix = """
        Commit `.dvc/config` with a default remote (`dvc remote add -d storage s3://bucket/path`),
        commit `dvc.lock` after `dvc repro`, and let DVC write `.gitignore` entries for outputs
        (`git rm --cached <output>` if one was committed).
    """
    violating = [
        RepoExample({"dvc.lock": "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n", "train.py": "x = 1\n"},
                    note="a dvc.lock without its dvc.yaml"),
        RepoExample({".dvc/config": "[core]\n    autostage = true\n", "data.dvc": "outs:\n- md5: a\n  path: data\n",
                     ".gitignore": "/data\n"}, note="no remote configured"),
        RepoExample({".dvc/config": CONFIG_REMOTE, "dvc.yaml": STAGES, "train.py": "x = 1\n", ".gitignore": "/model.pkl\n"},
                    note="dvc.yaml without dvc.lock"),
        RepoExample({".dvc/config": CONFIG_REMOTE, "dvc.yaml": STAGES, "dvc.lock": LOCK, "train.py": "x = 1\n"},
                    note="the output model.pkl is not git-ignored"),
        RepoExample({".dvc/config": CONFIG_REMOTE, "data/raw.csv.dvc": "outs:\n- md5: a\n  path: raw.csv\n",
                     "data/raw.csv": "a\n1\n"}, note="the DVC-tracked file is committed to git too"),
        RepoExample({"dvc.yaml": STAGES, "dvc.lock": LOCK, ".gitignore": "/model.pkl\n"}, note="no .dvc/ folder at all"),
    ]
    compliant = [
        RepoExample({".dvc/config": CONFIG_REMOTE, "dvc.yaml": STAGES, "dvc.lock": LOCK, ".gitignore": "/model.pkl\n"}),
        RepoExample({".dvc/config": CONFIG_REMOTE, "data/raw.csv.dvc": "outs:\n- md5: a\n  path: raw.csv\n",
                     "data/.gitignore": "/raw.csv\n"}),
        RepoExample({"train.py": "x = 1\n"}, note="no DVC"),
        RepoExample({".dvc/config": CONFIG_REMOTE, "dvc.yaml": STAGES.replace("outs: [model.pkl]", "metrics:\n      - m.json:\n          cache: false"),
                     "dvc.lock": LOCK, "m.json": "{}"}, note="uncached metrics belong in git"),
        RepoExample({".dvc/config": CONFIG_REMOTE, "dvc.yaml": STAGES, "dvc.lock": LOCK, ".gitignore": "/model.pkl\n"},
                    git=False, note="without git only the remote and the lock file are checked"),
    ]

    @classmethod
    def remedy(cls, findings: list[Finding], plan: Plan) -> None:
        """The missing .gitignore entries of DVC outputs (``data["output"]`` of those findings); the rest is advice."""
        appends: dict[str, list[str]] = {}
        for finding in findings:
            if finding.data.get("problem") == "not-ignored":
                out = PurePosixPath(finding.data["output"])
                parent = "" if str(out.parent) == "." else f"{out.parent}/"
                appends.setdefault(f"{parent}.gitignore", []).append(f"/{out.name}")
        if appends:
            plan.add(Piece(".gitignore entries for DVC outputs", (cls.code,), appends=appends))
        if any(finding.data.get("problem") != "not-ignored" for finding in findings):
            super().remedy(findings, plan)

    def check(self, repo):
        vcs = repo.vcs
        for rel in repo.files:  # a lock left behind: the pipeline it records is no longer declared
            if relpath.name(rel) == "dvc.lock" and str(PurePosixPath(rel).with_name("dvc.yaml")) not in repo.file_set:
                yield RepoFinding(
                    f"{rel} records a DVC pipeline run but there is no dvc.yaml next to it: the stages that produced "
                    "the data and models are no longer declared; restore dvc.yaml (or delete the stale dvc.lock)",
                    path=rel, evidence=[rel, str(PurePosixPath(rel).with_name("dvc.yaml"))],
                )
        if not vcs.uses_dvc:
            return
        config_rel = vcs.dvc_config_rel()
        if vcs.dvc_dir is None:
            first = (vcs.dvc_yaml_files or vcs.dvc_pointer_files)[0]
            yield RepoFinding(
                f"{first} is a DVC file but there is no .dvc/ folder here or above (looked up to the git root): run "
                "`dvc init`, configure a remote and commit .dvc/config",
                path=first, evidence=[".dvc/config"],
            )
        else:
            if vcs.is_git and config_rel is not None and config_rel not in vcs.tracked:
                yield RepoFinding(
                    f"{config_rel} is not tracked by git: without it nobody else gets the DVC remote or settings; "
                    f"`git add {config_rel}` and commit it",
                    path=config_rel if repo.exists(config_rel) else None, evidence=[config_rel],
                )
            if not vcs.dvc_has_remote:
                yield RepoFinding(
                    "DVC has no remote configured: looked for a ['remote \"...\"'] section in .dvc/config; add one with "
                    "`dvc remote add -d storage s3://bucket/path` (or gs://, azure://, ssh://) and commit .dvc/config",
                    path=config_rel if config_rel and repo.exists(config_rel) else None, evidence=[".dvc/config"],
                )
        for rel in vcs.dvc_yaml_files:
            if not vcs.dvc_stages(rel):
                continue
            lock = str(PurePosixPath(rel).with_name("dvc.lock"))
            missing = lock not in vcs.tracked if vcs.is_git else not repo.exists(lock)
            if missing:
                state = "is not tracked by git" if repo.exists(lock) else "does not exist"
                yield RepoFinding(
                    f"{rel} declares stages but {lock} {state}: the data and model hashes of the last run are not "
                    f"recorded; run `dvc repro` and commit {lock}",
                    path=rel, line=1, evidence=[lock],
                )
        if not vcs.is_git:
            return
        outputs = [out for out in vcs.dvc_outputs if out.cache]
        if not outputs:
            return
        tracked_outs = []
        rest = []
        for out in outputs:
            if out.path in vcs.tracked or any(t.startswith(out.path + "/") for t in vcs.tracked):
                tracked_outs.append(out)
            else:
                rest.append(out)
        ignored = vcs.ignored([out.path for out in rest]) if rest else set()
        for out in tracked_outs:
            yield RepoFinding(
                f"{out.path} is a DVC output (declared in {out.declared_in}) but is also tracked by git: "
                f"`git rm -r --cached {out.path}` and git-ignore it (DVC writes the .gitignore entry)",
                path=out.declared_in, evidence=[out.path, ".gitignore"],
            )
        if ignored is None:
            return
        for out in rest:
            if out.path not in ignored:
                yield RepoFinding(
                    f"{out.path} is a DVC output (declared in {out.declared_in}) but is not git-ignored: "
                    f"`git add .` would commit it too; add `/{PurePosixPath(out.path).name}` to the .gitignore next to it",
                    path=out.declared_in, evidence=[out.path, ".gitignore"], data={"problem": "not-ignored", "output": out.path},
                )
