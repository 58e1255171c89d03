// What the user is told outside the page: a desktop notification for a new message in
// a chat they are not looking at, and the unread total on the tray/dock badge and in
// the window title.
import { chatTitle, memberName } from '../lib/names.js';
import { badgeTotal, shouldNotify } from '../lib/notify-rule.js';
import { TOPICS } from '../lib/store.js';
import { attachmentSummary } from '../lib/upload.js';

/** @typedef {import('../lib/types.js').Chat} Chat */
/** @typedef {import('../lib/types.js').Message} Message */

const APP_TITLE = 'Parley';

/**
 * The notification for `message`: who wrote (and where, in a group) and what.
 * @param {Chat} chat
 * @param {Message} message
 * @param {number | undefined} meId
 */
export function notificationFor(chat, message, meId) {
  const author = memberName(chat, message.sender_id);
  return {
    chatId: message.chat_id,
    title: chat.is_group ? `${author} in ${chatTitle(chat, meId)}` : author,
    body: message.content || attachmentSummary(message.attachment) || 'Attachment',
  };
}

/**
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {Pick<typeof import('../lib/bridge.js').bridge, 'notify' | 'setUnread'>} deps.bridge
 * @param {Document} [deps.doc]
 * @param {() => number} [deps.now]
 */
export function createNotifications({ store, bridge, doc = document, now = Date.now }) {
  let shown = -1;

  // The total changes with the chat list; most list changes leave it as it is. Muted
  // chats count only their mentions (lib/notify-rule.js).
  function showUnread() {
    const total = badgeTotal(store.sortedChats(), now());
    if (total === shown) return;
    shown = total;
    bridge.setUnread(total);
    doc.title = total ? `(${total}) ${APP_TITLE}` : APP_TITLE;
  }
  const unsubscribe = store.subscribe((topic) => {
    if (topic === TOPICS.CHATS) showUnread();
  });

  return {
    /**
     * Notifies of a message from someone else in a chat the user does not see (the
     * event handlers decide that: messenger/events.js), if my settings on the server
     * let it through (lib/notify-rule.js).
     * @param {Message} message
     */
    notify(message) {
      const chat = store.chat(message.chat_id);
      if (!chat) return;
      if (!shouldNotify({ message, chat, meId: store.me?.id, settings: store.me?.notifications, now: now() })) return;
      bridge.notify(notificationFor(chat, message, store.me?.id));
    },
    /** Signed out: no badge, no count in the title. */
    stop() {
      unsubscribe();
      bridge.setUnread(0);
      doc.title = APP_TITLE;
    },
  };
}
