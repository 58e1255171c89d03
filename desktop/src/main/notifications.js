// Native notification for a new message, only when the window is not focused
// (a focused user already sees it). Clicking it opens that chat; reading the chat on
// any device withdraws its notifications (close(chatId)).

/**
 * @param {object} deps
 * @param {{new (options: import('electron').NotificationConstructorOptions): Pick<import('electron').Notification, 'on' | 'show' | 'close'>,
 *   isSupported: () => boolean}} deps.Notification  Electron's class (or a fake)
 * @param {() => boolean} deps.isWindowFocused
 * @param {(chatId: number) => void} deps.onOpenChat
 */
export function createNotifier({ Notification, isWindowFocused, onOpenChat }) {
  // Electron drops click handlers of notifications that were garbage-collected,
  // so the live ones are kept referenced until they are clicked or closed.
  // The chat of each, so that reading the chat can close them.
  /** @type {Map<Pick<import('electron').Notification, 'close'>, number>} */
  const live = new Map();

  /** @param {{chatId: number, title: string, body: string}} n  already validated */
  function notify({ chatId, title, body }) {
    if (isWindowFocused() || !Notification.isSupported()) return false;
    const notification = new Notification({ title, body });
    live.set(notification, chatId);
    notification.on('click', () => {
      live.delete(notification);
      onOpenChat(chatId);
    });
    notification.on('close', () => live.delete(notification));
    notification.show();
    return true;
  }

  /** Closes the notifications of a chat (it was read). @param {number} chatId */
  function close(chatId) {
    for (const [notification, id] of [...live]) {
      if (id !== chatId) continue;
      live.delete(notification);
      notification.close();
    }
  }

  return { notify, close, liveCount: () => live.size };
}
