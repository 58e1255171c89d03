// One row of the timeline: a day separator, the history edge, or a message bubble
// (own on the right, others on the left) with its ticks and actions, and its
// attachment (views/attachment.js) above the text.
import { bridge } from '../lib/bridge.js';
import { ICONS, h, icon } from '../lib/dom.js';
import { linkify } from '../lib/linkify.js';
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
 *   status: Status, author: string, showAuthor: boolean, highlighted?: boolean}} MessageItem
 * @typedef {DayItem | EdgeItem | MessageItem} TimelineItem
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
 */

/** Message text as text nodes and safe links; never parsed as HTML. @param {string} text */
function content(text) {
  return linkify(text).map((part) =>
    'href' in part
      ? h('a', {
          href: part.href,
          target: '_blank',
          rel: 'noopener noreferrer',
          class: 'underline decoration-1 underline-offset-2 break-all',
          onclick: (/** @type {MouseEvent} */ e) => {
            if (bridge.openExternal(part.href)) e.preventDefault();
          },
        }, part.text)
      : part.text,
  );
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

/** @param {string} label @param {string[]} path @param {() => void} onclick */
function actionButton(label, path, onclick) {
  return h('button', { type: 'button', class: 'icon-btn size-7', 'aria-label': label, title: label, onclick }, icon(path, 'size-4'));
}

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
  const { message, own, status, author, showAuthor, first, highlighted } = item;
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
  const bubble = h(
    'div',
    {
      class: `relative max-w-full rounded-2xl shadow-sm ${attachment ? 'p-1' : 'px-3 py-1.5'} ${own ? 'bg-brand-600 text-white' : 'bg-white text-slate-900 ring-1 ring-slate-900/5 dark:bg-slate-800 dark:text-slate-100 dark:ring-white/5'} ${first ? (own ? 'rounded-tr-md' : 'rounded-tl-md') : ''}`,
    },
    showAuthor && h('p', { class: `text-xs font-semibold text-brand-600 dark:text-brand-400 ${pad} ${attachment ? 'pt-0.5 pb-1' : ''}` }, author),
    media,
    h(
      'div',
      { class: `flow-root text-[0.94rem] leading-snug ${attachment ? 'px-2 pt-1 pb-1' : ''}` },
      h('span', { class: 'message-text break-words whitespace-pre-wrap' }, content(message.content ?? '')),
      // Floated after the text: it sits on the last line when there is room, below otherwise.
      h(
        'span',
        { class: `relative ${attachment && !message.content ? '' : 'top-1.5'} float-right ml-3 inline-flex items-center gap-1 text-[0.7rem] ${own ? 'text-brand-100' : 'text-slate-400'}` },
        stored?.edited_at && h('span', null, 'edited'),
        h('time', { datetime: message.created_at }, timeLabel(message.created_at)),
        own && ticks(status),
      ),
    ),
  );

  let actions = null;
  if (status === 'failed' && pending) {
    actions = h('div', { class: 'flex items-center gap-1 text-xs text-red-600 dark:text-red-400' },
      h('span', { class: 'max-w-60 truncate', title: pending.error }, pending.error || 'Not sent'),
      actionButton('Retry sending', ICONS.retry, () => handlers.retry(pending)),
      actionButton('Discard message', ICONS.trash, () => handlers.discard(pending)));
  } else if (own && stored) {
    actions = h('div', { class: 'flex items-center opacity-0 transition group-hover:opacity-100 group-focus-within:opacity-100' },
      actionButton('Edit message', ICONS.edit, () => handlers.edit(stored)),
      actionButton('Delete message', ICONS.trash, () => handlers.remove(stored)));
  }

  return h(
    'div',
    {
      class: `group flex items-center gap-1 px-4 transition-colors duration-700 sm:px-6 ${first ? 'pt-2' : 'pt-0.5'} ${own ? 'flex-row-reverse' : ''} ${highlighted ? 'bg-amber-100/80 dark:bg-amber-400/15' : ''}`,
      dataset: { messageId: message.id ?? '', clientId: message.client_id ?? '', ...(highlighted ? { highlighted: 'true' } : {}) },
      role: 'article',
      'aria-label': `${own ? 'You' : author}, ${timeLabel(message.created_at)}${attachment ? `, ${attachmentSummary(attachment)}` : ''}`,
    },
    h('div', { class: 'flex max-w-[min(36rem,80%)] flex-col' }, bubble),
    actions,
  );
}
