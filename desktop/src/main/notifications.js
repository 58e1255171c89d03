// Native notification for a new message, only when the window is not focused
// (a focused user already sees it). Clicking it opens that chat.

/**
 * @param {object} deps
 * @param {{new (options: import('electron').NotificationConstructorOptions): Pick<import('electron').Notification, 'on' | 'show'>,
 *   isSupported: () => boolean}} deps.Notification  Electron's class (or a fake)
 * @param {() => boolean} deps.isWindowFocused
 * @param {(chatId: number) => void} deps.onOpenChat
 */
export function createNotifier({ Notification, isWindowFocused, onOpenChat }) {
  // Electron drops click handlers of notifications that were garbage-collected,
  // so the live ones are kept referenced until they are clicked or closed.
  const live = new Set();

  /** @param {{chatId: number, title: string, body: string}} n  already validated */
  function notify({ chatId, title, body }) {
    if (isWindowFocused() || !Notification.isSupported()) return false;
    const notification = new Notification({ title, body });
    live.add(notification);
    notification.on('click', () => {
      live.delete(notification);
      onOpenChat(chatId);
    });
    notification.on('close', () => live.delete(notification));
    notification.show();
    return true;
  }

  return { notify, liveCount: () => live.size };
}
