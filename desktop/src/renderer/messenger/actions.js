// What the views can do (views/shell.js and below call these): open and page through
// chats, start chats, send, edit and delete messages, attach files, say "typing",
// sign out. Each changes the server first and then the store; failures are told in
// words (onError).
import { FRAMES } from '../lib/events.js';
import { createFrequentEmoji, createReactorCache, reactorsMatch } from '../lib/reactions.js';
import { quoteOf } from '../lib/reply.js';
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
 * @property {(deps: {store: import('../lib/store.js').Store, chatId: number,
 *   actions: import('../views/group-info.js').GroupInfoActions}) => void} [groupInfo]  the group screen
 * @property {(deps: {store: import('../lib/store.js').Store,
 *   actions: import('../views/profile.js').ProfileActions}) => void} [profile]  my profile
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
 * @param {ReturnType<typeof import('../lib/drafts.js').createDrafts>} [deps.drafts]  unsent text per chat
 * @param {(err: unknown) => void} deps.onError
 * @param {() => void} deps.stop     ends the messenger (signing out)
 * @param {() => number} [deps.now]
 * @param {ReturnType<typeof createFrequentEmoji>} [deps.emoji]  the picker's favourites
 * @param {ReturnType<typeof createReactorCache>} [deps.reactors]  who reacted (shared with the event handlers, which forget)
 * @param {ReturnType<typeof import('./account.js').createAccount>} [deps.account]  devices, export, administration
 * @param {import('../views/notification-settings.js').PushControls} [deps.push]  this browser's Web Push (web client only)
 * @param {() => Promise<void>} [deps.beforeSignOut]  clean-up that needs the session still (push unsubscribes)
 */
