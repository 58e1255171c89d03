// Replies as data: the quote a reply shows before the server has stored it (the
// same shape as MessageOut.reply_to), and which message the composer of each chat
// is replying to.

/** @typedef {import('./types.js').Message} Message */
/** @typedef {import('./types.js').ReplyTo} ReplyTo */

export const EXCERPT_LENGTH = 100;

/**
 * A message as a reply shows it, like the server's `reply_to` (excerpt at most 100
 * characters, on one line).
 * @param {Pick<Message, 'id' | 'sender_id' | 'content'> & {attachment?: import('./types.js').Attachment | null}} message
 * @returns {ReplyTo}
 */
export function quoteOf(message) {
  const text = (message.content ?? '').replace(/\s+/g, ' ').trim();
  const excerpt = text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH - 1)}…` : text;
  return { id: message.id, sender_id: message.sender_id, excerpt: excerpt || (message.attachment ? message.attachment.name : ''), deleted: false };
}

/**
 * Which message the composer replies to, per chat (switching chats and back keeps it).
 */
export function createReplyState() {
  /** @type {Map<number, Message>} */
  const replying = new Map();
  return {
    /** @param {number} chatId @returns {Message | null} */
    get: (chatId) => replying.get(chatId) ?? null,
    /** @param {Message} message */
    start(message) {
      replying.set(message.chat_id, message);
    },
    /** @param {number} chatId */
    cancel(chatId) {
      replying.delete(chatId);
    },
    /**
     * Sending: the id to send as reply_to_id (and forget), or undefined.
     * @param {number} chatId
     */
    take(chatId) {
      const message = replying.get(chatId);
      replying.delete(chatId);
      return message ? message.id : undefined;
    },
    /** The message was deleted: a reply to it can no longer be sent. @param {number} chatId @param {number} messageId */
    forget(chatId, messageId) {
      if (replying.get(chatId)?.id === messageId) replying.delete(chatId);
    },
    /**
     * Keyboard: the message before (`step` -1) or after (+1) the one being replied to
     * among `messages`; from nothing, -1 picks the last. Past the newest: null (cancel).
     * @param {readonly Message[]} messages
     * @param {number} chatId
     * @param {-1 | 1} step
     * @returns {Message | null}
     */
    move(messages, chatId, step) {
      const current = replying.get(chatId);
      const i = current ? messages.findIndex((m) => m.id === current.id) : messages.length;
      const next = messages[Math.max(0, (i < 0 ? messages.length : i) + step)] ?? null;
      if (next && next !== current) replying.set(chatId, next);
      else if (!next) replying.delete(chatId);
      return next ?? null;
    },
  };
}
