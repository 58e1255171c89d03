// A chat's message history: the newest page when the chat opens, older pages as the
// user scrolls up, the newest page again after a reconnect, and one message again
// when its attachment links have expired.

export const FIRST_PAGE = 50;
export const OLDER_PAGE = 100;
// Signed attachment links last an hour; a preview that fails to load fetches its
// message again (fresh links), at most this often per message.
export const ATTACHMENT_REFETCH_MS = 5 * 60_000;

/**
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {import('../lib/api.js').Api} deps.api
 * @param {(err: unknown) => void} deps.onError   tells the user
 * @param {() => number} [deps.now]
 */
export function createHistory({ store, api, onError, now = () => Date.now() }) {
  /** Chats with a page request in flight: scrolling asks for pages many times a second. */
  const loading = new Set();
  /** @type {Map<number, number>} message id → when its links were last refreshed */
  const refetched = new Map();

  /** @param {number} chatId @param {() => Promise<void>} request */
  async function load(chatId, request) {
    loading.add(chatId);
    try {
      await request();
    } catch (err) {
      onError(err);
    } finally {
      loading.delete(chatId);
    }
  }

  return {
    /** The newest page of a chat whose history is not loaded yet. @param {number} chatId */
    async loadFirst(chatId) {
      if (store.timeline(chatId).loaded || loading.has(chatId)) return;
      await load(chatId, async () => {
        store.addPage(chatId, await api.getMessages(chatId, { limit: FIRST_PAGE }), { limit: FIRST_PAGE, older: false });
      });
    },

    /** The page before the oldest loaded message. @param {number} chatId */
    async loadOlder(chatId) {
      const t = store.timeline(chatId);
      if (loading.has(chatId) || !t.loaded || !t.hasMore) return;
      const before = t.messages[0]?.id;
      await load(chatId, async () => {
        const page = await api.getMessages(chatId, before ? { before, limit: OLDER_PAGE } : { limit: OLDER_PAGE });
        store.addPage(chatId, page, { limit: OLDER_PAGE, older: true });
      });
    },

    /**
     * Makes `messageId` part of the loaded timeline (jumping to a quoted message): the
     * page around it, then the pages between it and what is loaded, so the timeline
     * never has a hole in it. Returns false when it is too far back (more than
     * `maxPages` pages) or gone; errors are the caller's to report.
     * @param {number} chatId
     * @param {number} messageId
     * @param {{maxPages?: number}} [options]
     */
    async loadAround(chatId, messageId, { maxPages = 10 } = {}) {
      const loaded = store.timeline(chatId).messages;
      if (loaded.some((m) => m.id === messageId)) return true;
      const page = await api.getMessages(chatId, { around: messageId, limit: FIRST_PAGE });
      if (!page.some((m) => m.id === messageId)) return false;
      const collected = [...page];
      const oldest = loaded[0]?.id;
      let cursor = page[page.length - 1].id;
      for (let i = 0; oldest !== undefined && cursor < oldest; i++) {
        if (i >= maxPages) return false;
        const between = await api.getMessages(chatId, { after: cursor, limit: OLDER_PAGE });
        if (!between.length) break;
        collected.push(...between);
        cursor = between[between.length - 1].id;
      }
      store.addPage(chatId, collected, { limit: FIRST_PAGE, older: false });
      return true;
    },

    /**
     * The newest page again: edits, deletions and read receipts made while we were
     * away are not replayed by `since`. Failures are the caller's to report.
     * @param {number} chatId
     */
    async refreshNewest(chatId) {
      store.syncNewest(chatId, await api.getMessages(chatId, { limit: FIRST_PAGE }), { limit: FIRST_PAGE });
    },

    /**
     * A preview did not load, most likely an expired link: fetch the message again
     * (a message still in the outbox has no id and nothing to fetch).
     * @param {{id?: number, chat_id: number}} message
     */
    async refreshMessage(message) {
      if (!message.id) return;
      const last = refetched.get(message.id);
      if (last !== undefined && now() - last < ATTACHMENT_REFETCH_MS) return;
      refetched.set(message.id, now());
      try {
        const [fresh] = await api.getMessages(message.chat_id, { before: message.id + 1, limit: 1 });
        if (fresh?.id === message.id) store.updateMessage(fresh);
      } catch {
        // Offline or gone: the file card shown instead of the preview stays.
      }
    },
  };
}
