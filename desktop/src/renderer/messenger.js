// The signed-in client: wires the REST API, the socket, the outbox and the store,
// and answers the views' actions. Server events and REST results go into the
// store; the views render from the store.
import { bridge } from './lib/bridge.js';
import { wsUrl } from './lib/config.js';
import { describeError, describeSocketError } from './lib/errors.js';
import { chatTitle, memberName } from './lib/names.js';
import { createOutbox, createOutboxSender } from './lib/outbox.js';
import { TOPICS, createStore } from './lib/store.js';
import { attachmentSummary, resolveServerUrl } from './lib/upload.js';
import { createSocket } from './lib/ws.js';
import { confirmDialog, newGroupDialog } from './views/dialogs.js';
import { renderShell } from './views/shell.js';

const FIRST_PAGE = 50;
const OLDER_PAGE = 100;
const TYPING_EVERY_MS = 3_000;
const OUTBOX_RETRY_MS = 2_000;
const OUTBOX_RETRY_MAX_MS = 30_000;
// Signed attachment links last an hour; a preview that fails to load fetches its
// message again (fresh links), at most this often per message.
const ATTACHMENT_REFETCH_MS = 5 * 60_000;

/**
 * @param {object} deps
 * @param {HTMLElement} deps.root
 * @param {ReturnType<import('./lib/api.js').createApi>} deps.api
 * @param {ReturnType<import('./lib/session.js').createSession>} deps.session
 * @param {string} deps.server
 * @param {Storage} deps.storage
 */
