"""``--output-format sarif``: SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).

Every enabled rule is described in ``tool.driver.rules`` (summary, why, how to fix and the full rule
page as Markdown help); every result has a location (see ``locations.py``) and a line-independent
``partialFingerprints`` entry. Waived repository findings are kept as results with an external,
accepted suppression carrying the waiver's reason. Validated against the OASIS schema in the tests.
"""

from __future__ import annotations

import dataclasses
import json
import textwrap
from typing import TYPE_CHECKING, Any

from mllint import __version__
from mllint.catalogue.index import FACTORS
from mllint.catalogue.loader import load_catalogue
from mllint.catalogue.ruledoc import rule_markdown
from mllint.core.findings import Finding
from mllint.output.escape import unicode_text, uri_path
from mllint.output.locations import anchor_file, checkout_prefix, fingerprints, place
from mllint.output.scorecard import docs_base, rule_doc_url

if TYPE_CHECKING:  # pragma: no cover
    from mllint.catalogue.rule import Rule
    from mllint.engine.run import RunResult

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "mllint/v1"


def _text(value: str) -> str:
    return textwrap.dedent(value).strip()


def _descriptor(rule: type[Rule], base: str | None = None) -> dict[str, Any]:
    factor = f"factor {rule.factor}: {FACTORS.get(rule.factor, '')}"
    descriptor = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _text(rule.summary)},
        "fullDescription": {"text": _text(rule.why)},
        "help": {"text": _text(rule.how_to_fix), "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["twelve-factor-ml", f"factor-{rule.factor}", rule.kind], "factor": factor,
                       "kind": rule.kind, "precision": "high"},
    }
    url = rule_doc_url(rule.code, base)
    if url:  # only a documentation URL the configuration names (project-url); the help text is inline anyway
        descriptor["helpUri"] = url
    return descriptor


def _result(finding: Finding, index: dict[str, int], fingerprint: str, result: RunResult, prefix: str, anchor: str) -> dict[str, Any]:
    where = place(finding, result, prefix, anchor)
    region = {"startLine": where.line or 1}
    if where.line and where.column:
        region["startColumn"] = where.column
    if where.line and where.end_line and where.end_line >= where.line:
        region["endLine"] = where.end_line
        if where.end_column and (where.end_line > where.line or (where.column and where.end_column > where.column)):
            region["endColumn"] = where.end_column
    properties: dict[str, Any] = {"name": finding.name, "factor": finding.factor, "kind": finding.kind}
    item: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": unicode_text(where.prefix + finding.message)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri_path(where.path), "uriBaseId": "%SRCROOT%"},
            "region": region,
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": properties,
    }
    if finding.related:
        item["relatedLocations"] = [_related(finding, other, number, result, prefix, anchor)
                                    for number, other in enumerate(finding.related, 1)]
    if finding.fix is not None:
        properties["fix"] = {"applicability": finding.fix.applicability, "message": finding.fix.message}
    if finding.cell is not None:
        properties.update(cell=finding.cell, cellLine=finding.line, cellColumn=finding.column)
    if finding.path is None:
        properties["repositoryWide"] = True
    if finding.waived:
        item["suppressions"] = [{"kind": "external", "status": "accepted", "justification": unicode_text(finding.waived)}]
    return item


def _related(finding: Finding, other: dict[str, Any], number: int, result: RunResult, prefix: str, anchor: str) -> dict[str, Any]:
    """A related location (the split a leak reaches), placed like the result itself (notebook cells too)."""
    moved = dataclasses.replace(finding, line=other.get("line"), column=other.get("column"),
                                end_line=other.get("line"), end_column=None, cell=other.get("cell"))
    where = place(moved, result, prefix, anchor)
    region = {"startLine": where.line or 1}
    if where.line and where.column:
        region["startColumn"] = where.column
    return {"id": number, "message": {"text": other.get("message", "")},
            "physicalLocation": {"artifactLocation": {"uri": where.path, "uriBaseId": "%SRCROOT%"}, "region": region}}


def render(result: RunResult, **_kwargs: object) -> str:
    catalogue = load_catalogue()
    findings = [*result.findings, *result.waived]
    codes = set(result.enabled) | {f.code for f in findings}
    rules = [rule for rule in catalogue.rules if rule.code in codes]
    index = {rule.code: i for i, rule in enumerate(rules)}
    prefix, anchor = checkout_prefix(result), anchor_file(result)
    prints = fingerprints(findings)
    base = docs_base(result)
    driver = {
        "name": "mllint",
        "fullName": "mllint: the twelve-factor linter for ML repositories",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_descriptor(rule, base) for rule in rules],
    }
    if base:
        driver["informationUri"] = base
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "automationDetails": {"id": "mllint/"},
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, index, fp, result, prefix, anchor) for f, fp in zip(findings, prints)],
            "invocations": [{"executionSuccessful": True,
                             "properties": {"repositoryRulesRun": result.repo_rules_run,
                                            "filesChecked": result.files_checked}}],
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
