// The renderer's only door to the main process. It exposes named methods (never
// ipcRenderer itself); main validates every argument again. Bundled to
// dist/preload/preload.cjs because sandboxed preloads cannot import local files.
import { contextBridge, ipcRenderer } from 'electron';
import { TO_MAIN, TO_RENDERER } from '../common/ipc-channels.js';

/**
 * @param {string} channel
 * @param {unknown} callback  from the page: checked before use
 * @returns {() => void} unsubscribes
 */
function subscribe(channel, callback) {
  if (typeof callback !== 'function') return () => {};
  const listener = (/** @type {unknown} */ _event, /** @type {unknown[]} */ ...args) => callback(...args);
  ipcRenderer.on(channel, listener);
  return () => ipcRenderer.removeListener(channel, listener);
}

contextBridge.exposeInMainWorld('parley', {
  isDesktop: true,
  setUnread: (/** @type {unknown} */ count) => ipcRenderer.send(TO_MAIN.SET_UNREAD, count),
  notify: (/** @type {{chatId?: unknown, title?: unknown, body?: unknown} | undefined} */ notification) =>
    ipcRenderer.send(TO_MAIN.NOTIFY, {
      chatId: notification?.chatId,
      title: notification?.title,
      body: notification?.body,
    }),
  closeNotifications: (/** @type {unknown} */ chatId) => ipcRenderer.send(TO_MAIN.CLOSE_NOTIFICATIONS, chatId),
  openExternal: (/** @type {unknown} */ url) => ipcRenderer.send(TO_MAIN.OPEN_EXTERNAL, url),
  onOpenChat: (/** @type {unknown} */ callback) => subscribe(TO_RENDERER.OPEN_CHAT, callback),
  onResume: (/** @type {unknown} */ callback) => subscribe(TO_RENDERER.RESUMED, callback),
});
