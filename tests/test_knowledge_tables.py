"""The knowledge tables are typed: built-in files and user extensions are validated against their models,
problems name the file (or the configuration key), and code asking for a table that does not exist fails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mllint.config.settings import Settings
from mllint.knowledge import snapshot
from mllint.knowledge.errors import KnowledgeError
from mllint.knowledge.loader import (
    builtin_knowledge,
    knowledge_dir,
    load_builtin,
    load_knowledge,
    merged,
)
from mllint.knowledge.model import KnowledgeTables
from mllint.knowledge.runtime import UnknownTableError
from mllint.knowledge.tables.splits import Splitter
from mllint.testing import check_source


@pytest.fixture
def tables_dir(tmp_path: Path) -> Path:
    """A copy of the built-in knowledge folder to spoil."""
    folder = tmp_path / "rules" / "knowledge"
    shutil.copytree(knowledge_dir(), folder)
    return folder


def _problems(folder: Path) -> str:
    with pytest.raises(KnowledgeError) as raised:
        load_builtin(folder, remember=False)
    return str(raised.value)


# -- built-in files ---------------------------------------------------------------------------------
def test_every_builtin_file_validates_and_every_model_table_has_a_file(tables_dir):
    knowledge, _ = load_builtin(tables_dir, remember=False)
    assert sorted(knowledge.tables()) == sorted(KnowledgeTables.model_fields)
    typed = knowledge.typed
    assert isinstance(typed.splitters["sklearn.model_selection.train_test_split"], Splitter)
    assert typed.splitters["torch.utils.data.random_split"].positional == 1
    assert typed.hyperparameter_families["sklearn"].kwargs is None  # omitted: every numeric keyword counts
    assert typed.seeders["keras.utils.set_random_seed"] == ["all"]


def test_a_typo_in_a_key_of_a_builtin_file_names_the_file_and_the_key(tables_dir):
    splits = tables_dir / "splits.toml"
    text = splits.read_text()
    splits.write_text(text.replace('[splitters."sklearn.model_selection.train_test_split"]\nkwargs =',
                                   '[splitters."sklearn.model_selection.train_test_split"]\nkwarg =', 1))
    message = _problems(tables_dir)
    assert ("rules/knowledge/splits.toml: splitters.sklearn.model_selection.train_test_split.kwarg: "
            "unknown key (did you mean 'kwargs'?)") in message


def test_a_wrong_type_in_a_builtin_file_says_what_was_expected(tables_dir):
    splits = tables_dir / "splits.toml"
    splits.write_text(splits.read_text().replace('kwargs = ["test_size", "train_size"]', 'kwargs = "test_size"', 1))
    assert ("rules/knowledge/splits.toml: splitters.sklearn.model_selection.train_test_split.kwargs: "
            "expected a list of strings, got a string") in _problems(tables_dir)


def test_a_regex_that_does_not_compile_is_refused(tables_dir):
    smells = tables_dir / "smells.toml"
    smells.write_text(smells.read_text().replace("managed_methods = '^(on_)?", "managed_methods = '^((on_)?", 1))
    message = _problems(tables_dir)
    assert "rules/knowledge/smells.toml: smells_eval.managed_methods: expected a regular expression" in message


def test_unknown_duplicated_and_missing_tables_are_refused(tables_dir):
    (tables_dir / "extra.toml").write_text("[splitter]\nkwargs = []\n")
    assert "rules/knowledge/extra.toml: splitter: unknown table (did you mean 'splitters'?)" in _problems(tables_dir)
    (tables_dir / "extra.toml").write_text("[seeders]\n'acme.seed' = ['all']\n")
    assert "rules/knowledge/seeding.toml: seeders: table already defined in extra.toml" in _problems(tables_dir)
    (tables_dir / "extra.toml").unlink()
    (tables_dir / "notebooks.toml").unlink()
    assert "rules/knowledge: notebook_importers: missing table (no file defines it)" in _problems(tables_dir)


def test_a_builtin_file_that_is_not_toml_is_named(tables_dir):
    (tables_dir / "paths.toml").write_text("[hardcoded_paths\n")
    assert "rules/knowledge/paths.toml: cannot read TOML" in _problems(tables_dir)


def test_rng_names_must_be_global_rngs(tables_dir):
    seeding = tables_dir / "seeding.toml"
    seeding.write_text(seeding.read_text().replace('"random.seed" = ["python"]', '"random.seed" = ["pyhton"]', 1))
    assert ("rules/knowledge/seeding.toml: seeders.random.seed[0]: unknown RNG 'pyhton' "
            "(expected one of: all, numpy, python, tensorflow, torch)") in _problems(tables_dir)


# -- the user's extensions --------------------------------------------------------------------------
@pytest.mark.parametrize("extension, key, message", [
    ({"aliases": 5}, "aliases", "expected a table (name → string), got a number"),
    ({"aliases": {"sklearn.x": 5}}, "aliases.sklearn.x", "expected a string, got a number"),
    ({"splitters": ["a"]}, "splitters", "expected a table of tables, got a list"),
    ({"hyperparameter_exempt": {"kwargs": "lr"}}, "hyperparameter_exempt.kwargs", "expected a list of strings, got a string"),
    ({"hyperparameter_exempt": {"kwargs": [1]}}, "hyperparameter_exempt.kwargs[0]", "expected a string, got a number"),
    ({"seeder": {"acme.seed": ["all"]}}, "seeder", "unknown table (did you mean 'seeders'?)"),
    ({"splitters": {"acme.split": {"kwarg": ["f"]}}}, "splitters.acme.split.kwarg", "unknown key (did you mean 'kwargs'?)"),
    ({"random_state_callables": {"acme.Model": {"rng": "numpy"}}}, "random_state_callables.acme.Model.param",
     "missing (this key is required)"),
    ({"seeders": {"acme.seed": ["nmupy"]}}, "seeders.acme.seed[0]", "unknown RNG 'nmupy'"),
    ({"torch_shufflers": {"acme.loader": {"param": "g", "position": -1}}}, "torch_shufflers.acme.loader.position",
     "expected an integer from 0, got -1"),
])
def test_a_wrong_extension_names_its_key(extension, key, message):
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(extension)
    problems = {(problem.key, problem.message) for problem in raised.value.problems}
    assert any(k == key and message in m for k, m in problems), problems
    assert all(problem.source == "" for problem in raised.value.problems)


def test_extensions_merge_like_before():
    base = builtin_knowledge()
    exempt = list(base["hyperparameter_exempt"]["kwargs"])
    extended = load_knowledge({"hyperparameter_exempt": {"kwargs": ["seed", "acme_budget", "acme_budget"]},
                               "seeders": {"acme.seed": ["all"]}, "hardcoded_paths": {"windows_drive": False}})
    assert extended["hyperparameter_exempt"]["kwargs"] == [*exempt, "acme_budget"]
    assert extended["seeders"]["acme.seed"] == ["all"] and extended["seeders"]["random.seed"] == ["python"]
    assert extended["hardcoded_paths"]["windows_drive"] is False
    assert extended.typed.hardcoded_paths.windows_drive is False
    # the built-in tables are shared, never modified
    assert base["hyperparameter_exempt"]["kwargs"] == exempt and "acme.seed" not in base["seeders"]
    assert base["hardcoded_paths"]["windows_drive"] is True


def test_merged_leaves_both_sides_alone():
    base = {"t": {"a": [1], "b": {"c": 1}}, "u": {"x": 1}}
    extra = {"t": {"a": [1, 2], "b": {"d": 2}}}
    assert merged(base, extra) == {"t": {"a": [1, 2], "b": {"c": 1, "d": 2}}, "u": {"x": 1}}
    assert base == {"t": {"a": [1], "b": {"c": 1}}, "u": {"x": 1}} and extra == {"t": {"a": [1, 2], "b": {"d": 2}}}


def test_wrong_knowledge_in_pyproject_exits_2_naming_the_key(make_repo, cli):
    root = make_repo({"pyproject.toml": "[tool.mllint.knowledge]\naliases = 5\n",
                      "train.py": "import numpy as np\nx = np.random.rand(3)\n"})
    result = cli("check", "--no-cache", "-o", "json", root)
    assert result.exit_code == 2
    assert "key 'knowledge.aliases': expected a table (name → string), got a number" in result.output
    assert "ML0004" not in result.output


def test_a_valid_extension_works_end_to_end(make_repo, cli):
    source = "import numpy as np\nfrom acme.repro import deterministic\ndeterministic(7)\nx = np.random.rand(3)\n"
    plain = make_repo({"train.py": source})
    extended = make_repo({"train.py": source,
                          "pyproject.toml": '[tool.mllint.knowledge.seeders]\n"acme.repro.deterministic" = ["all"]\n'})
    codes = [[f["code"] for f in json.loads(cli("check", "--no-cache", "--select", "ML0401", "-o", "json", root).output)]
             for root in (plain, extended)]
    assert codes == [["ML0401"], []]


# -- code asking for tables --------------------------------------------------------------------------
def test_an_unknown_table_raises_in_both_forms():
    knowledge = builtin_knowledge()
    assert knowledge["splitters"] is knowledge.get("splitters", {})
    for lookup in (lambda: knowledge["splitter"], lambda: knowledge.get("splitter", {})):
        with pytest.raises(UnknownTableError, match="unknown knowledge table 'splitter'; did you mean 'splitters'"):
            lookup()
    assert "splitters" in knowledge and "splitter" not in knowledge


def test_a_rule_reading_a_misspelt_table_fails_its_examples(monkeypatch):
    from mllint.catalogue.loader import load_catalogue

    rule = load_catalogue().get("ML1308")
    original = rule.__init__

    def misspelt(self, ctx, options=None):
        original(self, ctx, options)
        ctx.knowledge.get("smells_inplce", {})

    monkeypatch.setattr(rule, "__init__", misspelt)
    # what the catalogue tests run on every example: the typo fails them, naming the table
    with pytest.raises(UnknownTableError, match="did you mean 'smells_inplace'"):
        check_source("import pandas as pd\ndf = pd.DataFrame()\ndf.dropna()\n", settings=Settings(select=["ML1308"]))


# -- cost ---------------------------------------------------------------------------------------------
def _fresh_process(cache_home: Path, code: str) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout


def test_a_validated_knowledge_is_remembered_and_models_are_not_built_again(tmp_path):
    code = ("import sys\nfrom mllint.knowledge.loader import load_knowledge\n"
            "k = load_knowledge({'seeders': {'acme.seed': ['all']}})\n"
            "print(k['seeders']['acme.seed'], 'mllint.knowledge.model' in sys.modules)\n")
    assert _fresh_process(tmp_path, code).split() == ["['all']", "True"]  # validated, then saved
    assert _fresh_process(tmp_path, code).split() == ["['all']", "False"]  # loaded: no model was imported
    assert len(list((tmp_path / "mllint" / "knowledge").glob("*.json"))) == 2  # built-in, and with the extension


def test_a_foreign_or_corrupt_snapshot_is_ignored(tmp_path):
    tables = {"aliases": {"a": "b"}}
    snapshot.save("k1", tables, tmp_path)
    assert snapshot.load("k1", tmp_path) == tables
    (tmp_path / "k2.json").write_text(json.dumps({"format": snapshot.FORMAT, "key": "k1", "tables": tables}))
    (tmp_path / "k3.json").write_text("{not json")
    (tmp_path / "k4.json").write_text(json.dumps({"format": snapshot.FORMAT, "key": "k4", "tables": {"aliases": 5}}))
    assert snapshot.load("k2", tmp_path) is None and snapshot.load("k3", tmp_path) is None
    assert snapshot.load("k4", tmp_path) is None and snapshot.load("missing", tmp_path) is None
    assert not list(tmp_path.glob(".tmp-*"))


def _names_of_seeders(knowledge):
    _names_of_seeders.calls += 1
    return frozenset(knowledge["seeders"])


_names_of_seeders.calls = 0


def test_what_visitors_derive_from_the_tables_is_made_once_and_not_pickled():
    """Knowledge.derived: one build per function for all the files of a run; a spawned worker (which
    receives the knowledge pickled) builds its own."""
    import pickle

    knowledge = builtin_knowledge()
    first = knowledge.derived(_names_of_seeders)
    assert knowledge.derived(_names_of_seeders) is first
    assert _names_of_seeders.calls == 1 and "random.seed" in first
    copy = pickle.loads(pickle.dumps(knowledge))
    assert copy.derived(_names_of_seeders) == first
    assert _names_of_seeders.calls == 2


def test_name_judgements_judge_each_name_once_and_stay_bounded(monkeypatch):
    from mllint.knowledge import runtime

    class Lengths(runtime.NameJudgements[int]):
        def __init__(self) -> None:
            super().__init__()
            self.asked: list[str] = []

        def judge(self, name: str) -> int:
            self.asked.append(name)
            return len(name)

    monkeypatch.setattr(runtime, "MAX_JUDGED", 2)
    lengths = Lengths()
    assert [lengths.of("np.mean"), lengths.of("np.mean"), lengths.of("torch.load")] == [7, 7, 10]
    assert lengths.asked == ["np.mean", "torch.load"]
    assert lengths.of("random.random") == 13 and len(lengths._answers) == 1  # full: started again
