import { beforeEach, describe, expect, it } from 'vitest';
import { TOPICS, createStore } from '../../src/renderer/lib/store.js';

const ME = { id: 1, username: 'me' };
let nextTime = Date.parse('2026-11-27T10:00:00Z');
const msg = (id, chatId, senderId, extra = {}) => ({
  id,
  chat_id: chatId,
  sender_id: senderId,
  content: `m${id}`,
  created_at: new Date(nextTime + id * 1000).toISOString(),
  edited_at: null,
  is_read: false,
  client_id: null,
  ...extra,
});
const chat = (id, last = null, extra = {}) => ({
  id,
  is_group: false,
  title: null,
  created_at: '2026-11-01T00:00:00Z',
  members: [{ user: { id: 1, username: 'me' }, role: 'member' }, { user: { id: 2, username: 'bob', display_name: 'Bob' }, role: 'member' }],
  last_message: last,
  unread_count: 0,
  ...extra,
});

describe('store', () => {
  let store;
  let topics;

  beforeEach(() => {
    store = createStore({ now: () => 1000 });
    store.setMe(ME);
    topics = [];
    store.subscribe((t, d) => topics.push([t, d]));
  });

  it('sorts chats by latest activity and tracks the highest message id seen', () => {
    store.setChats([chat(1, msg(5, 1, 2)), chat(2, msg(9, 2, 2)), chat(3)]);
    expect(store.sortedChats().map((c) => c.id)).toEqual([2, 1, 3]);
    expect(store.lastSeenId).toBe(9);
    store.addMessage(msg(12, 1, 2), { countsAsUnread: true });
    expect(store.sortedChats().map((c) => c.id)).toEqual([1, 2, 3]);
    expect(store.lastSeenId).toBe(12);
  });

  it('counts unread once per message, not for own messages, not for already known ones', () => {
    store.setChats([chat(1, msg(5, 1, 2), { unread_count: 1 })]);
    expect(store.addMessage(msg(6, 1, 2), { countsAsUnread: true })).toBe(true);
    expect(store.addMessage(msg(6, 1, 2), { countsAsUnread: true })).toBe(false); // replay duplicate
    store.addMessage(msg(7, 1, 1), { countsAsUnread: true }); // mine
    expect(store.chat(1).unread_count).toBe(2);
    expect(store.totalUnread()).toBe(2);
    // The server's count replaces the guess after a reconnect.
    store.setChats([chat(1, msg(7, 1, 1), { unread_count: 5 })]);
    expect(store.totalUnread()).toBe(5);
  });

  it('merges pages in id order without duplicates and knows when history ends', () => {
    store.setChats([chat(1)]);
    store.addPage(1, [msg(10, 1, 2), msg(11, 1, 1)], { limit: 2, older: false });
    expect(store.timeline(1).hasMore).toBe(true);
    store.addPage(1, [msg(8, 1, 2), msg(10, 1, 2)], { limit: 3, older: true });
    const t = store.timeline(1);
    expect(t.messages.map((m) => m.id)).toEqual([8, 10, 11]);
    expect(t.hasMore).toBe(false);
  });

  it('applies edits and deletions, and says when the preview must be refetched', () => {
    store.setChats([chat(1, msg(11, 1, 2))]);
    store.addPage(1, [msg(10, 1, 2), msg(11, 1, 2)], { limit: 50, older: false });
    store.updateMessage({ ...msg(10, 1, 2), content: 'edited', edited_at: '2026-11-27T11:00:00Z' });
    expect(store.timeline(1).messages[0].content).toBe('edited');
    expect(store.deleteMessage(1, 10)).toBe(false);
    expect(store.deleteMessage(1, 11)).toBe(true);
    expect(store.timeline(1).messages).toEqual([]);
  });

  it('after a reconnect, the newest page replaces what it covers (deletions while away)', () => {
    store.setChats([chat(1)]);
    store.addPage(1, [msg(5, 1, 2), msg(6, 1, 2), msg(7, 1, 2), msg(8, 1, 2)], { limit: 50, older: false });
    // A full page covers ids 6 and up: 7 was deleted, 9 is new; 5 is older, kept.
    store.syncNewest(1, [msg(6, 1, 2), msg(8, 1, 2), msg(9, 1, 2)], { limit: 3 });
    expect(store.timeline(1).messages.map((m) => m.id)).toEqual([5, 6, 8, 9]);
    // A short page is the whole history: anything missing from it is gone.
    store.syncNewest(1, [msg(9, 1, 2)], { limit: 50 });
    expect(store.timeline(1).messages.map((m) => m.id)).toEqual([9]);
  });

  it('marks own messages read on chat.read from someone else, replacing the objects', () => {
    store.setChats([chat(1, msg(12, 1, 1))]);
    store.addPage(1, [msg(10, 1, 1), msg(11, 1, 2), msg(12, 1, 1)], { limit: 50, older: false });
    const before = store.timeline(1).messages;
    store.markRead(1, 2, 10);
    const after = store.timeline(1).messages;
    expect(after.map((m) => m.is_read)).toEqual([true, false, false]);
    expect(after[0]).not.toBe(before[0]);
    expect(after[2]).toBe(before[2]);
    store.markRead(1, 2, 12);
    expect(store.chat(1).last_message.is_read).toBe(true);
  });

  it('clears unread when I read the chat on another device', () => {
    store.setChats([chat(1, msg(12, 1, 2), { unread_count: 3 })]);
    store.markRead(1, ME.id, 12);
    expect(store.chat(1).unread_count).toBe(0);
  });

  it('expires typing indicators and clears them when that user sends', () => {
    let now = 0;
    const s = createStore({ now: () => now });
    s.setMe(ME);
    s.setChats([chat(1)]);
    s.setTyping(1, 2);
    s.setTyping(1, ME.id); // my own typing echo is ignored
    expect(s.typingIn(1)).toEqual([2]);
    now = 7_000;
    expect(s.typingIn(1)).toEqual([]);
    s.setTyping(1, 2);
    s.addMessage(msg(3, 1, 2));
    expect(s.typingIn(1)).toEqual([]);
  });

  it('tracks presence of members across chats', () => {
    store.setChats([chat(1), chat(2)]);
    store.setPresence(2, true);
    expect(store.chat(1).members[1].user.online).toBe(true);
    expect(store.chat(2).members[1].user.online).toBe(true);
    store.setPresence(2, false, '2026-11-27T10:00:00+00:00');
    expect(store.chat(1).members[1].user).toMatchObject({ online: false, last_seen_at: '2026-11-27T10:00:00+00:00' });
  });

  it('groups outbox entries by chat and notifies both old and new chats', () => {
    store.setOutbox([{ client_id: 'a', chat_id: 1 }, { client_id: 'b', chat_id: 2 }]);
    expect(store.pendingFor(1)).toHaveLength(1);
    topics = [];
    store.setOutbox([{ client_id: 'b', chat_id: 2 }]);
    expect(store.pendingFor(1)).toEqual([]);
    expect(topics).toEqual([['timeline', 1], ['timeline', 2]]);
  });
});

