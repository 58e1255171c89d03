// The copy of the last chats read, kept in IndexedDB (through idb-keyval) so the web
// client can show them when it starts without its server: the chat list and the last
// page of the chats opened most recently. One snapshot, of one server and person; it
// is cleared on sign-out and whenever the sign-in screen shows, so a shared computer
// never shows the previous person's chats.
import { clear, createStore, get, set } from 'idb-keyval';

/** @typedef {import('./types.js').Chat} Chat */
/** @typedef {import('./types.js').Message} Message */
/**
 * @typedef {{server: string, userId: number, savedAt: number, chats: Chat[],
 *   recent: number[], messages: Record<string, Message[]>}} Snapshot
 */

export const RECENT_CHATS = 10; // chats whose messages are kept, the most recently opened
export const MESSAGES_PER_CHAT = 50; // their last page (history.js FIRST_PAGE)
const KEY = 'snapshot';

/**
 * @param {object} [deps]
 * @param {() => IDBFactory | undefined} [deps.indexedDB]  where there is none, nothing is kept
 */
export function createOfflineStore({ indexedDB = () => globalThis.indexedDB } = {}) {
  /** @type {ReturnType<typeof createStore> | null} */
  let db = null;
  const store = () => (db ??= indexedDB() ? createStore('parley-offline', 'snapshots') : null);

  return {
    /**
     * Keeps the chats and the last page of each recent chat (most recent first).
     * @param {{server: string, userId: number, chats: readonly Chat[], recent: readonly number[],
     *   messages: ReadonlyMap<number, readonly Message[]>}} data
     */
    async save({ server, userId, chats, recent, messages }) {
      const s = store();
      if (!s) return;
      const ids = recent.slice(0, RECENT_CHATS);
      /** @type {Record<string, Message[]>} */
      const kept = {};
      for (const id of ids) {
        const list = messages.get(id);
        if (list?.length) kept[id] = list.slice(-MESSAGES_PER_CHAT);
      }
      /** @type {Snapshot} */
      const snapshot = { server, userId, savedAt: Date.now(), chats: [...chats], recent: ids, messages: kept };
      await set(KEY, snapshot, s);
    },

    /**
     * The snapshot of this server and person, or null.
     * @param {string} server @param {number | undefined} userId
     * @returns {Promise<Snapshot | null>}
     */
    async load(server, userId) {
      const s = store();
      if (!s) return null;
      /** @type {Snapshot | undefined} */
      const snapshot = await get(KEY, s);
      return snapshot && snapshot.server === server && snapshot.userId === userId ? snapshot : null;
    },

    /** Forgets everything kept (signing out). */
    async clear() {
      const s = store();
      if (s) await clear(s);
    },
  };
}

/** @typedef {ReturnType<typeof createOfflineStore>} OfflineStore */
