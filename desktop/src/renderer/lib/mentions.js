// Mention autocomplete in the composer, as data: which "@prefix" the cursor is in,
// which members match it, and the text after choosing one. The view (chat-view.js)
// draws the list and handles the keys.

/** @typedef {import('./types.js').Chat} Chat */

/**
 * A candidate: a member, or @all / @here in a group (`user` null).
 * @typedef {{username: string, label: string, detail: string, userId: number | null}} MentionCandidate
 */

/**
 * The "@prefix" being typed at the cursor: an @ at the start or after whitespace or
 * an opening bracket, followed by username characters up to the cursor.
 * @param {string} text
 * @param {number} cursor  selectionStart
 * @returns {{start: number, query: string} | null}  start: index of the "@"
 */
export function mentionAt(text, cursor) {
  const before = text.slice(0, cursor);
  const match = /(^|[\s([{"'])@([A-Za-z0-9_.]{0,32})$/.exec(before);
  if (!match) return null;
  return { start: before.length - match[2].length - 1, query: match[2] };
}

/**
 * Members whose username or display name starts with `query` (any word of the display
 * name), case-insensitive; exact prefix of the username first. Not me. In groups I
 * own or administer, @all and @here as well.
 * @param {Chat | null} chat
 * @param {string} query
 * @param {number | undefined} meId
 * @param {number} [limit]
 * @returns {MentionCandidate[]}
 */
export function mentionCandidates(chat, query, meId, limit = 8) {
  if (!chat) return [];
  const q = query.toLowerCase();
  /** @type {(MentionCandidate & {rank: number})[]} */
  const found = [];
  for (const { user } of chat.members ?? []) {
    if (user.id === meId) continue;
    const username = user.username.toLowerCase();
    const words = (user.display_name ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const rank = username.startsWith(q) ? 0 : words.some((w) => w.startsWith(q)) ? 1 : -1;
    if (rank < 0) continue;
    found.push({ username: user.username, label: user.display_name || user.username, detail: `@${user.username}`, userId: user.id, rank });
  }
  found.sort((a, b) => a.rank - b.rank || a.username.localeCompare(b.username));
  /** @type {MentionCandidate[]} */
  const list = found.map(({ username, label, detail, userId }) => ({ username, label, detail, userId }));
  // @all/@here mention everyone only when a group's owner or an admin writes them
  // (docs/API-EXTENSIONS.md); from anyone else they are plain text, so not offered.
  const role = chat.members?.find((m) => m.user.id === meId)?.role;
  if (chat.is_group && (role === 'owner' || role === 'admin')) {
    for (const [name, detail] of [['all', 'Everyone in this group'], ['here', 'Everyone in this group']]) {
      if (name.startsWith(q)) list.push({ username: name, label: `@${name}`, detail, userId: null });
    }
  }
  return list.slice(0, limit);
}

/**
 * The text with the "@prefix" at `start` (up to `cursor`) replaced by "@username ",
 * and where the cursor goes.
 * @param {string} text
 * @param {{start: number}} mention
 * @param {number} cursor
 * @param {string} username
 */
export function insertMention(text, mention, cursor, username) {
  const inserted = `@${username} `;
  // A space already after the cursor is not doubled.
  const rest = text.slice(cursor).replace(/^ /, '');
  return { text: text.slice(0, mention.start) + inserted + rest, cursor: mention.start + inserted.length };
}
