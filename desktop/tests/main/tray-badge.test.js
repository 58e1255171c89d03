import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBadge } from '../../src/main/badge.js';
import { createTray } from '../../src/main/tray.js';
import { FakeMenu, FakeTray, FakeWindow } from './fakes.js';

test('tray tooltip and menu show the unread total; Show and Quit work', () => {
  let tray;
  const calls = [];
  const service = createTray({
    Tray: class extends FakeTray {
      constructor(icon) {
        super(icon);
        tray = this;
      }
    },
    Menu: FakeMenu,
    icon: 'tray.png',
    onShow: () => calls.push('show'),
    onQuit: () => calls.push('quit'),
  });
  assert.equal(tray.tooltip, 'Parley');
  service.setUnread(3);
  assert.equal(tray.tooltip, 'Parley — 3 unread');
  const labels = tray.menu.items.map((i) => i.label ?? i.type);
  assert.deepEqual(labels, ['Show Parley (3 unread)', 'separator', 'Quit Parley']);
  tray.menu.items[0].click();
  tray.menu.items[2].click();
  tray.emit('click');
  assert.deepEqual(calls, ['show', 'quit', 'show']);
  service.setUnread(0);
  assert.equal(tray.tooltip, 'Parley');
  assert.equal(tray.menu.items[0].label, 'Show Parley');
});

test('badge: a number on macOS/Linux, an overlay icon on Windows', () => {
  const counts = [];
  createBadge({ app: { setBadgeCount: (n) => counts.push(n) }, platform: 'darwin', getWindow: () => null }).setUnread(4);
  assert.deepEqual(counts, [4]);

  const win = new FakeWindow();
  const badge = createBadge({ app: {}, platform: 'win32', getWindow: () => win, overlayIcon: 'dot' });
  badge.setUnread(2);
  assert.deepEqual(win.overlay, { icon: 'dot', description: '2 unread' });
  badge.setUnread(0);
  assert.deepEqual(win.overlay, { icon: null, description: '' });
});
