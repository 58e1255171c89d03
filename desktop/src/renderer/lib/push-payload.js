// What a push says, shared by the service worker (sw.js), which shows it, and the page
// (lib/pwa.js), which opens the chat a click names. The payload is the server's
// (src/parley/actions/push.py): {type: 'message', tag, chat_id, chat_name, sender_name,
// message_id, text?} or {type: 'test', tag, title, text}.

/** The message a clicked notification sends an open window: open this chat. */
export const OPEN_CHAT = 'parley:open-chat';

/**
 * The notification for one push. A message: who wrote (and where, in a group) and,
 * when the user opted in to previews, what; a test: the server's own words.
 * @param {any} payload
 * @returns {{title: string, options: NotificationOptions & {data: {chatId: number | null}}}}
 */
export function notificationFor(payload) {
  if (payload?.type === 'message') {
    const group = payload.chat_name && payload.chat_name !== payload.sender_name;
    return {
      title: group ? `${payload.sender_name} in ${payload.chat_name}` : String(payload.sender_name ?? 'Parley'),
      options: {
        body: payload.text || 'New message',
        tag: payload.tag ?? `chat-${payload.chat_id}`,
        icon: 'icons/icon-192.png',
        data: { chatId: Number(payload.chat_id) || null },
      },
    };
  }
  return {
    title: String(payload?.title ?? 'Parley'),
    options: { body: String(payload?.text ?? ''), tag: payload?.tag ?? 'parley-test', icon: 'icons/icon-192.png', data: { chatId: null } },
  };
}

