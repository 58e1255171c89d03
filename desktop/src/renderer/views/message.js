// One row of the timeline: a day separator, the history edge, or a message bubble
// (own on the right, others on the left) with its ticks and actions: the quote of
// the message it replies to, its attachment (views/attachment.js), the text
// (Markdown, lib/markdown.js, with mentions marked), a link preview card, and the
// reactions under it.
import { bridge } from '../lib/bridge.js';
import { ICONS, h, icon } from '../lib/dom.js';
import { isSafeHref, markMentions, renderMarkdown } from '../lib/markdown.js';
import { timeLabel } from '../lib/time.js';
import { attachmentSummary } from '../lib/upload.js';
import { attachmentView } from './attachment.js';

/** @typedef {import('../lib/types.js').Message} Message */
/** @typedef {import('../lib/types.js').OutboxEntry} OutboxEntry */
/** @typedef {Message | OutboxEntry} TimelineMessage  stored, or still in the outbox */
/** @typedef {'pending' | 'failed' | 'sent' | 'read'} Status */

/**
 * The rows of a timeline (views/chat-view.js builds them).
 * @typedef {{kind: 'day', key: string, label: string}} DayItem
 * @typedef {{kind: 'edge', key: string, hasMore: boolean, newer?: boolean}} EdgeItem  `newer`: the bottom of a window into the past
 * @typedef {{kind: 'message', key: string, message: TimelineMessage, own: boolean, first: boolean,
 *   status: Status, author: string, showAuthor: boolean, quoteAuthor?: string, isGroup?: boolean,
 *   names?: MentionNames, highlighted?: boolean}} MessageItem
 * @typedef {DayItem | EdgeItem | MessageItem} TimelineItem
 */

/**
 * Who can be mentioned in the chat (lower-case usernames), my own username, whether
 * @all/@here count (groups), and my id (to tell whether a message mentions me).
 * @typedef {{usernames: ReadonlySet<string>, me: string | null, meId: number | undefined, everyone: boolean}} MentionNames
 */

/**
 * What a message row can ask for.
 * @typedef {object} RowHandlers
 * @property {(message: Message) => void} edit
 * @property {(message: Message) => void} remove
 * @property {(entry: OutboxEntry) => void} retry
 * @property {(entry: OutboxEntry) => void} discard
 * @property {(url: string | null | undefined) => string | null} [assetUrl]  absolute URL on the server, or null
 * @property {(message: TimelineMessage) => void} [attachmentFailed]  its preview did not load
 * @property {(message: Message) => void} [reply]
 * @property {(message: Message, emoji: string) => void} [react]   toggles my reaction
 * @property {(message: Message, anchor: HTMLElement) => void} [pickReaction]  opens the picker
 * @property {(message: TimelineMessage) => void} [showQuote]  jumps to the quoted message
 * @property {(message: Message, anchor: HTMLElement) => void} [seenBy]  who has read it (groups)
 * @property {(message: Message, reaction: import('../lib/types.js').Reaction) => string} [reactorsText]
 *   who reacted so, in words, from what is known now
 * @property {(message: Message, tip: HTMLElement) => void} [showReactors]  a reaction is hovered or
 *   focused: find out who reacted, and write it into `tip` (its `data-emoji` says which)
 * @property {() => void} [hideReactors]  no longer: a pending look-up is not needed
 */

/** In Electron, links open in the system browser; in a browser the <a> does it. @param {MouseEvent} event */
function openLink(event) {
  const link = /** @type {Element} */ (event.target).closest?.('a[href]');
  const href = link?.getAttribute('href');
  if (href && bridge.openExternal(href)) event.preventDefault();
}

/**
 * Message text as Markdown (lib/markdown.js: sanitised nodes, never an HTML string)
 * with mentions marked. One paragraph stays inline, beside the time.
 * @param {string} text
 * @param {MentionNames | undefined} names
 * @param {boolean} mentionsMe
 */
function content(text, names, mentionsMe) {
  const { nodes, inline } = renderMarkdown(text);
  const marked = names ? markMentions(nodes, { ...names, mentionsMe }) : nodes;
  return h(inline ? 'span' : 'div', { class: `message-text markdown break-words ${inline ? '' : 'block'}`, onclick: openLink }, marked);
}

/**
 * The quoted message above a reply's text: its author and excerpt, or "Deleted
 * message". A button: it jumps to the original.
 * @param {import('../lib/types.js').ReplyTo} quote
 * @param {string} author
 * @param {boolean} own
 * @param {() => void} onclick
 */
