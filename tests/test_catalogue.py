"""The catalogue is the source of truth: every entry implemented, documented, and its examples true."""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint.catalogue.loader import FACTORS, load_catalogue
from mllint.catalogue.rule import CodeRule, Example, RepoExample, RepoRule
from mllint.engine import codepass, worker
from mllint.engine import run as engine
from mllint.testing import check_example, check_repo_example

CATALOGUE = load_catalogue()
#: Rules the engine reports itself (no visitor); their codes must appear in the engine's sources.
ENGINE_RULES = {"ML0001", "ML0002", "ML0003", "ML0004"}
NO_SNIPPET_EXAMPLES = {"ML0003", "ML0004"}  # file size, permissions and crashes: tested in test_engine.py


def _cases(kind: str):
    for rule in CATALOGUE.rules:
        for index, example in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, example, id=f"{rule.code}-{kind}-{index}")


def test_codes_and_names_are_unique_and_well_formed():
    codes = [r.code for r in CATALOGUE.rules]
    assert len(codes) == len(set(codes))
    for rule in CATALOGUE.rules:
        assert rule.factor in FACTORS
        assert rule.summary.strip() and rule.why.strip() and rule.how_to_fix.strip()


@pytest.mark.parametrize("rule", CATALOGUE.rules, ids=lambda r: r.code)
def test_every_rule_is_implemented_and_has_examples(rule):
    if issubclass(rule, CodeRule):
        has_visitor = any(a.startswith(("visit_", "leave_")) for a in dir(rule)) or rule.finish is not CodeRule.finish
        if rule.code in ENGINE_RULES:
            sources = "".join(Path(mod.__file__).read_text() for mod in (codepass, engine, worker))
            assert f'"{rule.code}"' in sources, f"{rule.code} is not reported by the engine"
        else:
            assert has_visitor, f"{rule.code} has no implementation"
    else:
        assert issubclass(rule, RepoRule) and rule.check is not RepoRule.check, f"{rule.code} has no check()"
    if rule.code not in NO_SNIPPET_EXAMPLES:
        assert len(rule.violating) >= 1 and len(rule.compliant) >= 1, f"{rule.code} needs examples"


@pytest.mark.parametrize("rule, example", list(_cases("violating")))
def test_violating_example_reports(rule, example, tmp_path):
    if isinstance(example, RepoExample):
        findings = check_repo_example(example, rule.code, tmp_path / "repo")
    else:
        assert isinstance(example, Example)
        findings = check_example(example, rule.code)
    assert findings, f"{rule.code} reported nothing on its violating example:\n{example}"
    if getattr(example, "lines", None):
        assert sorted({f.line for f in findings}) == sorted(example.lines)


@pytest.mark.parametrize("rule, example", list(_cases("compliant")))
def test_compliant_example_is_clean(rule, example, tmp_path):
    if isinstance(example, RepoExample):
        findings = check_repo_example(example, rule.code, tmp_path / "repo")
    else:
        findings = check_example(example, rule.code)
    assert not findings, f"{rule.code} reported on its compliant example: {[f.message for f in findings]}"


def test_built_in_options_without_configuration_are_the_validated_defaults():
    """A rule without configured options gets ``Options()``: the declared defaults, made without pydantic.
    They are what the validating model makes of an empty table, for every built-in rule."""
    from mllint.catalogue.loader import load_catalogue
    from mllint.config.settings import Settings

    checked = 0
    for rule in load_catalogue().builtins():
        if rule.Options is None:
            continue
        defaults = rule.Options()
        assert vars(defaults) == vars(rule.Options.validating_model()()), rule.code
        assert Settings().rule_options(rule) == defaults, rule.code
        checked += 1
    assert checked >= 5
