"""ML0405 param-unused: a key of the params file that no stage lists and no code reads."""

from __future__ import annotations

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule

STAGE = "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    params:\n      - train.lr\n"
READ = 'import yaml\n\nparams = yaml.safe_load(open("params.yaml"))\nlr = params["train"]["lr"]\n'


class ParamUnused(RepoRule):
    code = "ML0405"
    name = "param-unused"
    factor = 4
    severity = "warning"
    summary = "A key of the pipeline's params file is listed by no stage and read by no code."
    why = """
        Factor 4 (reproducible training): a parameter that nothing reads is a lie in the record of a
        run. Someone tunes it, `dvc exp run -S` changes it, the experiment table shows it, and the
        model does not change -- typically a key renamed in the code but not in `params.yaml`.
    """
    how_to_fix = """
        Remove the key from the params file, or read it where it was meant to be used (and list it
        in the stage's `params:` so DVC tracks it). mllint reports a key only when it could follow
        every reader of the file: a stage running something other than Python of this repository,
        or the whole params object handed to a function, turns the check off for what it cannot see.
    """
    violating = [
        RepoExample({"dvc.yaml": STAGE, "params.yaml": "train:\n  lr: 0.1\n  momentum: 0.9\n", "train.py": READ},
                    note="train.momentum is read by nobody"),
        RepoExample({"dvc.yaml": STAGE, "params.yaml": "train:\n  lr: 0.1\nevaluate:\n  threshold: 0.5\n  k: 5\n", "train.py": READ},
                    note="a whole section nobody reads is reported once"),
    ]
    compliant = [
        RepoExample({"dvc.yaml": STAGE, "params.yaml": "train:\n  lr: 0.1\n", "train.py": READ}),
        RepoExample({"dvc.yaml": STAGE, "params.yaml": "train:\n  lr: 0.1\n  momentum: 0.9\n",
                     "train.py": READ + "opt = make_optimizer(**params['train'])\n"}, note="the section is handed over whole"),
        RepoExample({"dvc.yaml": STAGE.replace("python train.py", "Rscript train.R"),
                     "params.yaml": "train:\n  lr: 0.1\n  momentum: 0.9\n", "train.R": "x <- 1\n"},
                    note="an R stage may read any key: not judged"),
        RepoExample({"dvc.yaml": STAGE, "params.yaml": "train:\n  lr: 0.1\n  momentum: 0.9\n",
                     "train.py": 'from utils import read_params\n\nparams = read_params()\nlr = params["train"]["lr"]\nm = params["train"]["momentum"]\n',
                     "utils.py": 'import yaml\n\n\ndef read_params():\n    with open("params.yaml") as f:\n        return yaml.safe_load(f)\n'},
                    note="read through a helper function of the project"),
    ]

    def check(self, repo):
        usage = repo.params
        if not usage.files:
            return
        followable, _why = usage.followable()
        if not followable:
            return
        for file in sorted(usage.files):
            if not usage.all_reads(file):
                continue  # nothing seen reading this file at all: the analysis, not the file, is in doubt
            for path in usage.unused(file):
                key = ".".join(path)
                yield RepoFinding(
                    f"`{key}` in {file} is not listed by any stage and not read by any code: remove it, or read it "
                    "where it was meant to be used (and list it in the stage's params)",
                    path=file, line=usage.files[file].line_of(path), evidence=[f"{file}:{key}"],
                )
