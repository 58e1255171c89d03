// Messages the user sent that the server has not accepted yet. They live in
// localStorage (so they survive a restart), are shown as pending, and are sent one
// at a time, in order, each with its client_id: if an answer is lost and the
// message is sent again, the server recognises the client_id and returns the
// original instead of storing a copy — so each message is stored exactly once.
// A message with a file only references it (attachment_url): the file was uploaded
// before the message entered the outbox (lib/upload.js), as uploading needs the server.
import { backoffDelay } from './backoff.js';
import { describeError, isNetworkError } from './errors.js';
import { uuid } from './uuid.js';

/** @typedef {import('./types.js').OutboxEntry} OutboxEntry */
/** @typedef {import('./types.js').Message} Message */

/**
 * @param {Storage} storage
 * @param {string} key   one outbox per server and user
 * @param {{now?: () => string, newId?: () => string}} [options]  clock (ISO 8601) and client_id source
 */
export function createOutbox(storage, key, { now = () => new Date().toISOString(), newId = uuid } = {}) {
  /** @returns {OutboxEntry[]} */
  function read() {
    try {
      const list = JSON.parse(storage.getItem(key) ?? '[]');
      return Array.isArray(list) ? list : [];
    } catch {
      return [];
    }
  }
  /** @param {OutboxEntry[]} list */
  const write = (list) => storage.setItem(key, JSON.stringify(list));
  /** @param {string} clientId @param {Partial<OutboxEntry>} patch */
  const update = (clientId, patch) =>
    write(read().map((e) => (e.client_id === clientId ? { ...e, ...patch } : e)));

  return {
    list: read,
    /** Entries still to be sent, oldest first. */
    pending: () => read().filter((e) => e.status === 'pending'),
    /** @param {string} clientId */
    has: (clientId) => read().some((e) => e.client_id === clientId),
    /**
     * @param {number} chatId
     * @param {string} content
     * @param {import('./types.js').UploadedFile | null} [attachment]  the message references
     *   it by `attachment_url`; the rest lets a pending message show it.
     * @param {import('./types.js').ReplyTo | null} [replyTo]  the message answered: sent as
     *   reply_to_id, shown as the quote while pending
     */
    add(chatId, content, attachment = null, replyTo = null) {
      /** @type {OutboxEntry} */
      const entry = { client_id: newId(), chat_id: chatId, content, created_at: now(), status: 'pending' };
      if (replyTo) Object.assign(entry, { reply_to_id: replyTo.id, reply_to: replyTo });
      if (attachment) {
        const { ref, ...shown } = attachment;
        Object.assign(entry, { attachment_url: ref, attachment: shown });
      }
      write([...read(), entry]);
      return entry;
    },
    /** @param {string} clientId */
    remove: (clientId) => write(read().filter((e) => e.client_id !== clientId)),
    /** @param {string} clientId @param {string} error  the reason in words */
    markFailed: (clientId, error) => update(clientId, { status: 'failed', error }),
    /** Puts a failed entry back in the queue, at the end so that order follows the user's actions. @param {string} clientId */
    retry(clientId) {
      const list = read();
      const entry = list.find((e) => e.client_id === clientId);
      if (!entry) return;
      write([...list.filter((e) => e !== entry), { ...entry, status: 'pending', error: undefined }]);
    },
  };
}

/** Worth trying again later: no answer, a server error, rate limiting or an expired session. @param {any} err */
function isRetriable(err) {
  const status = err?.response?.status;
  return isNetworkError(err) || status === undefined || status >= 500 || status === 429 || status === 401 || status === 408;
}

/**
 * Sends the outbox in order, one request at a time. `flush()` may be called any
 * number of times (on send, on reconnect, on a timer); calls during a run make the
 * run go round once more rather than starting a second, parallel one.
 *
 * @param {object} deps
 * @param {ReturnType<typeof createOutbox>} deps.outbox
 * @param {(entry: OutboxEntry) => Promise<Message>} deps.send   resolves with the stored MessageOut
 * @param {(entry: OutboxEntry, message: Message) => void} deps.onSent
 * @param {(entry: OutboxEntry, reason: string) => void} deps.onFailed   a permanent refusal (e.g. 422)
 */
export function createOutboxSender({ outbox, send, onSent, onFailed }) {
  /** @type {Promise<boolean> | null} */
  let current = null;
  let again = false;

  /** @returns {Promise<boolean>} true when everything pending has been delivered */
  async function drain() {
    for (let entry = outbox.pending()[0]; entry; entry = outbox.pending()[0]) {
      try {
        const message = await send(entry);
        outbox.remove(entry.client_id);
        onSent(entry, message);
      } catch (err) {
        if (isRetriable(err)) return false;
        const reason = describeError(err);
        outbox.markFailed(entry.client_id, reason);
        onFailed(entry, reason);
      }
    }
    return true;
  }

  async function run() {
    let delivered;
    do {
      again = false;
      delivered = await drain();
    } while (again);
    return delivered;
  }

  /** @returns {Promise<boolean>} the outcome of the run that includes this call */
  function flush() {
    if (current) {
      again = true;
      return current;
    }
    current = run().finally(() => {
      current = null;
    });
    return current;
  }

  return { flush };
}

/**
 * Flushes the outbox and, while messages stay undelivered (server down, an error,
 * rate limiting), again on a backing-off timer (lib/backoff.js). The socket's
 * reconnect flushes too, but REST may come back without the socket (a proxy that
 * blocks WebSockets), so waiting for it is not enough.
 *
 * @param {object} deps
 * @param {ReturnType<typeof createOutboxSender>} deps.sender
 * @param {ReturnType<typeof createOutbox>} deps.outbox
 * @param {import('./types.js').Timers} [deps.timers]
 * @param {() => number} [deps.random]
 */
export function createOutboxRetry({ sender, outbox, timers = globalThis, random = Math.random }) {
  /** @type {unknown} */
  let timer;
  let attempt = 0;
  let stopped = false;

  async function flush() {
    timers.clearTimeout(timer);
    const delivered = await sender.flush();
    if (stopped) return;
    if (delivered || !outbox.pending().length) {
      attempt = 0;
      return;
    }
    timers.clearTimeout(timer); // another flush may have scheduled one meanwhile
    timer = timers.setTimeout(flush, backoffDelay(attempt, undefined, random));
    attempt += 1;
  }

  return {
    flush,
    stop() {
      stopped = true;
      timers.clearTimeout(timer);
    },
  };
}
