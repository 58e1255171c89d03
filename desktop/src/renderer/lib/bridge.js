// The desktop features reached through the preload bridge (window.parley). In a plain
// browser there is no bridge and these calls do nothing, so the same build runs in both.

/**
 * What src/preload/index.js exposes as window.parley.
 * @typedef {object} DesktopApi
 * @property {true} isDesktop
 * @property {(count: number) => void} setUnread
 * @property {(notification: DesktopNotification) => void} notify
 * @property {(url: string) => void} openExternal
 * @property {(chatId: number) => void} [closeNotifications]  withdraws a chat's notifications (it was read)
 * @property {(callback: (chatId: number) => void) => () => void} onOpenChat
 * @property {(callback: () => void) => () => void} onResume
 */
/** @typedef {{chatId: number, title: string, body: string}} DesktopNotification */

const exposed = /** @type {{parley?: DesktopApi}} */ (globalThis).parley;
const desktop = exposed?.isDesktop ? exposed : null;

export const bridge = {
  isDesktop: Boolean(desktop),
  /** @param {number} count */
  setUnread: (count) => desktop?.setUnread(count),
  /** @param {DesktopNotification} notification */
  notify: (notification) => desktop?.notify(notification),
  /** @param {number} chatId */
  closeNotifications: (chatId) => desktop?.closeNotifications?.(chatId),
  /**
   * Returns false in a browser, where the link's own target=_blank does the job.
   * @param {string} url
   */
  openExternal: (url) => (desktop ? (desktop.openExternal(url), true) : false),
  /** @param {(chatId: number) => void} callback @returns {() => void} unsubscribes */
  onOpenChat: (callback) => desktop?.onOpenChat(callback) ?? (() => {}),
  /** @param {() => void} callback @returns {() => void} unsubscribes */
  onResume: (callback) => desktop?.onResume(callback) ?? (() => {}),
};
