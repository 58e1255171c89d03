// The open conversation: header (title, presence, typing), the virtualised
// timeline, and the composer (Enter sends, Shift+Enter adds a line, ↑ edits the
// last own message, Esc cancels an edit). Files come in through the attach button,
// drag-and-drop onto the conversation or paste; they upload while staged in the
// composer and are sent with the next message (the text becomes the first one's caption).
import { ICONS, h, icon, setChildren } from '../lib/dom.js';
import { chatTitle, memberName, otherMember } from '../lib/names.js';
import { TOPICS } from '../lib/store.js';
import { dayKey, dayLabel } from '../lib/time.js';
import { createUploads, filesFromTransfer, isFileDrag } from '../lib/upload.js';
import { VirtualList } from '../lib/virtual-list.js';
import { createAttachmentTray } from './attachment-tray.js';
import { avatar } from './common.js';
import { dayRow, edgeRow, messageRow } from './message.js';

/** @typedef {import('../lib/types.js').Chat} Chat */
/** @typedef {import('../lib/types.js').Message} Message */
/** @typedef {import('../lib/types.js').OutboxEntry} OutboxEntry */
/** @typedef {import('../lib/types.js').UploadedFile} UploadedFile */
/** @typedef {import('./message.js').TimelineItem} TimelineItem */
/** @typedef {import('./message.js').TimelineMessage} TimelineMessage */

/**
 * What the conversation can ask for (messenger/actions.js).
 * @typedef {object} ChatViewActions
 * @property {(chatId: number, content: string, attachment?: UploadedFile) => void} send
 * @property {(message: Message, content: string) => void} edit
 * @property {(message: Message) => void} remove
 * @property {(entry: OutboxEntry) => void} retry
 * @property {(entry: OutboxEntry) => void} discard
 * @property {(chatId: number) => void} loadOlder
 * @property {(chatId: number) => Promise<void>} loadNewer    scrolling down a window into the past
 * @property {(chatId: number) => Promise<void>} loadLatest   leaving it for the newest messages
 * @property {(chatId: number, messageId: number) => Promise<boolean>} showMessage  loads a message's page and opens its chat
 * @property {(chatId: number) => void} typing
 * @property {() => void} closeChat
 * @property {import('../lib/api.js').Api['uploadAttachment']} upload
 * @property {(url: string | null | undefined) => string | null} assetUrl
 * @property {(message: TimelineMessage) => void} attachmentFailed
 */

const GROUP_GAP_MS = 5 * 60_000;
// How long a message opened from search (or a quote) stays highlighted.
const HIGHLIGHT_MS = 4_000;
const MAX_LENGTH = 4000;

