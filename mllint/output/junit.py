"""``--output-format junit``: JUnit XML, one test suite per file, one failing test case per finding.

Repository-wide findings form the ``(repository)`` suite; waived findings are skipped test cases with
the waiver's reason. A clean run is one passing test case, so CI dashboards show a green result.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby
from typing import TYPE_CHECKING

from mllint.core.findings import Finding
from mllint.output.escape import visible
from mllint.output.fixmarks import note as fix_note

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult

REPOSITORY = "(repository)"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """One line, control and formatting characters shown as escapes (output/escape.py); anything else
    XML 1.0 cannot carry becomes U+FFFD."""
    return _NOT_XML.sub("\ufffd", visible(text))


def _case(suite: ET.Element, finding: Finding, classname: str) -> ET.Element:
    where = finding.location() if finding.path else "repository"
    return ET.SubElement(suite, "testcase", name=_xml(f"{finding.code} {finding.name} at {where}"), classname=_xml(classname))


def render(result: RunResult, **_kwargs: object) -> str:
    root = ET.Element("testsuites", name="mllint", tests="0", failures="0", skipped="0", errors="0")
    items = sorted([*result.findings, *result.waived], key=lambda f: f.sort_key())  # grouped by path
    tests = failures = skipped = 0
    for path, grouped in groupby(items, key=lambda f: f.path or REPOSITORY):
        group = list(grouped)
        suite = ET.SubElement(root, "testsuite", name=_xml(path), tests=str(len(group)), errors="0",
                              failures=str(sum(1 for f in group if not f.waived)),
                              skipped=str(sum(1 for f in group if f.waived)))
        classname = path.replace("/", ".").rsplit(".", 1)[0] if path != REPOSITORY else "repository"
        for finding in group:
            case = _case(suite, finding, classname)
            if finding.waived:
                ET.SubElement(case, "skipped", message=_xml(f"waived: {finding.waived}"))
                skipped += 1
            else:
                failure = ET.SubElement(case, "failure", message=_xml(finding.message), type=finding.code)
                failure.text = _xml(f"{finding.location()}: {finding.code} {finding.name} {finding.message}{fix_note(finding)}")
                failures += 1
        tests += len(group)
    if not items:
        suite = ET.SubElement(root, "testsuite", name="mllint", tests="1", failures="0", skipped="0", errors="0")
        ET.SubElement(suite, "testcase", name="no findings", classname="mllint")
        tests = 1
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("skipped", str(skipped))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
