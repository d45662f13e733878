// The mllint extension: runs `mllint server` for Python files and Jupyter notebooks, restarting it when
// the interpreter or the launch settings change.
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { RESTART_COMMAND, SERVER_NAME, SETTINGS_SECTION } from './common/constants';
import { ExtensionSettings, needsRestart } from './common/launch';
import { onInterpreterChange, selectedInterpreter } from './common/python';
import { startServer } from './common/server';
import { readSettings } from './common/settings';

let client: LanguageClient | undefined;
let current: ExtensionSettings | undefined;

function mainFolder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
}

async function restart(output: vscode.LogOutputChannel): Promise<void> {
    if (client) {
        await client.stop().catch((error: unknown) => output.error(`Stopping the server failed: ${String(error)}`));
        client = undefined;
    }
    const folder = mainFolder();
    current = readSettings(folder);
    try {
        client = await startServer(current, await selectedInterpreter(folder?.uri), folder, output);
    } catch (error) {
        output.error(`mllint server did not start: ${String(error)}`);
        void vscode.window.showErrorMessage(
            'mllint server did not start. Install mllint in the selected Python environment (`pip install twelve-factor-ml`) or set `mllint.path`.',
        );
    }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const output = vscode.window.createOutputChannel(SERVER_NAME, { log: true });
    context.subscriptions.push(output);
    context.subscriptions.push(vscode.commands.registerCommand(RESTART_COMMAND, () => restart(output)));
    context.subscriptions.push(
        vscode.workspace.onDidChangeConfiguration(async (event) => {
            if (!event.affectsConfiguration(SETTINGS_SECTION) || current === undefined) {
                return;
            }
            if (needsRestart(current, readSettings(mainFolder()))) {
                await restart(output);
            }
        }),
    );
    const interpreterWatch = await onInterpreterChange(() => void restart(output));
    if (interpreterWatch) {
        context.subscriptions.push(interpreterWatch);
    }
    await restart(output);
}

export async function deactivate(): Promise<void> {
    if (client) {
        await client.stop();
        client = undefined;
    }
}
