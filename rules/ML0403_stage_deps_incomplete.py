"""ML0403 stage-deps-incomplete: a DVC stage runs code whose imported project modules are not its deps."""

from __future__ import annotations

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule

TRAIN = "from features import build\n\nbuild()\n"
FEATURES = "def build():\n    return 1\n"
STAGE = "stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n{extra}    outs:\n      - model.pkl\n"


class StageDepsIncomplete(RepoRule):
    code = "ML0403"
    name = "stage-deps-incomplete"
    factor = 4
    severity = "warning"
    summary = "A dvc.yaml stage runs Python code that imports project modules its deps do not list."
    why = """
        Factor 4 (reproducible training): `dvc repro` re-runs a stage only when one of its `deps`
        changed. A stage whose command runs `src/train.py`, which imports `src/features.py`, but
        lists only `src/train.py` is not re-run when the features change: the model in the
        workspace (and in `dvc.lock`) no longer matches the code that claims to produce it, and
        nobody notices until the numbers cannot be reproduced.
    """
    how_to_fix = """
        Add every project module the stage's command imports (directly or through other modules)
        to the stage's `deps`, or list their folder (`- src/`). mllint follows `import` statements
        from the script or `-m` module the command runs, on the `sys.path` that command has.
    """
    violating = [
        RepoExample({"dvc.yaml": STAGE.format(extra=""), "src/train.py": TRAIN, "src/features.py": FEATURES},
                    note="src/features.py is imported by the script but is not a dep"),
        RepoExample({"dvc.yaml": "stages:\n  train:\n    cmd: python -m pkg.train\n    deps: [pkg/train.py]\n",
                     "pkg/__init__.py": "", "pkg/train.py": "from pkg.model import fit\n\nfit()\n",
                     "pkg/model.py": "from .layers import dense\n\n\ndef fit():\n    return dense()\n",
                     "pkg/layers.py": "def dense():\n    return 1\n"},
                    note="transitively, through a relative import, with `python -m`"),
        RepoExample({"dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    deps: [data.csv]\n", "train.py": "x = 1\n"},
                    note="the script itself is not a dep"),
    ]
    compliant = [
        RepoExample({"dvc.yaml": STAGE.format(extra="      - src/features.py\n"), "src/train.py": TRAIN, "src/features.py": FEATURES}),
        RepoExample({"dvc.yaml": "stages:\n  train:\n    cmd: python src/train.py\n    deps: [src]\n",
                     "src/train.py": TRAIN, "src/features.py": FEATURES}, note="the folder is a dep"),
        RepoExample({"dvc.yaml": "stages:\n  train:\n    cmd: Rscript train.R\n    deps: [train.R]\n", "train.R": "x <- 1\n"},
                    note="not Python: not followed"),
        RepoExample({"dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n",
                     "train.py": "import numpy as np\nimport sklearn\n\nnp.zeros(1)\n"}, note="third-party imports only"),
    ]

    def check(self, repo):
        pipeline = repo.pipeline
        for stage in pipeline.stages:
            if stage.templated or stage.frozen:
                continue
            entries = pipeline.entry_points(stage) or []
            missing: dict[str, str] = {}
            for entry in entries:
                for rel, via in pipeline.closure(entry).items():
                    if not stage.covers(rel) and rel not in missing:
                        missing[rel] = via
            if not missing:
                continue
            files = sorted(missing, key=lambda rel: (missing[rel] != "", rel))
            shown = ", ".join(f"{rel} (imported by {missing[rel]})" if missing[rel] else f"{rel} (the script itself)"
                              for rel in files[:5])
            more = f" and {len(files) - 5} more" if len(files) > 5 else ""
            yield RepoFinding(
                f"stage {stage.name} runs {entries[0].path}, but its deps do not cover {shown}{more}: `dvc repro` "
                "does not re-run the stage when they change; add them to its deps (or their folder)",
                path=stage.dvcfile, line=stage.deps_line or stage.line, evidence=files,
            )
