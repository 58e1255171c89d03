// The page's search shortcuts (Cmd/Ctrl+K, and Cmd/Ctrl+F in a chat) must reach it:
// an accelerator in the application menu would take the key first.
import assert from 'node:assert/strict';
import test from 'node:test';
import { buildMenuTemplate } from '../../src/main/menu.js';

// The accelerators Electron gives these roles (electron/lib/browser/api/menu-item-roles.ts).
const ROLE_KEYS = {
  appMenu: ['H', 'Alt+H', 'Q', ','], quit: ['Q'], close: ['W'],
  editMenu: ['Z', 'Shift+Z', 'Y', 'X', 'C', 'V', 'Shift+V', 'Alt+Shift+V', 'A'],
  reload: ['R'], resetZoom: ['0'], zoomIn: ['Plus'], zoomOut: ['-'], togglefullscreen: ['F11', 'Control+Command+F'],
  toggleDevTools: ['Alt+I', 'Shift+I'], windowMenu: ['M', 'W'],
};

/** Every role and explicit accelerator in the template, recursively. */
function walk(items, out = []) {
  for (const item of items) {
    if (item.role) out.push(...(ROLE_KEYS[item.role] ?? [`unknown role ${item.role}`]));
    if (item.accelerator) out.push(item.accelerator.replace(/^(CmdOrCtrl|CommandOrControl|Ctrl|Control|Cmd|Command)\+/, ''));
    if (Array.isArray(item.submenu)) walk(item.submenu, out);
  }
  return out;
}

for (const platform of ['linux', 'win32', 'darwin']) {
  test(`the ${platform} menu leaves Cmd/Ctrl+K and Cmd/Ctrl+F to the page`, () => {
    const keys = walk(buildMenuTemplate({ platform, isDev: true }));
    assert.ok(!keys.some((k) => k.startsWith('unknown role')), keys.join(' '));
    for (const key of ['K', 'F']) assert.ok(!keys.includes(key), `${platform}: ${key} is taken`);
  });
}
