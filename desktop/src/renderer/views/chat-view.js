// The open conversation: header (title, presence, typing), the virtualised
// timeline, and the composer (Enter sends, Shift+Enter adds a line, ↑ edits the
// last own message, Esc cancels an edit or a reply, Alt+R replies to the last
// message and Ctrl+↑/↓ picks another, "@" suggests members). Files come in through
// the attach button, drag-and-drop onto the conversation or paste; they upload while
// staged in the composer and are sent with the next message (the text becomes the
// first one's caption). Reactions, "seen by" and jumping to a quoted message live
// here too; each row is drawn by message.js.
import { ICONS, h, icon, setChildren } from '../lib/dom.js';
import { insertMention, mentionAt, mentionCandidates } from '../lib/mentions.js';
import { chatTitle, memberName, otherMember } from '../lib/names.js';
import { DEFAULT_EMOJI, reactionSummary, reactorsMatch, reactorsText } from '../lib/reactions.js';
import { createReplyState } from '../lib/reply.js';
import { TOPICS } from '../lib/store.js';
import { dayKey, dayLabel } from '../lib/time.js';
import { createUploads, filesFromTransfer, isFileDrag } from '../lib/upload.js';
import { VirtualList } from '../lib/virtual-list.js';
import { createAttachmentTray } from './attachment-tray.js';
import { avatar } from './common.js';
import { dayRow, edgeRow, messageRow } from './message.js';
import { MAX_TIMER_MS, isSilenced, nextMuteEnd } from '../lib/notify-rule.js';
import { muteText, openChatSettings } from './chat-settings.js';
import { openPopover } from './popover.js';

/** @typedef {import('../lib/types.js').Chat} Chat */
/** @typedef {import('../lib/types.js').Message} Message */
/** @typedef {import('../lib/types.js').OutboxEntry} OutboxEntry */
/** @typedef {import('../lib/types.js').UploadedFile} UploadedFile */
/** @typedef {import('./message.js').TimelineItem} TimelineItem */
/** @typedef {import('./message.js').TimelineMessage} TimelineMessage */
/** @typedef {import('./message.js').MentionNames} MentionNames */
/** @typedef {import('../lib/mentions.js').MentionCandidate} MentionCandidate */

/**
 * What the conversation can ask for (messenger/actions.js).
 * @typedef {object} ChatViewActions
 * @property {(chatId: number, content: string, attachment?: UploadedFile | null, replyTo?: Message | null) => void} send
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
 * @property {(chatId: number) => void} [openGroupInfo]  the group screen (views/group-info.js)
 * @property {(chatId: number, change: import('./chat-settings.js').ChatSettingsChange) => Promise<boolean>} [setChatSettings]
 *   my notification settings for the chat (views/chat-settings.js)
 * @property {(chatId: number) => string} [loadDraft]  the unsent text of a chat (lib/drafts.js)
 * @property {(chatId: number, text: string) => void} [draftChanged]  while typing
 * @property {(chatId: number, text: string) => void} [saveDraft]  on leaving a chat
 * @property {(message: Message, emoji: string) => void} toggleReaction
 * @property {() => string[]} frequentEmoji
 * @property {(message: Message) => Promise<import('../lib/types.js').User[] | null>} readers
 * @property {(message: Message) => Promise<import('../lib/types.js').ReactionUsers[] | null>} [whoReacted]
 *   who reacted, per emoji (asked of the server unless known)
 * @property {(message: Message) => import('../lib/types.js').ReactionUsers[] | null} [knownReactors]  without asking
 */

// The picker's second row: more common reactions after the favourites.
const MORE_EMOJI = ['😀', '😅', '😍', '🤔', '👀', '👏', '🙌', '💯', '✅', '❌', '😡', '🥳', '🤝', '💪', '☕', '🚀'];

