"""The language server's figures for docs/editors.md: edit-to-diagnostics latency and memory over many edits.

    python bench/server.py                       # 1,000-line file, 41 timed edits, 20,000 keystrokes
    python bench/server.py --edits 50000 --timed 101

Latency: ``mllint server`` with its default debounce (0.25 s); each timed edit changes a 1,000-line
file so that a finding appears or disappears, and the time is from sending ``didChange`` to receiving
the diagnostics that reflect it (debounce included). Memory: a server without debounce receives
``--edits`` single-character edits (inserted and deleted in turn, each batch of 100 followed by a
full re-check); RSS is read from /proc after 100 edits and at the end. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp.client import make_test_lsp_client

BODY = "import pandas as pd\n" + "".join(f"def step_{i}(df):\n    return df.dropna(subset=['c{i}'])\n\n" for i in range(33))
MARKER = "v = pd.read_csv('x').values\n"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def started(root: Path, debounce: str | None):
    client = make_test_lsp_client()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(_params: types.RegistrationParams) -> None:
        return None

    args = ["-m", "mllint", "server", *(["--debounce", debounce] if debounce is not None else [])]
    await client.start_io(sys.executable, *args)
    await client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="bench")]))
    return client


async def until(client, uri: str, present: bool) -> None:
    while True:
        found = client.diagnostics.get(uri)
        if found is not None and any(d.code == "ML1303" for d in found) == present:
            return
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


def change(client, uri: str, version: int, text: str | None = None, keystroke: bool = False) -> None:
    if text is not None:
        event: types.TextDocumentContentChangeEvent = types.TextDocumentContentChangeWholeDocument(text=text)
    else:
        end = len("import pandas as pd")
        stop = end + (0 if keystroke else 1)
        event = types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=0, character=end), end=types.Position(line=0, character=stop)),
            text=" " if keystroke else "")
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[event]))


def open_doc(client, uri: str, text: str) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))


async def latency(root: Path, timed: int) -> list[float]:
    client = await started(root, None)
    uri = (root / "big.py").as_uri()
    body = BODY * 10
    open_doc(client, uri, body)
    await until(client, uri, False)
    waits = []
    for version in range(3, timed + 3):  # odd versions add the finding, even ones remove it
        present = version % 2 == 1
        begin = time.perf_counter()
        change(client, uri, version, body + (MARKER if present else ""))
        await asyncio.wait_for(until(client, uri, present), 30)
        waits.append(time.perf_counter() - begin)
    await client.shutdown_session()
    await client.stop()
    return waits


async def memory(root: Path, edits: int) -> tuple[dict[int, int], float]:
    client = await started(root, "0")
    uri = (root / "steps.py").as_uri()
    open_doc(client, uri, BODY)
    await until(client, uri, False)
    pid = client._server.pid
    version = 1
    samples: dict[int, int] = {}
    begin = time.perf_counter()
    for done in range(0, edits, 100):
        for _ in range(100):
            version += 1
            change(client, uri, version, keystroke=version % 2 == 0)
        version += 1
        present = version % 2 == 1
        change(client, uri, version, BODY + (MARKER if present else ""))
        await asyncio.wait_for(until(client, uri, present), 30)
        if done == 0 or (done + 100) % 5000 == 0:
            samples[done + 100] = rss_kib(pid)
    elapsed = time.perf_counter() - begin
    await client.shutdown_session()
    await client.stop()
    return samples, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20_000)
    parser.add_argument("--timed", type=int, default=41)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        waits = asyncio.run(latency(root, args.timed))
        print(f"latency, 1,000-line file, debounce 0.25 s included: median {statistics.median(waits) * 1000:.0f} ms, "
              f"min {min(waits) * 1000:.0f} ms, max {max(waits) * 1000:.0f} ms over {len(waits)} edits")
        samples, elapsed = asyncio.run(memory(root, args.edits))
        first, last = samples[min(samples)], samples[max(samples)]
        trail = ", ".join(f"{count:,}: {kib / 1024:.1f}" for count, kib in sorted(samples.items()))
        print(f"memory: RSS {first / 1024:.1f} MiB after 100 edits, {last / 1024:.1f} MiB after {max(samples):,} "
              f"({(last - first) / first * 100:+.1f}%) in {elapsed:.0f} s; MiB by edits: {trail}")


if __name__ == "__main__":
    main()
