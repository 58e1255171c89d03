// Closing the window hides it to the tray; only an explicit quit (menu, tray,
// Cmd+Q, OS shutdown) really closes it.

/**
 * @param {Pick<import('electron').BrowserWindow, 'on' | 'hide'>} win
 * @param {() => boolean} isQuitting
 */
export function hideOnClose(win, isQuitting) {
  win.on('close', (event) => {
    if (isQuitting()) return;
    event.preventDefault();
    win.hide();
  });
}

/**
 * Brings the window back from the tray, minimized state or behind other windows.
 * @param {Pick<import('electron').BrowserWindow, 'isDestroyed' | 'isMinimized' | 'restore' | 'show' | 'focus'> | null} win
 */
export function showWindow(win) {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
