"""ML0407 dvc-metrics-unwritten: a stage declares metrics or plots that none of its code writes."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from mllint.catalogue.rule import RepoExample, RepoFinding, RepoRule
from mllint.repo.mlcode import imports_any

EVAL = ("import json\n\nscores = {'auc': 0.9}\nwith open('metrics.json', 'w') as f:\n    json.dump(scores, f)\n")
STAGE = "stages:\n  evaluate:\n    cmd: python evaluate.py\n    deps: [evaluate.py]\n    metrics:\n      - {name}:\n          cache: false\n"


class DvcMetricsUnwritten(RepoRule):
    code = "ML0407"
    name = "dvc-metrics-unwritten"
    factor = 4
    severity = "warning"
    summary = "A dvc.yaml stage declares a metrics or plots file that no code its command runs writes."
    why = """
        Factor 4 (reproducible training): a stage's `metrics` and `plots` are outputs of its
        command. When the code the command runs never writes the declared file -- renamed, moved
        to another stage, or written by hand once -- `dvc repro` fails on the missing output, or
        the committed file keeps showing numbers no current run produces.
    """
    how_to_fix = """
        Declare the file the stage's code actually writes, make the code write the declared path, or
        move the declaration to the stage that writes it. mllint looks for the file name in the
        command, in the string literals of every module the command runs (transitively) and in
        the params and configuration files that code names; stages using dvclive, or running something
        other than Python of this repository, are not judged.
    """
    violating = [
        RepoExample({"dvc.yaml": STAGE.format(name="scores.json"), "evaluate.py": EVAL, "metrics.json": "{}\n"},
                    note="the code writes metrics.json, the stage declares scores.json"),
        RepoExample({"dvc.yaml": STAGE.format(name="metrics.json") + "    plots:\n      - plots/roc.csv\n",
                     "evaluate.py": EVAL}, note="nothing writes plots/roc.csv"),
    ]
    compliant = [
        RepoExample({"dvc.yaml": STAGE.format(name="metrics.json"), "evaluate.py": EVAL}),
        RepoExample({"dvc.yaml": STAGE.format(name="metrics.json").replace("python evaluate.py", "python evaluate.py --out metrics.json"),
                     "evaluate.py": "import json, sys\n\njson.dump({}, open(sys.argv[2], 'w'))\n"}, note="named on the command line"),
        RepoExample({"dvc.yaml": STAGE.format(name="dvclive/metrics.json"),
                     "evaluate.py": "from dvclive import Live\n\nwith Live() as live:\n    live.log_metric('auc', 0.9)\n"},
                    note="dvclive writes its own files"),
        RepoExample({"dvc.yaml": STAGE.format(name="reports/metrics.json"), "params.yaml": "paths:\n  metrics: reports/metrics.json\n",
                     "evaluate.py": ("import json\nimport yaml\n\np = yaml.safe_load(open('params.yaml'))\n"
                                     "json.dump({}, open(p['paths']['metrics'], 'w'))\n")},
                    note="the path comes from params.yaml"),
        RepoExample({"dvc.yaml": STAGE.format(name="scores.json"), "configs/config.yaml": "metrics:\n  scores: scores.json\n",
                     "evaluate.py": ("import json\nimport yaml\n\nc = yaml.safe_load(open('configs/config.yaml'))\n"
                                     "json.dump({}, open(c['metrics']['scores'], 'w'))\n")},
                    note="the path comes from a configuration file the code names"),
    ]

    def check(self, repo):
        pipeline = repo.pipeline
        writers = repo.knowledge.get("pipeline_commands", {}).get("metric_writers", ["dvclive"])
        params_strings: set[str] | None = None
        for stage in pipeline.stages:
            declared = [*stage.metrics, *stage.plots]
            if not declared or stage.templated:
                continue
            entries = pipeline.entry_points(stage)
            if not entries:
                continue
            strings: set[str] = set(stage.commands)
            files: set[str] = set()
            for entry in entries:
                files.update(pipeline.closure(entry))
            facts = [repo.facts.get(rel) for rel in sorted(files)]
            if any(item is None or not item.parsed for item in facts):
                continue
            if any(imports_any(item.imports, writers) for item in facts):
                continue
            for item in facts:
                strings.update(item.strings)
            if params_strings is None:
                params_strings = {s for params in repo.params.files.values() for s in _strings(params.data)}
            strings |= params_strings
            configs = _configs_named(repo, strings)
            if not configs and any(_loads_unknown_file(item) for item in facts):
                continue  # a configuration is read from a path mllint cannot see: the names may be there
            for rel in configs:
                strings.update(_strings(repo.read_yaml(rel) if rel.endswith((".yaml", ".yml")) else _json(repo, rel)))
            for output in declared:
                name = posixpath.basename(output.raw.rstrip("/"))
                if not name or "${" in output.raw or any(name in text for text in strings):
                    continue
                suffix = posixpath.splitext(name)[1]
                if suffix and suffix in strings:
                    continue  # built from pieces (f"{name}.json"): cannot tell
                yield RepoFinding(
                    f"stage {stage.name} declares {output.raw} but no code its command runs mentions "
                    f"{name} (looked in the command, {len(files)} module(s) and the params files): "
                    "declare the file the stage writes, or write the declared one",
                    path=stage.dvcfile, line=output.line or stage.line, evidence=sorted(files)[:5],
                )


CONFIG_SUFFIXES = (".yaml", ".yml", ".json")


def _configs_named(repo, strings: set[str]) -> list[str]:
    """Configuration files of the repository that the code or the command names (by path or base name)."""
    names = {posixpath.basename(s) for s in strings if s.endswith(CONFIG_SUFFIXES)}
    if not names:
        return []
    return [rel for rel in repo.files if rel.endswith(CONFIG_SUFFIXES) and posixpath.basename(rel) in names][:20]


def _loads_unknown_file(facts) -> bool:
    """Does the file load a YAML/JSON file whose name the collector could not resolve?"""
    params = facts.params
    return params is not None and any(source.kind == "file" and not source.certain for source in params.sources)


def _json(repo, rel: str) -> Any:
    import json

    text = repo.read_text(rel)
    try:
        return json.loads(text) if text else None
    except (ValueError, RecursionError):
        return None


def _strings(data: Any, budget: int = 10_000) -> Iterator[str]:
    stack = [data]
    while stack and budget > 0:
        budget -= 1
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
