"""``--output-format gitlab``: a GitLab Code Quality report (a JSON array of Code Climate issues).

Each issue has ``description``, ``check_name``, ``fingerprint``, ``severity`` and ``location`` with a
repository-relative ``path`` and ``lines.begin`` (repository-wide findings sit on the root file at
line 1). Save it as the ``codequality`` report artifact of a job.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from mllint.output.escape import unicode_text
from mllint.output.fixmarks import note as fix_note
from mllint.output.locations import anchor_file, checkout_prefix, fingerprints, place

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult


SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(result: RunResult, **_kwargs: object) -> str:
    prefix, anchor = checkout_prefix(result), anchor_file(result)
    issues = []
    for finding, fingerprint in zip(result.findings, fingerprints(result.findings)):
        where = place(finding, result, prefix, anchor)
        begin = where.line or 1
        issues.append({
            "type": "issue",
            "description": unicode_text(f"{finding.code} {finding.name}: {where.prefix}{finding.message}{fix_note(finding)}"),
            "check_name": f"{finding.code} {finding.name}",
            "categories": ["Bug Risk" if finding.severity == "error" else "Style"],
            "fingerprint": fingerprint,
            "severity": SEVERITIES.get(finding.severity, "minor"),
            "location": {"path": unicode_text(where.path), "lines": {"begin": begin, "end": max(begin, where.end_line or begin)}},
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
