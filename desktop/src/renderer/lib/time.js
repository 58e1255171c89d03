// Dates as people read them in a chat: "14:05", "Yesterday", "Mon 3 Mar".

/** @param {Date} date */
const dayKeyOf = (date) => `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;

/** @param {string} iso */
export function dayKey(iso) {
  return dayKeyOf(new Date(iso));
}

/** @param {string} iso @param {string} [locale] */
export function timeLabel(iso, locale) {
  return new Date(iso).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}

/** @param {string} iso @param {Date} [now] @param {string} [locale] */
export function dayLabel(iso, now = new Date(), locale = undefined) {
  const date = new Date(iso);
  const key = dayKeyOf(date);
  if (key === dayKeyOf(now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (key === dayKeyOf(yesterday)) return 'Yesterday';
  /** @type {Intl.DateTimeFormatOptions} */
  const options = { weekday: 'long', day: 'numeric', month: 'long' };
  if (date.getFullYear() !== now.getFullYear()) options.year = 'numeric';
  return date.toLocaleDateString(locale, options);
}

/**
 * Short stamp for the chat list: time today, weekday this week, date before.
 * @param {string} iso
 * @param {Date} [now]
 * @param {string} [locale]
 */
export function listStamp(iso, now = new Date(), locale = undefined) {
  const date = new Date(iso);
  if (dayKeyOf(date) === dayKeyOf(now)) return timeLabel(iso, locale);
  const days = (now.getTime() - date.getTime()) / 86_400_000;
  if (days < 6) return date.toLocaleDateString(locale, { weekday: 'short' });
  return date.toLocaleDateString(locale, { day: 'numeric', month: 'short' });
}
