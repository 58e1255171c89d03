// The message search dialog (Ctrl/Cmd+K: all chats; Ctrl/Cmd+F in a chat: that
// chat). Results come as the user types (messenger/search.js), grouped by chat, each
// with its sender, date and the matched words marked (as text: lib/highlight.js).
// The box is a combobox over a listbox: ↑/↓ (Home/End) move through the results,
// Enter opens the active one in its chat, Esc closes; the active option is announced
// through aria-activedescendant while the focus stays in the box.
import { ICONS, h, icon, setChildren } from '../lib/dom.js';
import { excerpt, highlightNodes } from '../lib/highlight.js';
import { chatTitle, memberName } from '../lib/names.js';
import { attachmentSummary } from '../lib/upload.js';
import { createSearch, groupByChat } from '../messenger/search.js';

/** @typedef {import('../lib/types.js').SearchResult} SearchResult */
/** @typedef {import('../messenger/search.js').SearchState} SearchState */

/**
 * What the dialog needs from the messenger.
 * @typedef {object} SearchDialogActions
 * @property {import('../lib/api.js').Api['searchMessages']} searchMessages
 */

const HINT = 'Search your messages: words, "a phrase", from:username, has:file, has:image, has:link, before:2026-01-31, after:2026-01-01.';

/**
 * The option the keyboard moves to from `current` (-1: none yet) among `count`.
 * Returns `current` for keys that do not move.
 * @param {number} current
 * @param {number} count
 * @param {string} key
 */
