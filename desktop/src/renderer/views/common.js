// Small pieces shared by the views: avatars.
import { h } from '../lib/dom.js';

const AVATAR_COLOURS = [
  'bg-rose-500', 'bg-orange-500', 'bg-amber-500', 'bg-emerald-500',
  'bg-teal-500', 'bg-sky-500', 'bg-indigo-500', 'bg-violet-500', 'bg-fuchsia-500',
];

/** @param {string} name */
function initials(name) {
  const words = String(name).trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[1][0] : String(name).slice(0, 2);
  return letters.toUpperCase();
}

/**
 * The person's picture (`src`: an avatar_url resolved against the server) or, without
 * one or when it fails to load, a coloured circle with initials; decorative (the name
 * is always next to it).
 * @param {{name: string, seed: number, size?: string, online?: boolean, src?: string | null}} o
 */
export function avatar({ name, seed, size = 'size-11 text-sm', online = false, src = null }) {
  const colour = AVATAR_COLOURS[Math.abs(Number(seed) || 0) % AVATAR_COLOURS.length];
  const circle = h('div', { class: `flex h-full w-full items-center justify-center rounded-full font-semibold text-white ${colour} ${size}` }, initials(name));
  /** @type {HTMLImageElement | null} */
  let picture = null;
  if (src) {
    const img = h('img', { src, alt: '', draggable: 'false', class: 'avatar-img h-full w-full rounded-full bg-slate-200 object-cover dark:bg-slate-700' });
    // Removed, replaced or unreachable: the initials, as if there were no picture.
    img.addEventListener('error', () => img.replaceWith(circle), { once: true });
    picture = img;
  }
  return h(
    'div',
    { class: `relative shrink-0 ${size.split(' ')[0]}`, 'aria-hidden': 'true' },
    picture ?? circle,
    online &&
      h('span', { class: 'absolute right-0 bottom-0 size-3 rounded-full bg-emerald-500 ring-2 ring-white dark:ring-slate-900' }),
  );
}
