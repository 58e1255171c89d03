// What the user is told outside the page: a desktop notification for a new message in
// a chat they are not looking at, and the unread total on the tray/dock badge and in
// the window title.
import { chatTitle, memberName } from '../lib/names.js';
import { MAX_TIMER_MS, badgeTotal, nextMuteEnd, shouldNotify } from '../lib/notify-rule.js';
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
 * @param {Pick<typeof import('../lib/bridge.js').bridge, 'notify' | 'setUnread'> & {isDesktop?: boolean, closeNotifications?: (chatId: number) => void}} deps.bridge
 * @param {ReturnType<typeof import('../lib/web-notifications.js').createWebNotifier>} [deps.web]
 *   the browser's notifications, for the web client (Electron notifies through the bridge)
 * @param {() => void} [deps.onPermissionWanted]  a message arrived while hidden and the
 *   browser has not been asked yet: time to offer "Turn on notifications" (once)
 * @param {Document} [deps.doc]
 * @param {() => number} [deps.now]
 */
export function createNotifications({ store, bridge, doc = document, now = Date.now, web, onPermissionWanted }) {
  let shown = -1;
  let offered = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} the next mute's end */
  let muteTimer;

  // The total changes with the chat list; most list changes leave it as it is. Muted
  // chats count only their mentions (lib/notify-rule.js).
  function showUnread() {
    const chats = store.sortedChats();
    // A mute running out changes the total with no event: look again then.
    clearTimeout(muteTimer);
    const end = nextMuteEnd(chats, now());
    if (end !== null) muteTimer = setTimeout(showUnread, Math.min(end - now() + 50, MAX_TIMER_MS));
    const total = badgeTotal(chats, now());
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
      const notification = notificationFor(chat, message, store.me?.id);
      if (bridge.isDesktop || !web) {
        bridge.notify(notification);
        return;
      }
      if (web.permission() === 'default' && doc.visibilityState === 'hidden' && !offered) {
        offered = true;
        onPermissionWanted?.();
      }
      web.show(notification);
    },
    /** The chat was read (on any device): its notifications go. @param {number} chatId */
    withdraw(chatId) {
      bridge.closeNotifications?.(chatId);
      web?.close(chatId);
    },
    /** Signed out: no badge, no count in the title. */
    stop() {
      unsubscribe();
      clearTimeout(muteTimer);
      bridge.setUnread(0);
      doc.title = APP_TITLE;
    },
  };
}
