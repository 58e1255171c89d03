// A chat's message history: the newest page when the chat opens, older pages as the
// user scrolls up, the newest page again after a reconnect, and one message again
// when its attachment links have expired. Opening a message far in the past (a
// search result) loads the page around it as a window; newer pages then follow as the
// user scrolls down, until the window reaches the live end.

export const FIRST_PAGE = 50;
export const OLDER_PAGE = 100;
// Opening a message this many pages (or fewer) before the loaded history loads the
// pages in between; further back, it opens a window into the past instead.
export const GAP_PAGES = 2;
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

  /**
   * @param {number} chatId
   * @param {() => Promise<void>} request
   * @param {{rethrow?: boolean}} [options]  the caller reports failures
   */
  async function load(chatId, request, { rethrow = false } = {}) {
    loading.add(chatId);
    try {
      await request();
    } catch (err) {
      if (rethrow) throw err;
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
     * Makes `messageId` part of the loaded timeline (opening a search result, jumping
     * to a quoted message). Nothing to do when it is loaded. Otherwise the page around
     * it; when that does not touch what is loaded, the pages between are loaded too
     * (at most `maxPages`, so the timeline has no hole), and when the gap is longer the
     * loaded pages replace the timeline as a window into the past (store.showWindow)
     * whose newer pages load as the user scrolls down. False when the server does not
     * have the message (deleted); errors are the caller's to report.
     * @param {number} chatId
     * @param {number} messageId
     * @param {{maxPages?: number}} [options]
     */
    async loadAround(chatId, messageId, { maxPages = GAP_PAGES } = {}) {
      const before = store.timeline(chatId);
      if (before.loaded && before.messages.some((m) => m.id === messageId)) return true;
      /** @type {import('../lib/types.js').Message[]} */
      const collected = [];
      let joined = false;
      await load(chatId, async () => {
        const page = await api.getMessages(chatId, { around: messageId, limit: FIRST_PAGE });
        if (!page.some((m) => m.id === messageId)) return;
        collected.push(...page);
        const t = store.timeline(chatId);
        const first = t.messages[0]?.id;
        const last = t.messages[t.messages.length - 1]?.id;
        if (!t.loaded || first === undefined || last === undefined) return;
        joined = page[page.length - 1].id >= first && page[0].id <= last;
        // Older than what is loaded: the pages in between, while the gap is short.
        let cursor = page[page.length - 1].id;
        for (let i = 0; !joined && cursor < first && i < maxPages; i++) {
          const between = await api.getMessages(chatId, { after: cursor, limit: OLDER_PAGE });
          collected.push(...between);
          if (!between.length || between.length < OLDER_PAGE || between[between.length - 1].id >= first) joined = true;
          else cursor = between[between.length - 1].id;
        }
      }, { rethrow: true });
      if (!collected.some((m) => m.id === messageId)) return false;
      if (joined) {
        store.addPage(chatId, collected, { limit: FIRST_PAGE, older: false });
      } else {
        const newest = store.chat(chatId)?.last_message?.id;
        store.showWindow(chatId, collected, {
          // Unknown until an older page comes back short.
          hasMore: true,
          hasNewer: newest === undefined || collected[collected.length - 1].id < newest,
        });
      }
      return true;
    },

    /** The page after the newest loaded message of a window into the past. @param {number} chatId */
    async loadNewer(chatId) {
      const t = store.timeline(chatId);
      if (loading.has(chatId) || !t.loaded || !t.hasNewer) return;
      const after = t.messages[t.messages.length - 1]?.id;
      if (after === undefined) return;
      await load(chatId, async () => {
        store.addNewerPage(chatId, await api.getMessages(chatId, { after, limit: OLDER_PAGE }), { limit: OLDER_PAGE });
      });
    },

    /** Leaves a window into the past for the newest page (also: sending from it). @param {number} chatId */
    async loadLatest(chatId) {
      await load(chatId, async () => {
        const page = await api.getMessages(chatId, { limit: FIRST_PAGE });
        store.showWindow(chatId, page, { hasMore: page.length >= FIRST_PAGE, hasNewer: false });
      });
    },

    /**
     * The newest page again: edits, deletions and read receipts made while we were
     * away are not replayed by `since`. Failures are the caller's to report.
     * @param {number} chatId
     */
    async refreshNewest(chatId) {
      // A window into the past would get a hole; its newer pages come by scrolling.
      if (store.timeline(chatId).hasNewer) return;
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
