// What the views can do (views/shell.js and below call these): open and page through
// chats, start chats, send, edit and delete messages, attach files, say "typing",
// sign out. Each changes the server first and then the store; failures are told in
// words (onError).
import { FRAMES } from '../lib/events.js';
import { resolveServerUrl } from '../lib/upload.js';

/** @typedef {import('../lib/types.js').Chat} Chat */
/** @typedef {import('../lib/types.js').Message} Message */
/** @typedef {import('../lib/types.js').OutboxEntry} OutboxEntry */

// The server forwards at most one typing event per chat every 2 s; a bit less often
// is plenty for an indicator that lasts 6 s.
const TYPING_EVERY_MS = 3_000;

/**
 * The dialogs the actions open (views/dialogs.js), passed in so that the actions do
 * not depend on the views.
 * @typedef {object} Dialogs
 * @property {(question: {title: string, body: string, confirmLabel?: string, danger?: boolean}) => Promise<boolean>} confirm
 *   resolves true when the user confirms
 * @property {(deps: {searchUsers: (q: string) => Promise<import('../lib/types.js').User[]>, meId: number | undefined,
 *   create: (title: string, ids: number[]) => Promise<void>}) => void} newGroup
 */

/**
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {import('../lib/api.js').Api} deps.api
 * @param {string} deps.server
 * @param {ReturnType<typeof import('./history.js').createHistory>} deps.history
 * @param {ReturnType<typeof import('./sync.js').createSync>} deps.sync
 * @param {ReturnType<typeof import('./read-policy.js').createReadPolicy>} deps.reading
 * @param {ReturnType<typeof import('./outgoing.js').createOutgoing>} deps.outgoing
 * @param {{send: (frame: {type: string, chat_id: number}) => boolean}} deps.socket
 * @param {Dialogs} deps.dialogs
 * @param {(err: unknown) => void} deps.onError
 * @param {() => void} deps.stop     ends the messenger (signing out)
 * @param {() => number} [deps.now]
 */
