"""The twelve-factor scorecard: statuses, the markdown format and the end of the text output."""

from __future__ import annotations

import re
from pathlib import Path

from mllint.catalogue.loader import load_catalogue
from mllint.config.settings import Settings
from mllint.core.findings import Finding
from mllint.engine.run import RunResult
from mllint.output import markdown, text
from mllint.output.scorecard import (
    NOT_CHECKED,
    PARTLY,
    SATISFIED,
    VIOLATED,
    WAIVED,
    build_scorecard,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "messy-ml-repo"


def result_with(findings=(), waived=(), enabled=None, repo=True, code=True) -> RunResult:
    catalogue = load_catalogue()
    codes = {r.code for r in catalogue.rules} if enabled is None else set(enabled)
    return RunResult(root=Path("/tmp/project"), settings=Settings(), enabled=codes, findings=list(findings),
                     waived=list(waived), files_checked=3, repo_rules_run=repo, code_rules_run=code)


def finding(code: str, **kw) -> Finding:
    rule = load_catalogue().get(code)
    return Finding(rule.code, rule.name, rule.factor, rule.kind, rule.severity, kw.pop("message", "msg"), **kw)


def factors_with_rules(kind=None) -> set[int]:
    return {r.factor for r in load_catalogue().rules if 1 <= r.factor <= 12 and (kind is None or r.kind == kind)}


def test_all_rules_ran_and_nothing_found_satisfies_exactly_the_factors_that_have_rules():
    card = build_scorecard(result_with())
    statuses = {item.factor: item.status for item in card.factors}
    assert len(card.factors) == 12
    checked = factors_with_rules()
    assert {n for n, s in statuses.items() if s == SATISFIED} == checked
    assert all(s == NOT_CHECKED for n, s in statuses.items() if n not in checked)
    assert card.headline() == f"{len(checked)}/12 factors satisfied"


def test_violated_waived_and_counts():
    waived = finding("ML0501", message="no tests")
    waived.waived = "tests live in the platform repo"
    card = build_scorecard(result_with([finding("ML0301", path="a.py", line=1), finding("ML0301", path="b.py", line=2)],
                                       [waived]))
    by = {item.factor: item for item in card.factors}
    assert by[3].status == VIOLATED and by[3].counts["ML0301"] == 2
    assert by[5].status == WAIVED and by[5].reasons == ["ML0501: tests live in the platform repo"]
    assert by[5].factor not in {i.factor for i in card.factors if i.status == SATISFIED}


def test_no_claims_when_repository_rules_did_not_run():
    card = build_scorecard(result_with(repo=False))
    for item in card.factors:
        if item.factor in factors_with_rules("repo"):
            assert item.status in (NOT_CHECKED, PARTLY), item
    assert card.satisfied <= len(factors_with_rules("code") - factors_with_rules("repo"))


def test_no_claims_for_rules_that_are_not_enabled():
    card = build_scorecard(result_with(enabled={"ML0301"}))
    by = {item.factor: item for item in card.factors}
    assert by[5].status == NOT_CHECKED and "not enabled" in by[5].note
    assert card.satisfied <= 1


def test_partly_checked_when_a_default_rule_of_the_factor_did_not_run():
    catalogue = load_catalogue()
    code_rules = [r for r in catalogue.rules if r.factor == 3]
    codes = {r.code for r in catalogue.rules} - {code_rules[0].code}
    item = next(i for i in build_scorecard(result_with(enabled=codes)).factors if i.factor == 3)
    expected = PARTLY if len(code_rules) > 1 else NOT_CHECKED
    assert item.status == expected and item.status != SATISFIED


def test_markdown_scorecard_for_the_example_repository(cli):
    result = cli("check", "--no-cache", "-o", "markdown", EXAMPLE)
    assert result.exit_code == 1
    out = result.stdout
    rows = [line for line in out.splitlines() if re.match(r"^\| \S+ \| \d+\. ", line)]
    assert [int(re.match(r"^\| \S+ \| (\d+)\.", r).group(1)) for r in rows] == list(range(1, 13))
    assert re.search(r"^## mllint: \d+/12 factors satisfied$", out, re.MULTILINE)
    assert re.search(r"\| Descriptive training and preprocessing \| violated \(\d+: .*ML0301", out.replace("3. ", ""))
    assert "### Findings by factor" in out
    assert "**ML0301** hardcoded-split" in out and "](http" not in out  # no guessed documentation URL
    assert "`mllint rule <CODE>`" in out
    assert "`train.py:21:36`" in out


def test_markdown_folds_long_lists_and_escapes_messages():
    many = [finding("ML0301", path=f"f{i}.py", line=i + 1, message="a | b <script>") for i in range(8)]
    out = markdown.render(result_with(many))
    assert "<details><summary>8 findings</summary>" in out and "</details>" in out
    assert "<script>" not in out and "a \\| b &lt;script&gt;" in out


def test_markdown_says_when_repository_rules_did_not_run(cli):
    result = cli("check", "--no-cache", "-o", "markdown", EXAMPLE / "train.py")
    out = result.stdout
    assert "Repository rules did not run" in out
    testing = next(line for line in out.splitlines() if "| 5. Testing |" in line)
    assert "satisfied" not in testing


def test_text_output_ends_with_the_scorecard(cli):
    out = cli("check", "--no-cache", EXAMPLE).stdout
    tail = out[out.index("Twelve-factor scorecard"):]
    assert re.match(r"Twelve-factor scorecard: \d+/12 factors satisfied", tail)
    assert re.search(r"^\s+3 Descriptive training and preprocessing\s+violated", tail, re.MULTILINE)
    assert "not checked: factor" in tail or all(f" {n} " in tail for n in range(1, 13))


def test_text_scorecard_shows_waivers():
    waived = finding("ML0501", message="no tests")
    waived.waived = "tests live elsewhere"
    out = text.render(result_with(waived=[waived]))
    assert re.search(r"^\s+5 Testing\s+waived \(ML0501: tests live elsewhere\)$", out, re.MULTILINE)


def test_text_output_of_a_files_only_run_claims_no_scorecard(cli):
    out = cli("check", "--no-cache", EXAMPLE / "train.py").stdout
    assert "factors satisfied" not in out and "run `mllint check` on the whole repository" in out


def test_markdown_keeps_code_spans_of_messages():
    message = "run `dvc add data/*.csv` then see [docs] | a*b"
    out = markdown.render(result_with([finding("ML0301", path="t.py", line=1, message=message)]))
    assert "run `dvc add data/*.csv` then see \\[docs\\] \\| a\\*b" in out
    waived = finding("ML0501", message="m")
    waived.waived = "see `a|b`"
    table = markdown.render(result_with(waived=[waived]))
    assert "waived (ML0501: see `a\\|b`) |" in table


def test_baselined_and_unchanged_findings_still_violate_their_factor():
    result = result_with()
    result.baselined = [finding("ML0301", path="a.py", line=1)]
    result.unchanged = [finding("ML0501", message="no tests")]
    card = build_scorecard(result)
    by = {item.factor: item for item in card.factors}
    assert by[3].status == VIOLATED and by[5].status == VIOLATED
    out = markdown.render(result)
    assert "*(baselined)*" in out and "*(unchanged file)*" in out and "still count against their factor" in out
    result.findings = [*result.baselined]  # --show-baselined lists them among the findings: counted once
    assert build_scorecard(result).factors[2].counts["ML0301"] == 1


def test_markdown_lists_at_most_a_hundred_findings_per_factor():
    many = [finding("ML0301", path=f"f{i:03}.py", line=1) for i in range(130)]
    out = markdown.render(result_with(many))
    assert "<details><summary>130 findings</summary>" in out
    assert out.count("**ML0301** hardcoded-split `f") == 100
    assert "… and 30 more" in out