// The store's promises to the views (lib/store.js): what it hands out never changes,
// every change is announced, and reading creates nothing.
describe('store promises', () => {
  let store;
  let topics;

  beforeEach(() => {
    store = createStore({ now: () => 1000 });
    store.setMe(ME);
    store.setChats([chat(1, msg(12, 1, 1)), chat(2)]);
    store.addPage(1, [msg(10, 1, 1), msg(11, 1, 2), msg(12, 1, 1)], { limit: 50, older: false });
    topics = [];
    store.subscribe((t, d) => topics.push([t, d]));
  });

  it('never changes a timeline it handed out: every change is a new, frozen value', () => {
    const changes = [
      () => store.addPage(1, [msg(5, 1, 2)], { limit: 100, older: true }),
      () => store.addMessage(msg(13, 1, 2)),
      () => store.updateMessage({ ...msg(11, 1, 2), content: 'edited' }),
      () => store.deleteMessage(1, 10),
      () => store.markRead(1, 2, 12),
      () => store.syncNewest(1, [msg(12, 1, 1)], { limit: 50 }),
    ];
    for (const change of changes) {
      const before = store.timeline(1);
      const messages = before.messages;
      const ids = messages.map((m) => m.id);
      change();
      const after = store.timeline(1);
      expect(after).not.toBe(before);
      expect(before.messages).toBe(messages);
      expect(messages.map((m) => m.id)).toEqual(ids);
      expect(Object.isFrozen(after)).toBe(true);
      expect(Object.isFrozen(after.messages)).toBe(true);
    }
    expect(() => store.timeline(1).messages.push(msg(99, 1, 2))).toThrow(TypeError);
    expect(() => {
      store.timeline(1).loaded = false;
    }).toThrow(TypeError);
  });

  it('hands out lists that cannot be changed behind its back', () => {
    store.setOutbox([{ client_id: 'a', chat_id: 1 }]);
    expect(() => store.pendingFor(1).push({})).toThrow(TypeError);
    expect(() => store.pendingFor(7).push({})).toThrow(TypeError);
    expect(() => store.sortedChats().pop()).toThrow(TypeError);
  });

  it('reading an unknown chat creates nothing: an empty frozen timeline', () => {
    const t = store.timeline(42);
    expect(t).toEqual({ messages: [], loaded: false, hasMore: true, hasNewer: false });
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.messages)).toBe(true);
    expect(store.timeline(43)).toBe(t);
    // Nothing was inserted: a message for that chat is still not put in a timeline.
    store.addMessage(msg(50, 42, 2));
    expect(store.timeline(42)).toBe(t);
    expect(topics).toEqual([]);
  });

  it('announces every change on its topic', () => {
    const cases = [
      [() => store.setTyping(1, 2), [[TOPICS.TYPING, 1]]],
      // The sender's typing indicator ends with their message: that is a typing change too.
      [() => store.addMessage(msg(13, 1, 2)), [[TOPICS.TIMELINE, 1], [TOPICS.TYPING, 1], [TOPICS.CHATS, undefined]]],
      [() => store.setUnread(1, 4), [[TOPICS.CHATS, undefined]]],
      [() => store.setActive(1), [[TOPICS.ACTIVE, 1]]],
      [() => store.setConnection('online'), [[TOPICS.CONNECTION, 'online']]],
      [() => store.setPresence(2, true), [[TOPICS.CHATS, undefined]]],
      [() => store.deleteMessage(1, 10), [[TOPICS.TIMELINE, 1]]],
      // Removing the open chat closes it and drops its history.
      [() => store.removeChat(1), [[TOPICS.ACTIVE, null], [TOPICS.TIMELINE, 1], [TOPICS.CHATS, undefined]]],
    ];
    for (const [change, expected] of cases) {
      topics = [];
      change();
      expect(topics).toEqual(expected);
    }
  });

  it('typing expires without anyone writing to the store', () => {
    let now = 0;
    const s = createStore({ now: () => now });
    s.setTyping(1, 2);
    now = 5_000;
    s.setTyping(1, 3);
    now = 6_500;
    expect(s.typingIn(1)).toEqual([3]);
    expect(s.typingIn(1)).toEqual([3]);
    now = 0;
    expect(s.typingIn(1)).toEqual([2, 3]); // reading removed nothing
  });

  it('names its topics in one frozen list', () => {
    expect(Object.isFrozen(TOPICS)).toBe(true);
    expect(new Set(Object.values(TOPICS)).size).toBe(Object.values(TOPICS).length);
  });
});
