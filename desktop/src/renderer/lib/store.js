// Client state: chats, their loaded message history, pending outbox entries,
// typing and connection state. Pure data plus a tiny pub/sub: views subscribe to
// TOPICS, the messenger feeds it REST results and socket events.
//
// Its promises, which the views rely on:
// - Nothing handed out is ever changed: a changed chat, message, timeline or list is
//   a new object (and frozen where the store built it), so views tell what changed by
//   identity and cannot corrupt the state by accident.
// - Every change is announced on its topic.
// - Reading never creates anything: an unknown chat's timeline is an empty frozen value.
// (The highest message id seen, `lastSeenId`, is a cursor the socket reads on
// reconnect, not state anyone renders, so it has no topic.)

import { applyReaction } from './reactions.js';

/** @typedef {import('./types.js').Chat} Chat */
/** @typedef {import('./types.js').Message} Message */
/** @typedef {import('./types.js').OutboxEntry} OutboxEntry */
/** @typedef {import('./types.js').User} User */
/** @typedef {import('./reactions.js').Reactors} Reactors */

/** The names subscribers listen on; the detail passed along is noted for each. */
export const TOPICS = Object.freeze({
  ME: 'me', // -
  CONNECTION: 'connection', // the new state (lib/ws.js WS_STATE)
  CHATS: 'chats', // - (the list, a chat's fields, unread counts, presence)
  ACTIVE: 'active', // the open chat's id, or null
  TIMELINE: 'timeline', // chat id: its loaded messages or its pending outbox entries
  TYPING: 'typing', // chat id
});

/** @typedef {typeof TOPICS[keyof typeof TOPICS]} Topic */
/** @typedef {(topic: Topic, detail?: unknown) => void} Listener */

/**
 * A chat's loaded history. `loaded`: a page has arrived; `hasMore`: older messages
 * exist on the server; `hasNewer`: the loaded messages are a window into the past
 * (opened at a search result) that does not reach the newest message yet, so live
 * messages are not added to it (they would leave a hole) until scrolling down has
 * loaded the pages up to the live end.
 * @typedef {Readonly<{messages: readonly Message[], loaded: boolean, hasMore: boolean, hasNewer: boolean}>} Timeline
 */

const TYPING_MS = 6_000;

/** @type {Timeline} */
const NO_TIMELINE = Object.freeze({ messages: Object.freeze([]), loaded: false, hasMore: true, hasNewer: false });
/** @type {readonly OutboxEntry[]} */
const NO_ENTRIES = Object.freeze([]);

/**
 * Index of the first message with id >= `id` in an ascending list.
 * @param {readonly Message[]} messages
 * @param {number} id
 */