const GROUP_GAP_MS = 5 * 60_000;
// Hovering a reaction this long asks who reacted: passing over the bar asks nothing.
const REACTORS_DELAY_MS = 250;
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
  const replies = createReplyState();
  /** @type {number | null} a message jumped to, shown highlighted for a moment */
  let highlightId = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let highlightTimer;
  /** @type {WeakMap<Chat, MentionNames>} per chat object: a new one when its members change */
  const namesCache = new WeakMap();
  /** @type {{start: number, query: string, candidates: MentionCandidate[], active: number} | null} */
  let mention = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} a hovered reaction, waiting to ask who reacted */
  let reactorsTimer;

  const title = h('h2', { class: 'truncate text-base font-semibold', id: 'chat-title' });
  const subtitle = h('p', { class: 'truncate text-xs text-slate-500 dark:text-slate-400', 'aria-live': 'polite' });
  const headerAvatar = h('div');
  const infoButton = h('button', {
    type: 'button',
    class: 'icon-btn hidden',
    'aria-label': 'Group info',
    title: 'Group info: name, members, roles',
    onclick: () => chatId !== null && actions.openGroupInfo?.(chatId),
  }, icon(ICONS.info));
  const bellIcon = h('span', { class: 'contents' });
  /** @type {ReturnType<typeof setTimeout> | undefined} the open chat's mute ending */
  let muteTimer;
  const notifyButton = h('button', {
    type: 'button',
    class: 'icon-btn',
    'aria-label': 'Notifications',
    'aria-haspopup': 'menu',
    'aria-expanded': 'false',
    title: 'Notifications: all, mentions only, mute',
    onclick: () => {
      const chat = chatId === null ? null : store.chat(chatId);
      if (!chat || !actions.setChatSettings) return;
      const id = chat.id;
      openChatSettings(notifyButton, { chat, change: (fields) => actions.setChatSettings?.(id, fields) });
    },
  }, bellIcon);
  const header = h(
    'header',
    { class: 'flex items-center gap-3 border-b border-slate-200 bg-white/90 px-3 py-2.5 backdrop-blur sm:px-5 dark:border-slate-800 dark:bg-slate-900/90' },
    h('button', { type: 'button', class: 'icon-btn md:hidden', 'aria-label': 'Back to chats', onclick: () => actions.closeChat() }, icon(ICONS.back)),
    headerAvatar,
    h('div', { class: 'min-w-0 flex-1' }, title, subtitle),
    infoButton,
    actions.setChatSettings && notifyButton,
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
  const replyWho = h('span', { class: 'font-semibold' });
  const replyText = h('span', { class: 'truncate text-slate-500 dark:text-slate-400' });
  const replyBanner = h(
    'div',
    { class: 'reply-bar hidden items-center gap-2 px-4 pt-2 text-xs text-brand-700 dark:text-brand-400', 'aria-live': 'polite' },
    icon(ICONS.reply, 'size-4 shrink-0'),
    h('span', { class: 'flex min-w-0 flex-1 flex-col border-l-2 border-brand-500 pl-2' }, replyWho, replyText),
    h('button', { type: 'button', class: 'icon-btn ml-auto size-7', 'aria-label': 'Cancel reply', title: 'Cancel reply (Esc)', onclick: () => cancelReply() }, icon(ICONS.close, 'size-4')),
  );
  const mentionList = h('ul', {
    id: 'mention-list',
    role: 'listbox',
    'aria-label': 'People to mention',
    class: 'absolute bottom-full left-3 z-30 mb-1 hidden max-h-64 w-72 overflow-y-auto rounded-xl border border-slate-200 bg-white p-1 shadow-xl dark:border-slate-700 dark:bg-slate-800',
  });
  const input = h('textarea', {
    id: 'composer',
    'aria-autocomplete': 'list',
    'aria-controls': 'mention-list',
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
  const composer = h('form', { class: 'relative border-t border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900', 'aria-label': 'Write a message' },
    mentionList,
    replyBanner,
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
    reply: (message) => startReply(message),
    react: (message, emoji) => actions.toggleReaction(message, emoji),
    pickReaction: (message, anchor) => pickReaction(message, anchor),
    showQuote: (message) => showQuote(message),
    seenBy: (message, anchor) => seenBy(message, anchor),
    reactorsText: (message, reaction) => reactorsOf(message, reaction),
    showReactors: (message, tip) => showReactors(message, tip),
    hideReactors: () => clearTimeout(reactorsTimer),
  };

  /** @param {Chat | null} chat @returns {MentionNames | undefined} */
  function namesOf(chat) {
    if (!chat) return undefined;
    let names = namesCache.get(chat);
    if (!names) {
      const me = store.me;
      names = {
        usernames: new Set((chat.members ?? []).map((m) => m.user.username.toLowerCase())),
        me: me?.username?.toLowerCase() ?? null,
        meId: me?.id,
        everyone: chat.is_group,
      };
      namesCache.set(chat, names);
    }
    return names;
  }

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
      const quoted = message.reply_to;
      push({
        kind: 'message',
        key: stored ? `m${stored.id}` : `c${message.client_id}`,
        message,
        own,
        first,
        status: pending ? pending.status : stored?.is_read ? 'read' : 'sent',
        author: stored && !own ? memberName(chat, stored.sender_id) : 'You',
        showAuthor: Boolean(chat?.is_group && !own && first),
        quoteAuthor: quoted ? (quoted.sender_id === meId ? 'You' : memberName(chat, quoted.sender_id)) : undefined,
        isGroup: Boolean(chat?.is_group),
        names: namesOf(chat),
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
    // The message being answered was deleted: nothing to reply to any more.
    const target = replies.get(chatId);
    if (target && store.timeline(chatId).loaded && !store.timeline(chatId).messages.some((m) => m.id === target.id)) cancelReply(false);
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
    setChildren(headerAvatar, avatar({ name, seed: chat.is_group ? chat.id : (other?.id ?? chat.id), size: 'size-10 text-sm', online: Boolean(other?.online), src: actions.assetUrl(other?.avatar_url) }));
    infoButton.classList.toggle('hidden', !chat.is_group);
    // The bell is crossed out while the chat is quiet; its label says until when.
    const quiet = isSilenced(chat, Date.now());
    setChildren(bellIcon, icon(quiet ? ICONS.bellOff : ICONS.bell));
    const mute = muteText(chat, Date.now()) ?? (chat.notify === 'none' ? 'Notifies of nothing' : chat.notify === 'mentions' ? 'Mentions only' : null);
    notifyButton.setAttribute('aria-label', mute ? `Notifications (${mute})` : 'Notifications');
    clearTimeout(muteTimer);
    const end = nextMuteEnd([chat], Date.now());
    if (end !== null) muteTimer = setTimeout(renderHeader, Math.min(end - Date.now() + 50, MAX_TIMER_MS));
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
    // The draft steps aside for the edit and comes back after it.
    if (!editing && chatId !== null) actions.saveDraft?.(chatId, input.value);
    if (chatId !== null && replies.get(chatId)) cancelReply(false);
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
    input.value = chatId === null ? '' : (actions.loadDraft?.(chatId) ?? '');
    autoGrow();
    input.focus();
  }

  function lastOwnMessage() {
    if (chatId === null) return null;
    const messages = store.timeline(chatId).messages;
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i].sender_id === store.me?.id) return messages[i];
    return null;
  }

  // ---- replies ---------------------------------------------------------------
  /** @param {Message} message */
  function startReply(message) {
    if (editing) stopEditing();
    replies.start(message);
    renderReplyBanner();
    input.focus();
  }

  function cancelReply(focus = true) {
    if (chatId !== null) replies.cancel(chatId);
    renderReplyBanner();
    if (focus) input.focus();
  }

  function renderReplyBanner() {
    const target = chatId === null ? null : replies.get(chatId);
    replyBanner.classList.toggle('hidden', !target);
    replyBanner.classList.toggle('flex', Boolean(target));
    if (!target) return;
    const chat = store.chat(target.chat_id);
    replyWho.textContent = `Replying to ${target.sender_id === store.me?.id ? 'yourself' : memberName(chat, target.sender_id)}`;
    replyText.textContent = target.content || (target.attachment ? target.attachment.name : '');
  }

  /** Keyboard: Alt+R / Ctrl+↑ replies to the message before, Ctrl+↓ to the one after (past the last: none). @param {-1 | 1} step */
  function moveReply(step) {
    if (chatId === null) return;
    const target = replies.move(store.timeline(chatId).messages, chatId, step);
    if (target && editing) stopEditing();
    renderReplyBanner();
    if (target) list?.scrollToKey(`m${target.id}`);
  }

  /** A quote was clicked: show the original, loading it if needed, highlighted for a moment. @param {TimelineMessage} message */
  async function showQuote(message) {
    const quote = message.reply_to;
    const id = chatId;
    if (!quote || id === null) return;
    if (quote.deleted) {
      note('The original message was deleted.');
      return;
    }
    await jumpTo(id, quote.id);
  }

  // ---- reactions and "seen by" --------------------------------------------------
  /** @param {Message} message @param {HTMLElement} anchor */
  function pickReaction(message, anchor) {
    /** @param {string} emoji */
    const choice = (emoji) => h('button', {
      type: 'button',
      class: 'emoji-choice inline-flex size-9 items-center justify-center rounded-lg text-xl hover:bg-slate-100 focus-visible:bg-slate-100 dark:hover:bg-slate-700 dark:focus-visible:bg-slate-700',
      'aria-label': `React with ${emoji}`,
      onclick: () => {
        popover.close();
        actions.toggleReaction(message, emoji);
        anchor.focus();
      },
    }, emoji);
    const frequent = actions.frequentEmoji();
    const more = [...DEFAULT_EMOJI, ...MORE_EMOJI].filter((e) => !frequent.includes(e));
    const popover = openPopover(anchor, { label: 'Choose a reaction', className: 'w-[19.5rem]' },
      h('p', { class: 'px-1 pb-1 text-xs font-semibold text-slate-500 dark:text-slate-400' }, 'Frequently used'),
      h('div', { class: 'grid grid-cols-8 gap-0.5' }, frequent.map(choice)),
      h('p', { class: 'px-1 pt-2 pb-1 text-xs font-semibold text-slate-500 dark:text-slate-400' }, 'More'),
      h('div', { class: 'grid grid-cols-8 gap-0.5' }, more.map(choice)));
    // Arrow keys move between the choices.
    popover.panel.addEventListener('keydown', (event) => {
      const buttons = /** @type {HTMLButtonElement[]} */ ([...popover.panel.querySelectorAll('button')]);
      const i = buttons.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
      const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 8, ArrowUp: -8 }[event.key];
      if (i < 0 || step === undefined) return;
      event.preventDefault();
      buttons[Math.min(buttons.length - 1, Math.max(0, i + step))].focus();
    });
  }

  /**
   * A person's name for "who reacted": as the chat's members list them, else as another
   * chat does (they may have left this one); null if this client does not know them.
   * @param {number} chatId
   * @param {number} userId
   */
  function personName(chatId, userId) {
    const user = store.chat(chatId)?.members?.find((m) => m.user.id === userId)?.user ?? store.user(userId);
    return user ? user.display_name || user.username : null;
  }

  /**
   * Who reacted with one emoji, in words: by name when the server has said and nothing
   * changed since (the counts still agree), else from the count ("You and 2 others").
   * @param {Message} message
   * @param {import('../lib/types.js').Reaction} reaction
   */
  function reactorsOf(message, reaction) {
    const users = actions.knownReactors?.(message);
    const meId = store.me?.id;
    const ids = users && reactorsMatch(users, message.reactions ?? [], meId)
      ? users.find((u) => u.emoji === reaction.emoji)?.user_ids
      : undefined;
    return ids ? reactorsText(ids, meId, (userId) => personName(message.chat_id, userId)) : reactionSummary(reaction);
  }

  /**
   * A reaction is hovered or focused: after a moment, ask who reacted (unless known)
   * and write the names into its tooltip, which also describes the button.
   * @param {Message} message
   * @param {HTMLElement} tip
   */
  function showReactors(message, tip) {
    clearTimeout(reactorsTimer);
    // The row may be older than the store's copy (a reaction event since).
    const current = () => store.timeline(message.chat_id).messages.find((m) => m.id === message.id) ?? message;
    const write = () => {
      const now = current();
      const reaction = now.reactions?.find((r) => r.emoji === tip.dataset.emoji);
      if (reaction && tip.isConnected) tip.textContent = reactorsOf(now, reaction);
    };
    write();
    const known = actions.knownReactors?.(current());
    if (!actions.whoReacted || (known && reactorsMatch(known, current().reactions ?? [], store.me?.id))) return;
    reactorsTimer = setTimeout(async () => {
      await actions.whoReacted?.(current());
      write();
    }, REACTORS_DELAY_MS);
  }

  /** Who has read my message in a group: asked for when the user wants to know. @param {Message} message @param {HTMLElement} anchor */
  async function seenBy(message, anchor) {
    const body = h('div', { class: 'min-w-48 max-w-72 p-1', 'aria-live': 'polite' }, h('p', { class: 'text-slate-500' }, 'Loading…'));
    const popover = openPopover(anchor, { label: 'Seen by' },
      h('p', { class: 'px-1 pb-1 text-xs font-semibold text-slate-500 dark:text-slate-400' }, 'Seen by'),
      body,
      h('button', { type: 'button', class: 'sr-only', onclick: () => popover.close() }, 'Close'));
    const readers = await actions.readers(message);
    if (!popover.panel.isConnected) return;
    if (readers === null) {
      setChildren(body, h('p', { class: 'text-red-600 dark:text-red-400' }, 'Could not load who has read it.'));
    } else if (!readers.length) {
      setChildren(body, h('p', { class: 'text-slate-500 dark:text-slate-400' }, 'Nobody has read it yet.'));
    } else {
      setChildren(body, h('ul', { class: 'space-y-1', 'aria-label': 'Read by' }, readers.map((user) =>
        h('li', { class: 'flex items-center gap-2' },
          avatar({ name: user.display_name || user.username, seed: user.id, size: 'size-6 text-[0.6rem]' }),
          h('span', { class: 'truncate' }, user.display_name || user.username)))));
    }
  }

  // ---- mention autocomplete ------------------------------------------------------
  function updateMentions() {
    const found = chatId === null ? null : mentionAt(input.value, input.selectionStart ?? input.value.length);
    const candidates = found ? mentionCandidates(store.chat(/** @type {number} */ (chatId)), found.query, store.me?.id) : [];
    if (!found || !candidates.length) {
      closeMentions();
      return;
    }
    const keep = mention && mention.start === found.start ? Math.min(mention.active, candidates.length - 1) : 0;
    mention = { ...found, candidates, active: keep };
    renderMentions();
  }

  function closeMentions() {
    mention = null;
    mentionList.classList.add('hidden');
    mentionList.replaceChildren();
    input.removeAttribute('aria-activedescendant');
  }

  function renderMentions() {
    if (!mention) return;
    const { candidates, active } = mention;
    setChildren(mentionList, candidates.map((c, i) =>
      h('li', {
        id: `mention-option-${i}`,
        role: 'option',
        'aria-selected': i === active ? 'true' : 'false',
        class: `flex cursor-pointer items-center gap-2 rounded-lg px-2 py-1.5 text-sm ${i === active ? 'bg-brand-600 text-white' : 'hover:bg-slate-100 dark:hover:bg-slate-700'}`,
        // Keep the focus in the text box.
        onmousedown: (/** @type {MouseEvent} */ e) => e.preventDefault(),
        onclick: () => chooseMention(i),
      },
      c.userId === null
        ? h('span', { class: 'inline-flex size-6 items-center justify-center rounded-full bg-slate-200 text-xs font-bold text-slate-700 dark:bg-slate-600 dark:text-slate-100', 'aria-hidden': 'true' }, '@')
        : avatar({ name: c.label, seed: c.userId, size: 'size-6 text-[0.6rem]' }),
      h('span', { class: 'truncate font-medium' }, c.label),
      h('span', { class: `ml-auto truncate text-xs ${i === active ? 'text-brand-100' : 'text-slate-500 dark:text-slate-400'}` }, c.detail))));
    mentionList.classList.remove('hidden');
    input.setAttribute('aria-activedescendant', `mention-option-${active}`);
    mentionList.children[active]?.scrollIntoView?.({ block: 'nearest' });
  }

  /** @param {number} i */
  function chooseMention(i) {
    if (!mention) return;
    const candidate = mention.candidates[i];
    const next = insertMention(input.value, mention, input.selectionStart ?? input.value.length, candidate.username);
    input.value = next.text;
    input.setSelectionRange(next.cursor, next.cursor);
    closeMentions();
    autoGrow();
    input.focus();
  }

  /** Keys for the open suggestion list; true when the key was used. @param {KeyboardEvent} event */
  function mentionKey(event) {
    if (!mention) return false;
    const count = mention.candidates.length;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      mention.active = (mention.active + (event.key === 'ArrowDown' ? 1 : count - 1)) % count;
      renderMentions();
    } else if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
      chooseMention(mention.active);
    } else if (event.key === 'Escape') {
      closeMentions();
    } else {
      return false;
    }
    event.preventDefault();
    return true;
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
    const replyTo = replies.get(id);
    // Sending from a window into the past: the conversation goes to its newest end.
    const fromPast = store.timeline(id).hasNewer;
    if (attachments.length) {
      // One message per file; the text is the caption of the first, which also carries the reply.
      attachments.forEach((attachment, i) => {
        if (i === 0 && replyTo) actions.send(id, text, attachment, replyTo);
        else actions.send(id, i === 0 ? text : '', attachment);
      });
    } else if (replyTo) {
      actions.send(id, text, null, replyTo);
    } else {
      actions.send(id, text);
    }
    replies.cancel(id);
    renderReplyBanner();
    closeMentions();
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
    if (event.isComposing || mentionKey(event)) return;
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      composer.requestSubmit();
    } else if (event.key === 'Escape' && editing) {
      event.preventDefault();
      stopEditing();
    } else if (event.key === 'Escape' && chatId !== null && replies.get(chatId)) {
      event.preventDefault();
      cancelReply();
    } else if ((event.altKey && !event.ctrlKey && (event.key === 'r' || event.key === 'R' || event.code === 'KeyR')) ||
      (event.ctrlKey && event.key === 'ArrowUp')) {
      event.preventDefault();
      moveReply(-1);
    } else if (event.ctrlKey && event.key === 'ArrowDown' && chatId !== null && replies.get(chatId)) {
      event.preventDefault();
      moveReply(1);
    } else if (event.key === 'ArrowUp' && !input.value && !editing) {
      const own = lastOwnMessage();
      if (own) {
        event.preventDefault();
        startEditing(own);
      }
    }
  });
  input.addEventListener('keyup', (event) => {
    if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) updateMentions();
  });
  input.addEventListener('click', () => updateMentions());
  input.addEventListener('blur', () => closeMentions());
  input.addEventListener('input', () => {
    updateMentions();
    autoGrow();
    if (!editing && chatId !== null) actions.draftChanged?.(chatId, input.value);
    if (!editing && input.value.trim() && chatId !== null) actions.typing(chatId);
  });

  // ---- lifecycle -------------------------------------------------------------
  /** @param {number | null} id */
  function show(id) {
    if (id === chatId) return;
    clearTimeout(reactorsTimer);
    if (chatId !== null && !editing) actions.saveDraft?.(chatId, input.value);
    chatId = id;
    editing = null;
    editBanner.classList.replace('flex', 'hidden');
    closeMentions();
    highlightId = null;
    clearTimeout(highlightTimer);
    renderReplyBanner();
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
    input.value = actions.loadDraft?.(id) ?? '';
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
