"""Open documents as the engine sees them: a ``.py`` text, or a notebook's cells assembled into one ``.ipynb``.

A notebook opened through LSP 3.17 notebook sync is a list of cells, each its own text document. It
is assembled into nbformat-4 JSON in the same order (markdown and non-Python cells kept, as raw
cells, so that cell indices stay those of the notebook), the engine joins its code cells as it does
for a notebook on disk, and each finding's 0-based ``cell`` index leads back to that cell's URI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.uris import to_fs_path
from pygls.workspace import Workspace

from mllint.core.findings import Finding

PYTHON_LANGUAGES = frozenset({"python", "ipython", "py"})
PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class Subject:
    """What one analysis covers: one Python text document, or one whole notebook."""

    key: str  # the text document's or the notebook's URI
    path: Path  # where it lives (or would live) on disk
    data: bytes  # what the engine reads
    texts: tuple[tuple[str, str], ...]  # (URI, text) of every document diagnostics are published on
    cell_uris: tuple[str | None, ...] | None = None  # notebooks: each cell's URI, None for non-code cells

    @property
    def is_notebook(self) -> bool:
        return self.cell_uris is not None

    def uris(self) -> list[str]:
        return [uri for uri, _text in self.texts]

    def text_of(self, uri: str) -> str:
        for candidate, text in self.texts:
            if candidate == uri:
                return text
        return ""

    def cell_of(self, uri: str) -> int | None:
        if self.cell_uris is None:
            return None
        for index, candidate in enumerate(self.cell_uris):
            if candidate == uri:
                return index
        return None

    def uri_for(self, finding: Finding) -> str:
        """The document a finding is shown on: its cell for notebooks (the first code cell when it has none)."""
        if self.cell_uris is None:
            return self.key
        if finding.cell is not None and 0 <= finding.cell < len(self.cell_uris):
            uri = self.cell_uris[finding.cell]
            if uri is not None:
                return uri
        return next((uri for uri in self.cell_uris if uri is not None), self.key)


def uri_path(uri: str) -> Path:
    """A file system path for a URI (``untitled:`` and other schemes: their last path segment)."""
    path = to_fs_path(uri)
    if path:
        return Path(path)
    parsed = urlparse(uri)
    name = unquote(parsed.path).rsplit("/", 1)[-1] or "untitled.py"
    return Path(name)


def is_python_document(uri: str, language_id: str | None) -> bool:
    if language_id:
        return language_id.lower() in PYTHON_LANGUAGES
    return uri_path(uri).suffix in PYTHON_SUFFIXES


def text_subject(uri: str, text: str, language_id: str | None) -> Subject | None:
    """A Python text document as a subject; None for other languages."""
    if not is_python_document(uri, language_id):
        return None
    path = uri_path(uri)
    if path.suffix not in PYTHON_SUFFIXES:
        path = path.with_name(path.name + ".py")
    return Subject(uri, path, text.encode("utf-8", "surrogatepass"), ((uri, text),))


def notebook_subject(notebook: types.NotebookDocument, workspace: Workspace) -> Subject:
    """A notebook document and its cells as one ``.ipynb`` subject."""
    cells: list[dict[str, object]] = []
    cell_uris: list[str | None] = []
    texts: list[tuple[str, str]] = []
    for cell in notebook.cells:
        document = workspace.text_documents.get(unquote(cell.document))
        text = document.source if document is not None else ""
        language = (document.language_id or "python") if document is not None else "python"
        is_code = cell.kind == types.NotebookCellKind.Code and language.lower() in PYTHON_LANGUAGES
        if is_code:
            cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": text})
            cell_uris.append(cell.document)
            texts.append((cell.document, text))
        else:
            kind = "markdown" if cell.kind == types.NotebookCellKind.Markup else "raw"
            cells.append({"cell_type": kind, "metadata": {}, "source": text})
            cell_uris.append(None)
    payload = {"cells": cells, "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    path = uri_path(notebook.uri)
    if path.suffix != ".ipynb":
        path = path.with_name(path.name + ".ipynb")
    return Subject(notebook.uri, path, json.dumps(payload).encode("utf-8", "surrogatepass"), tuple(texts), tuple(cell_uris))


def find_subject(workspace: Workspace, uri: str) -> Subject | None:
    """The subject a URI belongs to: a notebook (given its URI or one of its cells') or a text document."""
    notebook = workspace.get_notebook_document(notebook_uri=uri) or workspace.get_notebook_document(cell_uri=uri)
    if notebook is not None:
        return notebook_subject(notebook, workspace)
    document = workspace.text_documents.get(unquote(uri))
    if document is None:
        return None
    return text_subject(uri, document.source, document.language_id)
