// When the user has seen a chat, and telling the server. Seen = open, on screen and
// in the focused window: a chat open in a window left in the background stays unread
// (and notifies) until the user comes back to it, and is marked read then.

/**
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {import('../lib/api.js').Api} deps.api
 * @param {Document} [deps.doc]
 * @param {EventTarget} [deps.win]   where focus events arrive
 */
export function createReadPolicy({ store, api, doc = document, win = window }) {
  /** @type {Map<number, number>} chat id → last message id reported read */
  const reported = new Map();

  // A window into the past (a search result) does not show what is new: new messages
  // there count as unread (and notify) until scrolling down reaches the live end.
  /** @param {number} chatId */
  const isSeen = (chatId) =>
    store.activeChatId === chatId && doc.visibilityState === 'visible' && doc.hasFocus() &&
    !store.timeline(chatId).hasNewer;

  /**
   * Reports the chat read up to its newest message, if the user sees it and that
   * was not reported yet.
   * @param {number} chatId
   */
  function markRead(chatId) {
    if (!isSeen(chatId)) return;
    const messages = store.timeline(chatId).messages;
    const last = messages[messages.length - 1] ?? store.chat(chatId)?.last_message;
    if (!last || last.id <= (reported.get(chatId) ?? 0)) return;
    // My own message is read by definition, unless others arrived before it.
    if (last.sender_id === store.me?.id && !store.chat(chatId)?.unread_count) return;
    reported.set(chatId, last.id);
    store.setUnread(chatId, 0);
    api.markRead(chatId, last.id).catch(() => reported.delete(chatId));
  }

  const onBack = () => {
    if (store.activeChatId !== null) markRead(store.activeChatId);
  };

  return {
    isSeen,
    markRead,
    /** Marks the open chat read whenever the user comes back to the window. */
    start() {
      doc.addEventListener('visibilitychange', onBack);
      win.addEventListener('focus', onBack);
    },
    stop() {
      doc.removeEventListener('visibilitychange', onBack);
      win.removeEventListener('focus', onBack);
    },
  };
}
