"""The protocol glue: LSP requests and notifications wired to projects, documents, diagnostics and actions.

State per open subject (a Python document or a notebook): the content last analysed and its located
findings. Diagnostics published on a URI are the union of its code findings (from the editor's
in-memory text), its repository findings (from the files on disk) and configuration errors, so that
each source can be refreshed without erasing the others.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from mllint import __version__
from mllint.catalogue.index import CatalogueError
from mllint.catalogue.loader import load_catalogue
from mllint.config.settings import ConfigError
from mllint.core.findings import Finding
from mllint.server import actions
from mllint.server.diagnostics import SOURCE, Located, overlaps, to_diagnostic
from mllint.server.documents import Subject, find_subject
from mllint.server.hover import hover
from mllint.server.project import CONFIG_NAMES, Project
from mllint.server.scheduler import Scheduler
from mllint.server.settings import ClientSettings, has_settings, parse_client_settings

log = logging.getLogger("mllint.server")

#: Seconds after the last keystroke before a document is re-checked.
DEBOUNCE = 0.25
#: Seconds to wait for more file events before the repository rules run again.
REPO_DEBOUNCE = 0.5
REPO_KEY = "\0repository"
#: Files a repository finding without a path is shown on, in order of preference.
MANIFESTS = ("pyproject.toml", "requirements.txt", "setup.cfg", "setup.py", "Pipfile", "environment.yml",
             "mllint.toml", "README.md")


@dataclass(frozen=True)
class Analysis:
    """The last analysis of one subject: the content it saw and where its findings are shown."""

    subject: Subject
    rel: str
    project: Project
    located: tuple[Located, ...]


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, releasing the futures it keeps for notifications once they are done.

    pygls 2.1 files the future of every notification whose handler is a generator or a coroutine
    (``didChange`` among them) under a fresh id that nothing removes: memory grows with each keystroke.
    Finished ones are swept at the next message (a done-callback would mutate the table while
    ``shutdown`` iterates it).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._notification_ids: set[Any] = set()

    def _execute_handler(self, msg_id: Any, handler: Any, callback: Any, args: Any = None, kwargs: Any = None) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        if callback == self._check_handler_result and msg_id in self._request_futures:
            self._notification_ids.add(msg_id)
        for key in list(self._notification_ids):
            future = self._request_futures.get(key)
            if future is None or future.done():
                self._request_futures.pop(key, None)
                self._notification_ids.discard(key)


class MllintServer(LanguageServer):
    """The mllint language server (``mllint server``)."""

    def __init__(self, debounce: float = DEBOUNCE) -> None:
        super().__init__(
            "mllint", __version__, protocol_cls=_Protocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[types.NotebookDocumentFilterWithCells(
                    notebook="*", cells=[types.NotebookCellLanguage(language="python")])],
                save=True,
            ),
        )
        self.scheduler = Scheduler(debounce)
        self.client_settings = ClientSettings()
        self.projects: dict[Path, Project] = {}  # workspace folders
        self.loose: dict[Path, Project] = {}  # folders of files opened outside every workspace folder
        self.analyses: dict[str, Analysis] = {}
        self.code_located: dict[str, tuple[Located, ...]] = {}
        self.repo_located: dict[str, tuple[Located, ...]] = {}
        self.config_diagnostics: dict[str, list[types.Diagnostic]] = {}

    # -- projects ---------------------------------------------------------------------------------
    def add_folder(self, uri: str) -> None:
        path = to_fs_path(uri)
        if path:
            root = Path(path).resolve()
            self.projects.setdefault(root, Project(root, self.client_settings))

    def project_for(self, path: Path) -> Project:
        """The workspace folder holding ``path`` (the innermost), else a project rooted at its folder."""
        resolved = path.resolve() if path.is_absolute() else path
        best: Project | None = None
        for root, project in self.projects.items():
            inside = resolved == root or root in resolved.parents
            if inside and (best is None or len(root.parts) > len(best.root.parts)):
                best = project
        if best is not None:
            return best
        folder = resolved.parent if resolved.is_absolute() else Path.cwd().resolve()
        if folder not in self.loose:
            project = Project(folder, self.client_settings)
            self._load(project)
            self.loose[folder] = project
        return self.loose[folder]

    def _load(self, project: Project) -> bool:
        """(Re)read a project's configuration; an invalid one is reported and the previous settings kept."""
        config_uri = _config_uri(project.root)
        try:
            project.reload(self.client_settings)
        except (ConfigError, CatalogueError) as exc:
            message = str(exc).replace("command-line options", "the editor's mllint settings (select, ignore)")
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"mllint: {message}"))
            origin = types.Position(line=0, character=0)
            self.config_diagnostics[config_uri] = [types.Diagnostic(
                range=types.Range(start=origin, end=origin), message=message,
                severity=types.DiagnosticSeverity.Error, source=SOURCE)]
            self.publish(config_uri)
            return False
        if self.config_diagnostics.pop(config_uri, None) is not None:
            self.publish(config_uri)
        return True

    def reload_all(self) -> None:
        for project in [*self.projects.values(), *self.loose.values()]:
            self._load(project)
        self.rediagnose_all()
        self.schedule_repository()

    # -- publishing -------------------------------------------------------------------------------
    def publish(self, uri: str) -> None:
        diagnostics = [item.diagnostic for item in self.code_located.get(uri, ())]
        diagnostics += [item.diagnostic for item in self.repo_located.get(uri, ())]
        diagnostics += self.config_diagnostics.get(uri, [])
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    def located_at(self, uri: str) -> list[Located]:
        return [*self.code_located.get(uri, ()), *self.repo_located.get(uri, ())]

    # -- code findings ----------------------------------------------------------------------------
    def diagnose(self, uri: str, delay: float | None = None) -> None:
        """Schedule a check of the subject ``uri`` belongs to (debounced unless ``delay`` is given)."""
        subject = find_subject(self.workspace, uri)
        key = subject.key if subject is not None else uri

        async def job(generation: int) -> None:
            await self._diagnose(key, generation)

        self.scheduler.schedule(key, job, delay)

    def rediagnose_all(self) -> None:
        keys = {analysis.subject.key for analysis in self.analyses.values()}
        keys |= set(self.workspace.notebook_documents)
        keys |= {uri for uri in self.workspace.text_documents
                 if self.workspace.get_notebook_document(cell_uri=uri) is None}
        for key in keys:
            self.diagnose(key, 0)

    async def _diagnose(self, key: str, generation: int) -> None:
        subject = find_subject(self.workspace, key)
        if subject is None:
            self.clear(key)
            return
        project = self.project_for(subject.path)
        rel = project.relative(subject.path) or subject.path.name
        if project.excluded(rel):
            findings: list[Finding] = []
        else:
            findings = await self.scheduler.run(lambda: project.analyze(rel, subject.data))
        if not self.scheduler.current(key, generation):
            return
        now = find_subject(self.workspace, key)
        if now is None or now.data != subject.data:
            return  # edited meanwhile: the newer content is (or will be) checked
        self._store(Analysis(subject, rel, project, self._locate(subject, project, findings)))

    def _locate(self, subject: Subject, project: Project, findings: list[Finding]) -> tuple[Located, ...]:
        codec = self.workspace.position_codec
        out = []
        for finding in findings:
            uri = subject.uri_for(finding)
            out.append(Located(uri, finding, to_diagnostic(finding, subject.text_of(uri), codec, project.root, project.settings.project_url)))
        return tuple(out)

    def _store(self, analysis: Analysis) -> None:
        key = analysis.subject.key
        previous = self.analyses.get(key)
        self.analyses[key] = analysis
        uris = set(analysis.subject.uris())
        if previous is not None:
            uris |= set(previous.subject.uris())
        for uri in uris:
            self.code_located[uri] = tuple(item for item in analysis.located if item.uri == uri)
            if not self.code_located[uri]:
                del self.code_located[uri]
            self.publish(uri)

    def clear(self, key: str) -> None:
        """Forget a closed subject and withdraw its code diagnostics."""
        self.scheduler.forget(key)
        analysis = self.analyses.pop(key, None)
        uris = set(analysis.subject.uris()) if analysis is not None else {key}
        for uri in uris:
            self.code_located.pop(uri, None)
            self.publish(uri)

    async def fresh_analysis(self, uri: str) -> Analysis | None:
        """The analysis of ``uri``'s subject matching its current content (re-checked now when stale)."""
        subject = find_subject(self.workspace, uri)
        if subject is None:
            return None
        analysis = self.analyses.get(subject.key)
        if analysis is not None and analysis.subject.data == subject.data:
            return analysis
        project = self.project_for(subject.path)
        rel = project.relative(subject.path) or subject.path.name
        findings = [] if project.excluded(rel) else await self.scheduler.run(lambda: project.analyze(rel, subject.data))
        return Analysis(subject, rel, project, self._locate(subject, project, findings))

    # -- repository findings ----------------------------------------------------------------------
    def schedule_repository(self, delay: float = REPO_DEBOUNCE) -> None:
        async def job(generation: int) -> None:
            await self._check_repository(generation)

        self.scheduler.schedule(REPO_KEY, job, delay)

    async def _check_repository(self, generation: int) -> None:
        located: dict[str, list[Located]] = {}
        codec = self.workspace.position_codec
        for project in list(self.projects.values()):
            try:
                findings = await self.scheduler.run(project.check_repository)
            except Exception as exc:  # an engine failure must not stop the server
                self.window_log_message(types.LogMessageParams(
                    type=types.MessageType.Error, message=f"mllint: repository check failed: {type(exc).__name__}: {exc}"))
                continue
            if not self.scheduler.current(REPO_KEY, generation):
                return
            for finding in findings:
                if finding.kind != "repo" and finding.path is not None:
                    continue
                target = _repository_target(project.root, finding)
                uri = target.as_uri()
                text = self._text_of(uri, target)
                located.setdefault(uri, []).append(Located(uri, finding, to_diagnostic(finding, text, codec, project.root, project.settings.project_url)))
        stale = set(self.repo_located) - set(located)
        self.repo_located = {uri: tuple(items) for uri, items in located.items()}
        for uri in sorted(stale | set(located)):
            self.publish(uri)

    def _text_of(self, uri: str, path: Path) -> str:
        opened = _open_text(self, uri)
        if opened is not None:
            return opened
        try:
            return path.read_text(encoding="utf-8") if path.is_file() else ""
        except (OSError, UnicodeDecodeError):
            return ""

    def shutdown_work(self) -> None:
        self.scheduler.shutdown()


