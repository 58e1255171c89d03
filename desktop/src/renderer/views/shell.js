// The signed-in layout: sidebar and conversation side by side (one at a time on
// narrow windows), a toast area for errors in words, and message search: Ctrl/Cmd+K
// searches all chats, Ctrl/Cmd+F in an open chat searches that chat.
import { ICONS, h, icon } from '../lib/dom.js';
import { TOPICS } from '../lib/store.js';
import { isFileDrag } from '../lib/upload.js';
import { createChatView } from './chat-view.js';
import { createSearchDialog } from './search.js';
import { createSidebar } from './sidebar.js';

/**
 * @param {HTMLElement} root
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {import('./sidebar.js').SidebarActions & import('./chat-view.js').ChatViewActions & import('./search.js').SearchDialogActions} deps.actions
 * @param {Document} [deps.doc]   where the shortcuts are listened for
 * @param {HTMLElement} [deps.notice]  above the chat list (the notifications prompt)
 */
export function renderShell(root, { store, actions, doc = document, notice }) {
  const sidebar = createSidebar({ store, actions, notice });
  const chatView = createChatView({ store, actions, onSearch: (chatId) => search.open({ chatId }) });
  const search = createSearchDialog({
    store,
    actions,
    onOpen: (result) => chatView.jumpTo(result.chat_id ?? result.message.chat_id, result.message.id),
  });
  const toasts = h('div', { class: 'pointer-events-none fixed inset-x-0 bottom-20 z-50 flex flex-col items-center gap-2 px-4', 'aria-live': 'assertive' });
  const layout = h('div', { class: 'flex h-full min-h-0' }, sidebar.element, chatView.element);

  // On narrow windows show the list or the conversation, not both.
  function applyNarrowLayout() {
    const open = store.activeChatId !== null;
    sidebar.element.classList.toggle('hidden', open);
    sidebar.element.classList.toggle('md:flex', open);
    chatView.element.classList.toggle('hidden', !open);
    chatView.element.classList.toggle('md:flex', !open);
  }
  store.subscribe((topic) => topic === TOPICS.ACTIVE && applyNarrowLayout());
  applyNarrowLayout();

  /** Shows `text` for a few seconds (errors, in words). @param {string} text */
  function toast(text) {
    const note = h(
      'div',
      { role: 'alert', class: 'pointer-events-auto flex max-w-md items-start gap-2 rounded-xl bg-slate-900 px-4 py-3 text-sm whitespace-pre-line text-white shadow-lg dark:bg-slate-100 dark:text-slate-900' },
      icon(ICONS.alert, 'size-5 shrink-0 text-red-400 dark:text-red-600'),
      h('span', { class: 'flex-1' }, text),
      h('button', { type: 'button', class: 'opacity-70 hover:opacity-100', 'aria-label': 'Dismiss', onclick: () => note.remove() }, icon(ICONS.close, 'size-4')),
    );
    toasts.append(note);
    setTimeout(() => note.remove(), 6000);
  }

  // A file dropped outside the conversation must not make the page navigate to it.
  const refuseDrop = (/** @type {DragEvent} */ event) => {
    if (event.defaultPrevented || !isFileDrag(event.dataTransfer)) return;
    event.preventDefault();
    if (event.type === 'dragover' && event.dataTransfer) event.dataTransfer.dropEffect = 'none';
  };
  layout.addEventListener('dragover', refuseDrop);
  layout.addEventListener('drop', refuseDrop);

  // Ctrl+K / Cmd+K anywhere; Ctrl+F / Cmd+F only with a chat open (elsewhere the
  // browser's own find stays). Neither is an accelerator of the desktop menu.
  /** @param {KeyboardEvent} event */
  function onShortcut(event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || event.isComposing) return;
    // Ctrl+Cmd+F is macOS's full screen (the View menu's).
    if (event.ctrlKey && event.metaKey) return;
    const key = event.key.toLowerCase();
    if (key === 'k') {
      event.preventDefault();
      search.open();
    } else if (key === 'f' && store.activeChatId !== null) {
      event.preventDefault();
      search.open({ chatId: store.activeChatId });
    }
  }
  doc.addEventListener('keydown', onShortcut);

  root.replaceChildren(layout, toasts);
  return {
    toast,
    /** @param {{chatId?: number | null}} [options] */
    openSearch: (options) => search.open(options),
    /** Removes the shortcuts and the search dialog (signing out). */
    destroy() {
      doc.removeEventListener('keydown', onShortcut);
      search.close();
    },
  };
}
