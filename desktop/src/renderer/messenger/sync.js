// Keeping the client in step with the server: the chat list at start and after every
// (re)connection (unread counts and the badge come from the server, not from our
// counting), the open chat's newest page, the outbox, and single chats that an event
// names but we do not know (yet, or any more).
import { isNetworkError } from '../lib/errors.js';

/**
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {import('../lib/api.js').Api} deps.api
 * @param {ReturnType<typeof import('./history.js').createHistory>} deps.history
 * @param {ReturnType<typeof import('./read-policy.js').createReadPolicy>} deps.reading
 * @param {ReturnType<typeof import('./outgoing.js').createOutgoing>} deps.outgoing
 * @param {(err: unknown) => void} deps.onError   tells the user
 */
export function createSync({ store, api, history, reading, outgoing, onError }) {
  // The list loaded at start is fresh for the first connection, which follows at once.
  let chatsFresh = false;

  async function loadChats() {
    store.setChats(await api.getChats());
  }

  return {
    /**
     * Loads the chat list, then connects (also when the list failed: the socket
     * retries, and each connection loads the list again).
     * @param {() => void} connect
     * @returns {Promise<boolean>} whether the list loaded (false: start offline)
     */
    async start(connect) {
      try {
        await loadChats();
        chatsFresh = true;
        return true;
      } catch (err) {
        // Unreachable: the messenger starts offline and its banner says so (offline.js).
        if (!isNetworkError(err)) onError(err);
        return false;
      } finally {
        connect();
      }
    },

    /** After every (re)connection: the chat list, the open chat, then the outbox. */
    async resync() {
      try {
        if (!chatsFresh) await loadChats();
        chatsFresh = false;
        const active = store.activeChatId;
        if (active !== null && store.timeline(active).loaded) {
          await history.refreshNewest(active);
          reading.markRead(active);
        }
      } catch (err) {
        onError(err);
      }
      outgoing.flush();
    },

    /**
     * Fetches one chat again (new to us, changed members, its preview deleted); a
     * chat the server no longer shows us (404: removed from it) goes.
     * @param {number} chatId
     */
    async refreshChat(chatId) {
      try {
        store.upsertChat(await api.getChat(chatId));
      } catch (err) {
        if (/** @type {any} */ (err)?.response?.status === 404) store.removeChat(chatId);
      }
    },
  };
}
