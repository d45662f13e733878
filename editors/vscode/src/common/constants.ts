// Names shared by the extension's modules.
export const SERVER_ID = 'mllint';
export const SERVER_NAME = 'mllint';
export const SETTINGS_SECTION = 'mllint';
export const RESTART_COMMAND = 'mllint.restart';
