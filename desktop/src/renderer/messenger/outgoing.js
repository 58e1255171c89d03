// The user's outgoing messages: the outbox (lib/outbox.js, kept in localStorage so
// it survives a restart) mirrored into the store, sent in order over REST and
// retried until the server has each one.
import { createOutbox, createOutboxRetry, createOutboxSender } from '../lib/outbox.js';

/**
 * @param {object} deps
 * @param {import('../lib/api.js').Api} deps.api
 * @param {import('../lib/store.js').Store} deps.store
 * @param {Storage} deps.storage
 * @param {string} deps.key      one outbox per server and user
 * @param {import('../lib/types.js').Timers} [deps.timers]
 */
export function createOutgoing({ api, store, storage, key, timers }) {
  const outbox = createOutbox(storage, key);
  const mirror = () => store.setOutbox(outbox.list());
  const sender = createOutboxSender({
    outbox,
    send: (entry) => api.sendMessage(entry.chat_id, entry),
    onSent: (_entry, message) => {
      mirror();
      store.addMessage(message);
    },
    onFailed: () => mirror(),
  });
  const retry = createOutboxRetry({ sender, outbox, timers });
  // What was left unsent last time shows at once, as pending.
  mirror();

  return {
    /** Sends what is pending now (on reconnect, when the browser is back online). */
    flush: retry.flush,
    /**
     * Queues a message and starts sending. With an `attachment` (already uploaded:
     * lib/upload.js) it is queued like any other, so it survives going offline.
     * @param {number} chatId
     * @param {string} content
     * @param {import('../lib/types.js').UploadedFile | null} [attachment]
     * @param {import('../lib/types.js').ReplyTo | null} [replyTo]  the message answered
     */
    send(chatId, content, attachment = null, replyTo = null) {
      outbox.add(chatId, content, attachment, replyTo);
      mirror();
      retry.flush();
    },
    /**
     * The server has stored it (its message.ack, or its message.new seen on another
     * socket): it is no longer pending.
     * @param {string} clientId
     */
    settle(clientId) {
      if (!outbox.has(clientId)) return;
      outbox.remove(clientId);
      mirror();
    },
    /** Sends a failed message again. @param {string} clientId */
    retry(clientId) {
      outbox.retry(clientId);
      mirror();
      retry.flush();
    },
    /** Drops a failed message. @param {string} clientId */
    discard(clientId) {
      outbox.remove(clientId);
      mirror();
    },
    /** How many messages are still unsent (pending or failed). */
    unsent: () => outbox.list().length,
    /** Signing out: nothing of this account stays on the device. */
    forgetAll: () => storage.removeItem(key),
    stop: retry.stop,
  };
}
