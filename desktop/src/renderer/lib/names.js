// How chats and people are named on screen (the chat list, the conversation header,
// desktop notifications).

/** @typedef {import('./types.js').Chat} Chat */
/** @typedef {import('./types.js').User} User */

/**
 * The other person in a direct chat (null for groups and chats with oneself).
 * @param {Chat} chat
 * @param {number | undefined} meId
 * @returns {User | null}
 */
export function otherMember(chat, meId) {
  if (chat.is_group) return null;
  return chat.members?.find((m) => m.user.id !== meId)?.user ?? null;
}

/** @param {Chat} chat @param {number | undefined} meId */
export function chatTitle(chat, meId) {
  if (chat.is_group) return chat.title || 'Group';
  const other = otherMember(chat, meId);
  return other ? other.display_name || other.username : 'Saved messages';
}

/** @param {Chat | null} chat @param {number} userId */
export function memberName(chat, userId) {
  const user = chat?.members?.find((m) => m.user.id === userId)?.user;
  return user ? user.display_name || user.username : 'Someone';
}
