// Navigation policy for every window: the renderer never navigates away from the app
// and never opens Electron windows; links leave for the OS browser/mail client only
// when their scheme is harmless.

const EXTERNAL_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** @param {unknown} url @returns {url is string} */
export function isSafeExternalUrl(url) {
  if (typeof url !== 'string' || url.length > 4096) return false;
  try {
    return EXTERNAL_PROTOCOLS.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * Opens `url` in the OS default handler if allowed; returns whether it did.
 * @param {Pick<import('electron').Shell, 'openExternal'>} shell
 * @param {unknown} url
 */
export function openExternalSafely(shell, url) {
  if (!isSafeExternalUrl(url)) return false;
  shell.openExternal(url);
  return true;
}

/**
 * @param {Pick<import('electron').WebContents, 'on' | 'setWindowOpenHandler'>} webContents
 * @param {Pick<import('electron').Shell, 'openExternal'>} shell
 */
export function applyLinkPolicy(webContents, shell) {
  webContents.on('will-navigate', (event, url) => {
    event.preventDefault();
    openExternalSafely(shell, url);
  });
  webContents.on('will-redirect', (event) => event.preventDefault());
  webContents.on('will-attach-webview', (event) => event.preventDefault());
  webContents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(shell, url);
    return { action: 'deny' };
  });
}