export function moveActive(current, count, key) {
  if (count === 0) return -1;
  switch (key) {
    case 'ArrowDown':
      return current < 0 ? 0 : Math.min(count - 1, current + 1);
    case 'ArrowUp':
      return current < 0 ? count - 1 : Math.max(0, current - 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return current;
  }
}

/** @param {string} iso */
function dateLabel(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {SearchDialogActions} deps.actions
 * @param {(result: SearchResult) => void} deps.onOpen   Enter or a click on a result
 * @param {import('../lib/types.js').Timers} [deps.timers]
 * @param {number} [deps.delay]   debounce, ms
 */
export function createSearchDialog({ store, actions, onOpen, timers, delay }) {
  /** @type {HTMLDialogElement | null} */
  let dialog = null;
  /** @type {SearchResult[]} the options in display order (grouped) */
  let options = [];
  let active = -1;
  /** @type {number | null} the open chat when the dialog opened */
  let currentChat = null;
  /** @type {Element | null} focused before opening, focused again after closing */
  let returnFocus = null;

  const search = createSearch({ api: { searchMessages: actions.searchMessages }, onChange: (state) => render(state), timers, delay });

  const input = h('input', {
    type: 'text',
    id: 'search-input',
    class: 'min-w-0 flex-1 border-0 bg-transparent py-3 text-base text-slate-900 placeholder:text-slate-400 focus:outline-none dark:text-slate-100',
    placeholder: 'Search messages…',
    autocomplete: 'off',
    spellcheck: 'false',
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-controls': 'search-results',
    'aria-expanded': 'false',
    'aria-label': 'Search messages',
  });
  const allButton = h('button', { type: 'button', class: 'search-scope', 'aria-pressed': 'true', onclick: () => setScope(null) }, 'All chats');
  const chatButton = h('button', { type: 'button', class: 'search-scope max-w-56 truncate', 'aria-pressed': 'false', onclick: () => setScope(currentChat) });
  const scope = h('div', { class: 'flex items-center gap-2 px-4 pb-2 text-xs', role: 'group', 'aria-label': 'Where to search' }, allButton, chatButton);
  const status = h('p', { class: 'px-4 py-6 text-center text-sm text-slate-500 dark:text-slate-400', role: 'status', 'aria-live': 'polite' });
  const listbox = h('div', { id: 'search-results', role: 'listbox', 'aria-label': 'Search results', class: 'pb-1' });
  const moreButton = h('button', { type: 'button', class: 'btn-ghost mx-auto my-2 hidden text-sm', onclick: () => search.loadMore() }, 'Load more results');
  const retryButton = h('button', { type: 'button', class: 'btn-ghost mx-auto mb-4 hidden text-sm', onclick: () => search.retry() }, 'Try again');
  const results = h('div', { class: 'max-h-[min(28rem,60vh)] overflow-y-auto border-t border-slate-200 dark:border-slate-800' },
    listbox, status, h('div', { class: 'flex flex-col' }, moreButton, retryButton));
  const footer = h('p', { class: 'border-t border-slate-200 px-4 py-2 text-[0.7rem] text-slate-500 dark:border-slate-800 dark:text-slate-400' },
    '↑ ↓ to move · Enter to open · Esc to close');

  /** @param {number | null} chatId */
  function setScope(chatId) {
    allButton.setAttribute('aria-pressed', String(chatId === null));
    chatButton.setAttribute('aria-pressed', String(chatId !== null));
    search.setScope(chatId);
    input.focus();
  }

  /** @param {SearchResult} result @param {number} i */
  function optionRow(result, i) {
    const { message } = result;
    const chat = store.chat(result.chat_id ?? message.chat_id);
    const sender = message.sender_id === store.me?.id ? 'You' : memberName(chat, message.sender_id);
    const cut = excerpt(message.content ?? '', result.highlights);
    const text = cut.text || (message.attachment ? attachmentSummary(message.attachment) : '');
    return h('div', {
      id: `search-option-${message.id}`,
      role: 'option',
      'aria-selected': String(i === active),
      class: `search-option cursor-pointer px-4 py-2 ${i === active ? 'bg-brand-50 dark:bg-brand-600/20' : 'hover:bg-slate-50 dark:hover:bg-slate-800/60'}`,
      dataset: { index: String(i), messageId: String(message.id) },
      onmousemove: () => setActive(i, false),
      onclick: () => choose(i),
    },
    h('div', { class: 'flex items-baseline gap-2 text-xs' },
      h('span', { class: 'font-semibold text-slate-700 dark:text-slate-200' }, sender),
      h('time', { class: 'text-slate-400', datetime: message.created_at }, dateLabel(message.created_at))),
    h('p', { class: 'search-text line-clamp-3 text-sm break-words whitespace-pre-wrap text-slate-800 dark:text-slate-100' },
      cut.text ? highlightNodes(cut.text, cut.ranges) : text));
  }

  /** @param {SearchState} state */
  function render(state) {
    if (!dialog) return;
    const groups = groupByChat(state.results);
    options = groups.flatMap((g) => g.results);
    if (active >= options.length) active = options.length - 1;
    if (active < 0 && options.length) active = 0;
    let i = 0;
    setChildren(listbox, groups.map((group) => {
      const chat = store.chat(group.chatId);
      const labelId = `search-group-${group.chatId}`;
      return h('div', { role: 'group', 'aria-labelledby': labelId },
        h('p', { id: labelId, class: 'sticky top-0 bg-white/95 px-4 pt-3 pb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:bg-slate-900/95 dark:text-slate-400' },
          chat ? chatTitle(chat, store.me?.id) : 'A chat'),
        group.results.map((result) => optionRow(result, i++)));
    }));
    input.setAttribute('aria-expanded', String(options.length > 0));
    updateActive();

    const q = state.query.trim();
    let text = '';
    if (state.status === 'idle') text = HINT;
    else if (state.status === 'error') text = state.error;
    else if (state.status === 'loading' && !options.length) text = 'Searching…';
    else if (state.status === 'done' && !options.length) text = `No messages match “${q}”${state.chatId !== null ? ' in this chat' : ''}.`;
    else if (state.error) text = state.error; // a failed "load more"
    else if (state.loadingMore) text = 'Loading more…';
    else if (state.status === 'done' && !state.nextCursor) text = `${options.length} result${options.length === 1 ? '' : 's'}.`;
    status.textContent = text;
    status.classList.toggle('hidden', !text);
    moreButton.classList.toggle('hidden', !(state.status === 'done' && state.nextCursor && !state.loadingMore));
    // Asking again helps when the server could not answer, not when it refused the query.
    retryButton.classList.toggle('hidden', !(state.status === 'error' && state.retryable));
  }

  function updateActive() {
    for (const node of listbox.querySelectorAll('[role="option"]')) {
      const on = Number(/** @type {HTMLElement} */ (node).dataset.index) === active;
      node.setAttribute('aria-selected', String(on));
      node.classList.toggle('bg-brand-50', on);
      node.classList.toggle('dark:bg-brand-600/20', on);
    }
    const result = options[active];
    if (result) input.setAttribute('aria-activedescendant', `search-option-${result.message.id}`);
    else input.removeAttribute('aria-activedescendant');
  }

  /** @param {number} i @param {boolean} [reveal]  scroll it into view (keyboard) */
  function setActive(i, reveal = true) {
    if (i === active) return;
    active = i;
    updateActive();
    if (reveal) listbox.querySelector(`[data-index="${i}"]`)?.scrollIntoView?.({ block: 'nearest' });
  }

  /** @param {number} i */
  function choose(i) {
    const result = options[i];
    if (!result) return;
    // The conversation takes the focus, not the element focused before the dialog.
    returnFocus = null;
    close();
    onOpen(result);
  }

  input.addEventListener('input', () => search.setQuery(input.value));
  input.addEventListener('keydown', (event) => {
    if (event.isComposing) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      choose(active < 0 ? 0 : active);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
    } else if (['ArrowDown', 'ArrowUp'].includes(event.key) || (['Home', 'End'].includes(event.key) && event.ctrlKey)) {
      event.preventDefault();
      // ↓ on the last result asks for the next page, if there is one.
      if (event.key === 'ArrowDown' && active === options.length - 1) search.loadMore();
      setActive(moveActive(active, options.length, event.key));
    }
  });

  /**
   * Opens the dialog (or moves the focus back to it); `chatId`: search that chat.
   * @param {{chatId?: number | null}} [options]
   */
  function open({ chatId = null } = {}) {
    currentChat = store.activeChatId;
    const chat = currentChat === null ? null : store.chat(currentChat);
    chatButton.textContent = chat ? `In ${chatTitle(chat, store.me?.id)}` : '';
    chatButton.classList.toggle('hidden', !chat);
    if (!dialog) {
      returnFocus = document.activeElement;
      dialog = h('dialog', {
        class: 'search-dialog m-auto mt-[10vh] w-[min(40rem,calc(100vw-2rem))] overflow-hidden rounded-2xl border border-slate-200 bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-slate-950/50 backdrop:backdrop-blur-sm dark:border-slate-800 dark:bg-slate-900 dark:text-slate-100',
        'aria-label': 'Search messages',
      },
      h('div', { class: 'flex items-center gap-2 px-4' }, icon(ICONS.search, 'size-5 shrink-0 text-slate-400'), input,
        h('button', { type: 'button', class: 'icon-btn size-8', 'aria-label': 'Close search', onclick: () => close() }, icon(ICONS.close, 'size-4'))),
      scope, results, footer);
      // Esc in a modal <dialog> fires cancel; close the same way as our own Esc.
      dialog.addEventListener('cancel', (event) => {
        event.preventDefault();
        close();
      });
      dialog.addEventListener('click', (event) => {
        if (event.target === dialog) close(); // the backdrop
      });
      document.body.append(dialog);
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
    setScope(chat && chatId === currentChat ? chatId : null);
    // Reopened with the last query: ask again (what was on its way was dropped at close).
    if (input.value.trim()) search.retry();
    render(search.state);
    input.focus();
    input.select();
  }

  function close() {
    if (!dialog) return;
    search.stop();
    const closing = dialog;
    dialog = null;
    if (closing.open && typeof closing.close === 'function') closing.close();
    closing.remove();
    const back = /** @type {HTMLElement | null} */ (returnFocus);
    returnFocus = null;
    if (back?.isConnected) back.focus();
  }

  return {
    open,
    close,
    get isOpen() {
      return dialog !== null;
    },
  };
}
