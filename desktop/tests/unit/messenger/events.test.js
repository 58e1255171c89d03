import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENTS } from '../../../src/renderer/lib/events.js';
import { TOPICS } from '../../../src/renderer/lib/store.js';
import { createEventHandlers, dispatcher } from '../../../src/renderer/messenger/events.js';
import { BOB, ME, directChat, groupChat, message, storeWith } from './helpers.js';

let store;
let outgoing;
let sync;
let reading;
let notifications;
let toasts;
let handlers;
let handle;

beforeEach(() => {
  store = storeWith([directChat(5, { last_message: message(10, 5, 2) }), groupChat(6, 'Weekend trip')]);
  store.addPage(5, [message(10, 5, 2)], { limit: 50, older: false });
  outgoing = { settle: vi.fn() };
  sync = { refreshChat: vi.fn() };
  reading = { isSeen: vi.fn(() => false), markRead: vi.fn() };
  notifications = { notify: vi.fn(), withdraw: vi.fn() };
  toasts = [];
  handlers = createEventHandlers({ store, outgoing, sync, reading, notifications, toast: (text) => toasts.push(text) });
  handle = dispatcher(handlers);
});

describe('event dispatcher', () => {
  it('has a handler, or an explicit nothing-to-do, for every event of the list', () => {
    expect(Object.keys(handlers).sort()).toEqual(Object.values(EVENTS).sort());
    const idle = Object.entries(handlers).filter(([, handler]) => handler === null).map(([type]) => type);
    expect(idle).toEqual([EVENTS.PONG]);
  });

  it('ignores what it does not know, safely', () => {
    const changes = [];
    store.subscribe((topic) => changes.push(topic));
    for (const event of [
      { type: 'poll.created', chat_id: 5, message_id: 10, poll: {} },
      { type: '__proto__' },
      { type: 'constructor' },
      { type: 'hasOwnProperty' },
      { type: 42 },
      { chat_id: 5 },
      null,
      'message.new',
      { type: EVENTS.PONG },
    ]) {
      expect(() => handle(event)).not.toThrow();
    }
    expect(changes).toEqual([]);
    expect(toasts).toEqual([]);
  });
});