function quoteBlock(quote, author, own, onclick) {
  const text = quote.deleted ? 'Deleted message' : quote.excerpt || 'Attachment';
  return h('button', {
    type: 'button',
    class: `quote mb-1 flex w-full min-w-0 flex-col rounded-lg border-l-4 px-2 py-1 text-left text-xs ${own ? 'border-white/70 bg-white/15 hover:bg-white/25' : 'border-brand-500 bg-brand-50 hover:bg-brand-100 dark:bg-slate-700/60 dark:hover:bg-slate-700'}`,
    'aria-label': `Reply to ${author}: ${text}. Show the original message`,
    title: 'Show the original message',
    onclick,
  },
  h('span', { class: `font-semibold ${own ? 'text-white' : 'text-brand-700 dark:text-brand-400'}` }, author),
  h('span', { class: `truncate ${quote.deleted ? 'italic opacity-75' : ''}` }, text));
}

/**
 * The link preview card: site, title, description and, for http(s) images only, the
 * picture (the CSP's img-src allows remote http(s) images).
 * @param {import('../lib/types.js').LinkPreview} preview
 * @param {boolean} own
 */
function previewCard(preview, own) {
  if (!isSafeHref(preview.url)) return null;
  const image = preview.image_url && /^https?:\/\//i.test(preview.image_url) && isSafeHref(preview.image_url)
    ? h('img', {
        src: preview.image_url,
        alt: '',
        loading: 'lazy',
        referrerpolicy: 'no-referrer',
        class: 'mb-1 max-h-40 w-full rounded-md object-cover',
        onerror: (/** @type {Event} */ e) => /** @type {HTMLElement} */ (e.target).remove(),
      })
    : null;
  let host = '';
  try {
    host = new URL(preview.url).host;
  } catch {
    // isSafeHref parsed it already
  }
  return h('a', {
    href: preview.url,
    target: '_blank',
    rel: 'noopener noreferrer',
    class: `link-preview mt-1 block max-w-sm rounded-lg border-l-4 px-2 py-1.5 text-xs no-underline ${own ? 'border-white/70 bg-white/15 text-white hover:bg-white/25' : 'border-brand-500 bg-slate-50 text-slate-900 hover:bg-slate-100 dark:bg-slate-700/60 dark:text-slate-100'}`,
    'aria-label': `Link preview: ${preview.title || preview.site_name || host}`,
    onclick: openLink,
  },
  image,
  h('span', { class: `block font-medium ${own ? 'text-brand-100' : 'text-brand-700 dark:text-brand-400'}` }, preview.site_name || host),
  preview.title && h('span', { class: 'block font-semibold' }, preview.title),
  preview.description && h('span', { class: 'line-clamp-3 block opacity-80' }, preview.description));
}

/**
 * The reactions under a message: one toggle per emoji with its count (mine
 * highlighted), who reacted on hover and focus (a tooltip that also describes the
 * button to screen readers), and a button for the picker.
 * @param {Message} message
 * @param {RowHandlers} handlers
 * @param {boolean} own
 */
function reactionBar(message, handlers, own) {
  const reactions = message.reactions ?? [];
  if (!reactions.length) return null;
  return h('div', { class: `reactions mt-1 flex flex-wrap gap-1 ${own ? 'justify-end' : ''}`, role: 'group', 'aria-label': 'Reactions' },
    reactions.map((reaction, i) => {
      const tipId = `reactors-${message.id}-${i}`;
      const tip = h('span', {
        id: tipId,
        role: 'tooltip',
        // Aligned with the bubble's side, so it is never cut off at the timeline's edge.
        class: `reactors pointer-events-none absolute bottom-full ${own ? 'right-0' : 'left-0'} z-20 mb-1 hidden w-max max-w-72 rounded-md bg-slate-900 px-2 py-1 text-xs break-words text-white shadow group-focus-within/reaction:block group-hover/reaction:block dark:bg-slate-100 dark:text-slate-900`,
        dataset: { emoji: reaction.emoji },
      }, handlers.reactorsText?.(message, reaction) ?? '');
      const show = () => handlers.showReactors?.(message, tip);
      const hide = () => handlers.hideReactors?.();
      return h('span', { class: 'group/reaction relative', onmouseenter: show, onmouseleave: hide, onfocusin: show, onfocusout: hide },
        h('button', {
          type: 'button',
          class: `reaction inline-flex h-7 items-center gap-1 rounded-full border px-2 text-sm ${reaction.me ? 'border-brand-500 bg-brand-50 text-brand-700 dark:bg-brand-600/30 dark:text-brand-100' : 'border-slate-200 bg-white text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-200'}`,
          'aria-pressed': reaction.me ? 'true' : 'false',
          'aria-label': `${reaction.emoji} ${reaction.count}. ${reaction.me ? 'Remove your reaction' : 'React with this too'}`,
          'aria-describedby': tipId,
          dataset: { emoji: reaction.emoji },
          onclick: () => handlers.react?.(message, reaction.emoji),
        }, h('span', { 'aria-hidden': 'true' }, reaction.emoji), h('span', { class: 'text-xs font-semibold tabular-nums', 'aria-hidden': 'true' }, String(reaction.count))),
        tip);
    }),
    h('button', {
      type: 'button',
      class: 'inline-flex h-7 items-center rounded-full border border-dashed border-slate-300 px-2 text-slate-500 hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800',
      'aria-label': 'Add a reaction',
      title: 'Add a reaction',
      'aria-haspopup': 'dialog',
      onclick: (/** @type {MouseEvent} */ e) => handlers.pickReaction?.(message, /** @type {HTMLElement} */ (e.currentTarget)),
    }, icon(ICONS.smile, 'size-4')));
}

