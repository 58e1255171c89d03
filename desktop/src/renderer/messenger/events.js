// Server events → the store. One handler per event type of lib/events.js: the type
// checker and a unit test hold this table to that list, so a new event cannot be
// forgotten here. Types this client does not know are ignored: the contract may grow.
import { describeSocketError } from '../lib/errors.js';
import { EVENTS } from '../lib/events.js';

/** @typedef {import('../lib/events.js').EventType} EventType */
/**
 * @template {EventType} T
 * @typedef {import('../lib/events.js').EventOf<T>} EventOf
 */
/** @typedef {{[T in EventType]: ((event: EventOf<T>) => void) | null}} Handlers */

/**
 * Calls the handler of `event.type`; anything else (unknown types, malformed events,
 * "__proto__" and other names every object has) is ignored.
 * @param {Handlers} handlers
 * @returns {(event: unknown) => void}
 */
export function dispatcher(handlers) {
  return (event) => {
    const type = /** @type {{type?: unknown} | null} */ (event)?.type;
    if (typeof type !== 'string' || !Object.hasOwn(handlers, type)) return;
    /** @type {((event: unknown) => void) | null} */ (handlers[/** @type {EventType} */ (type)])?.(event);
  };
}

/**
 * A chat as another member's action describes it, less that member's own notification
 * settings (`notify`, `muted_until`): mine come from my own view and chat.settings.
 * @param {import('../lib/types.js').Chat} chat
 * @returns {import('../lib/types.js').Chat}
 */
function withoutActorsView(chat) {
  const others = { ...chat };
  delete others.notify;
  delete others.muted_until;
  return others;
}

/**
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {ReturnType<typeof import('./outgoing.js').createOutgoing>} deps.outgoing
 * @param {ReturnType<typeof import('./sync.js').createSync>} deps.sync
 * @param {ReturnType<typeof import('./read-policy.js').createReadPolicy>} deps.reading
 * @param {ReturnType<typeof import('./notifications.js').createNotifications>} deps.notifications
 * @param {(text: string) => void} deps.toast
 * @param {ReturnType<typeof import('../lib/reactions.js').createReactorCache>} [deps.reactors]  who reacted, asked on hover
 * @param {(job: import('../lib/account-api.js').ExportJob) => void} [deps.onExport]  my account export moved on (messenger/account.js)
 * @returns {Handlers}
 */
export function createEventHandlers({ store, outgoing, sync, reading, notifications, toast, reactors, onExport }) {
  const meId = () => store.me?.id;
  return {
    [EVENTS.MESSAGE_ACK]: (event) => {
      outgoing.settle(event.client_id);
      store.addMessage(event.message);
    },
    [EVENTS.MESSAGE_NEW]: ({ message }) => {
      // Sent from this device but answered on another socket (or the answer was lost).
      if (message.sender_id === meId() && message.client_id) outgoing.settle(message.client_id);
      if (!store.chat(message.chat_id)) {
        sync.refreshChat(message.chat_id);
        return;
      }
      const seen = reading.isSeen(message.chat_id);
      const isNew = store.addMessage(message, { countsAsUnread: !seen });
      if (!isNew || message.sender_id === meId()) return; // a replay, or mine
      if (seen) reading.markRead(message.chat_id);
      else notifications.notify(message);
    },
    [EVENTS.MESSAGE_UPDATED]: ({ message }) => store.updateMessage(message),
    [EVENTS.MESSAGE_DELETED]: (event) => {
      reactors?.forget(event.message_id);
      // The chat list's preview was that message: the chat has a new last message.
      if (store.deleteMessage(event.chat_id, event.message_id)) sync.refreshChat(event.chat_id);
    },
    [EVENTS.CHAT_READ]: (event) => {
      store.markRead(event.chat_id, event.user_id, event.message_id);
      // I read it here or on another device: its notifications are withdrawn everywhere.
      if (event.user_id === meId()) notifications.withdraw(event.chat_id);
    },
    [EVENTS.TYPING]: (event) => store.setTyping(event.chat_id, event.user_id),
    [EVENTS.PRESENCE]: (event) => store.setPresence(event.user_id, event.online, event.last_seen_at),
    [EVENTS.CHAT_CREATED]: ({ chat }) => store.upsertChat(withoutActorsView(chat)),
    // The event carries the view of whoever changed the chat: its unread and mention
    // counts are theirs too, so a chat we know keeps ours.
    [EVENTS.CHAT_UPDATED]: ({ chat }) => {
      const others = withoutActorsView(chat);
      const known = store.chat(chat.id);
      store.upsertChat(known ? { ...others, unread_count: known.unread_count, mention_count: known.mention_count } : others);
    },
    // Member lists change: the chat again, with its new members.
    [EVENTS.MEMBER_ADDED]: (event) => sync.refreshChat(event.chat_id),
    [EVENTS.MEMBER_REMOVED]: (event) => {
      if (event.user_id === meId()) store.removeChat(event.chat_id);
      else sync.refreshChat(event.chat_id);
    },
    // My own toggles were applied when I clicked: their echo changes nothing (store).
    // Who reacted is asked again next time: even my echo, as the server may have been
    // asked between my click and its commit.
    [EVENTS.REACTION_ADDED]: (event) => {
      reactors?.forget(event.message_id);
      store.applyReaction(event.chat_id, event.message_id, { emoji: event.emoji, userId: event.user_id, added: true });
    },
    [EVENTS.REACTION_REMOVED]: (event) => {
      reactors?.forget(event.message_id);
      store.applyReaction(event.chat_id, event.message_id, { emoji: event.emoji, userId: event.user_id, added: false });
    },
    [EVENTS.ERROR]: (event) => {
      const text = describeSocketError(event);
      if (text) toast(text);
    },
    // My own settings, changed on another device: every device agrees at once.
    [EVENTS.CHAT_SETTINGS]: ({ chat_id, notify, muted_until }) => {
      const chat = store.chat(chat_id);
      if (chat) store.upsertChat({ ...chat, notify, muted_until });
    },
    [EVENTS.NOTIFICATIONS_SETTINGS]: ({ settings }) => {
      if (store.me) store.setMe({ ...store.me, notifications: settings });
    },
    [EVENTS.EXPORT_PROGRESS]: (event) => onExport?.(event.export),
    // Nothing to do: lib/ws.js takes pongs as signs of life and does not pass them on.
    [EVENTS.PONG]: null,
  };
}