def _repository_target(root: Path, finding: Finding) -> Path:
    """The file a repository finding is shown on: its own, else the root's manifest, else the root."""
    if finding.path:
        return (root / finding.path).resolve()
    for name in MANIFESTS:
        if (root / name).is_file():
            return root / name
    return root


def _config_uri(root: Path) -> str:
    for name in CONFIG_NAMES:
        if (root / name).is_file():
            return (root / name).as_uri()
    return (root / "pyproject.toml").as_uri()


def create_server(debounce: float = DEBOUNCE) -> MllintServer:
    """The server with every feature registered."""
    server = MllintServer(debounce)

    @server.feature(types.INITIALIZE)
    def initialize(ls: MllintServer, params: types.InitializeParams) -> None:
        ls.client_settings = parse_client_settings(params.initialization_options)
        folders = [folder.uri for folder in params.workspace_folders or []]
        if not folders and params.root_uri:
            folders = [params.root_uri]
        elif not folders and params.root_path:
            folders = [Path(params.root_path).resolve().as_uri()]
        for uri in folders:
            ls.add_folder(uri)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: MllintServer, _params: types.InitializedParams) -> None:
        capabilities = ls.client_capabilities
        workspace = capabilities.workspace
        if workspace is not None and workspace.configuration and not has_settings_from_init(ls):
            await _pull_configuration(ls)
        for project in ls.projects.values():
            ls._load(project)
        watched = workspace.did_change_watched_files if workspace is not None else None
        if watched is not None and watched.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions(watchers=[types.FileSystemWatcher(glob_pattern="**/*")])
            try:
                await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
                    id="mllint-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)]))
            except Exception as exc:  # a client that refuses: repository findings then refresh on save only
                log.info("file watching not registered: %s", exc)
        ls.schedule_repository(0)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MllintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.diagnose(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MllintServer, params: types.DidChangeTextDocumentParams) -> None:
        if ls.client_settings.run == "onType":
            ls.diagnose(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: MllintServer, params: types.DidSaveTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri)
        if path and Path(path).name in CONFIG_NAMES:
            ls.reload_all()
            return
        ls.diagnose(params.text_document.uri, 0)
        ls.schedule_repository()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MllintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.clear(params.text_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_open(ls: MllintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.diagnose(params.notebook_document.uri, 0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_change(ls: MllintServer, params: types.DidChangeNotebookDocumentParams) -> None:
        structure = params.change.cells.structure if params.change.cells is not None else None
        if structure is not None and structure.did_close:
            for cell in structure.did_close:
                ls.code_located.pop(cell.uri, None)
                ls.publish(cell.uri)
        if ls.client_settings.run == "onType" or structure is not None:
            ls.diagnose(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_save(ls: MllintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        ls.diagnose(params.notebook_document.uri, 0)
        ls.schedule_repository()

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_close(ls: MllintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        analysis = ls.analyses.get(params.notebook_document.uri)
        ls.clear(params.notebook_document.uri)
        for cell in params.cell_text_documents:
            if analysis is None or cell.uri not in analysis.subject.uris():
                ls.code_located.pop(cell.uri, None)
                ls.publish(cell.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: MllintServer, params: types.DidChangeWatchedFilesParams) -> None:
        names = {Path(to_fs_path(change.uri) or change.uri).name for change in params.changes}
        if names & set(CONFIG_NAMES):
            ls.reload_all()
        else:
            ls.schedule_repository()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def configuration_changed(ls: MllintServer, params: types.DidChangeConfigurationParams) -> None:
        if has_settings(params.settings):
            ls.client_settings = parse_client_settings(params.settings, ls.client_settings)
        else:
            workspace = ls.client_capabilities.workspace
            if workspace is not None and workspace.configuration:
                await _pull_configuration(ls)
        ls.reload_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(ls: MllintServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        for folder in params.event.removed:
            path = to_fs_path(folder.uri)
            if path:
                ls.projects.pop(Path(path).resolve(), None)
        for folder in params.event.added:
            ls.add_folder(folder.uri)
            project = ls.projects.get(Path(to_fs_path(folder.uri) or "").resolve())
            if project is not None:
                ls._load(project)
        ls.schedule_repository()

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL], resolve_provider=False))
    async def code_action(ls: MllintServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        only = [_kind(kind) for kind in params.context.only] if params.context.only else None
        analysis = await ls.fresh_analysis(uri)
        if analysis is None:
            return None
        target = actions.Target(analysis.subject, analysis.rel, analysis.project, ls.workspace.position_codec,
                                lambda other: _open_text(ls, other))
        wants_fixes = actions.wanted(types.CodeActionKind.QuickFix.value, only)
        wants_all = actions.wanted(actions.FIX_ALL, only)
        in_range = [item for item in analysis.located if item.uri == uri and overlaps(item.diagnostic.range, params.range)]

        def compute() -> list[types.CodeAction]:
            out: list[types.CodeAction] = []
            if wants_fixes:
                for item in in_range:
                    action = actions.quick_fix(target, item)
                    if action is not None:
                        out.append(action)
                for item in in_range:
                    action = actions.ignore_action(target, item)
                    if action is not None:
                        out.append(action)
            if wants_all and any(item.finding.fix is not None for item in analysis.located):
                action = actions.fix_all(target, uri if analysis.subject.is_notebook else None)
                if action is not None:
                    out.append(action)
            return out

        return await ls.scheduler.run(compute)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: MllintServer, params: types.HoverParams) -> types.Hover | None:
        return hover(ls.located_at(params.text_document.uri), params.position, load_catalogue())

    @server.feature(types.SHUTDOWN)
    def on_shutdown(ls: MllintServer, _params: None) -> None:
        ls.shutdown_work()

    return server


def has_settings_from_init(ls: MllintServer) -> bool:
    return ls.client_settings != ClientSettings()


async def _pull_configuration(ls: MllintServer) -> None:
    """Ask the client for its ``mllint`` settings section (clients without one answer null)."""
    try:
        answer = await asyncio.wait_for(ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="mllint")])), timeout=5)
    except Exception as exc:
        log.info("workspace/configuration failed: %s", exc)
        return
    if answer and isinstance(answer[0], dict):
        ls.client_settings = parse_client_settings(answer[0], ls.client_settings)


def _open_text(ls: MllintServer, uri: str) -> str | None:
    document = ls.workspace.text_documents.get(unquote(uri))
    return str(document.source) if document is not None else None


def _kind(kind: types.CodeActionKind | str) -> str:
    return kind.value if isinstance(kind, types.CodeActionKind) else str(kind)


def serve(debounce: float = DEBOUNCE) -> None:
    """Serve LSP over stdin/stdout until the client says exit."""
    server = create_server(debounce)
    server.start_io()
