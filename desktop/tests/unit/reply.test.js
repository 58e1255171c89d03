// Replies as state: the quote a pending reply shows, which message each chat's
// composer answers (keyboard moves included), the outbox keeping reply_to_id across
// a restart, loading the page around a quoted message without leaving a hole, and
// quotes of deleted messages.
import { describe, expect, it, vi } from 'vitest';
import { createOutbox } from '../../src/renderer/lib/outbox.js';
import { EXCERPT_LENGTH, createReplyState, quoteOf } from '../../src/renderer/lib/reply.js';
import { createActions } from '../../src/renderer/messenger/actions.js';
import { FIRST_PAGE, OLDER_PAGE, createHistory } from '../../src/renderer/messenger/history.js';
import { MemoryStorage } from './memory-storage.js';
import { BOB, ME, directChat, fakeApi, message, storeWith } from './messenger/helpers.js';

const page = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i, 5, BOB.id));

describe('quoteOf', () => {
  it('is shaped like the server reply_to: one line, at most 100 characters', () => {
    expect(quoteOf(message(3, 5, BOB.id, { content: 'Are you\n  coming?' }))).toEqual({ id: 3, sender_id: BOB.id, excerpt: 'Are you coming?', deleted: false });
    const long = quoteOf(message(3, 5, BOB.id, { content: 'x'.repeat(300) }));
    expect(long.excerpt).toHaveLength(EXCERPT_LENGTH);
    expect(long.excerpt.endsWith('…')).toBe(true);
    expect(quoteOf(message(3, 5, BOB.id, { content: '', attachment: { name: 'cat.png' } })).excerpt).toBe('cat.png');
  });
});

describe('reply state', () => {
  const messages = [message(1, 5, BOB.id), message(2, 5, ME.id), message(3, 5, BOB.id)];

  it('one reply per chat; sending takes it', () => {
    const replies = createReplyState();
    replies.start(messages[0]);
    replies.start(message(9, 6, BOB.id));
    expect(replies.get(5)?.id).toBe(1);
    expect(replies.take(5)).toBe(1);
    expect(replies.get(5)).toBeNull();
    expect(replies.take(5)).toBeUndefined();
    expect(replies.get(6)?.id).toBe(9);
    replies.cancel(6);
    expect(replies.get(6)).toBeNull();
  });

  it('the keyboard moves from the last message up and back down, past the newest to none', () => {
    const replies = createReplyState();
    expect(replies.move(messages, 5, -1)?.id).toBe(3);
    expect(replies.move(messages, 5, -1)?.id).toBe(2);
    expect(replies.move(messages, 5, -1)?.id).toBe(1);
    expect(replies.move(messages, 5, -1)?.id).toBe(1); // stays at the oldest loaded
    expect(replies.move(messages, 5, 1)?.id).toBe(2);
    replies.move(messages, 5, 1);
    expect(replies.move(messages, 5, 1)).toBeNull();
    expect(replies.get(5)).toBeNull();
  });

  it('forgets a reply to a message that was deleted', () => {
    const replies = createReplyState();
    replies.start(messages[2]);
    replies.forget(5, 2);
    expect(replies.get(5)?.id).toBe(3);
    replies.forget(5, 3);
    expect(replies.get(5)).toBeNull();
  });
});

describe('sending a reply', () => {
  it('the outbox keeps reply_to_id (sent) and the quote (shown while pending) across a restart', () => {
    const storage = new MemoryStorage();
    createOutbox(storage, 'k').add(5, 'yes', null, quoteOf(message(3, 5, BOB.id, { content: 'Coming?' })));
    const [entry] = createOutbox(storage, 'k').list();
    expect(entry).toMatchObject({ chat_id: 5, content: 'yes', reply_to_id: 3, reply_to: { id: 3, excerpt: 'Coming?', deleted: false } });
  });

  it('actions.send passes the quote of the message answered to the outbox', () => {
    const outgoing = { send: vi.fn() };
    const store = storeWith([directChat(5)]);
    const actions = createActions({ store, api: fakeApi(), server: '', history: {}, sync: {}, reading: {}, outgoing, socket: {}, dialogs: {}, stop: vi.fn(), onError: vi.fn() });
    actions.send(5, 'yes', null, message(3, 5, BOB.id, { content: 'Coming?' }));
    expect(outgoing.send).toHaveBeenCalledWith(5, 'yes', null, { id: 3, sender_id: BOB.id, excerpt: 'Coming?', deleted: false });
  });
});

describe('jumping to a quoted message', () => {
  function setup(getMessages) {
    const store = storeWith([directChat(5)]);
    const api = fakeApi({ getMessages: vi.fn(getMessages) });
    const history = createHistory({ store, api, onError: vi.fn() });
    store.addPage(5, page(500, 549), { limit: FIRST_PAGE, older: false });
    return { store, api, history };
  }

  it('a loaded message needs no request', async () => {
    const { api, history } = setup(async () => []);
    expect(await history.loadAround(5, 520)).toBe(true);
    expect(api.getMessages).not.toHaveBeenCalled();
  });

  it('loads the page around it, then the pages up to what is loaded: no hole in the timeline', async () => {
    const { store, api, history } = setup(async (_chat, cursor) => {
      if (cursor.around) return page(275, 324);
      return page(cursor.after + 1, Math.min(cursor.after + cursor.limit, 549));
    });
    expect(await history.loadAround(5, 300)).toBe(true);
    expect(api.getMessages.mock.calls.map(([, c]) => c)).toEqual([
      { around: 300, limit: FIRST_PAGE },
      { after: 324, limit: OLDER_PAGE },
      { after: 424, limit: OLDER_PAGE },
    ]);
    const ids = store.timeline(5).messages.map((m) => m.id);
    expect(ids[0]).toBe(275);
    expect(ids).toEqual(Array.from({ length: 549 - 275 + 1 }, (_, i) => 275 + i));
    expect(store.timeline(5).hasMore).toBe(true);
  });

  it('too far back: shown as a window into the past; gone: false, and the timeline is left as it was', async () => {
    let { store, history } = setup(async (_chat, cursor) => (cursor.around ? page(10, 59) : page(cursor.after + 1, cursor.after + cursor.limit)));
    expect(await history.loadAround(5, 30, { maxPages: 3 })).toBe(true);
    expect(store.timeline(5).messages.some((m) => m.id === 30)).toBe(true);
    expect(store.timeline(5).hasNewer).toBe(true);
    ({ store, history } = setup(async () => page(1, 10)));
    expect(await history.loadAround(5, 30)).toBe(false);
    expect(store.timeline(5).messages).toHaveLength(50);
  });
});

describe('quotes of deleted messages', () => {
  it('a deleted original turns its replies into "deleted message" quotes, also when it was not loaded', () => {
    const store = storeWith([directChat(5)]);
    store.addPage(5, [
      message(10, 5, BOB.id),
      message(11, 5, ME.id, { reply_to: { id: 10, sender_id: BOB.id, excerpt: 'm10', deleted: false } }),
      message(12, 5, ME.id, { reply_to: { id: 3, sender_id: BOB.id, excerpt: 'old', deleted: false } }),
    ], { limit: 50, older: false });
    store.deleteMessage(5, 10);
    store.deleteMessage(5, 3);
    const [a, b] = store.timeline(5).messages;
    expect(a.reply_to).toEqual({ id: 10, sender_id: BOB.id, excerpt: '', deleted: true });
    expect(b.reply_to).toEqual({ id: 3, sender_id: BOB.id, excerpt: '', deleted: true });
  });
});
