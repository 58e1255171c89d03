// The renderer's only door to the main process. It exposes named methods (never
// ipcRenderer itself); main validates every argument again. Bundled to
// dist/preload/preload.cjs because sandboxed preloads cannot import local files.
import { contextBridge, ipcRenderer } from 'electron';
import { TO_MAIN, TO_RENDERER } from '../common/ipc-channels.js';

function subscribe(channel, callback) {
  if (typeof callback !== 'function') return () => {};
  const listener = (_event, ...args) => callback(...args);
  ipcRenderer.on(channel, listener);
  return () => ipcRenderer.removeListener(channel, listener);
}

contextBridge.exposeInMainWorld('parley', {
  isDesktop: true,
  setUnread: (count) => ipcRenderer.send(TO_MAIN.SET_UNREAD, count),
  notify: (notification) =>
    ipcRenderer.send(TO_MAIN.NOTIFY, {
      chatId: notification?.chatId,
      title: notification?.title,
      body: notification?.body,
    }),
  openExternal: (url) => ipcRenderer.send(TO_MAIN.OPEN_EXTERNAL, url),
  onOpenChat: (callback) => subscribe(TO_RENDERER.OPEN_CHAT, callback),
  onResume: (callback) => subscribe(TO_RENDERER.RESUMED, callback),
});
