// Message search as the user types: the query waits for a pause in typing
// (debounced), every request is numbered and only the newest one's answer is shown
// (a slow answer to "hel" arriving after the answer to "hello" is dropped, and its
// request cancelled), and "load more" follows the server's keyset cursor. The view
// (views/search.js) renders the state this hands to `onChange`.
import { describeError } from '../lib/errors.js';

/** @typedef {import('../lib/types.js').SearchResult} SearchResult */

export const SEARCH_DELAY_MS = 250;
export const SEARCH_PAGE = 20;

/**
 * What the view shows. `status`: `idle` (nothing typed), `loading` (first page on
 * its way), `done`, `error` (`error` says why, in words). `loadingMore`: a next page
 * is on its way; `nextCursor`: there is one.
 * @typedef {object} SearchState
 * @property {string} query
 * @property {number | null} chatId   the chat searched, or null for all chats
 * @property {'idle' | 'loading' | 'done' | 'error'} status
 * @property {readonly SearchResult[]} results
 * @property {string | null} nextCursor
 * @property {boolean} loadingMore
 * @property {string} error
 * @property {boolean} retryable   the error may pass (no answer, server trouble), unlike a refused query
 */

/**
 * Results grouped by chat, in the order each chat first appears (the newest hit's
 * chat first); within a chat the server's order (newest first) is kept.
 * @param {readonly SearchResult[]} results
 * @returns {{chatId: number, results: SearchResult[]}[]}
 */
export function groupByChat(results) {
  /** @type {Map<number, SearchResult[]>} */
  const groups = new Map();
  for (const result of results) {
    const chatId = result.chat_id ?? result.message.chat_id;
    const list = groups.get(chatId);
    if (list) list.push(result);
    else groups.set(chatId, [result]);
  }
  return [...groups].map(([chatId, list]) => ({ chatId, results: list }));
}

/**
 * @param {object} deps
 * @param {Pick<import('../lib/api.js').Api, 'searchMessages'>} deps.api
 * @param {(state: SearchState) => void} deps.onChange
 * @param {import('../lib/types.js').Timers} [deps.timers]
 * @param {number} [deps.delay]   ms of quiet typing before asking
 * @param {number} [deps.limit]   results per page
 */
export function createSearch({ api, onChange, timers = globalThis, delay = SEARCH_DELAY_MS, limit = SEARCH_PAGE }) {
  /** @type {SearchState} */
  let state = Object.freeze({ query: '', chatId: null, status: 'idle', results: Object.freeze([]), nextCursor: null, loadingMore: false, error: '', retryable: false });
  /** Number of the newest request: answers to any other are stale. */
  let generation = 0;
  /** @type {unknown} */
  let timer = null;
  /** @type {AbortController | null} */
  let inFlight = null;

  /** @param {Partial<SearchState>} changes */
  function set(changes) {
    state = Object.freeze({ ...state, ...changes });
    onChange(state);
  }

  /** Forgets whatever is on its way: its answer will be ignored. */
  function cancel() {
    generation += 1;
    timers.clearTimeout(timer);
    timer = null;
    inFlight?.abort();
    inFlight = null;
  }

  /**
   * Asks the server for a page and applies the answer only if no newer request was
   * made meanwhile.
   * @param {string | null} cursor  null: the first page
   */
  async function run(cursor) {
    const mine = ++generation;
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    const { query, chatId } = state;
    try {
      const page = await api.searchMessages({ q: query, chat_id: chatId, limit, cursor }, { signal: controller.signal });
      if (mine !== generation) return;
      const results = cursor ? [...state.results, ...(page.results ?? [])] : (page.results ?? []);
      set({ status: 'done', results: Object.freeze(results), nextCursor: page.next_cursor ?? null, loadingMore: false, error: '' });
    } catch (err) {
      if (mine !== generation) return;
      const status = /** @type {any} */ (err)?.response?.status;
      const retryable = status === undefined || status >= 500 || status === 429;
      // A failed "load more" keeps the results already shown.
      if (cursor) set({ loadingMore: false, error: describeError(err), retryable });
      else set({ status: 'error', results: Object.freeze([]), nextCursor: null, loadingMore: false, error: describeError(err), retryable });
    } finally {
      if (inFlight === controller) inFlight = null;
    }
  }

  function schedule() {
    cancel();
    if (!state.query.trim()) {
      set({ status: 'idle', results: Object.freeze([]), nextCursor: null, loadingMore: false, error: '' });
      return;
    }
    // Shown at once, so the user sees the query was taken; the old results stay
    // until the new ones replace them (no flicker while typing).
    set({ status: 'loading', loadingMore: false, error: '' });
    timer = timers.setTimeout(() => {
      timer = null;
      run(null);
    }, delay);
  }

  return {
    get state() {
      return state;
    },
    /** The text in the box changed. @param {string} query */
    setQuery(query) {
      if (query === state.query) return;
      state = Object.freeze({ ...state, query });
      schedule();
    },
    /** Search one chat, or all of them (null). @param {number | null} chatId */
    setScope(chatId) {
      if (chatId === state.chatId) return;
      state = Object.freeze({ ...state, chatId });
      if (state.query.trim()) schedule();
      else onChange(state);
    },
    /** The next (older) page, if there is one and none is on its way. */
    loadMore() {
      if (!state.nextCursor || state.loadingMore || state.status !== 'done') return;
      set({ loadingMore: true, error: '' });
      run(state.nextCursor);
    },
    /** Asks again at once (after an error). */
    retry() {
      if (!state.query.trim()) return;
      cancel();
      set({ status: 'loading', error: '' });
      run(null);
    },
    /** The dialog closed: nothing on its way may change the state any more. */
    stop: cancel,
  };
}