/** @param {string[]} names */
function typingText(names) {
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

/** @param {Chat} chat @param {number | undefined} meId */
function presenceText(chat, meId) {
  if (chat.is_group) return `${chat.members?.length ?? 0} members`;
  const other = otherMember(chat, meId);
  if (!other) return '';
  if (other.online) return 'online';
  return other.last_seen_at ? `last seen ${new Date(other.last_seen_at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}` : '';
}

/**
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {ChatViewActions} deps.actions
 * @param {(chatId: number) => void} [deps.onSearch]   the header's search button
 */
export function createChatView({ store, actions, onSearch }) {
  /** @type {number | null} the open chat */
  let chatId = null;
  /** @type {VirtualList<TimelineItem> | null} */
  let list = null;
  /** @type {Message | null} the message being edited in the composer */
  let editing = null;
  /** @type {Map<string, TimelineItem>} */
  let itemCache = new Map();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let typingTimer;
  /** @type {number | null} a message jumped to, shown highlighted for a moment */
  let highlightId = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let highlightTimer;

  const title = h('h2', { class: 'truncate text-base font-semibold', id: 'chat-title' });
  const subtitle = h('p', { class: 'truncate text-xs text-slate-500 dark:text-slate-400', 'aria-live': 'polite' });
  const headerAvatar = h('div');
  const header = h(
    'header',
    { class: 'flex items-center gap-3 border-b border-slate-200 bg-white/90 px-3 py-2.5 backdrop-blur sm:px-5 dark:border-slate-800 dark:bg-slate-900/90' },
    h('button', { type: 'button', class: 'icon-btn md:hidden', 'aria-label': 'Back to chats', onclick: () => actions.closeChat() }, icon(ICONS.back)),
    headerAvatar,
    h('div', { class: 'min-w-0 flex-1' }, title, subtitle),
    onSearch && h('button', {
      type: 'button',
      class: 'icon-btn',
      'aria-label': 'Search in this chat',
      title: 'Search in this chat (Ctrl+F; all chats: Ctrl+K)',
      onclick: () => chatId !== null && onSearch(chatId),
    }, icon(ICONS.search)),
  );
  const timeline = h('div', {
    // flex column + the list's mt-auto: a short conversation sits at the bottom, by the composer.
    class: 'relative flex min-h-0 flex-1 flex-col overflow-y-auto overscroll-contain py-2',
    role: 'log',
    'aria-label': 'Messages',
    'aria-labelledby': 'chat-title',
    tabindex: '0',
  });

  const editLabel = h('span', { class: 'truncate' });
  const editBanner = h(
    'div',
    { class: 'hidden items-center gap-2 px-4 pt-2 text-xs text-brand-700 dark:text-brand-400' },
    icon(ICONS.edit, 'size-4'),
    h('span', { class: 'font-semibold' }, 'Editing message'),
    editLabel,
    h('button', { type: 'button', class: 'icon-btn ml-auto size-7', 'aria-label': 'Cancel editing', onclick: () => stopEditing() }, icon(ICONS.close, 'size-4')),
  );
  const input = h('textarea', {
    id: 'composer',
    rows: '1',
    class: 'max-h-40 min-h-10 flex-1 resize-none rounded-2xl border-0 bg-slate-100 px-4 py-2.5 text-[0.95rem] leading-snug text-slate-900 placeholder:text-slate-400 focus:ring-2 focus:ring-brand-500/40 focus:outline-none dark:bg-slate-800 dark:text-slate-100',
    placeholder: 'Write a message…',
    'aria-label': 'Message',
    maxlength: String(MAX_LENGTH),
  });
  const sendButton = h('button', { type: 'submit', class: 'inline-flex size-10 shrink-0 items-center justify-center rounded-full bg-brand-600 text-white shadow-sm hover:bg-brand-700 disabled:opacity-40', 'aria-label': 'Send message', title: 'Send (Enter)' }, icon(ICONS.send));
  const fileInput = h('input', {
    type: 'file',
    multiple: true,
    class: 'hidden',
    tabindex: '-1',
    'aria-label': 'Files to attach',
  });
  const attachButton = h('button', {
    type: 'button',
    class: 'icon-btn size-10',
    'aria-label': 'Attach files',
    title: 'Attach files (or drop or paste them here)',
    onclick: () => fileInput.click(),
  }, icon(ICONS.paperclip));
  const composerNote = h('p', { class: 'hidden px-4 pt-2 text-xs text-amber-700 dark:text-amber-400', role: 'status' });
  const uploads = createUploads({
    upload: (file, options) => actions.upload(file, options),
    onChange: (items) => {
      tray.render(items);
      if (!uploads.busy()) note('');
    },
    onNotice: (text) => note(text),
  });
  const tray = createAttachmentTray({ remove: (id) => uploads.remove(id), retry: (id) => uploads.retry(id) });
  const composer = h('form', { class: 'border-t border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900', 'aria-label': 'Write a message' },
    editBanner,
    tray.element,
    composerNote,
    h('div', { class: 'flex items-end gap-2 px-3 py-3 sm:px-4' }, attachButton, fileInput, input, sendButton));

  const dropHint = h('div', {
    class: 'pointer-events-none absolute inset-2 z-10 hidden flex-col items-center justify-center gap-2 rounded-2xl border-2 border-dashed border-brand-500 bg-brand-50/90 text-brand-700 dark:bg-slate-900/90 dark:text-brand-400',
    'aria-hidden': 'true',
  }, icon(ICONS.paperclip, 'size-8'), h('p', { class: 'text-sm font-semibold' }, 'Drop files to attach them'));
  // Shown while the timeline is a window into the past (opened at a search result).
  const latestButton = h('button', {
    type: 'button',
    class: 'absolute right-4 bottom-24 z-10 hidden items-center gap-1.5 rounded-full bg-white px-3 py-2 text-xs font-semibold text-brand-700 shadow-lg ring-1 ring-slate-900/10 hover:bg-slate-50 dark:bg-slate-800 dark:text-brand-400 dark:ring-white/10',
    onclick: () => jumpToLatest(),
  }, icon(ICONS.back, 'size-4 -rotate-90'), 'Jump to latest');
  const conversation = h('section', { class: 'relative hidden h-full min-h-0 flex-1 flex-col', 'aria-labelledby': 'chat-title' }, header, timeline, composer, latestButton, dropHint);
  const empty = h(
    'div',
    { class: 'hidden h-full flex-1 flex-col items-center justify-center gap-3 p-8 text-center md:flex' },
    h('div', { class: 'flex size-16 items-center justify-center rounded-2xl bg-brand-100 text-brand-600 dark:bg-brand-600/20 dark:text-brand-400' }, icon(ICONS.chat, 'size-8')),
    h('h2', { class: 'text-lg font-semibold' }, 'Your messages'),
    h('p', { class: 'max-w-xs text-sm text-slate-500 dark:text-slate-400' }, 'Pick a chat on the left, or search for someone to start a new conversation.'),
  );
  const element = h('div', { class: 'flex h-full min-h-0 min-w-0 flex-1 flex-col bg-slate-50 dark:bg-slate-950' }, conversation, empty);

  // ---- timeline items ------------------------------------------------------
  /** @type {import('./message.js').RowHandlers} */
  const handlers = {
    edit: (message) => startEditing(message),
    remove: (message) => actions.remove(message),
    retry: (entry) => actions.retry(entry),
    discard: (entry) => actions.discard(entry),
    assetUrl: (url) => actions.assetUrl(url),
    attachmentFailed: (message) => actions.attachmentFailed(message),
  };

  /** @param {TimelineItem} item */
  function renderItem(item) {
    if (item.kind === 'day') return dayRow(item);
    if (item.kind === 'edge') return edgeRow(item);
    return messageRow(item, handlers);
  }

  /**
   * Reuses the previous item object when nothing about it changed, so its DOM node is kept.
   * @param {TimelineItem} next
   */
  function cached(next) {
    const prev = /** @type {Record<string, unknown> | undefined} */ (itemCache.get(next.key));
    const fields = /** @type {Record<string, unknown>} */ (next);
    const same = prev && Object.keys(next).every((k) => prev[k] === fields[k]);
    return same ? /** @type {TimelineItem} */ (prev) : next;
  }

  /** @param {number} id  the open chat */
  function buildItems(id) {
    const chat = store.chat(id);
    const t = store.timeline(id);
    const meId = store.me?.id;
    /** @type {Map<string, TimelineItem>} */
    const next = new Map();
    /** @type {TimelineItem[]} */
    const items = [];
    /** @param {TimelineItem} item */
    const push = (item) => {
      const kept = cached(item);
      next.set(kept.key, kept);
      items.push(kept);
    };
    if (t.loaded) push({ kind: 'edge', key: 'edge', hasMore: t.hasMore });
    /** @type {{senderId: number | undefined, createdAt: string} | null} the previous row, for grouping */
    let prev = null;
    // Messages still being sent belong after the newest one, not after a window into the past.
    /** @type {TimelineMessage[]} */
    const all = t.hasNewer ? [...t.messages] : [...t.messages, ...store.pendingFor(id)];
    for (const message of all) {
      const day = dayKey(message.created_at);
      const newDay = !prev || dayKey(prev.createdAt) !== day;
      if (newDay) push({ kind: 'day', key: `day-${day}`, label: dayLabel(message.created_at) });
      // Stored by the server, or still in the outbox (no id yet).
      const stored = message.id === undefined ? null : message;
      const pending = message.id === undefined ? message : null;
      const senderId = stored?.sender_id;
      const own = !stored || senderId === meId;
      const first = !prev || newDay || prev.senderId !== senderId ||
        Date.parse(message.created_at) - Date.parse(prev.createdAt) > GROUP_GAP_MS;
      push({
        kind: 'message',
        key: stored ? `m${stored.id}` : `c${message.client_id}`,
        message,
        own,
        first,
        status: pending ? pending.status : stored?.is_read ? 'read' : 'sent',
        author: stored && !own ? memberName(chat, stored.sender_id) : 'You',
        showAuthor: Boolean(chat?.is_group && !own && first),
        highlighted: stored !== null && stored.id === highlightId,
      });
      // Pending entries carry no sender id; treat them as mine for grouping.
      prev = { senderId: pending ? meId : senderId, createdAt: message.created_at };
    }
    if (t.hasNewer) push({ kind: 'edge', key: 'edge-newer', hasMore: true, newer: true });
    itemCache = next;
    return items;
  }

  function renderTimeline({ stickToBottom = false } = {}) {
    if (!list || chatId === null) return;
    const t = store.timeline(chatId);
    latestButton.classList.toggle('hidden', !t.hasNewer);
    latestButton.classList.toggle('flex', t.hasNewer);
    list.setItems(buildItems(chatId), { stickToBottom: stickToBottom && !t.hasNewer, live: !t.hasNewer });
    // History shorter than the screen: fetch more, as scrolling up would.
    if (t.loaded && t.hasMore && timeline.scrollHeight <= timeline.clientHeight) actions.loadOlder(chatId);
  }

  /** Back from a window into the past to the newest messages, at the bottom. */
  async function jumpToLatest() {
    const id = chatId;
    if (id === null) return;
    await actions.loadLatest(id);
    if (chatId === id) renderTimeline({ stickToBottom: true });
  }

  /**
   * Opens `messageId` in its chat (loading the page around it when it is not loaded),
   * scrolled into view and highlighted for a moment; false when it could not be shown.
   * @param {number} targetChat
   * @param {number} messageId
   */
  async function jumpTo(targetChat, messageId) {
    if (!(await actions.showMessage(targetChat, messageId)) || chatId !== targetChat) return false;
    highlightId = messageId;
    clearTimeout(highlightTimer);
    renderTimeline();
    list?.scrollToKey(`m${messageId}`);
    timeline.focus({ preventScroll: true });
    highlightTimer = setTimeout(() => {
      highlightId = null;
      renderTimeline();
    }, HIGHLIGHT_MS);
    return true;
  }

  // ---- header ----------------------------------------------------------------
  function renderHeader() {
    const chat = chatId === null ? null : store.chat(chatId);
    if (!chat) return;
    const meId = store.me?.id;
    const name = chatTitle(chat, meId);
    const other = otherMember(chat, meId);
    title.textContent = name;
    setChildren(headerAvatar, avatar({ name, seed: chat.is_group ? chat.id : (other?.id ?? chat.id), size: 'size-10 text-sm', online: Boolean(other?.online) }));
    renderSubtitle();
  }

  function renderSubtitle() {
    const chat = chatId === null ? null : store.chat(chatId);
    if (!chat) return;
    const typers = store.typingIn(chat.id);
    clearTimeout(typingTimer);
    if (typers.length) {
      setChildren(subtitle, h('span', { class: 'inline-flex items-center gap-1 text-brand-600 dark:text-brand-400' },
        h('span', { class: 'inline-flex gap-0.5', 'aria-hidden': 'true' },
          [0, 1, 2].map(() => h('span', { class: 'typing-dot size-1 rounded-full bg-current' }))),
        typingText(typers.map((id) => memberName(chat, id)))));
      // Typing expires on its own: re-check shortly.
      typingTimer = setTimeout(renderSubtitle, 1000);
    } else {
      const text = presenceText(chat, store.me?.id);
      subtitle.className = `truncate text-xs ${text === 'online' ? 'text-emerald-600 dark:text-emerald-400' : 'text-slate-500 dark:text-slate-400'}`;
      setChildren(subtitle, text);
    }
  }

  // ---- composer --------------------------------------------------------------
  function autoGrow() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  /** @param {Message} message */
  function startEditing(message) {
    editing = message;
    editLabel.textContent = message.content;
    editBanner.classList.replace('hidden', 'flex');
    sendButton.setAttribute('aria-label', 'Save changes');
    input.value = message.content;
    autoGrow();
    input.focus();
  }

  function stopEditing() {
    editing = null;
    editBanner.classList.replace('flex', 'hidden');
    sendButton.setAttribute('aria-label', 'Send message');
    input.value = '';
    autoGrow();
    input.focus();
  }

  function lastOwnMessage() {
    if (chatId === null) return null;
    const messages = store.timeline(chatId).messages;
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i].sender_id === store.me?.id) return messages[i];
    return null;
  }

  /** @param {string} text */
  function note(text) {
    composerNote.textContent = text;
    composerNote.classList.toggle('hidden', !text);
  }

  /** @param {File[]} files */
  function attach(files) {
    if (chatId === null || !files.length) return;
    uploads.add(files);
    input.focus();
  }

  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    const id = chatId;
    if (id === null) return;
    if (editing) {
      if (text && text !== editing.content) actions.edit(editing, text);
      if (text) stopEditing();
      return;
    }
    // Sending references uploaded files: wait until every upload has finished.
    if (uploads.busy()) {
      note('Still uploading: the message can be sent once the upload has finished (or remove the file).');
      return;
    }
    const attachments = uploads.takeUploaded();
    if (!text && !attachments.length) return;
    // Sending from a window into the past: the conversation goes to its newest end.
    const fromPast = store.timeline(id).hasNewer;
    if (attachments.length) {
      // One message per file; the text is the caption of the first.
      attachments.forEach((attachment, i) => actions.send(id, i === 0 ? text : '', attachment));
    } else {
      actions.send(id, text);
    }
    note('');
    input.value = '';
    autoGrow();
    if (fromPast) jumpToLatest();
    else renderTimeline({ stickToBottom: true });
  });
  fileInput.addEventListener('change', () => {
    attach([...(fileInput.files ?? [])]);
    fileInput.value = ''; // picking the same file again fires change again
  });
  input.addEventListener('paste', (event) => {
    const files = filesFromTransfer(event.clipboardData);
    if (!files.length) return; // plain text: the default paste
    event.preventDefault();
    attach(files);
  });

  // Drag-and-drop anywhere on the conversation. dragenter/dragleave fire for every
  // child crossed, so the hint is hidden only when the pointer leaves the section.
  /** @param {boolean} show */
  function showDropHint(show) {
    dropHint.classList.toggle('hidden', !show);
    dropHint.classList.toggle('flex', show);
  }
  conversation.addEventListener('dragover', (event) => {
    if (!isFileDrag(event.dataTransfer)) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    showDropHint(true);
  });
  conversation.addEventListener('dragleave', (event) => {
    if (!conversation.contains(/** @type {Node | null} */ (event.relatedTarget))) showDropHint(false);
  });
  conversation.addEventListener('drop', (event) => {
    showDropHint(false);
    const files = filesFromTransfer(event.dataTransfer);
    if (!files.length) return;
    event.preventDefault();
    attach(files);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    } else if (event.key === 'Escape' && editing) {
      event.preventDefault();
      stopEditing();
    } else if (event.key === 'ArrowUp' && !input.value && !editing) {
      const own = lastOwnMessage();
      if (own) {
        event.preventDefault();
        startEditing(own);
      }
    }
  });
  input.addEventListener('input', () => {
    autoGrow();
    if (!editing && input.value.trim() && chatId !== null) actions.typing(chatId);
  });

  // ---- lifecycle -------------------------------------------------------------
  /** @param {number | null} id */
  function show(id) {
    if (id === chatId) return;
    chatId = id;
    editing = null;
    editBanner.classList.replace('flex', 'hidden');
    highlightId = null;
    clearTimeout(highlightTimer);
    list?.destroy();
    list = null;
    itemCache = new Map();
    conversation.classList.toggle('hidden', id === null);
    conversation.classList.toggle('flex', id !== null);
    empty.classList.toggle('md:flex', id === null);
    if (id === null) {
      uploads.clear();
      return;
    }
    input.value = '';
    autoGrow();
    // Staged files belong to the chat they were dropped on, like the typed text.
    uploads.clear();
    note('');
    renderHeader();
    list = new VirtualList({
      root: timeline,
      renderItem,
      keyOf: (/** @type {TimelineItem} */ item) => item.key,
      estimate: (/** @type {TimelineItem} */ item) => (item.kind === 'message' ? 44 : item.kind === 'day' ? 48 : 64),
      onNearTop: () => actions.loadOlder(id),
      onNearBottom: () => {
        if (store.timeline(id).hasNewer) actions.loadNewer(id);
      },
    });
    renderTimeline({ stickToBottom: true });
    input.focus();
  }

  store.subscribe((topic, detail) => {
    if (topic === TOPICS.ACTIVE) return show(/** @type {number | null} */ (detail));
    if (chatId === null) return;
    if (topic === TOPICS.TIMELINE && detail === chatId) renderTimeline();
    else if (topic === TOPICS.CHATS && store.chat(chatId)) renderHeader();
    else if (topic === TOPICS.TYPING && detail === chatId) renderSubtitle();
  });

  return { element, jumpTo };
}
