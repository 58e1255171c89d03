// Every server → client event type (../shared/API.md). tests/test_event_catalogue.py
// checks this list against the server's catalogue, so the two cannot drift.
export const EVENTS = Object.freeze({
  MESSAGE_ACK: 'message.ack',
  MESSAGE_NEW: 'message.new',
  MESSAGE_UPDATED: 'message.updated',
  MESSAGE_DELETED: 'message.deleted',
  CHAT_READ: 'chat.read',
  TYPING: 'typing',
  PRESENCE: 'presence',
  CHAT_CREATED: 'chat.created',
  CHAT_UPDATED: 'chat.updated',
  MEMBER_ADDED: 'member.added',
  MEMBER_REMOVED: 'member.removed',
  REACTION_ADDED: 'reaction.added',
  REACTION_REMOVED: 'reaction.removed',
  CHAT_SETTINGS: 'chat.settings',
  NOTIFICATIONS_SETTINGS: 'notifications.settings',
  EXPORT_PROGRESS: 'export.progress',
  ERROR: 'error',
  PONG: 'pong',
});

// Every client → server frame type. This client sends only typing and ping: messages
// and read markers go over REST, whose answers the outbox and read policy rely on.
export const FRAMES = Object.freeze({
  MESSAGE_SEND: 'message.send',
  TYPING: 'typing',
  READ: 'read',
  PING: 'ping',
});

/** @typedef {typeof EVENTS[keyof typeof EVENTS]} EventType */
/** @typedef {import('./types.js').Message} Message */
/** @typedef {import('./types.js').Chat} Chat */

/**
 * The events' payloads, one member per type.
 * @typedef {{type: typeof EVENTS.MESSAGE_ACK, client_id: string, message: Message}
 *   | {type: typeof EVENTS.MESSAGE_NEW, chat_id: number, message: Message}
 *   | {type: typeof EVENTS.MESSAGE_UPDATED, chat_id: number, message: Message}
 *   | {type: typeof EVENTS.MESSAGE_DELETED, chat_id: number, message_id: number}
 *   | {type: typeof EVENTS.CHAT_READ, chat_id: number, user_id: number, message_id: number}
 *   | {type: typeof EVENTS.TYPING, chat_id: number, user_id: number}
 *   | {type: typeof EVENTS.PRESENCE, user_id: number, online: boolean, last_seen_at?: string | null}
 *   | {type: typeof EVENTS.CHAT_CREATED, chat: Chat}
 *   | {type: typeof EVENTS.CHAT_UPDATED, chat: Chat}
 *   | {type: typeof EVENTS.MEMBER_ADDED, chat_id: number, user_id: number}
 *   | {type: typeof EVENTS.MEMBER_REMOVED, chat_id: number, user_id: number}
 *   | {type: typeof EVENTS.REACTION_ADDED, chat_id: number, message_id: number, emoji: string, user_id: number}
 *   | {type: typeof EVENTS.REACTION_REMOVED, chat_id: number, message_id: number, emoji: string, user_id: number}
 *   | {type: typeof EVENTS.CHAT_SETTINGS, chat_id: number, notify: 'all' | 'mentions' | 'none', muted_until: string | null}
 *   | {type: typeof EVENTS.NOTIFICATIONS_SETTINGS, settings: {quiet_hours: {start: string, end: string, time_zone: string} | null, allowed_user_ids: number[], push_previews: boolean}}
 *   | {type: typeof EVENTS.EXPORT_PROGRESS, export: import('./account-api.js').ExportJob}
 *   | {type: typeof EVENTS.ERROR, code?: string, detail?: string, client_id?: string}
 *   | {type: typeof EVENTS.PONG}} ServerEvent
 */

/**
 * The payload of one event type.
 * @template {EventType} T
 * @typedef {Extract<ServerEvent, {type: T}>} EventOf
 */
