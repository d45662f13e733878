"""ML0404 param-undefined: a parameter a stage lists or the code reads is not in the params file."""

from __future__ import annotations

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule

PARAMS = "train:\n  lr: 0.1\n  epochs: 10\n"
STAGE = "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    params:\n{params}"
READ = 'import yaml\n\nparams = yaml.safe_load(open("params.yaml"))\nlr = params["train"]["lr"]\nepochs = params["train"]["epochs"]\n'


class ParamUndefined(RepoRule):
    code = "ML0404"
    name = "param-undefined"
    factor = 4
    severity = "error"
    summary = "A parameter listed in a dvc.yaml stage or read by code is not defined in the params file."
    why = """
        Factor 4 (reproducible training): a parameter that the pipeline lists but the params file
        does not define makes `dvc repro` fail; one that the code reads but the file does not define
        raises a `KeyError` when that line runs -- which can be hours into training -- or, read
        through a default, silently runs with a value nobody versioned.
    """
    how_to_fix = """
        Define the key in the params file (with the value the run should use), or correct its name
        where it is listed or read. Reads with an explicit default (`params.get("lr", 0.1)`) and
        reads guarded by `try/except KeyError` are not reported.
    """
    violating = [
        RepoExample({"dvc.yaml": STAGE.format(params="      - train.lr\n      - train.penalty\n"), "params.yaml": PARAMS,
                     "train.py": READ}, note="the stage lists train.penalty"),
        RepoExample({"dvc.yaml": STAGE.format(params="      - train\n"), "params.yaml": PARAMS,
                     "train.py": READ + 'decay = params["train"]["weight_decay"]\n'}, note="the code reads train.weight_decay"),
        RepoExample({"dvc.yaml": STAGE.format(params="      - train\n"), "params.yaml": PARAMS,
                     "train.py": "import dvc.api\n\ncfg = dvc.api.params_show()\nbatch = cfg['train']['batch_size']\n"},
                    note="through dvc.api.params_show()"),
        RepoExample({"dvc.yaml": STAGE.format(params="      - train\n"), "params.yaml": PARAMS,
                     "config.py": ('from pathlib import Path\n\nimport yaml\nfrom pydantic import BaseModel\n\n\n'
                                   'class Train(BaseModel):\n    lr: float\n    epochs: int\n    momentum: float\n\n\n'
                                   'class Params(BaseModel):\n    train: Train\n\n\n'
                                   'def load_params(path=Path("params.yaml")):\n    return Params.model_validate(yaml.safe_load(path.read_text()))\n'),
                     "train.py": "from config import load_params\n\nparams = load_params()\n"},
                    note="a required field of the pydantic model the file is validated into"),
        RepoExample({"conf/config.yaml": "defaults:\n  - model: small\n  - _self_\nseed: 1\n",
                     "conf/model/small.yaml": "layers: 2\nwidth: 64\n",
                     "train.py": ('import hydra\n\n\n@hydra.main(config_path="conf", config_name="config", version_base=None)\n'
                                  'def main(cfg):\n    print(cfg.seed, cfg.model.layers, cfg.model.dropout)\n')},
                    note="Hydra: cfg.model.dropout is in no file of the composed configuration"),
    ]
    compliant = [
        RepoExample({"dvc.yaml": STAGE.format(params="      - train.lr\n      - train.epochs\n"), "params.yaml": PARAMS, "train.py": READ}),
        RepoExample({"dvc.yaml": STAGE.format(params="      - train\n"), "params.yaml": PARAMS,
                     "train.py": READ + 'decay = params["train"].get("weight_decay", 0.0)\n'}, note="a read with a default"),
        RepoExample({"dvc.yaml": STAGE.format(params="      - train\n"), "params.yaml": PARAMS,
                     "train.py": READ + 'other = yaml.safe_load(open("other.yaml"))["x"]\n'}, note="another YAML file"),
        RepoExample({"dvc.yaml": STAGE.format(params="      - train\n"), "params.yaml": "train:\n  lr: 0.1\n  epochs: 10\n  opt: adam\n",
                     "train.py": READ + 'kind = params["train"]["opt"].upper()\n'}, note="a method of a value is not a key"),
        RepoExample({"conf/config.yaml": "defaults:\n  - model: small\n  - _self_\nseed: 1\n",
                     "conf/model/small.yaml": "layers: 2\nwidth: 64\n",
                     "train.py": ('import hydra\n\n\n@hydra.main(config_path="conf", config_name="config", version_base=None)\n'
                                  'def main(cfg):\n    print(cfg.seed, cfg.model.layers, cfg.hydra.run.dir)\n')},
                    note="Hydra: every key is composed from conf/ (and hydra.* is Hydra's own)"),
        RepoExample({"conf/config.yaml": "defaults:\n  - model: ${oc.env:MODEL}\nseed: 1\n",
                     "train.py": ('import hydra\n\n\n@hydra.main(config_path="conf", config_name="config", version_base=None)\n'
                                  'def main(cfg):\n    print(cfg.model.dropout)\n')},
                    note="a defaults entry mllint cannot resolve: not judged"),
    ]

    def check(self, repo):
        usage = repo.params
        configs = usage.configs()
        for file in sorted(configs):
            for path, reads in usage.undefined(file):
                key = ".".join(path)
                readers = list(dict.fromkeys(read.where for read in reads))
                listed = [read for read in reads if read.kind == "listed"]
                how = "listed in " + listed[0].where if listed else "read at " + readers[0]
                more = f" (and {len(readers) - 1} more place{'s' if len(readers) > 2 else ''})" if len(readers) > 1 else ""
                yield RepoFinding(
                    f"`{key}` is {how}{more} but {file} does not define it: define it in {file} or fix the name",
                    path=file, line=configs[file].line_of(path[:-1]) if len(path) > 1 else None, evidence=readers[:5],
                )
