// Client state: chats, their loaded message history, pending outbox entries,
// typing and connection state. Pure data plus a tiny pub/sub: views subscribe to
// topics ('chats', 'timeline', 'typing', 'connection', 'active'), the controller
// feeds it REST results and socket events. Changed messages are replaced (never
// mutated) so views can tell what changed by identity.

const TYPING_MS = 6_000;

/** Index of the first message with id >= `id` in an ascending list. */
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

const activityOf = (chat) => Date.parse(chat.last_message?.created_at ?? chat.created_at) || 0;

export function createStore({ now = () => Date.now() } = {}) {
  const listeners = new Set();
  const chats = new Map();
  const timelines = new Map();
  const typing = new Map(); // chatId → Map(userId → until)
  let pendingByChat = new Map();
  let sorted = null;
  let me = null;
  let activeChatId = null;
  let connection = 'connecting';
  let lastSeenId = 0;

  function emit(topic, detail) {
    if (topic === 'chats') sorted = null;
    for (const listener of listeners) listener(topic, detail);
  }

  function seen(id) {
    if (id > lastSeenId) lastSeenId = id;
  }

  function timeline(chatId) {
    let t = timelines.get(chatId);
    if (!t) {
      t = { messages: [], loaded: false, hasMore: true, loading: false };
      timelines.set(chatId, t);
    }
    return t;
  }

  /** Inserts or replaces messages (by id) in a chat's timeline; keeps ascending order. */
  function merge(chatId, incoming) {
    const t = timeline(chatId);
    const list = t.messages.slice();
    for (const message of incoming) {
      const i = lowerBound(list, message.id);
      if (list[i]?.id === message.id) list[i] = message;
      else list.splice(i, 0, message);
      seen(message.id);
    }
    t.messages = list;
  }

  function setLastMessage(chat, message) {
    if (!chat.last_message || message.id >= chat.last_message.id) {
      chats.set(chat.id, { ...chat, last_message: message });
    }
  }

  const api = {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    get me() {
      return me;
    },
    setMe(user) {
      me = user;
      emit('me');
    },

    get connection() {
      return connection;
    },
    setConnection(state) {
      connection = state;
      emit('connection', state);
    },

    get lastSeenId() {
      return lastSeenId;
    },

    // ---- chats -------------------------------------------------------------
    /** Replaces the chat list with the server's (source of truth for unread counts). */
    setChats(list) {
      chats.clear();
      for (const chat of list) {
        chats.set(chat.id, chat);
        if (chat.last_message) seen(chat.last_message.id);
      }
      emit('chats');
    },
    upsertChat(chat) {
      const current = chats.get(chat.id);
      chats.set(chat.id, current ? { ...current, ...chat } : chat);
      if (chat.last_message) seen(chat.last_message.id);
      emit('chats');
    },
    removeChat(chatId) {
      chats.delete(chatId);
      timelines.delete(chatId);
      if (activeChatId === chatId) api.setActive(null);
      emit('chats');
    },
    chat: (chatId) => chats.get(chatId) ?? null,
    /** Most recent activity first. */
    sortedChats() {
      sorted ??= [...chats.values()].sort((a, b) => activityOf(b) - activityOf(a) || b.id - a.id);
      return sorted;
    },
    totalUnread() {
      let total = 0;
      for (const chat of chats.values()) total += chat.unread_count || 0;
      return total;
    },
    setUnread(chatId, count) {
      const chat = chats.get(chatId);
      if (!chat || chat.unread_count === count) return;
      chats.set(chatId, { ...chat, unread_count: count });
      emit('chats');
    },

    get activeChatId() {
      return activeChatId;
    },
    setActive(chatId) {
      activeChatId = chatId;
      emit('active', chatId);
    },

    // ---- messages ----------------------------------------------------------
    timeline,
    /**
     * Adds a page from GET /chats/{id}/messages. `older` pages (before=) tell
     * whether more history exists: a short page means the start was reached.
     */
    addPage(chatId, messages, { limit, older }) {
      const t = timeline(chatId);
      merge(chatId, messages);
      if (older || !t.loaded) t.hasMore = messages.length >= limit;
      t.loaded = true;
      emit('timeline', chatId);
    },
    /**
     * The newest page again, after a reconnect: also drops loaded messages in that
     * id range that the server no longer has (deleted while we were away).
     */
    syncNewest(chatId, messages, { limit }) {
      const t = timeline(chatId);
      if (messages.length) {
        const ids = new Set(messages.map((m) => m.id));
        const from = messages.length >= limit ? messages[0].id : 0;
        t.messages = t.messages.filter((m) => m.id < from || ids.has(m.id));
      }
      api.addPage(chatId, messages, { limit, older: false });
    },
    setLoading(chatId, loading) {
      timeline(chatId).loading = loading;
    },

    /**
     * A new or re-sent message (message.new, REST answer). Returns true when it was
     * new to this client, so the caller can count it as unread and notify.
     */
    addMessage(message, { countsAsUnread = false } = {}) {
      const chat = chats.get(message.chat_id);
      const t = timelines.get(message.chat_id);
      const known = (t && t.messages[lowerBound(t.messages, message.id)]?.id === message.id) ||
        (chat?.last_message && chat.last_message.id >= message.id);
      seen(message.id);
      if (t?.loaded) {
        merge(message.chat_id, [message]);
        emit('timeline', message.chat_id);
      }
      if (chat) {
        setLastMessage(chat, message);
        if (!known && countsAsUnread && message.sender_id !== me?.id) {
          const updated = chats.get(chat.id);
          chats.set(chat.id, { ...updated, unread_count: (updated.unread_count || 0) + 1 });
        }
        typing.get(message.chat_id)?.delete(message.sender_id);
        emit('chats');
      }
      return !known;
    },
    updateMessage(message) {
      const t = timelines.get(message.chat_id);
      if (t?.loaded && t.messages[lowerBound(t.messages, message.id)]?.id === message.id) {
        merge(message.chat_id, [message]);
        emit('timeline', message.chat_id);
      }
      const chat = chats.get(message.chat_id);
      if (chat?.last_message?.id === message.id) {
        chats.set(chat.id, { ...chat, last_message: message });
        emit('chats');
      }
    },
    /** Returns true if the deleted message was the chat's preview (the caller refetches the chat). */
    deleteMessage(chatId, messageId) {
      const t = timelines.get(chatId);
      if (t) {
        const i = lowerBound(t.messages, messageId);
        if (t.messages[i]?.id === messageId) {
          t.messages = t.messages.filter((m) => m.id !== messageId);
          emit('timeline', chatId);
        }
      }
      return chats.get(chatId)?.last_message?.id === messageId;
    },
    /** chat.read: `userId` has read everything up to `messageId` in `chatId`. */
    markRead(chatId, userId, messageId) {
      const chat = chats.get(chatId);
      if (userId === me?.id) {
        // Read on another of my devices.
        if (chat && (!chat.last_message || messageId >= chat.last_message.id)) api.setUnread(chatId, 0);
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
          t.messages = list;
          emit('timeline', chatId);
        }
      }
      const last = chat?.last_message;
      if (last && last.sender_id === me?.id && !last.is_read && last.id <= messageId) {
        chats.set(chatId, { ...chat, last_message: { ...last, is_read: true } });
        emit('chats');
      }
    },

    // ---- outbox ------------------------------------------------------------
    /** Mirrors the outbox (pending and failed entries), grouped by chat. */
    setOutbox(entries) {
      const before = pendingByChat;
      pendingByChat = new Map();
      for (const entry of entries) {
        if (!pendingByChat.has(entry.chat_id)) pendingByChat.set(entry.chat_id, []);
        pendingByChat.get(entry.chat_id).push(entry);
      }
      for (const chatId of new Set([...before.keys(), ...pendingByChat.keys()])) emit('timeline', chatId);
    },
    pendingFor: (chatId) => pendingByChat.get(chatId) ?? [],

    // ---- presence and typing ----------------------------------------------
    setPresence(userId, online, lastSeenAt) {
      let changed = false;
      const patch = lastSeenAt ? { online, last_seen_at: lastSeenAt } : { online };
      for (const chat of chats.values()) {
        if (!chat.members?.some((m) => m.user.id === userId)) continue;
        changed = true;
        chats.set(chat.id, {
          ...chat,
          members: chat.members.map((m) => (m.user.id === userId ? { ...m, user: { ...m.user, ...patch } } : m)),
        });
      }
      if (changed) emit('chats');
    },
    setTyping(chatId, userId) {
      if (userId === me?.id) return;
      if (!typing.has(chatId)) typing.set(chatId, new Map());
      typing.get(chatId).set(userId, now() + TYPING_MS);
      emit('typing', chatId);
    },
    /** Users typing in a chat right now. */
    typingIn(chatId) {
      const users = typing.get(chatId);
      if (!users) return [];
      const t = now();
      for (const [userId, until] of users) if (until <= t) users.delete(userId);
      return [...users.keys()];
    },
  };
  return api;
}
