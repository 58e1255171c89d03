// The main-process side of the preload bridge. The renderer is untrusted: every
// message is checked for its sender (our own page) and its arguments before use.
import { APP_ORIGIN } from '../common/app-origin.js';
import { TO_MAIN } from '../common/ipc-channels.js';

const MAX_TITLE = 120;
const MAX_BODY = 300;

/** @typedef {{chatId: number, title: string, body: string}} DesktopNotification */

/** @param {{senderFrame?: {url?: unknown} | null} | null | undefined} event */
export function isTrustedSender(event) {
  const url = event?.senderFrame?.url;
  return typeof url === 'string' && url.startsWith(`${APP_ORIGIN}/`);
}

/** Unread total: a non-negative safe integer, or null when invalid. @param {unknown} value */
export function parseUnread(value) {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** @param {string} text @param {number} max */
function clip(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * `{chatId, title, body}` with a positive integer id and strings, clipped; else null.
 * @param {unknown} value
 * @returns {DesktopNotification | null}
 */
export function parseNotification(value) {
  if (typeof value !== 'object' || value === null) return null;
  const { chatId, title, body } = /** @type {Record<string, unknown>} */ (value);
  if (typeof chatId !== 'number' || !Number.isSafeInteger(chatId) || chatId <= 0) return null;
  if (typeof title !== 'string' || typeof body !== 'string') return null;
  return { chatId, title: clip(title, MAX_TITLE), body: clip(body, MAX_BODY) };
}

/** A chat id: a positive safe integer, or null. @param {unknown} value */
export function parseChatId(value) {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/**
 * @param {Pick<import('electron').IpcMain, 'on'>} ipcMain
 * @param {{setUnread: (n: number) => void, notify: (n: DesktopNotification) => void, openExternal: (url: string) => void,
 *   closeNotifications?: (chatId: number) => void}} handlers
 */
export function registerIpc(ipcMain, handlers) {
  /**
   * A listener that drops messages from other senders and arguments `parse` refuses (null).
   * @template T
   * @param {(arg: unknown) => T | null} parse
   * @param {(value: T) => void} handler
   * @returns {(event: import('electron').IpcMainEvent, arg: unknown) => void}
   */
  const guarded = (parse, handler) => (event, arg) => {
    if (!isTrustedSender(event)) return;
    const value = parse(arg);
    if (value !== null) handler(value);
  };
  ipcMain.on(TO_MAIN.SET_UNREAD, guarded(parseUnread, handlers.setUnread));
  ipcMain.on(TO_MAIN.NOTIFY, guarded(parseNotification, handlers.notify));
  if (handlers.closeNotifications) ipcMain.on(TO_MAIN.CLOSE_NOTIFICATIONS, guarded(parseChatId, handlers.closeNotifications));
  // URL checks (scheme allow-list) happen in links.openExternalSafely.
  ipcMain.on(TO_MAIN.OPEN_EXTERNAL, guarded((v) => (typeof v === 'string' ? v : null), handlers.openExternal));
}
