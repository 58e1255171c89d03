// Application menu with the usual shortcuts. Built from Electron roles, so the
// accelerators (Cmd/Ctrl+C, V, Z, Q, W, zoom, full screen) are the platform's own.

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
