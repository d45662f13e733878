"""Helpers for the language-server tests: a client over stdio, waiting for diagnostics, applying edits."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

SERVER = [sys.executable, "-m", "mllint", "server"]


def capabilities() -> types.ClientCapabilities:
    """A client that does what VS Code does: notebooks, watched files, configuration, code action kinds."""
    return types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            configuration=False,
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True),
        ),
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(code_action_literal_support=types.ClientCodeActionLiteralOptions(
                code_action_kind=types.ClientCodeActionKindOptions(value_set=["quickfix", "source.fixAll"]))),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(related_information=True),
        ),
        notebook_document=types.NotebookDocumentClientCapabilities(
            synchronization=types.NotebookDocumentSyncClientCapabilities()),
    )


async def start(client: LanguageClient, root: Path, options: dict[str, Any] | None = None) -> types.InitializeResult:
    """Initialise the server on ``root``; the client accepts the server's file-watcher registration."""
    if types.CLIENT_REGISTER_CAPABILITY not in client.protocol.fm.features:
        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(_params: types.RegistrationParams) -> None:
            client.registrations = [*getattr(client, "registrations", []), *_params.registrations]

    return await client.initialize_session(types.InitializeParams(
        capabilities=capabilities(), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=options,
    ))


async def stop(client: LanguageClient, timeout: float = 30.0) -> None:
    """End the session; a server that does not answer ``shutdown`` in time is killed (a failed test must
    not leave the suite waiting on it)."""
    try:
        await asyncio.wait_for(client.shutdown_session(), timeout)
    except (asyncio.TimeoutError, RuntimeError):
        server = getattr(client, "_server", None)
        if server is not None and server.returncode is None:
            server.kill()
        raise


async def wait_for(client: LanguageClient, uri: str, predicate: Callable[[Sequence[types.Diagnostic]], bool],
                   timeout: float = 60.0) -> Sequence[types.Diagnostic]:
    """Wait until the diagnostics published for ``uri`` satisfy ``predicate``; returns them."""
    async def loop() -> Sequence[types.Diagnostic]:
        while True:
            current = client.diagnostics.get(uri)
            if current is not None and predicate(current):
                return current
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(loop(), timeout)


def codes(diagnostics: Sequence[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def open_python(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)))


def replace_all(client: LanguageClient, uri: str, text: str, version: int) -> None:
    """Send the whole new text as one change (what a formatter or an applied edit amounts to)."""
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def apply_text_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP text edits (ASCII text: characters are UTF-16 units) the way a client does."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(position: types.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        return starts[position.line] + min(position.character, len(lines[position.line]))

    out = text
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        out = out[:offset(edit.range.start)] + edit.new_text + out[offset(edit.range.end):]
    return out


def whole(uri_line: int = 0) -> types.Range:
    return types.Range(start=types.Position(line=uri_line, character=0), end=types.Position(line=uri_line + 1, character=0))


async def code_actions(client: LanguageClient, uri: str, span: types.Range,
                       only: list[str] | None = None) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=span,
        context=types.CodeActionContext(diagnostics=[], only=only)))
    return [item for item in result or [] if isinstance(item, types.CodeAction)]
