// The shapes the client works with, for the type checker (jsconfig.json): objects of
// the wire contract (../shared/API.md) and the outbox's entries. Types only.

/**
 * UserPublic; UserOut (yourself) adds email and created_at.
 * @typedef {object} User
 * @property {number} id
 * @property {string} username
 * @property {string} [display_name]
 * @property {string | null} [email]  null: an account without e-mail
 * @property {string} [created_at]
 * @property {boolean} [is_admin]  yourself only (UserOut): administers the server
 * @property {boolean} [online]
 * @property {string | null} [last_seen_at]
 * @property {string | null} [avatar_url]  relative to the server; null: initials instead
 * @property {NotificationSettings} [notifications]  yourself only (UserOut)
 */

/**
 * My account-wide notification settings (docs/API-EXTENSIONS.md).
 * @typedef {object} NotificationSettings
 * @property {{start: string, end: string, time_zone: string} | null} quiet_hours
 * @property {number[]} allowed_user_ids
 * @property {boolean} push_previews
 */

/** @typedef {{user: User, role: 'owner' | 'admin' | 'member'}} Member */

/**
 * A file as a message shows it (MessageOut.attachment). URLs are signed and relative
 * to the server; `id` and the original's size, when known, keep a thumbnail's box.
 * @typedef {object} Attachment
 * @property {number} [id]
 * @property {string} name
 * @property {number} size
 * @property {string} [content_type]
 * @property {boolean} is_image
 * @property {string | null} url
 * @property {string | null} [thumbnail_url]
 * @property {number} [width]
 * @property {number} [height]
 */

/**
 * A file uploaded for a message not sent yet (lib/upload.js toAttachment): `ref` is
 * what the message will send as attachment_url, the rest shows it like a sent one.
 * @typedef {Attachment & {ref: string}} UploadedFile
 */

/** MessageOut.reply_to: the quoted message (excerpt empty once it is deleted). @typedef {{id: number, sender_id: number, excerpt: string, deleted: boolean}} ReplyTo */
/** One emoji under a message: how many reacted, and whether I did. @typedef {{emoji: string, count: number, me: boolean}} Reaction */
/** GET …/messages/{id}/reactions: who reacted with one emoji, in reaction order. @typedef {{emoji: string, user_ids: number[]}} ReactionUsers */
/**
 * MessageOut.preview: the card of the first link, fetched by the server after sending.
 * @typedef {{url: string, title?: string | null, description?: string | null, image_url?: string | null, site_name?: string | null}} LinkPreview
 */

/**
 * MessageOut.
 * @typedef {object} Message
 * @property {number} id
 * @property {number} chat_id
 * @property {number} sender_id
 * @property {string} content
 * @property {string | null} [attachment_url]
 * @property {Attachment | null} [attachment]
 * @property {string} created_at
 * @property {string | null} edited_at
 * @property {boolean} is_read
 * @property {string | null} client_id
 * @property {ReplyTo | null} [reply_to]
 * @property {Reaction[]} [reactions]
 * @property {number[]} [mentions]   user ids
 * @property {LinkPreview | null} [preview]
 */

/**
 * ChatOut.
 * @typedef {object} Chat
 * @property {number} id
 * @property {boolean} is_group
 * @property {string | null} title
 * @property {string} created_at
 * @property {Member[]} members
 * @property {Message | null} last_message
 * @property {number} unread_count
 * @property {number} [mention_count]  my unread messages that mention me
 * @property {'all' | 'mentions' | 'none'} [notify]  my own view of the chat
 * @property {string | null} [muted_until]  my own view of the chat
 */

/**
 * One hit of GET /search/messages: `highlights` are [start, end) ranges in code points
 * (not UTF-16 units) into `message.content`.
 * @typedef {object} SearchResult
 * @property {Message} message
 * @property {number} chat_id
 * @property {[number, number][]} highlights
 */

/**
 * A page of search results; `next_cursor` asks for the next (older) page, null at the end.
 * @typedef {{results: SearchResult[], next_cursor: string | null}} SearchPage
 */

/**
 * A message the server has not accepted yet (lib/outbox.js): shown as pending, or as
 * failed with the reason in words.
 * @typedef {object} OutboxEntry
 * @property {undefined} [id]  none until the server stores it: views tell pending messages by that
 * @property {string} client_id
 * @property {number} chat_id
 * @property {string} content
 * @property {string} created_at
 * @property {'pending' | 'failed'} status
 * @property {string} [error]
 * @property {string} [attachment_url]  what POST /attachments answered as `url`
 * @property {Attachment} [attachment]
 * @property {number} [reply_to_id]  sent as reply_to_id
 * @property {ReplyTo} [reply_to]    the quote, shown while pending
 */

/**
 * The timer functions a module uses, injectable so tests control time.
 * @typedef {object} Timers
 * @property {(fn: () => void, ms: number) => any} setTimeout
 * @property {(id: any) => void} clearTimeout
 */

/**
 * GET /push/subscriptions: one of my devices and its last pushes, newest first
 * (`status`: the push service's HTTP status, null when it never answered).
 * @typedef {{id: number, endpoint: string, device: string | null, created_at: string,
 *   deliveries: {at: string, message_id: number | null, status: number | null, error: string | null}[]}} PushDevice
 */

export {};