function lowerBound(messages, id) {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (messages[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** @param {readonly Message[]} messages @param {number} id */
const includes = (messages, id) => messages[lowerBound(messages, id)]?.id === id;

/** @param {Chat} chat */
const activityOf = (chat) => Date.parse(chat.last_message?.created_at ?? chat.created_at) || 0;

/** @typedef {ReturnType<typeof createStore>} Store */

/** @param {{now?: () => number}} [options] */
export function createStore({ now = () => Date.now() } = {}) {
  /** @type {Set<Listener>} */
  const listeners = new Set();
  /** @type {Map<number, Chat>} */
  const chats = new Map();
  /** @type {Map<number, Timeline>} */
  const timelines = new Map();
  /** @type {Map<number, ReadonlyMap<number, number>>} chat id → (user id → typing until) */
  const typing = new Map();
  /** @type {Map<number, Reactors>} message id → who events said reacted, so none counts twice (lib/reactions.js) */
  const reactors = new Map();
  /** @type {Map<number, readonly OutboxEntry[]>} */
  let pendingByChat = new Map();
  /** @type {readonly Chat[] | null} */
  let sorted = null;
  /** @type {User | null} */
  let me = null;
  /** @type {number | null} */
  let activeChatId = null;
  let connection = 'connecting';
  let lastSeenId = 0;

  /** @param {Topic} topic @param {unknown} [detail] */
  function emit(topic, detail) {
    if (topic === TOPICS.CHATS) sorted = null;
    for (const listener of listeners) listener(topic, detail);
  }

  /** @param {number} id */
  function seen(id) {
    if (id > lastSeenId) lastSeenId = id;
  }

  /** @param {number} chatId @param {Partial<Timeline>} changes */
  function setTimeline(chatId, changes) {
    const next = { ...(timelines.get(chatId) ?? NO_TIMELINE), ...changes };
    Object.freeze(next.messages);
    timelines.set(chatId, Object.freeze(next));
  }

  /**
   * Inserts or replaces messages (by id) in a chat's timeline; keeps ascending order.
   * @param {number} chatId
   * @param {readonly Message[]} incoming
   */
  function merge(chatId, incoming) {
    const list = (timelines.get(chatId) ?? NO_TIMELINE).messages.slice();
    for (const message of incoming) {
      const i = lowerBound(list, message.id);
      if (list[i]?.id === message.id) list[i] = message;
      else list.splice(i, 0, message);
      // The server's copy counts every reaction up to now: what events told before it is history.
      reactors.delete(message.id);
      seen(message.id);
    }
    setTimeline(chatId, { messages: list });
  }

  /** @param {number} chatId @param {Partial<Chat>} changes */
  function patchChat(chatId, changes) {
    const chat = chats.get(chatId);
    if (chat) chats.set(chatId, { ...chat, ...changes });
  }

  /** Stops showing `userId` as typing in `chatId`; true if they were. @param {number} chatId @param {number} userId */
  function stopTyping(chatId, userId) {
    const users = typing.get(chatId);
    if (!users?.has(userId)) return false;
    const rest = new Map(users);
    rest.delete(userId);
    typing.set(chatId, rest);
    return true;
  }

  const store = {
    /** @param {Listener} listener @returns {() => void} unsubscribes */
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    get me() {
      return me;
    },
    /** @param {User | null} user */
    setMe(user) {
      me = user;
      emit(TOPICS.ME);
    },

    get connection() {
      return connection;
    },
    /** @param {string} state */
    setConnection(state) {
      connection = state;
      emit(TOPICS.CONNECTION, state);
    },

    get lastSeenId() {
      return lastSeenId;
    },

    // ---- chats -------------------------------------------------------------
    /**
     * Replaces the chat list with the server's (source of truth for unread counts).
     * @param {readonly Chat[]} list
     */
    setChats(list) {
      chats.clear();
      for (const chat of list) {
        chats.set(chat.id, chat);
        if (chat.last_message) seen(chat.last_message.id);
      }
      emit(TOPICS.CHATS);
    },
    /** @param {Chat} chat */
    upsertChat(chat) {
      const current = chats.get(chat.id);
      chats.set(chat.id, current ? { ...current, ...chat } : chat);
      if (chat.last_message) seen(chat.last_message.id);
      emit(TOPICS.CHATS);
    },
    /** @param {number} chatId */
    removeChat(chatId) {
      chats.delete(chatId);
      const hadTimeline = timelines.delete(chatId);
      if (activeChatId === chatId) store.setActive(null);
      if (hadTimeline) emit(TOPICS.TIMELINE, chatId);
      emit(TOPICS.CHATS);
    },
    /** @param {number} chatId @returns {Chat | null} */
    chat: (chatId) => chats.get(chatId) ?? null,
    /**
     * Someone this client knows: me, or a member of any loaded chat (to name people who
     * have left a chat by what another chat says of them); null if nobody here knows them.
     * @param {number} userId
     * @returns {User | null}
     */
    user(userId) {
      if (me?.id === userId) return me;
      for (const chat of chats.values()) {
        const member = chat.members?.find((m) => m.user.id === userId);
        if (member) return member.user;
      }
      return null;
    },
    /** Most recent activity first. @returns {readonly Chat[]} */
    sortedChats() {
      sorted ??= Object.freeze([...chats.values()].sort((a, b) => activityOf(b) - activityOf(a) || b.id - a.id));
      return sorted;
    },
    totalUnread() {
      let total = 0;
      for (const chat of chats.values()) total += chat.unread_count || 0;
      return total;
    },
    /** Read up to the newest (count 0) also clears the mentions. @param {number} chatId @param {number} count */
    setUnread(chatId, count) {
      const chat = chats.get(chatId);
      const mentions = count === 0 ? 0 : (chat?.mention_count ?? 0);
      if (!chat || (chat.unread_count === count && (chat.mention_count ?? 0) === mentions)) return;
      patchChat(chatId, { unread_count: count, mention_count: mentions });
      emit(TOPICS.CHATS);
    },
    /** Chats in which someone mentioned me in a message I have not read. */
    totalMentions() {
      let total = 0;
      for (const chat of chats.values()) total += chat.mention_count || 0;
      return total;
    },

    get activeChatId() {
      return activeChatId;
    },
    /** @param {number | null} chatId */
    setActive(chatId) {
      activeChatId = chatId;
      emit(TOPICS.ACTIVE, chatId);
    },

    // ---- messages ----------------------------------------------------------
    /** @param {number} chatId @returns {Timeline} */
    timeline: (chatId) => timelines.get(chatId) ?? NO_TIMELINE,
    /**
     * Adds a page from GET /chats/{id}/messages. `older` pages (before=) tell
     * whether more history exists: a short page means the start was reached.
     * @param {number} chatId
     * @param {readonly Message[]} messages
     * @param {{limit: number, older: boolean}} page
     */
    addPage(chatId, messages, { limit, older }) {
      const wasLoaded = store.timeline(chatId).loaded;
      merge(chatId, messages);
      setTimeline(chatId, older || !wasLoaded ? { loaded: true, hasMore: messages.length >= limit } : { loaded: true });
      emit(TOPICS.TIMELINE, chatId);
    },
    /**
     * Replaces a chat's loaded history with `messages` (ascending): the page around a
     * message opened from search, or the newest page when leaving such a window.
     * @param {number} chatId
     * @param {readonly Message[]} messages
     * @param {{hasMore: boolean, hasNewer: boolean}} window
     */
    showWindow(chatId, messages, { hasMore, hasNewer }) {
      timelines.delete(chatId);
      merge(chatId, messages);
      setTimeline(chatId, { loaded: true, hasMore, hasNewer });
      emit(TOPICS.TIMELINE, chatId);
    },
    /**
     * A page from GET /chats/{id}/messages?after= below a window: a short page means
     * the live end was reached, and live messages are added again from then on.
     * @param {number} chatId
     * @param {readonly Message[]} messages
     * @param {{limit: number}} page
     */
    addNewerPage(chatId, messages, { limit }) {
      merge(chatId, messages);
      setTimeline(chatId, { hasNewer: messages.length >= limit });
      emit(TOPICS.TIMELINE, chatId);
    },
    /**
     * The newest page again, after a reconnect: also drops loaded messages in that
     * id range that the server no longer has (deleted while we were away).
     * @param {number} chatId
     * @param {readonly Message[]} messages
     * @param {{limit: number}} page
     */
    syncNewest(chatId, messages, { limit }) {
      if (messages.length) {
        const ids = new Set(messages.map((m) => m.id));
        const from = messages.length >= limit ? messages[0].id : 0;
        setTimeline(chatId, { messages: store.timeline(chatId).messages.filter((m) => m.id < from || ids.has(m.id)) });
      }
      store.addPage(chatId, messages, { limit, older: false });
    },

    /**
     * A new or re-sent message (message.new, REST answer). Returns true when it was
     * new to this client, so the caller can count it as unread and notify.
     * @param {Message} message
     * @param {{countsAsUnread?: boolean}} [options]
     */
    addMessage(message, { countsAsUnread = false } = {}) {
      const chat = chats.get(message.chat_id);
      const t = timelines.get(message.chat_id);
      const known = (t && includes(t.messages, message.id)) ||
        Boolean(chat?.last_message && chat.last_message.id >= message.id);
      seen(message.id);
      // A window into the past gets this message when scrolling reaches it.
      if (t?.loaded && !t.hasNewer) {
        merge(message.chat_id, [message]);
        emit(TOPICS.TIMELINE, message.chat_id);
      }
      if (chat) {
        if (!chat.last_message || message.id >= chat.last_message.id) patchChat(chat.id, { last_message: message });
        if (!known && countsAsUnread && message.sender_id !== me?.id) {
          const mentionsMe = me !== null && Boolean(message.mentions?.includes(me.id));
          patchChat(chat.id, { unread_count: (chat.unread_count || 0) + 1, mention_count: (chat.mention_count || 0) + (mentionsMe ? 1 : 0) });
        }
        if (stopTyping(message.chat_id, message.sender_id)) emit(TOPICS.TYPING, message.chat_id);
        emit(TOPICS.CHATS);
      }
      return !known;
    },
    /** message.updated, or our own edit's answer. @param {Message} message */
    updateMessage(message) {
      const t = timelines.get(message.chat_id);
      if (t?.loaded && includes(t.messages, message.id)) {
        merge(message.chat_id, [message]);
        emit(TOPICS.TIMELINE, message.chat_id);
      }
      if (chats.get(message.chat_id)?.last_message?.id === message.id) {
        patchChat(message.chat_id, { last_message: message });
        emit(TOPICS.CHATS);
      }
    },
    /**
     * Returns true if the deleted message was the chat's preview (the caller refetches the chat).
     * @param {number} chatId
     * @param {number} messageId
     */
    deleteMessage(chatId, messageId) {
      const t = timelines.get(chatId);
      // Replies to it keep their place but quote a deleted message, as the server shows them.
      const quoting = t?.messages.some((m) => m.reply_to?.id === messageId && !m.reply_to.deleted);
      if (t && (includes(t.messages, messageId) || quoting)) {
        const list = t.messages
          .filter((m) => m.id !== messageId)
          .map((m) => (m.reply_to?.id === messageId ? { ...m, reply_to: { ...m.reply_to, excerpt: '', deleted: true } } : m));
        setTimeline(chatId, { messages: list });
        reactors.delete(messageId);
        emit(TOPICS.TIMELINE, chatId);
      }
      return chats.get(chatId)?.last_message?.id === messageId;
    },
    /**
     * reaction.added / reaction.removed, or my own toggle before the server answers.
     * Applied once: repeats (my REST call and then its event) change nothing. Returns
     * true if something changed.
     * @param {number} chatId
     * @param {number} messageId
     * @param {{emoji: string, userId: number, added: boolean}} change
     */
    applyReaction(chatId, messageId, { emoji, userId, added }) {
      const t = timelines.get(chatId);
      if (!t || !includes(t.messages, messageId)) return false;
      const i = lowerBound(t.messages, messageId);
      const message = t.messages[i];
      const next = applyReaction(message.reactions ?? [], reactors.get(messageId) ?? new Map(), { emoji, userId, added, meId: me?.id });
      if (!next) return false;
      reactors.set(messageId, next.reactors);
      const list = t.messages.slice();
      list[i] = { ...message, reactions: next.reactions };
      setTimeline(chatId, { messages: list });
      emit(TOPICS.TIMELINE, chatId);
      return true;
    },
    /**
     * chat.read: `userId` has read everything up to `messageId` in `chatId`.
     * @param {number} chatId
     * @param {number} userId
     * @param {number} messageId
     */
    markRead(chatId, userId, messageId) {
      const chat = chats.get(chatId);
      if (userId === me?.id) {
        // Read on another of my devices.
        if (chat && (!chat.last_message || messageId >= chat.last_message.id)) store.setUnread(chatId, 0);
        return;
      }
      const t = timelines.get(chatId);
      if (t) {
        let changed = false;
        const list = t.messages.map((m) => {
          if (m.sender_id !== me?.id || m.is_read || m.id > messageId) return m;
          changed = true;
          return { ...m, is_read: true };
        });
        if (changed) {
          setTimeline(chatId, { messages: list });
          emit(TOPICS.TIMELINE, chatId);
        }
      }
      const last = chat?.last_message;
      if (last && last.sender_id === me?.id && !last.is_read && last.id <= messageId) {
        patchChat(chatId, { last_message: { ...last, is_read: true } });
        emit(TOPICS.CHATS);
      }
    },

    // ---- outbox ------------------------------------------------------------
    /**
     * Mirrors the outbox (pending and failed entries), grouped by chat.
     * @param {readonly OutboxEntry[]} entries
     */
    setOutbox(entries) {
      const before = pendingByChat;
      /** @type {Map<number, OutboxEntry[]>} */
      const grouped = new Map();
      for (const entry of entries) {
        const list = grouped.get(entry.chat_id);
        if (list) list.push(entry);
        else grouped.set(entry.chat_id, [entry]);
      }
      pendingByChat = new Map([...grouped].map(([chatId, list]) => [chatId, Object.freeze(list)]));
      for (const chatId of new Set([...before.keys(), ...pendingByChat.keys()])) emit(TOPICS.TIMELINE, chatId);
    },
    /** @param {number} chatId @returns {readonly OutboxEntry[]} */
    pendingFor: (chatId) => pendingByChat.get(chatId) ?? NO_ENTRIES,

    // ---- presence and typing ----------------------------------------------
    /**
     * @param {number} userId
     * @param {boolean} online
     * @param {string | null} [lastSeenAt]
     */
    setPresence(userId, online, lastSeenAt) {
      let changed = false;
      const patch = lastSeenAt ? { online, last_seen_at: lastSeenAt } : { online };
      for (const chat of chats.values()) {
        if (!chat.members?.some((m) => m.user.id === userId)) continue;
        changed = true;
        patchChat(chat.id, {
          members: chat.members.map((m) => (m.user.id === userId ? { ...m, user: { ...m.user, ...patch } } : m)),
        });
      }
      if (changed) emit(TOPICS.CHATS);
    },
    /** @param {number} chatId @param {number} userId */
    setTyping(chatId, userId) {
      if (userId === me?.id) return;
      const t = now();
      // Expired entries go here, when the map changes anyway, so that reading stays pure.
      const users = new Map([...(typing.get(chatId) ?? [])].filter(([, until]) => until > t));
      users.set(userId, t + TYPING_MS);
      typing.set(chatId, users);
      emit(TOPICS.TYPING, chatId);
    },
    /** Users typing in a chat right now. @param {number} chatId @returns {number[]} */
    typingIn(chatId) {
      const t = now();
      return [...(typing.get(chatId) ?? [])].filter(([, until]) => until > t).map(([userId]) => userId);
    },
  };
  return store;
}
