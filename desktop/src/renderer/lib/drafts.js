// What I typed and did not send, per chat: kept in localStorage (one key per server
// and signed-in user, so people sharing a computer never see each other's drafts),
// saved shortly after typing stops and at once when I switch chats or the page goes
// away, restored into the composer, and cleared once sent.
//
// Only the chats changed here are written back, over what storage holds at that
// moment: two windows of the same account each keep their own chats' drafts.

/** @typedef {import('./types.js').Timers} Timers */

export const DRAFT_SAVE_DELAY_MS = 500;
const MAX_DRAFT = 4000; // what the composer accepts

/**
 * @param {object} deps
 * @param {Storage} deps.storage
 * @param {string} deps.key             e.g. `parley.drafts:<server>:<user id>`
 * @param {number} [deps.delay]         ms after the last keystroke before saving
 * @param {Timers} [deps.timers]
 */
export function createDrafts({ storage, key, delay = DRAFT_SAVE_DELAY_MS, timers = globalThis }) {
  /** @type {Map<string, string>} changes not yet written ('' = remove) */
  const changes = new Map();
  /** @type {unknown} */
  let timer = null;

  /** @returns {Record<string, string>} */
  function stored() {
    try {
      const value = JSON.parse(storage.getItem(key) ?? '{}');
      return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
    } catch {
      return {}; // unreadable: start again rather than fail to open a chat
    }
  }

  function flush() {
    timers.clearTimeout(timer);
    timer = null;
    if (!changes.size) return;
    const all = stored();
    for (const [chatId, text] of changes) {
      if (text) all[chatId] = text;
      else delete all[chatId];
    }
    changes.clear();
    try {
      if (Object.keys(all).length) storage.setItem(key, JSON.stringify(all));
      else storage.removeItem(key);
    } catch {
      // Storage full or blocked: the draft stays on screen, it just will not survive a restart.
    }
  }

  /** @param {number} chatId @param {string} text */
  function change(chatId, text) {
    const kept = text.trim() ? text.slice(0, MAX_DRAFT) : '';
    changes.set(String(chatId), kept);
  }

  return {
    /** The draft of a chat, '' when there is none. @param {number} chatId @returns {string} */
    get(chatId) {
      const id = String(chatId);
      if (changes.has(id)) return /** @type {string} */ (changes.get(id));
      const text = stored()[id];
      return typeof text === 'string' ? text : '';
    },
    /** While typing: saved once typing pauses. @param {number} chatId @param {string} text */
    update(chatId, text) {
      change(chatId, text);
      timers.clearTimeout(timer);
      timer = timers.setTimeout(flush, delay);
    },
    /** Leaving the chat: saved now. @param {number} chatId @param {string} text */
    save(chatId, text) {
      change(chatId, text);
      flush();
    },
    /** Sent: gone now. @param {number} chatId */
    clear(chatId) {
      change(chatId, '');
      flush();
    },
    flush,
    /** Signing out: every draft of this user on this device goes. */
    forgetAll() {
      timers.clearTimeout(timer);
      timer = null;
      changes.clear();
      storage.removeItem(key);
    },
  };
}
