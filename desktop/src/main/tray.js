// Tray icon whose tooltip and menu show the unread total. `Tray` and `Menu` are
// injected so the behaviour can be tested without the Electron binary.

export function unreadLabel(count) {
  return count > 0 ? `Parley — ${count} unread` : 'Parley';
}

/**
 * @param {object} deps
 * @param {Function} deps.Tray   Electron's Tray class (or a fake)
 * @param {{buildFromTemplate: Function}} deps.Menu
 * @param {unknown} deps.icon    NativeImage or path
 * @param {() => void} deps.onShow
 * @param {() => void} deps.onQuit
 */
export function createTray({ Tray, Menu, icon, onShow, onQuit }) {
  const tray = new Tray(icon);
  let unread = -1;

  function setUnread(count) {
    if (count === unread) return;
    unread = count;
    tray.setToolTip(unreadLabel(count));
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: count > 0 ? `Show Parley (${count} unread)` : 'Show Parley', click: onShow },
        { type: 'separator' },
        { label: 'Quit Parley', click: onQuit },
      ]),
    );
  }

  tray.on('click', onShow);
  setUnread(0);
  return { setUnread };
}
