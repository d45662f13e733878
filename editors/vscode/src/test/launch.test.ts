// Unit tests of the launch logic (node's test runner: `npm test`).
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import {
    DEFAULT_SETTINGS,
    DOCUMENT_SELECTOR,
    expandVariables,
    initializationOptions,
    needsRestart,
    normalise,
    serverCommand,
} from '../common/launch';

test('the selected interpreter runs `-m mllint server`', () => {
    assert.deepEqual(serverCommand(DEFAULT_SETTINGS, ['/venv/bin/python']), {
        command: '/venv/bin/python',
        args: ['-m', 'mllint', 'server'],
    });
});

test('python3 when no interpreter is known', () => {
    assert.deepEqual(serverCommand(DEFAULT_SETTINGS, undefined), { command: 'python3', args: ['-m', 'mllint', 'server'] });
});

test('mllint.interpreter wins over the selected interpreter, and args follow', () => {
    const settings = { ...DEFAULT_SETTINGS, interpreter: ['/opt/py', '-X', 'utf8'], args: ['--debounce', '0.5'] };
    assert.deepEqual(serverCommand(settings, ['/venv/bin/python']), {
        command: '/opt/py',
        args: ['-X', 'utf8', '-m', 'mllint', 'server', '--debounce', '0.5'],
    });
});

test('mllint.path starts the executable directly', () => {
    const settings = { ...DEFAULT_SETTINGS, path: ['/usr/local/bin/mllint'], interpreter: ['/opt/py'] };
    assert.deepEqual(serverCommand(settings, undefined), { command: '/usr/local/bin/mllint', args: ['server'] });
});

test('variables are expanded', () => {
    assert.deepEqual(expandVariables(['${workspaceFolder}/.venv/bin/python', '~/x', '${userHome}/y'], '/ws', '/home/u'), [
        '/ws/.venv/bin/python',
        '/home/u/x',
        '/home/u/y',
    ]);
    assert.deepEqual(expandVariables(['${workspaceFolder}/p'], undefined, '/h'), ['${workspaceFolder}/p']);
});

test('settings of the wrong type fall back to the defaults', () => {
    assert.deepEqual(normalise({ path: 'mllint', args: ['--x', 3], run: 'sometimes', select: ['ML03'] }), {
        ...DEFAULT_SETTINGS,
        args: ['--x'],
        select: ['ML03'],
    });
    assert.equal(normalise({ run: 'onSave' }).run, 'onSave');
});

test('initialization options carry select only when set', () => {
    assert.deepEqual(initializationOptions(DEFAULT_SETTINGS), { settings: { ignore: [], run: 'onType' } });
    assert.deepEqual(initializationOptions({ ...DEFAULT_SETTINGS, select: ['ML13'], ignore: ['ML1303'], run: 'onSave' }), {
        settings: { select: ['ML13'], ignore: ['ML1303'], run: 'onSave' },
    });
});

test('only launch settings restart the server', () => {
    assert.equal(needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, run: 'onSave', select: ['ML03'] }), false);
    assert.equal(needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, interpreter: ['/py'] }), true);
    assert.equal(needsRestart(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, args: ['--debounce', '1'] }), true);
});

test('Python files on disk and unsaved are selected', () => {
    assert.deepEqual(
        DOCUMENT_SELECTOR.map((item) => item.scheme),
        ['file', 'untitled'],
    );
    assert.ok(DOCUMENT_SELECTOR.every((item) => item.language === 'python'));
});
