import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { createNotifier } from '../../src/main/notifications.js';
import { FakeNotification } from './fakes.js';

beforeEach(() => {
  FakeNotification.shown = [];
  FakeNotification.supported = true;
});

test('notifies only when the window is not focused; a click opens that chat', () => {
  let focused = true;
  const opened = [];
  const notifier = createNotifier({ Notification: FakeNotification, isWindowFocused: () => focused, onOpenChat: (id) => opened.push(id) });
  assert.equal(notifier.notify({ chatId: 3, title: 'Bob', body: 'hi' }), false);
  focused = false;
  assert.equal(notifier.notify({ chatId: 3, title: 'Bob', body: 'hi' }), true);
  const [shown] = FakeNotification.shown;
  assert.deepEqual(shown.options, { title: 'Bob', body: 'hi' });
  assert.equal(notifier.liveCount(), 1); // kept alive until clicked
  shown.emit('click');
  assert.deepEqual(opened, [3]);
  assert.equal(notifier.liveCount(), 0);
});

test('does nothing where notifications are unsupported', () => {
  FakeNotification.supported = false;
  const notifier = createNotifier({ Notification: FakeNotification, isWindowFocused: () => false, onOpenChat: () => {} });
  assert.equal(notifier.notify({ chatId: 1, title: 't', body: 'b' }), false);
});

test('reading a chat closes its notifications, and only those', () => {
  const notifier = createNotifier({ Notification: FakeNotification, isWindowFocused: () => false, onOpenChat: () => {} });
  notifier.notify({ chatId: 3, title: 'Bob', body: 'a' });
  notifier.notify({ chatId: 3, title: 'Bob', body: 'b' });
  notifier.notify({ chatId: 4, title: 'Carol', body: 'c' });
  notifier.close(3);
  assert.deepEqual(FakeNotification.shown.map((n) => Boolean(n.closed)), [true, true, false]);
  assert.equal(notifier.liveCount(), 1);
  notifier.close(3); // nothing left of that chat
  assert.equal(notifier.liveCount(), 1);
});
