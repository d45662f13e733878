"""``mllint server`` end to end: a real LSP client (pytest-lsp) talking to the server over stdio."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsp_helpers import (
    SERVER,
    apply_text_edits,
    code_actions,
    codes,
    open_python,
    replace_all,
    start,
    stop,
    wait_for,
    whole,
)
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.asyncio

SPLIT = """from sklearn.model_selection import train_test_split
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
"""
VALUES = """import pandas as pd
df = pd.read_csv("data.csv")
features = df.values
"""
PROJECT = '[project]\nname = "demo"\nversion = "0.1"\ndependencies = ["pandas==2.2.2", "scikit-learn==1.5.0"]\n'


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(PROJECT)
    return tmp_path


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[*SERVER, "--debounce", "0.05"]))
async def client(lsp_client: LanguageClient, root: Path):
    await start(lsp_client, root)
    yield
    await stop(lsp_client)


async def test_python_document_open_change_close(client: LanguageClient, root: Path) -> None:
    uri = (root / "train.py").as_uri()
    open_python(client, uri, SPLIT)
    diagnostics = await wait_for(client, uri, lambda ds: "ML0301" in codes(ds))
    split = next(d for d in diagnostics if d.code == "ML0301")
    assert split.range.start.line == 1  # the literal's line, 0-based
    assert split.source == "mllint"
    assert split.severity == types.DiagnosticSeverity.Warning
    assert split.code_description is None  # a rule page is linked only under a configured project-url
    line = SPLIT.splitlines()[1]
    assert line[split.range.start.character:split.range.end.character].startswith("train_test_split(")

    replace_all(client, uri, SPLIT.replace("test_size=0.2, ", ""), 2)  # removing the literal clears it
    await wait_for(client, uri, lambda ds: "ML0301" not in codes(ds))

    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await wait_for(client, uri, lambda ds: len(ds) == 0)


async def test_incremental_change(client: LanguageClient, root: Path) -> None:
    uri = (root / "clean.py").as_uri()
    open_python(client, uri, "import pandas as pd\nx = 1\n")
    await wait_for(client, uri, lambda ds: codes(ds) == [])
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=1, character=0), end=types.Position(line=1, character=5)),
            text="df = pd.read_csv('d.csv')\nv = df.values")]))
    diagnostics = await wait_for(client, uri, lambda ds: "ML1303" in codes(ds))
    assert next(d for d in diagnostics if d.code == "ML1303").range.start.line == 2


async def test_notebook_cells_get_their_own_diagnostics(client: LanguageClient, root: Path) -> None:
    notebook_uri = (root / "explore.ipynb").as_uri()
    cells = [
        ("markdown", "# Exploring\n"),
        ("python", "import pandas as pd\n%matplotlib inline\ndf = pd.read_csv('d.csv')"),
        ("python", "from sklearn.model_selection import train_test_split\n\ntrain, test = train_test_split(df, test_size=0.25, random_state=1)"),
    ]
    cell_uris = [f"vscode-notebook-cell:{root.as_posix()}/explore.ipynb#C{index}" for index in range(len(cells))]
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(uri=notebook_uri, notebook_type="jupyter-notebook", version=1, cells=[
            types.NotebookCell(kind=types.NotebookCellKind.Markup if lang == "markdown" else types.NotebookCellKind.Code,
                               document=cell_uri) for (lang, _text), cell_uri in zip(cells, cell_uris)]),
        cell_text_documents=[types.TextDocumentItem(uri=cell_uri, language_id=lang, version=1, text=text)
                             for (lang, text), cell_uri in zip(cells, cell_uris)]))
    diagnostics = await wait_for(client, cell_uris[2], lambda ds: "ML0301" in codes(ds))
    split = next(d for d in diagnostics if d.code == "ML0301")
    assert split.range.start.line == 2  # the line inside the cell
    assert "ML0301" not in codes(client.diagnostics.get(cell_uris[1], []))
    assert cell_uris[0] not in client.diagnostics or not client.diagnostics[cell_uris[0]]

    # a quick fix on a cell edits that cell
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(uri=notebook_uri, version=2),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(text_content=[
            types.NotebookDocumentCellContentChanges(
                document=types.VersionedTextDocumentIdentifier(uri=cell_uris[1], version=2),
                changes=[types.TextDocumentContentChangeWholeDocument(text=cells[1][1] + "\nx = df.values")])]))))
    diagnostics = await wait_for(client, cell_uris[1], lambda ds: "ML1303" in codes(ds))
    values = next(d for d in diagnostics if d.code == "ML1303")
    assert values.range.start.line == 3
    actions = await code_actions(client, cell_uris[1], values.range)
    fix = next(a for a in actions if a.title.startswith("Fix ML1303"))
    assert fix.edit is not None and list(fix.edit.changes) == [cell_uris[1]]
    fixed = apply_text_edits(cells[1][1] + "\nx = df.values", fix.edit.changes[cell_uris[1]])
    assert fixed.endswith("x = df.to_numpy()") and "%matplotlib inline" in fixed

    client.notebook_document_did_close(types.DidCloseNotebookDocumentParams(
        notebook_document=types.NotebookDocumentIdentifier(uri=notebook_uri),
        cell_text_documents=[types.TextDocumentIdentifier(uri=cell_uri) for cell_uri in cell_uris]))
    await wait_for(client, cell_uris[2], lambda ds: len(ds) == 0)


async def test_quick_fix_is_applied_and_rechecked(client: LanguageClient, root: Path) -> None:
    uri = (root / "features.py").as_uri()
    open_python(client, uri, VALUES)
    diagnostics = await wait_for(client, uri, lambda ds: "ML1303" in codes(ds))
    values = next(d for d in diagnostics if d.code == "ML1303")
    actions = await code_actions(client, uri, values.range, only=["quickfix"])
    fix = next(a for a in actions if a.title.startswith("Fix ML1303"))
    assert "(unsafe)" in fix.title and not fix.is_preferred
    assert fix.kind == types.CodeActionKind.QuickFix
    new_text = apply_text_edits(VALUES, fix.edit.changes[uri])
    assert new_text == VALUES.replace("df.values", "df.to_numpy()")
    replace_all(client, uri, new_text, 2)
    await wait_for(client, uri, lambda ds: "ML1303" not in codes(ds))


async def test_fix_all_applies_safe_fixes_only(client: LanguageClient, root: Path) -> None:
    uri = (root / "model.py").as_uri()
    text = ("import torch\nfrom torchvision.models import resnet18\nimport pandas as pd\n"
            "model = resnet18()\nlogits = model.forward(batch)\nprobs = model.forward(other)\n"
            "df = pd.read_csv('d.csv')\nv = df.values\n")
    open_python(client, uri, text)
    await wait_for(client, uri, lambda ds: codes(ds).count("ML1307") == 2 and "ML1303" in codes(ds))
    actions = await code_actions(client, uri, whole(0), only=["source.fixAll"])
    assert [a.kind for a in actions] == ["source.fixAll.mllint"]
    fixed = apply_text_edits(text, actions[0].edit.changes[uri])
    assert "model(batch)" in fixed and "model(other)" in fixed  # both safe fixes
    assert "df.values" in fixed  # the unsafe one is left alone
    replace_all(client, uri, fixed, 2)
    await wait_for(client, uri, lambda ds: "ML1307" not in codes(ds) and "ML1303" in codes(ds))


async def test_ignore_action_inserts_a_suppression(client: LanguageClient, root: Path) -> None:
    uri = (root / "split.py").as_uri()
    open_python(client, uri, SPLIT)
    diagnostics = await wait_for(client, uri, lambda ds: "ML0301" in codes(ds))
    split = next(d for d in diagnostics if d.code == "ML0301")
    actions = await code_actions(client, uri, split.range)
    ignore = next(a for a in actions if a.title.startswith("Ignore ML0301"))
    new_text = apply_text_edits(SPLIT, ignore.edit.changes[uri])
    assert new_text.splitlines()[1].endswith("random_state=0)  # mllint: ignore[ML0301]")
    replace_all(client, uri, new_text, 2)
    await wait_for(client, uri, lambda ds: "ML0301" not in codes(ds) and "ML0002" not in codes(ds))


async def test_hover_shows_rule_summary_and_why(client: LanguageClient, root: Path) -> None:
    uri = (root / "hover.py").as_uri()
    open_python(client, uri, SPLIT)
    diagnostics = await wait_for(client, uri, lambda ds: "ML0301" in codes(ds))
    split = next(d for d in diagnostics if d.code == "ML0301")
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=split.range.start))
    assert result is not None
    text = result.contents.value
    assert "ML0301" in text and "**Why:**" in text and "hardcoded-split" in text
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0)))
    assert nothing is None


async def test_unparsable_file_is_ml0001_and_server_keeps_serving(client: LanguageClient, root: Path) -> None:
    uri = (root / "broken.py").as_uri()
    open_python(client, uri, "def broken(:\n    pass\n")
    diagnostics = await wait_for(client, uri, lambda ds: "ML0001" in codes(ds))
    assert next(d for d in diagnostics if d.code == "ML0001").range.start.line == 0
    replace_all(client, uri, VALUES, 2)
    await wait_for(client, uri, lambda ds: codes(ds) == ["ML1303"])


async def test_configuration_reload(client: LanguageClient, root: Path) -> None:
    uri = (root / "config.py").as_uri()
    open_python(client, uri, SPLIT + VALUES)
    await wait_for(client, uri, lambda ds: "ML0301" in codes(ds) and "ML1303" in codes(ds))
    # [tool.mllint] changes on disk: the client reports the file event
    (root / "pyproject.toml").write_text(PROJECT + '\n[tool.mllint]\nignore = ["ML0301"]\n')
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
        uri=(root / "pyproject.toml").as_uri(), type=types.FileChangeType.Changed)]))
    await wait_for(client, uri, lambda ds: "ML0301" not in codes(ds) and "ML1303" in codes(ds))
    # client settings on top
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"mllint": {"ignore": ["ML1303"]}}))
    await wait_for(client, uri, lambda ds: "ML0301" not in codes(ds) and "ML1303" not in codes(ds))
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"mllint": {"select": ["ML13"], "ignore": []}}))
    await wait_for(client, uri, lambda ds: codes(ds) == ["ML1303"])  # select replaces; the file's ignore stays
    # an invalid configuration is reported on its file; the server keeps the last good settings
    (root / "pyproject.toml").write_text(PROJECT + '\n[tool.mllint]\nignroe = ["ML0301"]\n')
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
        uri=(root / "pyproject.toml").as_uri(), type=types.FileChangeType.Changed)]))
    config_diagnostics = await wait_for(client, (root / "pyproject.toml").as_uri(),
                                        lambda ds: any("ignroe" in d.message for d in ds))
    assert config_diagnostics[0].severity == types.DiagnosticSeverity.Error
    assert any("ignroe" in message.message for message in client.messages)


async def test_repository_findings_on_the_file_they_concern(client: LanguageClient, root: Path) -> None:
    manifest = (root / "pyproject.toml").as_uri()
    (root / "requirements.txt").write_text("pandas\n")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
        uri=(root / "requirements.txt").as_uri(), type=types.FileChangeType.Created)]))
    requirements = (root / "requirements.txt").as_uri()
    diagnostics = await wait_for(client, requirements, lambda ds: "ML0202" in codes(ds))
    assert all(d.source == "mllint" for d in diagnostics)
    # findings about the repository as a whole sit on the root's manifest
    await wait_for(client, manifest, lambda ds: "ML0501" in codes(ds) or "ML0201" in codes(ds) or len(ds) > 0)
    (root / "requirements.txt").write_text("pandas==2.2.2\n")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
        uri=(root / "requirements.txt").as_uri(), type=types.FileChangeType.Changed)]))
    await wait_for(client, requirements, lambda ds: "ML0202" not in codes(ds))


async def test_cancelled_request(client: LanguageClient, root: Path) -> None:
    uri = (root / "cancel.py").as_uri()
    open_python(client, uri, VALUES * 200)
    await wait_for(client, uri, lambda ds: "ML1303" in codes(ds))
    replace_all(client, uri, VALUES * 201, 2)  # the stored analysis is now stale: the request must re-check
    future = client.protocol.send_request(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=whole(2),
        context=types.CodeActionContext(diagnostics=[])))
    request_id = next(key for key, value in client.protocol._request_futures.items() if value is future)
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=request_id))
    with pytest.raises(Exception) as caught:
        await asyncio.wait_for(asyncio.wrap_future(future), 10)
    assert "cancel" in str(caught.value).lower()
    # and the server still answers
    actions = await code_actions(client, uri, whole(2))
    assert any(a.title.startswith("Fix ML1303") for a in actions)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[*SERVER, "--debounce", "0.05"]))
async def on_save(lsp_client: LanguageClient, root: Path):
    await start(lsp_client, root, {"settings": {"run": "onSave", "ignore": ["ML0401"]}})
    yield
    await stop(lsp_client)


async def test_run_on_save_and_initialization_settings(on_save: LanguageClient, root: Path) -> None:
    client = on_save
    uri = (root / "saved.py").as_uri()
    text = "from sklearn.model_selection import train_test_split\ntrain_test_split(X, test_size=0.2)\n"
    open_python(client, uri, text)  # open is checked at once; ML0401 is ignored by the client's settings
    diagnostics = await wait_for(client, uri, lambda ds: "ML0301" in codes(ds))
    assert "ML0401" not in codes(diagnostics)
    replace_all(client, uri, VALUES, 2)
    with pytest.raises(asyncio.TimeoutError):  # typing does not re-check ...
        await wait_for(client, uri, lambda ds: "ML1303" in codes(ds), timeout=1.5)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await wait_for(client, uri, lambda ds: codes(ds) == ["ML1303"])  # ... saving does


async def test_fix_all_in_a_notebook_cell(client: LanguageClient, root: Path) -> None:
    notebook_uri = (root / "train.ipynb").as_uri()
    cells = ["import torch\nfrom torchvision.models import resnet18\nmodel = resnet18()",
             "%time\nlogits = model.forward(batch)\nv = frame.values"]
    cell_uris = [f"vscode-notebook-cell:{root.as_posix()}/train.ipynb#W{index}" for index in range(len(cells))]
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(uri=notebook_uri, notebook_type="jupyter-notebook", version=1, cells=[
            types.NotebookCell(kind=types.NotebookCellKind.Code, document=cell_uri) for cell_uri in cell_uris]),
        cell_text_documents=[types.TextDocumentItem(uri=cell_uri, language_id="python", version=1, text=text)
                             for text, cell_uri in zip(cells, cell_uris)]))
    await wait_for(client, cell_uris[1], lambda ds: "ML1307" in codes(ds))
    actions = await code_actions(client, cell_uris[1], whole(0), only=["source.fixAll.mllint"])
    assert [a.kind for a in actions] == ["source.fixAll.mllint"]
    changes = actions[0].edit.changes
    assert list(changes) == [cell_uris[1]]  # edits for the requested cell only
    fixed = apply_text_edits(cells[1], changes[cell_uris[1]])
    assert fixed == "%time\nlogits = model(batch)\nv = frame.values"  # the magic stays; no unsafe fix
