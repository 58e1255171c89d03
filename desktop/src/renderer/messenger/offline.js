// Offline: while the messenger runs it keeps a copy of what was last read
// (lib/offline-store.js); when it starts and cannot reach the server, it shows that
// copy read-only, says so in words and disables the composer, until the socket is
// online again, when the server's data replaces the copy.
import { h } from '../lib/dom.js';
import { TOPICS } from '../lib/store.js';
import { RECENT_CHATS } from '../lib/offline-store.js';
import { WS_STATE } from '../lib/ws.js';

export const OFFLINE_TEXT = "Offline — showing what was last loaded; messages can't be sent.";
const SAVE_DELAY_MS = 1_000;

/**
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {import('../lib/offline-store.js').OfflineStore} deps.offlineStore
 * @param {ReturnType<typeof import('./history.js').createHistory>} deps.history
 * @param {string} deps.server
 * @param {() => HTMLElement | null} deps.composer  the form to disable while offline
 * @param {import('../lib/types.js').Timers} [deps.timers]
 */
export function createOffline({ store, offlineStore, history, server, composer, timers = globalThis }) {
  const banner = h('div', {
    class: 'offline-banner mx-3 mb-2 hidden rounded-xl bg-amber-100 px-3 py-2 text-sm font-medium text-amber-900 dark:bg-amber-900/40 dark:text-amber-100',
    role: 'status',
  }, OFFLINE_TEXT);
  let offline = false;
  /** @type {number[]} chat ids, the most recently opened first */
  let recent = [];
  /** @type {Map<number, readonly import('../lib/types.js').Message[]>} pages kept from earlier runs */
  const earlier = new Map();
  /** @type {Set<number>} chats whose timeline came from the copy */
  const fromCopy = new Set();
  /** @type {unknown} */
  let timer = null;
  let stopped = false;

  // Earlier runs' pages stay until these chats are opened again.
  const ready = offlineStore.load(server, store.me?.id).then((snapshot) => {
    if (!snapshot) return;
    recent = [...new Set([...recent, ...snapshot.recent])].slice(0, RECENT_CHATS);
    for (const [id, list] of Object.entries(snapshot.messages)) earlier.set(Number(id), list);
  }).catch(() => {});

  function save() {
    timers.clearTimeout(timer);
    timer = null;
    const me = store.me?.id;
    if (offline || stopped || me === undefined) return;
    const messages = new Map(earlier);
    for (const id of recent) {
      const t = store.timeline(id);
      // A window into the past is not "the last page".
      if (t.loaded && !t.hasNewer && t.messages.length) messages.set(id, t.messages);
    }
    offlineStore.save({ server, userId: me, chats: store.sortedChats(), recent, messages }).catch(() => {});
  }
  function scheduleSave() {
    if (offline || stopped || timer !== null) return;
    timer = timers.setTimeout(save, SAVE_DELAY_MS);
  }

  /** @param {boolean} on */
  function showOffline(on) {
    offline = on;
    banner.classList.toggle('hidden', !on);
    const form = composer();
    if (form) {
      form.inert = on;
      form.classList.toggle('opacity-50', on);
    }
  }

  const unsubscribe = store.subscribe((topic, detail) => {
    if (topic === TOPICS.ACTIVE && typeof detail === 'number') {
      recent = [detail, ...recent.filter((id) => id !== detail)].slice(0, RECENT_CHATS);
      scheduleSave();
    } else if (topic === TOPICS.CHATS || topic === TOPICS.TIMELINE) {
      scheduleSave();
    } else if (topic === TOPICS.CONNECTION && detail === WS_STATE.ONLINE && offline) {
      goLive();
    }
  });

  function goLive() {
    showOffline(false);
    // The socket's resync reloads the list and the open chat; the other chats shown
    // from the copy get their newest page now.
    for (const id of fromCopy) if (id !== store.activeChatId) history.refreshNewest(id).catch(() => {});
    fromCopy.clear();
    scheduleSave();
  }

  return {
    banner,
    get offline() {
      return offline;
    },
    /**
     * The server could not be reached at start: show the copy read-only. Nothing
     * happens if the socket came online meanwhile.
     */
    async enter() {
      await ready;
      const snapshot = await offlineStore.load(server, store.me?.id).catch(() => null);
      if (stopped || store.connection === WS_STATE.ONLINE) return;
      showOffline(true);
      if (!snapshot) return;
      if (!store.sortedChats().length) store.setChats(snapshot.chats);
      for (const [id, list] of Object.entries(snapshot.messages)) {
        const chatId = Number(id);
        if (store.timeline(chatId).loaded) continue;
        // No "older" pages: there is no server to ask for them.
        store.addPage(chatId, list, { limit: Infinity, older: false });
        fromCopy.add(chatId);
      }
    },
    /** Stops recording (the messenger stops); what was recorded stays until sign-out. */
    stop() {
      stopped = true;
      timers.clearTimeout(timer);
      unsubscribe();
    },
  };
}
