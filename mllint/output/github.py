"""``--output-format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=train.py,line=21,col=36,endLine=21,endColumn=40,title=ML0301 hardcoded-split::message``.
Values are escaped as the Actions runner expects (``%``, CR, LF in messages; also ``:`` and ``,`` in
properties), after control characters (ESC, which the log viewer would render) are made visible. Repository findings without a file are annotated on the repository's root file; notebook
findings on the notebook, with the cell and line in the message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mllint.core.findings import Finding
from mllint.output.escape import visible
from mllint.output.fixmarks import note as fix_note
from mllint.output.locations import anchor_file, checkout_prefix, place

if TYPE_CHECKING:  # pragma: no cover
    from mllint.engine.run import RunResult

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, result: RunResult, prefix: str = "", anchor: str = ".") -> str:
    where = place(finding, result, prefix, anchor, describe_cell=True)
    props = [("file", where.path)]
    if where.line:
        props.append(("line", str(where.line)))
        if where.column:
            props.append(("col", str(where.column)))
        if where.end_line:
            props.append(("endLine", str(where.end_line)))
            if where.end_column:
                props.append(("endColumn", str(where.end_column)))
    props.append(("title", f"{finding.code} {finding.name}"))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMANDS.get(finding.severity, 'warning')} {joined}::{escape_data(where.prefix + finding.message + fix_note(finding))}"


def render(result: RunResult, **_kwargs: object) -> str:
    prefix, anchor = checkout_prefix(result), anchor_file(result)
    lines = [annotation(f, result, prefix, anchor) for f in result.findings]
    return "\n".join(lines) + ("\n" if lines else "")
