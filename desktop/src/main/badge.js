// Unread count on the dock/taskbar. macOS and Unity-style Linux docks take a number
// (`app.setBadgeCount`); Windows has no numeric badge, so an overlay icon is used.

/**
 * @param {object} deps
 * @param {{setBadgeCount?: (n: number) => boolean}} deps.app
 * @param {string} deps.platform                 process.platform
 * @param {() => Pick<import('electron').BrowserWindow, 'isDestroyed' | 'setOverlayIcon'> | null} deps.getWindow
 *   the main window, if any
 * @param {import('electron').NativeImage} deps.overlayIcon   for Windows
 */
export function createBadge({ app, platform, getWindow, overlayIcon }) {
  /** @param {number} count */
  function setUnread(count) {
    if (platform === 'win32') {
      const win = getWindow();
      if (win && !win.isDestroyed()) {
        win.setOverlayIcon(count > 0 ? overlayIcon : null, count > 0 ? `${count} unread` : '');
      }
      return;
    }
    app.setBadgeCount?.(count);
  }
  return { setUnread };
}
