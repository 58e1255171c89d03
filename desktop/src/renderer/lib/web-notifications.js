// Browser notifications for the web client (Electron has its native path through the
// bridge): shown only while the tab is hidden and permission was granted, tagged
// `chat-<id>` like the server's pushes so one notification stands per chat and reading
// the chat anywhere withdraws it. Permission is asked only when the user says so.

/** @typedef {{chatId: number, title: string, body: string}} ChatNotification */

/** The tag of a chat's notifications: the same as the server's Web Push tag. @param {number} chatId */
export const tagFor = (chatId) => `chat-${chatId}`;

/**
 * @param {object} deps
 * @param {(chatId: number) => void} deps.onOpen  a notification was clicked
 * @param {Window & typeof globalThis} [deps.win]
 * @param {Document} [deps.doc]
 */
export function createWebNotifier({ onOpen, win = window, doc = document }) {
  const Native = /** @type {typeof Notification | undefined} */ (/** @type {any} */ (win).Notification);
  /** @type {Map<string, Notification>} the ones this page raised, by tag */
  const live = new Map();

  const permission = () => (Native ? Native.permission : 'denied');

  return {
    supported: Boolean(Native),
    permission,
    /** Asks the browser (call from a click: browsers ignore it otherwise). */
    async request() {
      if (!Native) return 'denied';
      return Native.requestPermission();
    },
    /** Raises it if the tab is hidden and allowed; true when shown. @param {ChatNotification} n */
    show({ chatId, title, body }) {
      if (!Native || permission() !== 'granted' || doc.visibilityState !== 'hidden') return false;
      const tag = tagFor(chatId);
      live.get(tag)?.close();
      const notification = new Native(title, { body, tag });
      live.set(tag, notification);
      notification.onclick = () => {
        win.focus();
        onOpen(chatId);
        notification.close();
      };
      notification.onclose = () => {
        if (live.get(tag) === notification) live.delete(tag);
      };
      return true;
    },
    /**
     * Withdraws a chat's notifications: those of this page and, where a service worker
     * shows pushes, those it showed.
     * @param {number} chatId
     */
    close(chatId) {
      const tag = tagFor(chatId);
      live.get(tag)?.close();
      live.delete(tag);
      const workers = /** @type {ServiceWorkerContainer | undefined} */ (win.navigator?.serviceWorker);
      workers?.getRegistration?.()
        .then((registration) => registration?.getNotifications({ tag }))
        .then((shown) => shown?.forEach((n) => n.close()))
        .catch(() => {}); // best effort: nothing to withdraw
    },
  };
}
