// Reading the `mllint.*` settings of a workspace folder.
import * as os from 'os';
import * as vscode from 'vscode';
import { SETTINGS_SECTION } from './constants';
import { ExtensionSettings, expandVariables, normalise } from './launch';

export function readSettings(folder: vscode.WorkspaceFolder | undefined): ExtensionSettings {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, folder?.uri);
    const settings = normalise({
        path: config.get('path'),
        interpreter: config.get('interpreter'),
        args: config.get('args'),
        run: config.get('run'),
        select: config.get('select'),
        ignore: config.get('ignore'),
    });
    const root = folder?.uri.fsPath;
    return {
        ...settings,
        path: expandVariables(settings.path, root, os.homedir()),
        interpreter: expandVariables(settings.interpreter, root, os.homedir()),
    };
}
