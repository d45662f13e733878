"""The server over thousands of edits: memory stays flat, and fresh diagnostics come within the debounce budget.

The long runs (and the figures in docs/editors.md) are ``bench/server.py``; these are the short versions.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsp_helpers import SERVER, codes, open_python, start, stop, wait_for
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.asyncio

BODY = "import pandas as pd\n" + "".join(f"def step_{i}(df):\n    return df.dropna(subset=['c{i}'])\n\n" for i in range(33))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def toggle(client: LanguageClient, uri: str, version: int) -> None:
    """One keystroke: append a character to line 0's end on odd versions, delete it on even ones."""
    end = len("import pandas as pd")
    if version % 2:
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=0, character=end), end=types.Position(line=0, character=end)),
            text=" ")
    else:
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=0, character=end), end=types.Position(line=0, character=end + 1)),
            text="")
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[*SERVER, "--debounce", "0"]))
async def eager(lsp_client: LanguageClient, tmp_path: Path):
    await start(lsp_client, tmp_path)
    yield
    await stop(lsp_client)


async def settle(client: LanguageClient, uri: str, marker: str, version: int) -> None:
    """Make the document end in ``marker``'s presence or absence and wait for its diagnostics."""
    present = version % 2 == 1
    text = BODY + ("v = pd.read_csv('x').values\n" if present else "")
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
    await wait_for(client, uri, lambda ds: (marker in codes(ds)) == present)


async def test_memory_is_flat_over_5000_edits(eager: LanguageClient, tmp_path: Path) -> None:
    client = eager
    uri = (tmp_path / "steps.py").as_uri()
    open_python(client, uri, BODY)
    await wait_for(client, uri, lambda ds: True)
    pid = client._server.pid
    version = 1
    for _ in range(100):
        version += 1
        toggle(client, uri, version)
    version += 1
    await settle(client, uri, "ML1303", version)
    after_100 = rss_kib(pid)
    for batch in range(49):
        for _ in range(100):
            version += 1
            toggle(client, uri, version)
        version += 1
        await settle(client, uri, "ML1303", version)
    after_5000 = rss_kib(pid)
    assert after_5000 <= after_100 * 1.2, f"RSS grew from {after_100} KiB to {after_5000} KiB over 5,000 edits"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))  # the default debounce
async def default(lsp_client: LanguageClient, tmp_path: Path):
    await start(lsp_client, tmp_path)
    yield
    await stop(lsp_client)


async def test_fresh_diagnostics_on_a_1000_line_file_within_a_second(default: LanguageClient, tmp_path: Path) -> None:
    client = default
    uri = (tmp_path / "big.py").as_uri()
    body = BODY * 10  # ~1,000 lines
    assert 950 <= body.count("\n") <= 1100
    open_python(client, uri, body)
    await wait_for(client, uri, lambda ds: True)
    waits = []
    for version in range(2, 9):
        present = version % 2 == 1
        text = body + ("v = pd.read_csv('x').values\n" if present else "")
        started = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        await wait_for(client, uri, lambda ds, present=present: ("ML1303" in codes(ds)) == present)
        waits.append(time.perf_counter() - started)
    assert statistics.median(waits) < 1.0, f"median {statistics.median(waits):.3f} s (debounce 0.25 s included): {waits}"
