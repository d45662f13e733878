// How the server is started and what it is told, as plain functions (no `vscode` import), so that the
// node test runner checks them without an editor.

export type RunMode = 'onType' | 'onSave';

export interface ExtensionSettings {
    path: string[];
    interpreter: string[];
    args: string[];
    run: RunMode;
    select: string[];
    ignore: string[];
}

export interface ServerCommand {
    command: string;
    args: string[];
}

export const DEFAULT_SETTINGS: ExtensionSettings = {
    path: [],
    interpreter: [],
    args: [],
    run: 'onType',
    select: [],
    ignore: [],
};

/** Settings as read from the configuration, with wrong types replaced by the defaults. */
export function normalise(raw: Partial<Record<keyof ExtensionSettings, unknown>>): ExtensionSettings {
    const strings = (value: unknown): string[] =>
        Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item.length > 0) : [];
    return {
        path: strings(raw.path),
        interpreter: strings(raw.interpreter),
        args: strings(raw.args),
        run: raw.run === 'onSave' ? 'onSave' : 'onType',
        select: strings(raw.select),
        ignore: strings(raw.ignore),
    };
}

/** `${workspaceFolder}`, `${userHome}` and a leading `~` expanded in each value. */
export function expandVariables(values: string[], workspaceFolder: string | undefined, home: string): string[] {
    return values.map((value) => {
        let out = value.replace(/\$\{userHome\}/g, home);
        if (workspaceFolder !== undefined) {
            out = out.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
        }
        if (out === '~' || out.startsWith('~/')) {
            out = home + out.slice(1);
        }
        return out;
    });
}

/**
 * The command that starts `mllint server`: `mllint.path` when set, else
 * `<interpreter> -m mllint server` with `mllint.interpreter`, the Python extension's selected
 * interpreter, or `python3`; then `mllint.args`.
 */
export function serverCommand(settings: ExtensionSettings, selectedInterpreter: string[] | undefined): ServerCommand {
    if (settings.path.length > 0) {
        return { command: settings.path[0], args: [...settings.path.slice(1), 'server', ...settings.args] };
    }
    const interpreter =
        settings.interpreter.length > 0
            ? settings.interpreter
            : selectedInterpreter && selectedInterpreter.length > 0
              ? selectedInterpreter
              : ['python3'];
    return { command: interpreter[0], args: [...interpreter.slice(1), '-m', 'mllint', 'server', ...settings.args] };
}

/** What the server reads from `initializationOptions` (see docs/editors.md, "Client settings"). */
export function initializationOptions(settings: ExtensionSettings): { settings: { select?: string[]; ignore: string[]; run: RunMode } } {
    const out: { select?: string[]; ignore: string[]; run: RunMode } = { ignore: settings.ignore, run: settings.run };
    if (settings.select.length > 0) {
        out.select = settings.select;
    }
    return { settings: out };
}

/** Settings whose change needs a new server process (the others reach it as didChangeConfiguration). */
export function needsRestart(before: ExtensionSettings, after: ExtensionSettings): boolean {
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((item, index) => item === b[index]);
    return !same(before.path, after.path) || !same(before.interpreter, after.interpreter) || !same(before.args, after.args);
}

/** Python files on disk and unsaved; notebook cells are synchronised as notebooks (the server asks for them). */
export const DOCUMENT_SELECTOR = [
    { scheme: 'file', language: 'python' },
    { scheme: 'untitled', language: 'python' },
];