export function createActions({ store, api, server, history, sync, reading, outgoing, socket, dialogs, onError, stop, now = () => Date.now() }) {
  let lastTypingAt = 0;

  /**
   * The promise's value, or null after telling the user why it failed.
   * @template T
   * @param {Promise<T>} promise
   * @returns {Promise<T | null>}
   */
  async function guarded(promise) {
    try {
      return await promise;
    } catch (err) {
      onError(err);
      return null;
    }
  }

  /**
   * Opens a chat at its newest messages; `keepWindow`: at the window into the past
   * just loaded around a message (opening a search result).
   * @param {number} chatId
   * @param {{keepWindow?: boolean}} [options]
   */
  async function openChat(chatId, { keepWindow = false } = {}) {
    if (!store.chat(chatId)) await sync.refreshChat(chatId);
    if (!store.chat(chatId)) return;
    // Left in the past by an earlier search: opened from the list, it shows what is new.
    if (!keepWindow && store.activeChatId !== chatId && store.timeline(chatId).hasNewer) await history.loadLatest(chatId);
    store.setActive(chatId);
    await history.loadFirst(chatId);
    reading.markRead(chatId);
  }

  /** A chat the server just created (or found: direct chats exist once) is opened. @param {Chat} chat */
  function showChat(chat) {
    store.upsertChat(chat);
    openChat(chat.id);
  }

  return {
    /** @param {number} chatId */
    openChat: (chatId) => openChat(chatId),
    closeChat: () => store.setActive(null),
    /** @param {number} chatId */
    loadOlder: (chatId) => history.loadOlder(chatId),
    /** Scrolling down a window into the past; reaching the live end reads the chat. @param {number} chatId */
    async loadNewer(chatId) {
      await history.loadNewer(chatId);
      if (!store.timeline(chatId).hasNewer) reading.markRead(chatId);
    },
    /** Back from a window into the past to the newest messages. @param {number} chatId */
    async loadLatest(chatId) {
      await history.loadLatest(chatId);
      reading.markRead(chatId);
    },
    /**
     * Makes a message part of its chat's loaded history and opens that chat, so the
     * view can scroll to it (a search result, a quoted message); false (and told)
     * when that is not possible.
     * @param {number} chatId
     * @param {number} messageId
     */
    async showMessage(chatId, messageId) {
      if (!store.chat(chatId)) await sync.refreshChat(chatId);
      if (!store.chat(chatId)) {
        onError(new Error('That chat is no longer available to you.'));
        return false;
      }
      const found = await guarded(history.loadAround(chatId, messageId));
      if (found === false) onError(new Error('That message has been deleted.'));
      if (!found) return false;
      if (store.activeChatId !== chatId) await openChat(chatId, { keepWindow: true });
      return true;
    },
    /** @type {import('../lib/api.js').Api['searchMessages']} */
    searchMessages: (query, options) => api.searchMessages(query, options),
    /** @param {string} q */
    searchUsers: (q) => api.searchUsers(q),
    /** @param {number} userId */
    async startDirectChat(userId) {
      const chat = await guarded(api.createDirectChat(userId));
      if (chat) showChat(chat);
    },
    newGroup() {
      dialogs.newGroup({
        searchUsers: (q) => api.searchUsers(q),
        meId: store.me?.id,
        create: async (title, ids) => showChat(await api.createGroup(title, ids)),
      });
    },
    /**
     * Queues a message (messenger/outgoing.js), with an uploaded file or without.
     * @param {number} chatId
     * @param {string} content
     * @param {import('../lib/types.js').UploadedFile | null} [attachment]
     */
    send(chatId, content, attachment = null) {
      outgoing.send(chatId, content, attachment);
      // Receivers clear the indicator on this message; announce the next typing at once.
      lastTypingAt = 0;
    },
    /** @param {Message} message @param {string} content */
    async edit(message, content) {
      const updated = await guarded(api.editMessage(message.chat_id, message.id, content));
      if (updated) store.updateMessage(updated);
    },
    /** @param {Message} message */
    async remove(message) {
      const ok = await dialogs.confirm({ title: 'Delete message?', body: 'It will be deleted for everyone in this chat.', confirmLabel: 'Delete', danger: true });
      if (!ok) return;
      if ((await guarded(api.deleteMessage(message.chat_id, message.id))) === null) return;
      if (store.deleteMessage(message.chat_id, message.id)) sync.refreshChat(message.chat_id);
    },
    /** @param {OutboxEntry} entry */
    retry: (entry) => outgoing.retry(entry.client_id),
    /** @param {OutboxEntry} entry */
    discard: (entry) => outgoing.discard(entry.client_id),
    /** @type {import('../lib/api.js').Api['uploadAttachment']} */
    upload: (file, options) => api.uploadAttachment(file, options),
    /** @param {string | null | undefined} url */
    assetUrl: (url) => resolveServerUrl(server, url),
    /** A preview did not load, most likely an expired link. @param {{id?: number, chat_id: number}} message */
    attachmentFailed: (message) => history.refreshMessage(message),
    /** @param {number} chatId */
    typing(chatId) {
      const t = now();
      if (t - lastTypingAt < TYPING_EVERY_MS) return;
      if (socket.send({ type: FRAMES.TYPING, chat_id: chatId })) lastTypingAt = t;
    },
    async signOut() {
      const unsent = outgoing.unsent();
      if (unsent) {
        const ok = await dialogs.confirm({
          title: 'Sign out?',
          body: `${unsent} unsent message${unsent > 1 ? 's' : ''} will be discarded.`,
          confirmLabel: 'Sign out',
          danger: true,
        });
        if (!ok) return;
      }
      outgoing.forgetAll();
      stop();
      // Ends the session on the server and locally; the app then shows sign-in.
      await api.logout().catch(() => {});
    },
  };
}
