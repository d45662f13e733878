"""Code actions: a quick fix per fixable finding, ``source.fixAll.mllint`` (safe fixes), ignore comments.

Every action is a ``WorkspaceEdit`` computed from the fix-edit contract (``fix.edits`` of a finding):
the edits of a finding's fix, mapped onto the document it was found in (for notebooks: the cell) or
onto another file of the project (a params file a value moves to). Fix-all applies the safe fixes in
rounds through ``mllint.fix.code`` (as ``mllint check --fix`` does) and sends the edits that differ.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from mllint.core.findings import Edit, Position
from mllint.core.source import neutralise_cell
from mllint.fix.ignores import NOT_SUPPRESSIBLE, annotate_line, unsafe_lines
from mllint.server.diagnostics import Located
from mllint.server.documents import Subject
from mllint.server.edits import diff_edits
from mllint.server.project import Project

FIX_ALL = "source.fixAll.mllint"
#: Text of a file the workspace may have open (else None: read from disk).
OpenText = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Target:
    """Where the edits of one analysis go: the subject, its path relative to the root, the project."""

    subject: Subject
    rel: str
    project: Project
    codec: PositionCodec
    open_text: OpenText

    def edit_uri(self, edit: Edit) -> str | None:
        """The document an edit applies to: the subject's (its cell's) or another project file's."""
        if edit.path in (None, self.rel):
            if self.subject.cell_uris is None:
                return self.subject.key
            if edit.cell is not None and 0 <= edit.cell < len(self.subject.cell_uris):
                return self.subject.cell_uris[edit.cell]
            return None
        target = (self.project.root / edit.path).resolve()
        if self.project.relative(target) is None:  # never outside the project
            return None
        return target.as_uri()

    def text_of(self, uri: str) -> str:
        if uri in self.subject.uris():
            return self.subject.text_of(uri)
        opened = self.open_text(uri)
        if opened is not None:
            return opened
        try:
            return Path(_path_of(uri)).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            return ""

    def workspace_edit(self, edits: list[Edit]) -> types.WorkspaceEdit | None:
        changes: dict[str, list[types.TextEdit]] = {}
        for edit in edits:
            uri = self.edit_uri(edit)
            if uri is None:
                return None  # an edit we cannot place: offer nothing rather than half a fix
            lines = self.text_of(uri).split("\n")
            changes.setdefault(uri, []).append(types.TextEdit(
                range=types.Range(start=_client(lines, edit.start, self.codec), end=_client(lines, edit.end, self.codec)),
                new_text=edit.text,
            ))
        return types.WorkspaceEdit(changes=changes) if changes else None


def _path_of(uri: str) -> str:
    from pygls.uris import to_fs_path

    return to_fs_path(uri) or ""


def _client(lines: list[str], position: Position, codec: PositionCodec) -> types.Position:
    """A 1-based (line, character column) position as an LSP position in client units (0-based)."""
    index = position.line - 1
    if index >= len(lines):
        return types.Position(line=len(lines), character=0)
    text = lines[max(index, 0)]
    column = min(max(position.column - 1, 0), len(text))
    return types.Position(line=max(index, 0), character=codec.client_num_units(text[:column]))


def wanted(kind: str, only: list[str] | None) -> bool:
    """Is an action of ``kind`` among the kinds the client asked for (a kind matches its sub-kinds)?"""
    if not only:
        return True
    return any(kind == requested or kind.startswith(requested + ".") for requested in only)


# -- quick fixes ----------------------------------------------------------------------------------
def quick_fix(target: Target, located: Located) -> types.CodeAction | None:
    """The action applying one finding's fix, labelled safe or unsafe."""
    finding = located.finding
    if finding.fix is None:
        return None
    edits = target.project.fix_edits(finding)
    edit = target.workspace_edit(edits) if edits else None
    if edit is None:
        return None
    safe = finding.fix.applicability == "safe"
    return types.CodeAction(
        title=f"Fix {finding.code} ({finding.fix.applicability}): {finding.fix.message}",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[located.diagnostic],
        is_preferred=safe,
        edit=edit,
        data={"code": finding.code, "applicability": finding.fix.applicability},
    )


# -- ignore comments ------------------------------------------------------------------------------
def ignore_action(target: Target, located: Located) -> types.CodeAction | None:
    """Append ``# mllint: ignore[CODE]`` to the finding's line (its last line when the first ends inside a string)."""
    finding = located.finding
    if finding.kind != "code" or finding.code in NOT_SUPPRESSIBLE or finding.line is None:
        return None
    text = target.subject.text_of(located.uri)
    analysed = neutralise_cell(text) if target.subject.is_notebook else text
    bad = unsafe_lines(analysed)
    lines = text.split("\n")
    number = next((n for n in (finding.line, finding.end_line) if n and 1 <= n <= len(lines) and n not in bad), None)
    if number is None:
        return None
    original = lines[number - 1]
    annotated = annotate_line(original, [finding.code])
    if annotated == original:
        return None
    edits = [Edit(target.rel, Position(number, edit.start.column), Position(number, edit.end.column), edit.text, finding.cell)
             for edit in diff_edits(original, annotated, target.rel)]
    workspace_edit = target.workspace_edit(edits)
    if workspace_edit is None:
        return None
    return types.CodeAction(
        title=f"Ignore {finding.code} on this line (# mllint: ignore[{finding.code}])",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[located.diagnostic],
        edit=workspace_edit,
    )


# -- fix all (safe) -------------------------------------------------------------------------------
def fix_all(target: Target, cell_uri: str | None) -> types.CodeAction | None:
    """Every safe fix of the subject, applied and re-checked until nothing more is fixable.

    For a notebook, only the requested cell's edits are returned: editors ask cell by cell.
    """
    data = target.project.fix_all(target.rel, target.subject.data)
    if data == target.subject.data:
        return None
    edits: list[Edit] = []
    if target.subject.cell_uris is None:
        edits = diff_edits(target.subject.data.decode("utf-8", "surrogatepass"), data.decode("utf-8", "surrogatepass"),
                           target.rel)
    else:
        before, after = _cell_sources(target.subject.data), _cell_sources(data)
        for index, uri in enumerate(target.subject.cell_uris):
            if uri is None or (cell_uri is not None and uri != cell_uri):
                continue
            edits.extend(diff_edits(before[index], after[index], target.rel, index))
    workspace_edit = target.workspace_edit(edits) if edits else None
    if workspace_edit is None:
        return None
    return types.CodeAction(title="mllint: fix all safe fixes", kind=FIX_ALL, edit=workspace_edit)


def _cell_sources(data: bytes) -> list[str]:
    return [cell["source"] for cell in json.loads(data)["cells"]]
