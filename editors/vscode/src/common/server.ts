// Starting and stopping the language client that runs `mllint server`.
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, RevealOutputChannelOn, ServerOptions } from 'vscode-languageclient/node';
import { SERVER_ID, SERVER_NAME, SETTINGS_SECTION } from './constants';
import { DOCUMENT_SELECTOR, ExtensionSettings, initializationOptions, serverCommand } from './launch';

export async function startServer(
    settings: ExtensionSettings,
    interpreter: string[] | undefined,
    folder: vscode.WorkspaceFolder | undefined,
    output: vscode.LogOutputChannel,
): Promise<LanguageClient> {
    const { command, args } = serverCommand(settings, interpreter);
    output.info(`Starting: ${command} ${args.join(' ')}`);
    const serverOptions: ServerOptions = { command, args, options: { cwd: folder?.uri.fsPath } };
    const clientOptions: LanguageClientOptions = {
        documentSelector: DOCUMENT_SELECTOR,
        outputChannel: output,
        traceOutputChannel: output,
        revealOutputChannelOn: RevealOutputChannelOn.Never,
        initializationOptions: initializationOptions(settings),
        synchronize: { configurationSection: SETTINGS_SECTION },
    };
    const client = new LanguageClient(SERVER_ID, SERVER_NAME, serverOptions, clientOptions);
    await client.start();
    return client;
}
