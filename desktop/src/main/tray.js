// Tray icon whose tooltip and menu show the unread total. `Tray` and `Menu` are
// injected so the behaviour can be tested without the Electron binary.

/** @param {number} count */
export function unreadLabel(count) {
  return count > 0 ? `Parley — ${count} unread` : 'Parley';
}

/**
 * @param {object} deps
 * @param {new (icon: import('electron').NativeImage | string) => Pick<import('electron').Tray, 'on' | 'setToolTip' | 'setContextMenu'>} deps.Tray
 *   Electron's Tray class (or a fake)
 * @param {Pick<typeof import('electron').Menu, 'buildFromTemplate'>} deps.Menu
 * @param {import('electron').NativeImage | string} deps.icon
 * @param {() => void} deps.onShow
 * @param {() => void} deps.onQuit
 */
export function createTray({ Tray, Menu, icon, onShow, onQuit }) {
  const tray = new Tray(icon);
  let unread = -1;

  /** @param {number} count */
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
