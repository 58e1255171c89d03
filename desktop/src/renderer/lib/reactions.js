// Reactions as state: a message's `reactions` ([{emoji, count, me}], from the server)
// plus who we know reacted (from reaction.added/removed events since the page
// loaded: the server gives only counts). Both my REST call and its event arrive for
// my own toggle, and events may repeat: each change is applied only if it changes
// what is known, so nothing is counted twice.

/** @typedef {import('./types.js').Reaction} Reaction */
/**
 * What events told us, per emoji: user id → true (reacted) or false (took it back).
 * Users not in it may still be in the server's count.
 * @typedef {ReadonlyMap<string, ReadonlyMap<number, boolean>>} Reactors
 */

/**
 * The reactions after `userId` added or removed `emoji`, or null when that changes
 * nothing (a duplicate: my REST answer and my event, an event replayed).
 * @param {readonly Reaction[]} reactions
 * @param {Reactors} reactors
 * @param {{emoji: string, userId: number, added: boolean, meId: number | undefined}} change
 * @returns {{reactions: Reaction[], reactors: Reactors} | null}
 */
export function applyReaction(reactions, reactors, { emoji, userId, added, meId }) {
  const mine = userId === meId;
  const current = reactions.find((r) => r.emoji === emoji);
  const known = reactors.get(emoji) ?? new Map();
  let count = current?.count ?? 0;
  let me = current?.me ?? false;
  if (mine) {
    if (me === added) return null;
    me = added;
    count += added ? 1 : -1;
  } else if (added) {
    if (known.get(userId) === true) return null;
    count += 1;
  } else if (known.get(userId) === false) {
    return null;
  } else if (known.get(userId) === true) {
    count -= 1;
  } else {
    // Someone counted in the server's figure but not known to us: only if there is
    // someone else in that count to remove.
    if (count - (me ? 1 : 0) <= 0) return null;
    count -= 1;
  }
  count = Math.max(count, me ? 1 : 0);
  const nextReactors = new Map(reactors);
  if (!mine) nextReactors.set(emoji, new Map(known).set(userId, added));
  /** @type {Reaction[]} */
  let next;
  if (current) {
    next = reactions.map((r) => (r === current ? { emoji, count, me } : r)).filter((r) => r.count > 0);
  } else {
    // New emoji go last: the server orders by first use.
    next = [...reactions, { emoji, count, me }];
  }
  return { reactions: next, reactors: nextReactors };
}

/**
 * Who reacted with one emoji, in words: "You, Bob Builder and 2 others".
 * @param {Reaction} reaction
 * @param {ReadonlyMap<number, boolean> | undefined} known  what events told about others
 * @param {(userId: number) => string} nameOf
 */
export function reactorsText(reaction, known, nameOf) {
  const others = [...(known ?? [])].filter(([, reacted]) => reacted).map(([userId]) => nameOf(userId));
  const names = [...(reaction.me ? ['You'] : []), ...others.slice(0, Math.max(0, reaction.count - (reaction.me ? 1 : 0)))];
  const rest = Math.max(0, reaction.count - names.length);
  if (rest) names.push(names.length ? `${rest} other${rest > 1 ? 's' : ''}` : `${rest} ${rest > 1 ? 'people' : 'person'}`);
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

// Shown first in the picker until the user has favourites of their own.
export const DEFAULT_EMOJI = Object.freeze(['👍', '❤️', '😂', '😮', '😢', '🙏', '🎉', '🔥']);
const KEEP = 24;

/**
 * The emoji this user reacts with most (then most recently), kept in localStorage.
 * @param {Storage | null} storage  none: the defaults only
 * @param {string} key
 * @param {() => number} [now]
 */
export function createFrequentEmoji(storage, key, now = () => Date.now()) {
  /** @returns {Record<string, {n: number, at: number}>} */
  function read() {
    try {
      const data = JSON.parse(storage?.getItem(key) ?? '{}');
      return data && typeof data === 'object' && !Array.isArray(data) ? data : {};
    } catch {
      return {};
    }
  }
  return {
    /** The picker's row: favourites first, topped up with the defaults. @param {number} [size] */
    list(size = 8) {
      const used = Object.entries(read())
        .filter(([, v]) => v && typeof v.n === 'number')
        .sort(([, a], [, b]) => b.n - a.n || b.at - a.at)
        .map(([emoji]) => emoji);
      return [...new Set([...used, ...DEFAULT_EMOJI])].slice(0, size);
    },
    /** Signing out: nothing of this account stays on the device. */
    forget() {
      storage?.removeItem(key);
    },
    /** @param {string} emoji */
    use(emoji) {
      const data = read();
      data[emoji] = { n: (data[emoji]?.n ?? 0) + 1, at: now() };
      // Only the most used are kept, so the entry stays small.
      const kept = Object.entries(data).sort(([, a], [, b]) => b.n - a.n || b.at - a.at).slice(0, KEEP);
      try {
        storage?.setItem(key, JSON.stringify(Object.fromEntries(kept)));
      } catch {
        // Storage full or unavailable: the picker falls back to the defaults.
      }
    },
  };
}
