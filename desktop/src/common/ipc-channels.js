// IPC channel names shared by the main process and the preload. Kept free of
// Electron imports so that Node's test runner (and the renderer bundle) can load it.

/** Renderer → main, fire-and-forget (`ipcRenderer.send`). */
export const TO_MAIN = Object.freeze({
  SET_UNREAD: 'parley:set-unread',
  NOTIFY: 'parley:notify',
  OPEN_EXTERNAL: 'parley:open-external',
  CLOSE_NOTIFICATIONS: 'parley:close-notifications',
});

/** Main → renderer (`webContents.send`). */
export const TO_RENDERER = Object.freeze({
  OPEN_CHAT: 'parley:open-chat',
  RESUMED: 'parley:resumed',
});
