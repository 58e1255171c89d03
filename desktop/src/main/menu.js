// Application menu with the usual shortcuts. Built from Electron roles, so the
// accelerators (Cmd/Ctrl+C, V, Z, Q, W, zoom, full screen) are the platform's own.
// Cmd/Ctrl+K and Cmd/Ctrl+F are left to the page (message search, views/shell.js):
// no item here may take them, or the menu would swallow the key before the page.

/**
 * @param {{platform: string, isDev: boolean}} options
 * @returns {object[]} a template for Menu.buildFromTemplate
 */
export function buildMenuTemplate({ platform, isDev }) {
  const isMac = platform === 'darwin';
  const view = [
    { role: 'reload' },
    { type: 'separator' },
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  if (isDev) view.push({ role: 'toggleDevTools' });
  return [
    ...(isMac ? [{ role: 'appMenu' }] : []),
    { label: '&File', submenu: [isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    { label: '&View', submenu: view },
    { role: 'windowMenu' },
  ];
}
