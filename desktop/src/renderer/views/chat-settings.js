// The chat header's notification menu: what this chat notifies me of (all, mentions
// only, nothing) and a mute for a while. The server holds the settings
// (PATCH /chats/{id}/settings) so every device obeys them; the menu shows the chat as
// the store has it, which the answer and chat.settings events (other devices) keep.
import { h } from '../lib/dom.js';
import { FOREVER, isMuted, isMutedForever } from '../lib/notify-rule.js';
import { openPopover } from './popover.js';

/** @typedef {import('../lib/types.js').Chat} Chat */
/** @typedef {{notify?: 'all' | 'mentions' | 'none', muted_until?: string | null}} ChatSettingsChange */

/** Hour of the morning a mute "until tomorrow" ends, local time. */
export const TOMORROW_HOUR = 9;

/**
 * When each mute choice ends, as the aware ISO timestamp the server wants.
 * @param {'1h' | '8h' | 'tomorrow' | 'forever'} choice
 * @param {number} now
 */
export function muteUntil(choice, now) {
  if (choice === '1h') return new Date(now + 3600_000).toISOString();
  if (choice === '8h') return new Date(now + 8 * 3600_000).toISOString();
  if (choice === 'tomorrow') {
    const next = new Date(now);
    next.setDate(next.getDate() + 1);
    next.setHours(TOMORROW_HOUR, 0, 0, 0);
    return next.toISOString();
  }
  return FOREVER;
}

/**
 * "Muted until 09:00", "Muted", or null: how the header and the menu describe the mute.
 * @param {Chat} chat
 * @param {number} now
 */
export function muteText(chat, now) {
  if (!isMuted(chat, now)) return null;
  if (isMutedForever(chat)) return 'Muted';
  const until = new Date(/** @type {string} */ (chat.muted_until));
  const sameDay = until.toDateString() === new Date(now).toDateString();
  const time = until.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return sameDay ? `Muted until ${time}` : `Muted until ${until.toLocaleDateString(undefined, { weekday: 'short' })} ${time}`;
}

const NOTIFY_CHOICES = /** @type {const} */ ([
  ['all', 'All messages'],
  ['mentions', 'Mentions only'],
  ['none', 'Nothing'],
]);
const MUTE_CHOICES = /** @type {const} */ ([
  ['1h', 'Mute for 1 hour'],
  ['8h', 'Mute for 8 hours'],
  ['tomorrow', 'Mute until tomorrow'],
  ['forever', 'Mute forever'],
]);

/**
 * Opens the menu beside `anchor`.
 * @param {HTMLElement} anchor
 * @param {object} options
 * @param {Chat} options.chat
 * @param {(change: ChatSettingsChange) => Promise<boolean> | void} options.change
 * @param {number} [options.now]
 */
export function openChatSettings(anchor, { chat, change, now = Date.now() }) {
  const notify = chat.notify ?? 'all';
  const muted = isMuted(chat, now);
  /** @param {ChatSettingsChange} fields */
  const choose = (fields) => {
    popover.close();
    anchor.focus();
    change(fields);
  };
  /** A choice; `checked` null: an action rather than a state (the mutes). */
  const item = (/** @type {string} */ label, /** @type {boolean | null} */ checked, /** @type {() => void} */ onclick) =>
    h('button', {
      type: 'button',
      role: checked === null ? 'menuitem' : 'menuitemradio',
      'aria-checked': checked === null ? null : String(checked),
      class: 'flex w-full items-center gap-2 rounded-lg px-3 py-1.5 text-left hover:bg-slate-100 dark:hover:bg-slate-700',
      onclick,
    }, h('span', { class: 'w-4 text-brand-600', 'aria-hidden': 'true' }, checked ? '✓' : ''), label);
  const heading = (/** @type {string} */ text) => h('p', { class: 'px-3 pt-1 pb-0.5 text-xs font-semibold tracking-wide text-slate-500 uppercase' }, text);

  const popover = openPopover(anchor, { label: 'Notifications for this chat', role: 'menu', className: 'w-60' },
    heading('Notify me of'),
    NOTIFY_CHOICES.map(([value, label]) => item(label, notify === value, () => choose({ notify: value }))),
    h('hr', { class: 'my-1 border-slate-200 dark:border-slate-700' }),
    heading(muteText(chat, now) ?? 'Mute'),
    MUTE_CHOICES.map(([value, label]) => item(label, null, () => choose({ muted_until: muteUntil(value, Date.now()) }))),
    muted && item('Unmute', null, () => choose({ muted_until: null })),
  );
  return popover;
}
