// The interpreter selected in the Python extension (when it is installed), and its changes.
import * as vscode from 'vscode';
import { PythonExtension } from '@vscode/python-extension';

export async function selectedInterpreter(resource: vscode.Uri | undefined): Promise<string[] | undefined> {
    if (!vscode.extensions.getExtension('ms-python.python')) {
        return undefined;
    }
    try {
        const api = await PythonExtension.api();
        const path = api.environments.getActiveEnvironmentPath(resource);
        const environment = await api.environments.resolveEnvironment(path);
        const executable = environment?.executable.uri?.fsPath;
        return executable ? [executable] : undefined;
    } catch {
        return undefined;
    }
}

export async function onInterpreterChange(listener: () => void): Promise<vscode.Disposable | undefined> {
    if (!vscode.extensions.getExtension('ms-python.python')) {
        return undefined;
    }
    try {
        const api = await PythonExtension.api();
        return api.environments.onDidChangeActiveEnvironmentPath(() => listener());
    } catch {
        return undefined;
    }
}