describe('event handlers', () => {
  it('message.new from someone else, chat not in view: added, counted unread, notified', () => {
    handle({ type: EVENTS.MESSAGE_NEW, chat_id: 5, message: message(11, 5, BOB.id) });
    expect(store.timeline(5).messages.map((m) => m.id)).toEqual([10, 11]);
    expect(store.chat(5).unread_count).toBe(1);
    expect(notifications.notify).toHaveBeenCalledWith(expect.objectContaining({ id: 11 }));
    expect(reading.markRead).not.toHaveBeenCalled();
  });

  it('message.new in the chat the user sees: marked read, not notified, not counted', () => {
    reading.isSeen.mockReturnValue(true);
    handle({ type: EVENTS.MESSAGE_NEW, chat_id: 5, message: message(11, 5, BOB.id) });
    expect(reading.markRead).toHaveBeenCalledWith(5);
    expect(notifications.notify).not.toHaveBeenCalled();
    expect(store.chat(5).unread_count).toBe(0);
  });

  it('message.new replayed, or my own: no notification', () => {
    handle({ type: EVENTS.MESSAGE_NEW, chat_id: 5, message: message(10, 5, BOB.id) });
    handle({ type: EVENTS.MESSAGE_NEW, chat_id: 5, message: message(12, 5, ME.id, { client_id: 'c1' }) });
    expect(notifications.notify).not.toHaveBeenCalled();
    // Mine, sent from this device and answered elsewhere: no longer pending.
    expect(outgoing.settle).toHaveBeenCalledWith('c1');
  });

  it('message.new in a chat we do not know yet fetches that chat', () => {
    handle({ type: EVENTS.MESSAGE_NEW, chat_id: 9, message: message(20, 9, BOB.id) });
    expect(sync.refreshChat).toHaveBeenCalledWith(9);
    expect(notifications.notify).not.toHaveBeenCalled();
  });

  it('message.ack settles the outbox entry and shows the stored message', () => {
    handle({ type: EVENTS.MESSAGE_ACK, client_id: 'c2', message: message(11, 5, ME.id, { client_id: 'c2' }) });
    expect(outgoing.settle).toHaveBeenCalledWith('c2');
    expect(store.timeline(5).messages.at(-1)).toMatchObject({ id: 11, client_id: 'c2' });
  });

  it('message.updated and message.deleted change the timeline; deleting the preview refetches the chat', () => {
    handle({ type: EVENTS.MESSAGE_UPDATED, chat_id: 5, message: message(10, 5, BOB.id, { content: 'edited' }) });
    expect(store.timeline(5).messages[0].content).toBe('edited');
    expect(store.chat(5).last_message.content).toBe('edited');
    handle({ type: EVENTS.MESSAGE_DELETED, chat_id: 5, message_id: 10 });
    expect(store.timeline(5).messages).toEqual([]);
    expect(sync.refreshChat).toHaveBeenCalledWith(5);
  });

  it('chat.read, typing and presence go to the store', () => {
    store.addMessage(message(11, 5, ME.id));
    handle({ type: EVENTS.CHAT_READ, chat_id: 5, user_id: BOB.id, message_id: 11 });
    expect(store.timeline(5).messages.at(-1).is_read).toBe(true);
    handle({ type: EVENTS.TYPING, chat_id: 5, user_id: BOB.id });
    expect(store.typingIn(5)).toEqual([BOB.id]);
    handle({ type: EVENTS.PRESENCE, user_id: BOB.id, online: true });
    expect(store.chat(5).members[1].user.online).toBe(true);
  });

  it('chat.created and chat.updated add or replace the chat', () => {
    handle({ type: EVENTS.CHAT_CREATED, chat: groupChat(7, 'Book club') });
    handle({ type: EVENTS.CHAT_UPDATED, chat: groupChat(6, 'Long weekend') });
    expect(store.chat(7).title).toBe('Book club');
    expect(store.chat(6).title).toBe('Long weekend');
  });

  it("chat.updated keeps my own unread and mention counts (the event carries the changer's)", () => {
    store.upsertChat(groupChat(6, 'Trip', { unread_count: 4, mention_count: 2 }));
    handle({ type: EVENTS.CHAT_UPDATED, chat: groupChat(6, 'Long weekend', { unread_count: 0, mention_count: 0 }) });
    expect(store.chat(6)).toMatchObject({ title: 'Long weekend', unread_count: 4, mention_count: 2 });
  });

  it('chat.read from me (any device) withdraws the chat\'s notifications; from others it does not', () => {
    handle({ type: EVENTS.CHAT_READ, chat_id: 5, user_id: BOB.id, message_id: 11 });
    expect(notifications.withdraw).not.toHaveBeenCalled();
    handle({ type: EVENTS.CHAT_READ, chat_id: 5, user_id: ME.id, message_id: 11 });
    expect(notifications.withdraw).toHaveBeenCalledWith(5);
  });

  it('chat.settings and notifications.settings change my own view; others\' chat events do not', () => {
    handle({ type: EVENTS.CHAT_SETTINGS, chat_id: 6, notify: 'mentions', muted_until: '2030-01-01T00:00:00+00:00' });
    expect(store.chat(6)).toMatchObject({ notify: 'mentions', muted_until: '2030-01-01T00:00:00+00:00', title: 'Weekend trip' });
    handle({ type: EVENTS.CHAT_UPDATED, chat: { ...groupChat(6, 'Renamed'), notify: 'all', muted_until: null } });
    expect(store.chat(6)).toMatchObject({ notify: 'mentions', title: 'Renamed' });
    handle({ type: EVENTS.CHAT_SETTINGS, chat_id: 99, notify: 'none', muted_until: null });
    expect(store.chat(99)).toBeNull();
    const settings = { quiet_hours: { start: '22:00', end: '07:00', time_zone: 'Europe/Berlin' }, allowed_user_ids: [2], push_previews: true };
    handle({ type: EVENTS.NOTIFICATIONS_SETTINGS, settings });
    expect(store.me.notifications).toEqual(settings);
  });

  it('member.added / member.removed refetch the chat, or drop it when I was removed', () => {
    handle({ type: EVENTS.MEMBER_ADDED, chat_id: 6, user_id: 4 });
    handle({ type: EVENTS.MEMBER_REMOVED, chat_id: 6, user_id: BOB.id });
    expect(sync.refreshChat.mock.calls).toEqual([[6], [6]]);
    store.setActive(6);
    const topics = [];
    store.subscribe((topic) => topics.push(topic));
    handle({ type: EVENTS.MEMBER_REMOVED, chat_id: 6, user_id: ME.id });
    expect(store.chat(6)).toBeNull();
    expect(topics).toContain(TOPICS.ACTIVE);
  });

  it('error frames are told in words chosen by their code', () => {
    handle({ type: EVENTS.ERROR, code: 'rate_limited', detail: 'slow down' });
    handle({ type: EVENTS.ERROR, code: 'not_found', detail: 'chat 4 not found' });
    handle({ type: EVENTS.ERROR });
    expect(toasts).toEqual(['Too many attempts. Wait a moment and try again.', 'chat 4 not found']);
  });
});
