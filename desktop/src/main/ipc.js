// The main-process side of the preload bridge. The renderer is untrusted: every
// message is checked for its sender (our own page) and its arguments before use.
import { APP_ORIGIN } from '../common/app-origin.js';
import { TO_MAIN } from '../common/ipc-channels.js';

const MAX_TITLE = 120;
const MAX_BODY = 300;

export function isTrustedSender(event) {
  const url = event?.senderFrame?.url;
  return typeof url === 'string' && url.startsWith(`${APP_ORIGIN}/`);
}

/** Unread total: a non-negative safe integer, or null when invalid. */
export function parseUnread(value) {
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function clip(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `{chatId, title, body}` with a positive integer id and strings, clipped; else null. */
export function parseNotification(value) {
  if (typeof value !== 'object' || value === null) return null;
  const { chatId, title, body } = value;
  if (!Number.isSafeInteger(chatId) || chatId <= 0) return null;
  if (typeof title !== 'string' || typeof body !== 'string') return null;
  return { chatId, title: clip(title, MAX_TITLE), body: clip(body, MAX_BODY) };
}

/**
 * @param {{on: Function}} ipcMain
 * @param {{setUnread: (n: number) => void, notify: (n: object) => void, openExternal: (url: string) => void}} handlers
 */
export function registerIpc(ipcMain, handlers) {
  const guarded = (parse, handler) => (event, arg) => {
    if (!isTrustedSender(event)) return;
    const value = parse(arg);
    if (value !== null) handler(value);
  };
  ipcMain.on(TO_MAIN.SET_UNREAD, guarded(parseUnread, handlers.setUnread));
  ipcMain.on(TO_MAIN.NOTIFY, guarded(parseNotification, handlers.notify));
  // URL checks (scheme allow-list) happen in links.openExternalSafely.
  ipcMain.on(TO_MAIN.OPEN_EXTERNAL, guarded((v) => (typeof v === 'string' ? v : null), handlers.openExternal));
}
