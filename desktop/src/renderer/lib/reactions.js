// Reactions as state: a message's `reactions` ([{emoji, count, me}], from the server)
// plus who we know reacted (from reaction.added/removed events since the page
// loaded: the message carries only counts). Both my REST call and its event arrive for
// my own toggle, and events may repeat: each change is applied only if it changes
// what is known, so nothing is counted twice.
// Who reacted, by name, is asked of the server (GET …/reactions) when someone hovers
// or focuses a reaction, and kept per message until a reaction event for it
// (createReactorCache); until then a reaction is described by its count.

/** @typedef {import('./types.js').Reaction} Reaction */
/** @typedef {import('./types.js').ReactionUsers} ReactionUsers */
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

/** @param {string[]} parts  "A", "A and B", "A, B and C" */
function listed(parts) {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** @param {number} n @param {string} one @param {string} many */
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/**
 * A reaction in words from its count alone, while the names are not known:
 * "You and 2 others", "3 people".
 * @param {Reaction} reaction
 */
export function reactionSummary(reaction) {
  const others = Math.max(0, reaction.count - (reaction.me ? 1 : 0));
  if (!reaction.me) return plural(others, 'person', 'people');
  return others ? `You and ${plural(others, 'other', 'others')}` : 'You';
}

/**
 * Who reacted with one emoji, in words: "You, Bob Builder and Carol Danvers". I come
 * first, as "You"; the others in the order they reacted. People this client cannot
 * name (they left the chat and share no other chat with me) are "someone", or counted
 * ("and 2 others") when there are several; past `most` names the rest are counted too.
 * @param {readonly number[]} userIds  in reaction order (the server's)
 * @param {number | undefined} meId
 * @param {(userId: number) => string | null} nameOf  null: not known here
 * @param {number} [most]
 */
export function reactorsText(userIds, meId, nameOf, most = 8) {
  /** @type {string[]} */
  const names = userIds.includes(/** @type {number} */ (meId)) ? ['You'] : [];
  let unknown = 0;
  for (const userId of userIds) {
    if (userId === meId) continue;
    const name = nameOf(userId);
    if (name) names.push(name);
    else unknown += 1;
  }
  const shown = names.slice(0, most);
  const rest = names.length - shown.length + unknown;
  if (rest === 1 && shown.length === names.length) shown.push(shown.length ? 'someone' : 'Someone');
  else if (rest) shown.push(shown.length ? plural(rest, 'other', 'others') : plural(rest, 'person', 'people'));
  return listed(shown);
}

/**
 * Whether the names still describe the reactions the client shows: the same emoji,
 * each with as many people and me among them exactly when `me`. A reaction event
 * missed (while the socket was down) shows up here.
 * @param {readonly ReactionUsers[]} users
 * @param {readonly Reaction[]} reactions
 * @param {number | undefined} meId
 */
export function reactorsMatch(users, reactions, meId) {
  if (users.length !== reactions.length) return false;
  const byEmoji = new Map(users.map((u) => [u.emoji, u.user_ids]));
  return reactions.every((r) => {
    const ids = byEmoji.get(r.emoji);
    return ids !== undefined && ids.length === r.count && (meId === undefined || ids.includes(meId) === r.me);
  });
}

/**
 * Who reacted to which message, asked of the server only when someone wants to know
 * and kept until told it changed (`forget` on a reaction event or my own toggle;
 * `clear` when events may have been missed). One request per message at a time; an
 * answer that was already out of date when it came (a reaction event arrived while it
 * was under way) is not kept, and is asked for again.
 * @param {{load: (chatId: number, messageId: number) => Promise<ReactionUsers[]>, keep?: number}} deps
 *   `keep`: how many messages' answers are remembered (the most recently asked)
 */
export function createReactorCache({ load, keep = 200 }) {
  /** @type {Map<number, ReactionUsers[]>} */
  const known = new Map();
  /** @type {Map<number, Promise<ReactionUsers[] | null>>} */
  const asking = new Map();

  /** @param {number} chatId @param {number} messageId @param {number} tries @returns {Promise<ReactionUsers[] | null>} */
  function ask(chatId, messageId, tries) {
    const request = load(chatId, messageId).then(
      (users) => {
        if (asking.get(messageId) !== request) {
          // Forgotten while under way: a reaction changed since it was asked. Another
          // request may have started since; else ask again (a few times at most).
          return asking.get(messageId) ?? (tries > 1 ? ask(chatId, messageId, tries - 1) : users);
        }
        asking.delete(messageId);
        known.set(messageId, users);
        if (known.size > keep) known.delete(/** @type {number} */ (known.keys().next().value));
        return users;
      },
      () => {
        if (asking.get(messageId) === request) asking.delete(messageId);
        return null;
      },
    );
    asking.set(messageId, request);
    return request;
  }

  return {
    /** What is known about a message, without asking. @param {number} messageId */
    peek: (messageId) => known.get(messageId) ?? null,
    /**
     * Who reacted, from memory or the server; null if the server could not say.
     * @param {number} chatId
     * @param {number} messageId
     * @returns {Promise<ReactionUsers[] | null>}
     */
    get(chatId, messageId) {
      const users = known.get(messageId);
      if (users) return Promise.resolve(users);
      return asking.get(messageId) ?? ask(chatId, messageId, 3);
    },
    /** A reaction to the message was added or removed. @param {number} messageId */
    forget(messageId) {
      known.delete(messageId);
      asking.delete(messageId);
    },
    clear() {
      known.clear();
      asking.clear();
    },
  };
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
