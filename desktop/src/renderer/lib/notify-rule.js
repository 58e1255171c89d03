// "Notify or not": the same rules the server applies before a push
// (parley.notifications.rules, docs/API-EXTENSIONS.md "Who is pushed"), applied here to
// the notifications this client raises while it is open, and the mute state the chat
// list and the badge total show. Pure functions of their arguments and the time given.

/** @typedef {import('./types.js').Chat} Chat */
/** @typedef {import('./types.js').Message} Message */
/** @typedef {import('./types.js').NotificationSettings} NotificationSettings */

/**
 * "Forever": the server takes any aware timestamp up to year 9999 and has no separate
 * flag, so a mute for ever is a mute until the last day it accepts.
 */
export const FOREVER = '9999-12-31T23:59:59Z';

/** A mute that ends after this year is shown as "forever". */
const FOREVER_AFTER_YEAR = 9000;

/**
 * The chat's mute is running at `now`.
 * @param {Pick<Chat, 'muted_until'>} chat
 * @param {number} now  ms since the epoch
 */
export function isMuted(chat, now) {
  if (!chat.muted_until) return false;
  const until = Date.parse(chat.muted_until);
  return Number.isFinite(until) && until > now;
}

/** The mute is "forever" (a far-future time). @param {Pick<Chat, 'muted_until'>} chat */
export function isMutedForever(chat) {
  return Boolean(chat.muted_until) && new Date(/** @type {string} */ (chat.muted_until)).getUTCFullYear() >= FOREVER_AFTER_YEAR;
}

/**
 * Quiet in the chat list: muted now, or set to notify of nothing.
 * @param {Pick<Chat, 'muted_until' | 'notify'>} chat
 * @param {number} now
 */
export function isSilenced(chat, now) {
  return chat.notify === 'none' || isMuted(chat, now);
}

/**
 * When the next running mute ends (ms since the epoch), or null: the list and the total
 * change then without any event, so their owners set a timer for it.
 * @param {Iterable<Pick<Chat, 'muted_until'>>} chats
 * @param {number} now
 */
export function nextMuteEnd(chats, now) {
  let next = null;
  for (const chat of chats) {
    if (!isMuted(chat, now) || isMutedForever(chat)) continue;
    const until = Date.parse(/** @type {string} */ (chat.muted_until));
    if (next === null || until < next) next = until;
  }
  return next;
}

/** Longest a timer is set for (setTimeout overflows past about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The tray/badge total: unread messages of chats that are not silenced, and the unread
 * mentions of those that are (a mention still counts in a muted chat).
 * @param {Iterable<Chat>} chats
 * @param {number} now
 */
export function badgeTotal(chats, now) {
  let total = 0;
  for (const chat of chats) total += isSilenced(chat, now) ? chat.mention_count || 0 : chat.unread_count || 0;
  return total;
}

/**
 * Minutes since midnight of `now` on the wall clock of `timeZone` (summer time followed,
 * from the browser's time zone data). An unknown zone reads as UTC.
 * @param {number} now
 * @param {string} timeZone
 */
export function minutesIn(now, timeZone) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  } catch {
    parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  }
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return (hour % 24) * 60 + minute;
}

/** "HH:MM" → minutes since midnight. @param {string} text */
function minutesOf(text) {
  const [h = '0', m = '0'] = text.split(':');
  return Number(h) * 60 + Number(m);
}

/**
 * Inside the quiet hours at `now`: `start` inclusive, `end` exclusive; an end before the
 * start crosses midnight.
 * @param {NotificationSettings['quiet_hours'] | undefined} quiet
 * @param {number} now
 */
export function inQuietHours(quiet, now) {
  if (!quiet) return false;
  const t = minutesIn(now, quiet.time_zone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  return start < end ? t >= start && t < end : t >= start || t < end;
}

/**
 * The message is for me in particular: it mentions me or answers one of my messages.
 * @param {Message} message
 * @param {number | undefined} meId
 */
export function isForMe(message, meId) {
  if (meId === undefined) return false;
  return Boolean(message.mentions?.includes(meId)) || message.reply_to?.sender_id === meId;
}

/**
 * Whether a new message raises a notification, by the server's rules: never my own;
 * nothing from a chat set to `none`; with `mentions`, and while muted, only messages
 * that mention me or reply to me; in quiet hours only the allowed people get through
 * (mentions do not break quiet hours).
 * @param {object} input
 * @param {Message} input.message
 * @param {Pick<Chat, 'notify' | 'muted_until'>} input.chat
 * @param {number | undefined} input.meId
 * @param {NotificationSettings | undefined} input.settings  my account's (UserOut.notifications)
 * @param {number} input.now
 */
export function shouldNotify({ message, chat, meId, settings, now }) {
  if (message.sender_id === meId) return false;
  const notify = chat.notify ?? 'all';
  if (notify === 'none') return false;
  const forMe = isForMe(message, meId);
  if ((notify === 'mentions' || isMuted(chat, now)) && !forMe) return false;
  if (inQuietHours(settings?.quiet_hours, now) && !settings?.allowed_user_ids?.includes(message.sender_id)) return false;
  return true;
}
