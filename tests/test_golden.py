"""Golden fixtures: realistic files under ``tests/fixtures/code/`` and the findings expected on each.

Every fixture file ``F`` (``.py`` or ``.ipynb``) has ``tests/fixtures/code/expected/F.json``: a list of
``{"code", "path", "line", "cell"}`` objects, the findings all code rules must report on it (``[]`` for
a clean file). To add a fixture, add the file and its expected JSON; after reviewing a change in the
rules, ``python tests/test_golden.py --update`` rewrites the expected files from the current output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mllint.catalogue.loader import load_catalogue
from mllint.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "code"
EXPECTED = FIXTURES / "expected"
KEYS = ("code", "path", "line", "cell")
#: Engine-reported rules and the ruff-backed style rule (depends on an external tool) are not golden.
NOT_GOLDEN = {"ML0001", "ML0002", "ML0003", "ML0004", "ML0306"}


def code_rules() -> list[str]:
    return sorted(rule.code for rule in load_catalogue().code_rules() if rule.code not in NOT_GOLDEN)


def fixture_files() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".py", ".ipynb"))


def run_fixtures() -> dict[str, list[dict]]:
    """``mllint check`` on the fixture directory (code rules only), findings grouped by file."""
    args = ["check", str(FIXTURES), "--select", ",".join(code_rules()), "--output-format", "json", "--no-cache", "-j", "1"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    grouped: dict[str, list[dict]] = {name: [] for name in fixture_files()}
    for finding in json.loads(result.stdout):
        grouped.setdefault(finding["path"], []).append({key: finding[key] for key in KEYS})
    return {path: sorted(items, key=_order) for path, items in grouped.items()}


def _order(item: dict) -> tuple:
    return (item["cell"] if item["cell"] is not None else -1, item["line"] or 0, item["code"])


@pytest.fixture(scope="module")
def actual() -> dict[str, list[dict]]:
    return run_fixtures()


def test_every_fixture_has_an_expected_file():
    expected = sorted(p.name[: -len(".json")] for p in EXPECTED.glob("*.json"))
    assert expected == fixture_files()


@pytest.mark.parametrize("name", fixture_files())
def test_fixture_findings_match_expected(name, actual):
    expected = sorted(json.loads((EXPECTED / f"{name}.json").read_text()), key=_order)
    assert actual.get(name, []) == expected


def test_no_findings_outside_the_fixtures(actual):
    assert set(actual) == set(fixture_files())


def test_fixtures_exercise_every_issue3_rule(actual):
    """The golden set is not trivially empty: each of these rules fires somewhere."""
    fired = {item["code"] for items in actual.values() for item in items}
    assert {"ML0301", "ML0302", "ML0303", "ML0401", "ML0702", "ML0802", "ML0902", "ML1002"} <= fired


if __name__ == "__main__" and "--update" in sys.argv:
    EXPECTED.mkdir(exist_ok=True)
    for path, items in run_fixtures().items():
        (EXPECTED / f"{path}.json").write_text(json.dumps(items, indent=2) + "\n")
        print(f"wrote expected/{path}.json ({len(items)} findings)")