export function startMessenger({ root, api, session, server, storage }) {
  const store = createStore();
  store.setMe(session.user());
  const meId = () => store.me?.id;
  const outbox = createOutbox(storage, `parley.outbox:${server}:${meId()}`);
  const readSent = new Map(); // chatId → last message id reported read
  const loading = new Set(); // chats with a page request in flight
  let chatsFresh = false;
  let lastTypingAt = 0;
  let outboxRetry = 0;
  let outboxDelay = OUTBOX_RETRY_MS;
  let lastBadge = -1;
  const attachmentRefetched = new Map(); // message id → when its links were last refreshed

  const sender = createOutboxSender({
    outbox,
    send: (entry) => api.sendMessage(entry.chat_id, entry),
    onSent: (_entry, message) => {
      syncOutbox();
      store.addMessage(message);
    },
    onFailed: () => syncOutbox(),
  });

  const socket = createSocket({
    url: (since) => wsUrl(server, `/ws?token=${encodeURIComponent(session.accessToken() ?? '')}${since ? `&since=${since}` : ''}`),
    getSince: () => store.lastSeenId,
    onEvent: handleEvent,
    onState: (state) => store.setConnection(state),
    onOpen: resync,
    onAuthFailed: () => api.refresh(),
  });

  // ---- syncing -----------------------------------------------------------------
  function syncOutbox() {
    store.setOutbox(outbox.list());
  }

  async function flushOutbox() {
    clearTimeout(outboxRetry);
    const delivered = await sender.flush();
    if (delivered || !outbox.pending().length) {
      outboxDelay = OUTBOX_RETRY_MS;
      return;
    }
    // Not delivered (server down, error, rate limit): the socket's reconnect flushes
    // again, but REST may come back without the socket (a proxy that blocks
    // WebSockets), so also retry on a backing-off timer.
    outboxRetry = setTimeout(flushOutbox, outboxDelay);
    outboxDelay = Math.min(outboxDelay * 2, OUTBOX_RETRY_MAX_MS);
  }

  async function loadChats() {
    store.setChats(await api.getChats());
  }

  /** After every (re)connection: unread counts from the server, the open chat, the outbox. */
  async function resync() {
    try {
      if (!chatsFresh) await loadChats();
      chatsFresh = false;
      const active = store.activeChatId;
      if (active !== null && store.timeline(active).loaded) {
        // Edits, deletions and read receipts are not replayed by `since`: refetch the newest page.
        store.syncNewest(active, await api.getMessages(active, { limit: FIRST_PAGE }), { limit: FIRST_PAGE });
        markRead(active);
      }
    } catch (err) {
      shell.toast(describeError(err));
    }
    flushOutbox();
  }

  async function refreshChat(chatId) {
    try {
      store.upsertChat(await api.getChat(chatId));
    } catch (err) {
      if (err.response?.status === 404) store.removeChat(chatId);
    }
  }

  function pushBadge() {
    const total = store.totalUnread();
    if (total === lastBadge) return;
    lastBadge = total;
    bridge.setUnread(total);
    document.title = total ? `(${total}) Parley` : 'Parley';
  }

  // ---- reading -----------------------------------------------------------------
  // Seen = open, on screen and in the focused window: a chat open in a window left
  // in the background stays unread (and notifies) until the user comes back to it.
  const isVisible = (chatId) =>
    store.activeChatId === chatId && document.visibilityState === 'visible' && document.hasFocus();

  function markRead(chatId) {
    if (!isVisible(chatId)) return;
    const messages = store.timeline(chatId).messages;
    const last = messages[messages.length - 1] ?? store.chat(chatId)?.last_message;
    if (!last || last.id <= (readSent.get(chatId) ?? 0)) return;
    if (last.sender_id === meId() && !store.chat(chatId)?.unread_count) return;
    readSent.set(chatId, last.id);
    store.setUnread(chatId, 0);
    api.markRead(chatId, last.id).catch(() => readSent.delete(chatId));
  }

  // ---- server events -----------------------------------------------------------
  function handleNewMessage(message) {
    if (message.sender_id === meId() && message.client_id && outbox.has(message.client_id)) {
      outbox.remove(message.client_id);
      syncOutbox();
    }
    if (!store.chat(message.chat_id)) {
      refreshChat(message.chat_id);
      return;
    }
    const visible = isVisible(message.chat_id);
    const isNew = store.addMessage(message, { countsAsUnread: !visible });
    if (!isNew || message.sender_id === meId()) return;
    if (visible) markRead(message.chat_id);
    else notify(message);
  }

  function notify(message) {
    const chat = store.chat(message.chat_id);
    const author = memberName(chat, message.sender_id);
    bridge.notify({
      chatId: message.chat_id,
      title: chat.is_group ? `${author} in ${chatTitle(chat, meId())}` : author,
      body: message.content || attachmentSummary(message.attachment) || 'Attachment',
    });
  }

  function handleEvent(event) {
    switch (event.type) {
      case 'message.new':
        return handleNewMessage(event.message);
      case 'message.ack':
        outbox.remove(event.client_id);
        syncOutbox();
        return store.addMessage(event.message);
      case 'message.updated':
        return store.updateMessage(event.message);
      case 'message.deleted':
        if (store.deleteMessage(event.chat_id, event.message_id)) refreshChat(event.chat_id);
        return;
      case 'chat.read':
        return store.markRead(event.chat_id, event.user_id, event.message_id);
      case 'typing':
        return store.setTyping(event.chat_id, event.user_id);
      case 'presence':
        return store.setPresence(event.user_id, event.online, event.last_seen_at);
      case 'chat.created':
      case 'chat.updated':
        return store.upsertChat(event.chat);
      case 'member.added':
      case 'member.removed':
        if (event.type === 'member.removed' && event.user_id === meId()) return store.removeChat(event.chat_id);
        return refreshChat(event.chat_id);
      case 'error': {
        const text = describeSocketError(event);
        if (text) shell.toast(text);
        return;
      }
      default:
        // Unknown events are ignored: the contract may grow.
    }
  }

  // ---- actions from the views ------------------------------------------------
  async function loadOlder(chatId) {
    const t = store.timeline(chatId);
    if (loading.has(chatId) || !t.loaded || !t.hasMore) return;
    loading.add(chatId);
    try {
      const before = t.messages[0]?.id;
      const page = await api.getMessages(chatId, before ? { before, limit: OLDER_PAGE } : { limit: OLDER_PAGE });
      store.addPage(chatId, page, { limit: OLDER_PAGE, older: true });
    } catch (err) {
      shell.toast(describeError(err));
    } finally {
      loading.delete(chatId);
    }
  }

  async function openChat(chatId) {
    if (!store.chat(chatId)) await refreshChat(chatId);
    if (!store.chat(chatId)) return;
    store.setActive(chatId);
    const t = store.timeline(chatId);
    if (!t.loaded && !loading.has(chatId)) {
      loading.add(chatId);
      try {
        store.addPage(chatId, await api.getMessages(chatId, { limit: FIRST_PAGE }), { limit: FIRST_PAGE, older: false });
      } catch (err) {
        shell.toast(describeError(err));
      } finally {
        loading.delete(chatId);
      }
    }
    markRead(chatId);
  }

  async function guarded(promise) {
    try {
      return await promise;
    } catch (err) {
      shell.toast(describeError(err));
      return null;
    }
  }

  const actions = {
    openChat,
    closeChat: () => store.setActive(null),
    loadOlder,
    searchUsers: (q) => api.searchUsers(q),
    async startDirectChat(userId) {
      const chat = await guarded(api.createDirectChat(userId));
      if (chat) {
        store.upsertChat(chat);
        openChat(chat.id);
      }
    },
    newGroup() {
      newGroupDialog({
        searchUsers: (q) => api.searchUsers(q),
        meId: meId(),
        create: async (title, ids) => {
          const chat = await api.createGroup(title, ids);
          store.upsertChat(chat);
          openChat(chat.id);
        },
      });
    },
    /**
     * Queues a message. With an `attachment` (already uploaded: lib/upload.js) it is
     * sent like any other message, through the outbox, so it survives going offline.
     */
    send(chatId, content, attachment = null) {
      outbox.add(chatId, content, attachment);
      syncOutbox();
      flushOutbox();
      // Receivers clear the indicator on this message; announce the next typing at once.
      lastTypingAt = 0;
    },
    async edit(message, content) {
      const updated = await guarded(api.editMessage(message.chat_id, message.id, content));
      if (updated) store.updateMessage(updated);
    },
    async remove(message) {
      const ok = await confirmDialog({ title: 'Delete message?', body: 'It will be deleted for everyone in this chat.', confirmLabel: 'Delete', danger: true });
      if (!ok) return;
      if ((await guarded(api.deleteMessage(message.chat_id, message.id))) === null) return;
      if (store.deleteMessage(message.chat_id, message.id)) refreshChat(message.chat_id);
    },
    retry(entry) {
      outbox.retry(entry.client_id);
      syncOutbox();
      flushOutbox();
    },
    discard(entry) {
      outbox.remove(entry.client_id);
      syncOutbox();
    },
    upload: (file, options) => api.uploadAttachment(file, options),
    assetUrl: (url) => resolveServerUrl(server, url),
    /** A preview did not load, most likely an expired link: fetch the message again. */
    async attachmentFailed(message) {
      if (!message.id) return;
      const last = attachmentRefetched.get(message.id) ?? 0;
      if (Date.now() - last < ATTACHMENT_REFETCH_MS) return;
      attachmentRefetched.set(message.id, Date.now());
      try {
        const [fresh] = await api.getMessages(message.chat_id, { before: message.id + 1, limit: 1 });
        if (fresh?.id === message.id) store.updateMessage(fresh);
      } catch {
        // Offline or gone: the file card shown instead of the preview stays.
      }
    },
    typing(chatId) {
      const now = Date.now();
      if (now - lastTypingAt < TYPING_EVERY_MS) return;
      if (socket.send({ type: 'typing', chat_id: chatId })) lastTypingAt = now;
    },
    async signOut() {
      const unsent = outbox.list().length;
      if (unsent) {
        const ok = await confirmDialog({
          title: 'Sign out?',
          body: `${unsent} unsent message${unsent > 1 ? 's' : ''} will be discarded.`,
          confirmLabel: 'Sign out',
          danger: true,
        });
        if (!ok) return;
      }
      // Nothing of this account stays on the device after signing out.
      storage.removeItem(`parley.outbox:${server}:${meId()}`);
      stop();
      // Ends the session on the server and locally; the app then shows sign-in.
      await api.logout().catch(() => {});
    },
  };

  const shell = renderShell(root, { store, actions });

  const unsubscribe = store.subscribe((topic) => {
    if (topic === TOPICS.CHATS) pushBadge();
  });
  const onVisible = () => {
    if (store.activeChatId !== null) markRead(store.activeChatId);
  };
  document.addEventListener('visibilitychange', onVisible);
  window.addEventListener('focus', onVisible);
  const onOnline = () => flushOutbox();
  window.addEventListener('online', onOnline);
  const offOpenChat = bridge.onOpenChat((chatId) => openChat(chatId));
  const offResume = bridge.onResume(() => socket.recheck());

  let stopped = false;
  function stop() {
    if (stopped) return;
    stopped = true;
    socket.stop();
    api.stop();
    clearTimeout(outboxRetry);
    unsubscribe();
    document.removeEventListener('visibilitychange', onVisible);
    window.removeEventListener('focus', onVisible);
    window.removeEventListener('online', onOnline);
    offOpenChat();
    offResume();
    bridge.setUnread(0);
    document.title = 'Parley';
  }

  // ---- start -------------------------------------------------------------------
  syncOutbox();
  api.scheduleRefresh();
  api.getMe().then((me) => store.setMe(me), () => {});
  loadChats()
    .then(() => {
      chatsFresh = true;
    })
    .catch((err) => shell.toast(describeError(err)))
    .finally(() => socket.start());

  return { stop, store };
}