/** @type {Record<Status, {icon: string[], label: string}>} */
const STATUS = {
  pending: { icon: ICONS.clock, label: 'Sending' },
  failed: { icon: ICONS.alert, label: 'Not sent' },
  sent: { icon: ICONS.check, label: 'Sent' },
  read: { icon: ICONS.checks, label: 'Read' },
};

/** @param {Status} status */
function ticks(status) {
  const { icon: path, label } = STATUS[status];
  return h('span', { class: `tick inline-flex ${status === 'read' ? 'text-sky-300' : ''}`, role: 'img', 'aria-label': label, title: label, dataset: { status } },
    icon(path, 'size-3.5'));
}

/** @param {string} label @param {string[]} path @param {(event: MouseEvent) => void} onclick @param {Record<string, string>} [extra] */
function actionButton(label, path, onclick, extra = {}) {
  return h('button', { type: 'button', class: 'icon-btn size-7', 'aria-label': label, title: label, onclick, ...extra }, icon(path, 'size-4'));
}

/** The element a click came from, for anchoring a popover. @param {MouseEvent} event */
const anchorOf = (event) => /** @type {HTMLElement} */ (event.currentTarget);

/** @param {DayItem} item */
export function dayRow(item) {
  return h('div', { class: 'flex justify-center py-3', role: 'separator', 'aria-label': item.label },
    h('span', { class: 'rounded-full bg-white/80 px-3 py-0.5 text-xs font-medium text-slate-500 shadow-sm ring-1 ring-slate-900/5 backdrop-blur dark:bg-slate-800/80 dark:text-slate-300 dark:ring-white/10' }, item.label));
}

/** @param {EdgeItem} item */
export function edgeRow(item) {
  if (item.newer) return h('div', { class: 'py-6 text-center text-xs text-slate-400', role: 'status' }, 'Loading newer messages…');
  return h('div', { class: 'py-6 text-center text-xs text-slate-400', role: 'status' },
    item.hasMore ? 'Loading earlier messages…' : 'This is the beginning of the conversation.');
}

/**
 * @param {Omit<MessageItem, 'kind' | 'key'>} item
 * @param {RowHandlers} handlers
 */
