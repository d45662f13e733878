"""The CI output formats produced by the CLI: SARIF (schema-valid), GitHub annotations, GitLab Code
Quality, JUnit XML, the badge, and the shared location/fingerprint helpers."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest

from mllint.core.findings import Finding
from mllint.output import FORMATS
from mllint.output.github import annotation
from mllint.testing import notebook_json

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
# ::error file=...,line=...,col=...,title=...::message  (no raw newlines; properties without : or ,)
ANNOTATION = re.compile(r"^::(error|warning|notice) ((?:[A-Za-z]+=[^,:\r\n]*)(?:,[A-Za-z]+=[^,:\r\n]*)*)::([^\r\n]*)$")

TRAIN = """\
from sklearn.model_selection import train_test_split

X_train, X_test = train_test_split([1, 2, 3, 4], test_size=0.2)
"""
NOTEBOOK = notebook_json(["import sklearn.model_selection as ms\n", "a, b = ms.train_test_split([1, 2], test_size=0.5)\n"],
                         markdown_first=True)


def raw_line(path: Path, start: str) -> int:
    """The 1-based line of the raw notebook file holding the JSON string that starts with ``start``."""
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith(json.dumps(start)[:-1]))


def validate_sarif(text: str) -> dict:
    log = json.loads(text)
    # format checks on: with rfc3986-validator installed, every uri / uri-reference is checked (RFC 3986)
    jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft7Validator, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return log


@pytest.fixture
def messy(make_repo):
    """A repository with a code finding, a notebook finding and a repository finding (no tests)."""
    return make_repo({"README.md": "# demo\n", "train.py": TRAIN, "nb/explore.ipynb": NOTEBOOK})


def run(cli, *args):
    result = cli("check", "--no-cache", "--exit-zero", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_format_is_a_cli_choice(cli, messy):
    for fmt in FORMATS:
        assert run(cli, "-o", fmt, messy).strip(), fmt


def test_sarif_is_schema_valid_with_rules_locations_and_fingerprints(cli, messy):
    log = validate_sarif(run(cli, "-o", "sarif", messy))
    sarif_run = log["runs"][0]
    rules = sarif_run["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith(f"# {rule['id']}")
        assert "helpUri" not in rule  # only under a configured project-url: no guessed documentation URL
        assert rule["help"]["text"]
    results = sarif_run["results"]
    assert {r["ruleId"] for r in results} >= {"ML0301", "ML0501"}
    for item in results:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"] and item["ruleId"] in by_id
        assert item["level"] in ("error", "warning", "note")
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] and location["region"]["startLine"] >= 1
        assert re.fullmatch(r"[0-9a-f]{32}", item["partialFingerprints"]["mllint/v1"])
    uris = {r["ruleId"] + ":" + r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "ML0501:README.md" in uris  # a repository finding anchored on the root file
    assert "ML0301:train.py" in uris and "ML0301:nb/explore.ipynb" in uris
    train = next(r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "train.py")
    assert train["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    notebook = next(r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(".ipynb"))
    assert notebook["message"]["text"].startswith("cell 2, line 1: ")
    assert notebook["properties"]["cell"] == 2
    assert notebook["locations"][0]["physicalLocation"]["region"] == {"startLine": raw_line(messy / "nb/explore.ipynb", "a, b = ms.")}


def test_sarif_fingerprints_do_not_depend_on_lines(cli, make_repo):
    before = make_repo({"README.md": "x\n", "train.py": TRAIN}, name="before")
    after = make_repo({"README.md": "x\n", "train.py": "# a comment\n\n\n" + TRAIN}, name="after")

    def prints(root):
        results = validate_sarif(run(cli, "-o", "sarif", root))["runs"][0]["results"]
        return {(r["ruleId"], r["partialFingerprints"]["mllint/v1"]): r["locations"][0]["physicalLocation"]["region"]["startLine"]
                for r in results}

    one, two = prints(before), prints(after)
    assert set(one) == set(two)
    assert one[next(k for k in one if k[0] == "ML0301")] + 3 == two[next(k for k in two if k[0] == "ML0301")]


def test_sarif_without_findings_and_with_a_waiver_is_valid(cli, make_repo):
    clean = make_repo({"README.md": "# ok\n", "tests/test_x.py": "def test_x():\n    assert True\n"})
    validate_sarif(run(cli, "-o", "sarif", clean))
    waived = make_repo({"pyproject.toml": '[tool.mllint]\nwaivers = { ML0501 = "tests live in another repo" }\n',
                        "train.py": "x = 1\n"})
    log = validate_sarif(run(cli, "-o", "sarif", waived))
    item = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "ML0501")
    assert item["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "tests live in another repo"}]
    assert item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pyproject.toml"


def test_sarif_of_the_example_repository_is_valid(cli):
    example = Path(__file__).resolve().parents[1] / "examples" / "messy-ml-repo"
    log = validate_sarif(run(cli, "-o", "sarif", example))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
    assert uris and all(u.startswith("examples/messy-ml-repo/") for u in uris)  # relative to the git checkout


def test_github_annotations_parse(cli, messy):
    lines = run(cli, "-o", "github", messy).splitlines()
    assert len(lines) >= 3
    parsed = []
    for line in lines:
        match = ANNOTATION.match(line)
        assert match, line
        props = dict(p.split("=", 1) for p in match.group(2).split(","))
        parsed.append((match.group(1), props, match.group(3)))
    train = next(p for _, p, _ in parsed if p["file"] == "train.py")
    assert train["line"] == "3" and train["col"] and train["title"] == "ML0301 hardcoded-split"
    repo = next((props, msg) for _, props, msg in parsed if props["title"].startswith("ML0501"))
    assert repo[0]["file"] == "README.md" and "line" not in repo[0]
    notebook = next((props, msg) for _, props, msg in parsed if props["file"] == "nb/explore.ipynb")
    assert notebook[0]["line"] == str(raw_line(messy / "nb/explore.ipynb", "a, b = ms."))
    assert "col" not in notebook[0]
    assert notebook[1].startswith("cell 2 (a, b = ms.train_test_split([1, 2], test_size=0.5)), line 1: ")  # the cell as Jupyter shows it


def test_notebook_lines_map_to_the_raw_file_only_when_verified(tmp_path):
    from mllint.output.locations import notebook_line

    path = tmp_path / "nb.ipynb"
    path.write_text(notebook_json(["x = 1\ny = 2\n", "x = 1\ny = 2\n"], markdown_first=True))
    assert notebook_line(path, 1, 2) == raw_line(path, "y = 2") and notebook_line(path, 2, 2) > notebook_line(path, 1, 2)
    assert notebook_line(path, 2, 3) is None and notebook_line(path, 7, 1) is None
    # source stored as one string (valid nbformat, not how Jupyter writes it): no line claimed
    one_string = json.loads(path.read_text())
    one_string["cells"][1]["source"] = "x = 1\ny = 2\n"
    path.write_text(json.dumps(one_string))
    assert notebook_line(path, 1, 2) is None
    assert notebook_line(tmp_path / "missing.ipynb", 1, 1) is None


def test_github_annotation_escaping(tmp_path):
    class Result:
        root = tmp_path
        inventory = None

    finding = Finding("ML0301", "hardcoded-split", 3, "code", "info", "100% wrong\nsecond line, ok: yes",
                      path="we,ird:dir/a%b.py", line=4, column=2)
    line = annotation(finding, Result())
    assert "\n" not in line
    assert line.startswith("::notice file=we%2Cird%3Adir/a%25b.py,line=4,col=2,title=ML0301 hardcoded-split::")
    assert line.endswith("::100%25 wrong%0Asecond line, ok: yes")
    assert ANNOTATION.match(line)


def test_gitlab_code_quality_shape(cli, messy):
    issues = json.loads(run(cli, "-o", "gitlab", messy))
    assert isinstance(issues, list) and len(issues) >= 3
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["path"], str) and issue["location"]["lines"]["begin"] >= 1
    prints = [issue["fingerprint"] for issue in issues]
    assert len(set(prints)) == len(prints)
    assert any(i["location"]["path"] == "README.md" and i["check_name"].startswith("ML0501") for i in issues)


def test_junit_is_parseable_and_counts_add_up(cli, messy):
    root = ET.fromstring(run(cli, "-o", "junit", messy))
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    failures = root.findall("./testsuite/testcase/failure")
    assert int(root.get("tests")) == len(cases) and int(root.get("failures")) == len(failures) >= 3
    suites = {s.get("name") for s in root.findall("testsuite")}
    assert {"train.py", "nb/explore.ipynb", "(repository)"} <= suites
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))


def test_junit_of_a_clean_run_has_one_passing_case(cli, make_repo):
    clean = make_repo({"README.md": "# ok\n"})
    root = ET.fromstring(run(cli, "-o", "junit", "--select", "ML0301", clean))
    assert root.get("failures") == "0" and len(root.findall("./testsuite/testcase")) == 1


def test_badge_is_a_shields_endpoint(cli, messy):
    badge = json.loads(run(cli, "-o", "badge", messy))
    assert badge["schemaVersion"] == 1 and re.fullmatch(r"\d+/12 factors", badge["message"])
    assert badge["label"] and badge["color"]


def test_machine_formats_have_no_progress_or_extra_text(cli, messy):
    """stdout of a machine format is the document only (the CliRunner's stderr is not a TTY)."""
    for fmt in ("json", "sarif", "gitlab", "badge"):
        json.loads(run(cli, "-o", fmt, messy))


def test_junit_survives_control_characters(tmp_path):
    from mllint.output import junit

    bad = Finding("ML0001", "parse-error", 0, "code", "error", "bad byte \x00\x1b here", path="a\x07.py", line=1)
    root = ET.fromstring(junit.render(SimpleNamespace(findings=[bad], waived=[])))
    assert root.find("./testsuite/testcase/failure").get("message") == "bad byte \\x00\\x1b here"  # shown, not lost