export function createActions({
  store, api, server, history, sync, reading, outgoing, socket, dialogs, drafts, onError, stop, now = () => Date.now(),
  emoji = createFrequentEmoji(null, 'parley.emoji'),
  reactors = createReactorCache({ load: (chatId, messageId) => api.getReactions(chatId, messageId) }),
  account,
  push, beforeSignOut,
}) {
  let lastTypingAt = 0;
  /** @param {string | null | undefined} url */
  const assetUrl = (url) => resolveServerUrl(server, url);

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

  /** My name or picture changed: every chat that lists me shows the new one. */
  async function reloadChats() {
    await guarded(api.getChats().then((chats) => store.setChats(chats)));
  }

  async function signOut() {
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
    // Like unsent messages, drafts stay only while signed in: the next person at this
    // computer must not find them.
    drafts?.forgetAll();
    emoji.forget();
    reactors.clear();
    stop();
    await beforeSignOut?.().catch(() => {});
    // Ends the session on the server and locally; the app then shows sign-in.
    await api.logout().catch(() => {});
  }

  /** @type {import('../views/group-info.js').GroupInfoActions} */
  const groupActions = {
    async rename(chatId, title) {
      store.upsertChat(await api.renameChat(chatId, title));
    },
    async addMember(chatId, userId) {
      store.upsertChat(await api.addMember(chatId, userId));
    },
    async removeMember(chatId, userId) {
      await api.removeMember(chatId, userId);
      await sync.refreshChat(chatId);
    },
    async setRole(chatId, userId, role) {
      store.upsertChat(await api.setMemberRole(chatId, userId, role));
    },
    async leave(chatId) {
      const meId = store.me?.id;
      if (meId === undefined) return;
      await api.removeMember(chatId, meId);
      store.removeChat(chatId); // closes the chat, which saves its draft: then drop it
      drafts?.clear(chatId);
    },
    searchUsers: (q) => api.searchUsers(q),
    assetUrl,
  };

  /** @type {import('../views/profile.js').ProfileActions} */
  const profileActions = {
    async rename(displayName) {
      store.setMe(await api.updateMe({ display_name: displayName }));
      await reloadChats();
    },
    async changePassword(currentPassword, newPassword) {
      await api.updateMe({ current_password: currentPassword, password: newPassword });
    },
    async setAvatar(file) {
      store.setMe(await api.setAvatar(file));
      await reloadChats();
    },
    async removeAvatar() {
      store.setMe(await api.removeAvatar());
      await reloadChats();
    },
    async saveNotifications(fields) {
      const settings = await api.updateNotificationSettings(fields);
      if (store.me) store.setMe({ ...store.me, notifications: settings });
    },
    searchUsers: (q) => api.searchUsers(q),
    signOut,
    assetUrl,
    ...(account ? { openDevices: account.openDevices, openAdmin: account.openAdmin, exports: account.exportActions } : {}),
    push,
  };

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
     * @param {Message | null} [replyTo]  the message answered
     */
    send(chatId, content, attachment = null, replyTo = null) {
      if (replyTo) outgoing.send(chatId, content, attachment, quoteOf(replyTo));
      else outgoing.send(chatId, content, attachment);
      drafts?.clear(chatId); // sent: nothing left to restore
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
    /**
     * Adds my reaction, or takes it back if I had it. Shown at once; undone (and told)
     * if the server refuses. The event of my own change then changes nothing.
     * @param {Message} message
     * @param {string} symbol  one emoji
     */
    async toggleReaction(message, symbol) {
      const meId = store.me?.id;
      if (meId === undefined) return;
      const added = !store.timeline(message.chat_id).messages.find((m) => m.id === message.id)?.reactions?.find((r) => r.emoji === symbol)?.me;
      const change = { emoji: symbol, userId: meId, added };
      store.applyReaction(message.chat_id, message.id, change);
      reactors.forget(message.id);
      if (added) emoji.use(symbol);
      try {
        if (added) await api.addReaction(message.chat_id, message.id, symbol);
        else await api.removeReaction(message.chat_id, message.id, symbol);
      } catch (err) {
        store.applyReaction(message.chat_id, message.id, { ...change, added: !added });
        onError(err);
      } finally {
        // Asked while the change was under way, the server may have answered without it.
        reactors.forget(message.id);
      }
    },
    /**
     * Who reacted to a message (hover, focus): from memory until a reaction changes,
     * else from the server; null if it could not say (the count stays the description,
     * so no error is shown for a hover).
     * @param {Message} message
     */
    whoReacted(message) {
      // Remembered names that no longer fit the counts missed a change: ask again.
      const known = reactors.peek(message.id);
      if (known && !reactorsMatch(known, message.reactions ?? [], store.me?.id)) reactors.forget(message.id);
      return reactors.get(message.chat_id, message.id);
    },
    /** What is known without asking. @param {Message} message */
    knownReactors: (message) => reactors.peek(message.id),
    /** The reaction picker's row: the emoji I use most, then common ones. */
    frequentEmoji: () => emoji.list(),
    /**
     * Who has read my message in a group (null after telling why it failed).
     * @param {Message} message
     */
    readers: (message) => guarded(api.getReaders(message.chat_id, message.id)),
    /** @param {OutboxEntry} entry */
    retry: (entry) => outgoing.retry(entry.client_id),
    /** @param {OutboxEntry} entry */
    discard: (entry) => outgoing.discard(entry.client_id),
    /** @type {import('../lib/api.js').Api['uploadAttachment']} */
    upload: (file, options) => api.uploadAttachment(file, options),
    assetUrl,
    /**
     * My notification settings for a chat (views/chat-settings.js); the answer is the
     * chat as it now is. False after telling why it failed.
     * @param {number} chatId
     * @param {{notify?: 'all' | 'mentions' | 'none', muted_until?: string | null}} fields
     */
    async setChatSettings(chatId, fields) {
      const chat = await guarded(api.updateChatSettings(chatId, fields));
      if (!chat) return false;
      store.upsertChat(chat);
      return true;
    },
    /** The group screen of a chat. @param {number} chatId */
    openGroupInfo(chatId) {
      if (store.chat(chatId)?.is_group) dialogs.groupInfo?.({ store, chatId, actions: groupActions });
    },
    openProfile() {
      dialogs.profile?.({ store, actions: profileActions });
    },
    /** The administrator's screen (is_admin only). */
    openAdmin: () => account?.openAdmin(),
    /** @param {number} chatId @returns {string} */
    loadDraft: (chatId) => drafts?.get(chatId) ?? '',
    /** While typing. @param {number} chatId @param {string} text */
    draftChanged: (chatId, text) => drafts?.update(chatId, text),
    /** Leaving the chat (or starting an edit). @param {number} chatId @param {string} text */
    saveDraft: (chatId, text) => drafts?.save(chatId, text),
    /** A preview did not load, most likely an expired link. @param {{id?: number, chat_id: number}} message */
    attachmentFailed: (message) => history.refreshMessage(message),
    /** @param {number} chatId */
    typing(chatId) {
      const t = now();
      if (t - lastTypingAt < TYPING_EVERY_MS) return;
      if (socket.send({ type: FRAMES.TYPING, chat_id: chatId })) lastTypingAt = t;
    },
    signOut,
  };
}