export function messageRow(item, handlers) {
  const { message, own, status, author, showAuthor, first, quoteAuthor, isGroup, names, highlighted } = item;
  // Stored by the server, or still in the outbox (no id yet).
  const stored = message.id === undefined ? null : message;
  const pending = message.id === undefined ? message : null;
  const attachment = message.attachment ?? null;
  const media = attachment &&
    attachmentView(attachment, {
      assetUrl: handlers.assetUrl ?? (() => null),
      own,
      onFailed: () => handlers.attachmentFailed?.(message),
    });
  const pad = attachment ? 'px-2' : '';
  const mentionsMe = Boolean(stored && !own && names?.meId !== undefined && stored.mentions?.includes(names.meId));
  const quote = message.reply_to ?? null;
  // In groups the tick of my stored message opens "seen by"; direct chats keep the plain tick.
  const tick = own && (stored && isGroup && handlers.seenBy
    ? h('button', {
        type: 'button',
        class: 'seen-by -m-1 inline-flex rounded p-1 hover:bg-white/20',
        'aria-label': 'Seen by…',
        title: 'Seen by…',
        'aria-haspopup': 'dialog',
        onclick: (/** @type {MouseEvent} */ e) => handlers.seenBy?.(stored, anchorOf(e)),
      }, ticks(status))
    : ticks(status));
  const bubble = h(
    'div',
    {
      class: `relative max-w-full rounded-2xl shadow-sm ${attachment ? 'p-1' : 'px-3 py-1.5'} ${own ? 'bg-brand-600 text-white' : 'bg-white text-slate-900 ring-1 ring-slate-900/5 dark:bg-slate-800 dark:text-slate-100 dark:ring-white/5'} ${mentionsMe ? 'ring-2 ring-amber-400 dark:ring-amber-400' : ''} ${first ? (own ? 'rounded-tr-md' : 'rounded-tl-md') : ''}`,
      dataset: mentionsMe ? { mentionsMe: 'true' } : undefined,
    },
    showAuthor && h('p', { class: `text-xs font-semibold text-brand-600 dark:text-brand-400 ${pad} ${attachment ? 'pt-0.5 pb-1' : ''}` }, author),
    quote && h('div', { class: attachment ? 'px-1 pt-1' : '' }, quoteBlock(quote, quoteAuthor ?? 'Someone', own, () => handlers.showQuote?.(message))),
    media,
    h(
      'div',
      { class: `flow-root text-[0.94rem] leading-snug ${attachment ? 'px-2 pt-1 pb-1' : ''}` },
      // @all/@here are marked only where the server counted them as mentions.
      content(message.content ?? '', names && { ...names, everyone: names.everyone && Boolean(stored?.mentions?.length) }, mentionsMe),
      // Floated after the text: it sits on the last line when there is room, below otherwise.
      h(
        'span',
        { class: `relative ${attachment && !message.content ? '' : 'top-1.5'} float-right ml-3 inline-flex items-center gap-1 text-[0.7rem] ${own ? 'text-brand-100' : 'text-slate-400'}` },
        stored?.edited_at && h('span', null, 'edited'),
        h('time', { datetime: message.created_at }, timeLabel(message.created_at)),
        tick,
      ),
    ),
    stored?.preview && previewCard(stored.preview, own),
  );

  let actions = null;
  if (status === 'failed' && pending) {
    actions = h('div', { class: 'flex items-center gap-1 text-xs text-red-600 dark:text-red-400' },
      h('span', { class: 'max-w-60 truncate', title: pending.error }, pending.error || 'Not sent'),
      actionButton('Retry sending', ICONS.retry, () => handlers.retry(pending)),
      actionButton('Discard message', ICONS.trash, () => handlers.discard(pending)));
  } else if (stored) {
    actions = h('div', { class: `flex items-center opacity-0 transition group-hover:opacity-100 group-focus-within:opacity-100 ${own ? 'flex-row-reverse' : ''}` },
      actionButton('Reply', ICONS.reply, () => handlers.reply?.(stored)),
      actionButton('React', ICONS.smile, (e) => handlers.pickReaction?.(stored, anchorOf(e)), { 'aria-haspopup': 'dialog' }),
      own && isGroup && actionButton('Seen by', ICONS.eye, (e) => handlers.seenBy?.(stored, anchorOf(e)), { 'aria-haspopup': 'dialog' }),
      own && actionButton('Edit message', ICONS.edit, () => handlers.edit(stored)),
      own && actionButton('Delete message', ICONS.trash, () => handlers.remove(stored)));
  }

  return h(
    'div',
    {
      class: `group flex items-center gap-1 px-4 transition-colors duration-700 sm:px-6 ${first ? 'pt-2' : 'pt-0.5'} ${own ? 'flex-row-reverse' : ''} ${highlighted ? 'bg-amber-100/80 dark:bg-amber-400/15' : ''}`,
      dataset: { messageId: message.id ?? '', clientId: message.client_id ?? '', ...(highlighted ? { highlighted: 'true' } : {}) },
      role: 'article',
      'aria-label': `${own ? 'You' : author}${quote ? `, replying to ${quoteAuthor ?? 'someone'}` : ''}, ${timeLabel(message.created_at)}${attachment ? `, ${attachmentSummary(attachment)}` : ''}${mentionsMe ? ', mentions you' : ''}`,
    },
    h('div', { class: 'flex max-w-[min(36rem,80%)] flex-col' }, bubble, stored && reactionBar(stored, handlers, own)),
    actions,
  );
}
