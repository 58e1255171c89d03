import { describe, expect, it, vi } from 'vitest';
import { createNotifications, notificationFor } from '../../../src/renderer/messenger/notifications.js';
import { ME, directChat, fakeDocument, groupChat, message, storeWith } from './helpers.js';

function setup(chats) {
  const store = storeWith(chats);
  const bridge = { notify: vi.fn(), setUnread: vi.fn() };
  const doc = fakeDocument();
  const notifications = createNotifications({ store, bridge, doc });
  return { store, bridge, doc, notifications };
}

describe('notification text', () => {
  it('names the author, and the group in a group', () => {
    expect(notificationFor(directChat(5), message(1, 5, 2, { content: 'hi' }), ME.id))
      .toEqual({ chatId: 5, title: 'Bob Builder', body: 'hi' });
    expect(notificationFor(groupChat(6, 'Weekend trip'), message(2, 6, 3, { content: 'tent?' }), ME.id))
      .toEqual({ chatId: 6, title: 'Carol Danvers in Weekend trip', body: 'tent?' });
  });

  it('describes a message without text by its file', () => {
    const photo = { name: 'a.png', size: 1, is_image: true, url: null };
    expect(notificationFor(directChat(5), message(1, 5, 2, { content: '', attachment: photo }), ME.id).body).toBe('Photo');
    expect(notificationFor(directChat(5), message(1, 5, 2, { content: '', attachment: { ...photo, is_image: false } }), ME.id).body).toBe('File: a.png');
    expect(notificationFor(directChat(5), message(1, 5, 2, { content: '' }), ME.id).body).toBe('Attachment');
    expect(notificationFor(directChat(5), message(1, 5, 9), ME.id).title).toBe('Someone');
  });
});

describe('notifications', () => {
  it('notifies through the desktop bridge, for chats it knows', () => {
    const { bridge, notifications } = setup([directChat(5)]);
    notifications.notify(message(1, 5, 2, { content: 'hi' }));
    notifications.notify(message(2, 99, 2));
    expect(bridge.notify.mock.calls).toEqual([[{ chatId: 5, title: 'Bob Builder', body: 'hi' }]]);
  });

  it('shows the unread total on the badge and in the title, only when it changes', () => {
    const { store, bridge, doc } = setup([directChat(5), directChat(6)]);
    store.setUnread(5, 2);
    store.setUnread(6, 1);
    store.setPresence(2, true); // the chat list changes, the total does not
    expect(bridge.setUnread.mock.calls).toEqual([[2], [3]]);
    expect(doc.title).toBe('(3) Parley');
    store.setChats([directChat(5)]);
    expect(doc.title).toBe('Parley');
    expect(bridge.setUnread).toHaveBeenLastCalledWith(0);
  });

  it('clears the badge and the title when stopped, and no longer follows the store', () => {
    const { store, bridge, doc, notifications } = setup([directChat(5)]);
    store.setUnread(5, 4);
    notifications.stop();
    expect(doc.title).toBe('Parley');
    expect(bridge.setUnread).toHaveBeenLastCalledWith(0);
    store.setUnread(5, 7);
    expect(doc.title).toBe('Parley');
  });

  it('leaves muted chats out of the total, except their mentions', () => {
    const { store, bridge, doc } = setup([directChat(5), directChat(6, { muted_until: '9999-12-31T23:59:59Z' }), directChat(7, { notify: 'none' })]);
    store.setUnread(5, 2);
    store.upsertChat({ ...store.chat(6), unread_count: 4, mention_count: 1 });
    store.setUnread(7, 9);
    expect(bridge.setUnread).toHaveBeenLastCalledWith(3);
    expect(doc.title).toBe('(3) Parley');
  });

  it('obeys my settings: nothing from a muted chat unless it mentions me', () => {
    const { bridge, notifications } = setup([directChat(5, { muted_until: '9999-12-31T23:59:59Z' }), directChat(6, { notify: 'mentions' })]);
    notifications.notify(message(1, 5, 2, { content: 'hi' }));
    notifications.notify(message(2, 6, 2, { content: 'hi' }));
    expect(bridge.notify).not.toHaveBeenCalled();
    notifications.notify(message(3, 6, 2, { content: '@me', mentions: [ME.id] }));
    expect(bridge.notify).toHaveBeenCalledTimes(1);
  });

  it('a mute that runs out puts the chat back in the total, with no event', () => {
    vi.useFakeTimers({ now: Date.parse('2026-01-15T12:00:00Z') });
    try {
      const store = storeWith([directChat(5, { muted_until: '2026-01-15T13:00:00Z' })]);
      const bridge = { notify: vi.fn(), setUnread: vi.fn() };
      createNotifications({ store, bridge, doc: fakeDocument() });
      store.setUnread(5, 4);
      expect(bridge.setUnread).toHaveBeenLastCalledWith(0);
      vi.advanceTimersByTime(3600_000 + 100);
      expect(bridge.setUnread).toHaveBeenLastCalledWith(4);
    } finally {
      vi.useRealTimers();
    }
  });
});
