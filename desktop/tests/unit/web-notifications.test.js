// The web client's notifications: only while the tab is hidden and allowed, tagged per
// chat, a click focuses the tab and opens the chat, reading the chat withdraws them;
// and the messenger offers to turn them on (once) when a message arrives while hidden.
import { describe, expect, it, vi } from 'vitest';
import { createWebNotifier, tagFor } from '../../src/renderer/lib/web-notifications.js';
import { createNotifications } from '../../src/renderer/messenger/notifications.js';
import { directChat, message, storeWith } from './messenger/helpers.js';

function fakeBrowser(permission = 'granted') {
  const shown = [];
  class FakeNotification {
    static permission = permission;
    static requestPermission = vi.fn(async () => 'granted');
    constructor(title, options) {
      this.title = title;
      this.options = options;
      this.closed = false;
      shown.push(this);
    }
    close() {
      this.closed = true;
      this.onclose?.();
    }
  }
  const win = { Notification: FakeNotification, focus: vi.fn(), navigator: {} };
  const doc = { visibilityState: 'hidden', title: '' };
  return { win, doc, shown, FakeNotification };
}

describe('browser notifications', () => {
  it('shown only while hidden and granted, tagged chat-<id>; a click focuses and opens the chat', () => {
    const { win, doc, shown } = fakeBrowser();
    const onOpen = vi.fn();
    const web = createWebNotifier({ onOpen, win, doc });
    expect(web.show({ chatId: 5, title: 'Bob', body: 'hi' })).toBe(true);
    expect(shown[0].options).toEqual({ body: 'hi', tag: 'chat-5' });
    doc.visibilityState = 'visible';
    expect(web.show({ chatId: 5, title: 'Bob', body: 'again' })).toBe(false);
    shown[0].onclick();
    expect(win.focus).toHaveBeenCalled();
    expect(onOpen).toHaveBeenCalledWith(5);
    expect(shown[0].closed).toBe(true);
  });

  it('nothing without permission', () => {
    const { win, doc, shown } = fakeBrowser('default');
    expect(createWebNotifier({ onOpen: () => {}, win, doc }).show({ chatId: 5, title: 'Bob', body: 'hi' })).toBe(false);
    expect(shown).toHaveLength(0);
  });

  it('reading the chat withdraws its notification, not the others', () => {
    const { win, doc, shown } = fakeBrowser();
    const web = createWebNotifier({ onOpen: () => {}, win, doc });
    web.show({ chatId: 5, title: 'Bob', body: 'a' });
    web.show({ chatId: 6, title: 'Carol', body: 'b' });
    web.close(5);
    expect(shown.map((n) => n.closed)).toEqual([true, false]);
    expect(tagFor(6)).toBe('chat-6');
  });

  it('the messenger uses them in a browser, obeys the settings, and offers permission once', () => {
    const { win, doc, shown, FakeNotification } = fakeBrowser('default');
    const store = storeWith([directChat(5), directChat(6, { notify: 'none' })]);
    const web = createWebNotifier({ onOpen: () => {}, win, doc });
    const onPermissionWanted = vi.fn();
    const bridge = { isDesktop: false, notify: vi.fn(), setUnread: vi.fn() };
    const notifications = createNotifications({ store, bridge, doc, web, onPermissionWanted });
    notifications.notify(message(1, 5, 2, { content: 'hi' }));
    notifications.notify(message(2, 5, 2, { content: 'hi' }));
    expect(onPermissionWanted).toHaveBeenCalledTimes(1);
    FakeNotification.permission = 'granted';
    notifications.notify(message(3, 5, 2, { content: 'now' }));
    notifications.notify(message(4, 6, 2, { content: 'silenced' }));
    expect(shown.map((n) => n.options.body)).toEqual(['now']);
    expect(bridge.notify).not.toHaveBeenCalled();
    notifications.withdraw(5);
    expect(shown[0].closed).toBe(true);
  });
});
