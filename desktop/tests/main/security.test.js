import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { CSP } from '../../src/common/csp.js';
import { TO_MAIN } from '../../src/common/ipc-channels.js';
import { parseChatId, parseNotification, parseUnread, registerIpc } from '../../src/main/ipc.js';
import { applyLinkPolicy, isSafeExternalUrl } from '../../src/main/links.js';
import { buildMenuTemplate } from '../../src/main/menu.js';
import { registerAppProtocol, resolveAppPath } from '../../src/main/protocol.js';
import { FakeIpcMain, FakeWebContents, fakeShell } from './fakes.js';

test('external links: only http, https and mailto', () => {
  for (const ok of ['https://example.org', 'http://x.y/z', 'mailto:a@b.c']) assert.equal(isSafeExternalUrl(ok), true, ok);
  for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'app://parley/x', 'not a url', 42]) {
    assert.equal(isSafeExternalUrl(bad), false, String(bad));
  }
});

test('navigation is blocked, new windows denied, safe links opened externally', () => {
  const wc = new FakeWebContents();
  const shell = fakeShell();
  applyLinkPolicy(wc, shell);
  assert.equal(wc.attempt('will-navigate', 'https://evil.example'), true);
  assert.equal(wc.attempt('will-navigate', 'file:///etc/passwd'), true);
  assert.equal(wc.attempt('will-attach-webview'), true);
  assert.deepEqual(wc.openHandler({ url: 'https://example.org' }), { action: 'deny' });
  assert.deepEqual(wc.openHandler({ url: 'javascript:alert(1)' }), { action: 'deny' });
  assert.deepEqual(shell.opened, ['https://evil.example', 'https://example.org']);
});

test('IPC: arguments are validated and only our own page is listened to', () => {
  const ipc = new FakeIpcMain();
  const got = { unread: [], notify: [], open: [] };
  registerIpc(ipc, {
    setUnread: (n) => got.unread.push(n),
    notify: (n) => got.notify.push(n),
    openExternal: (u) => got.open.push(u),
  });
  ipc.deliver(TO_MAIN.SET_UNREAD, 'app://parley/index.html', 5);
  ipc.deliver(TO_MAIN.SET_UNREAD, 'app://parley/index.html', -1);
  ipc.deliver(TO_MAIN.SET_UNREAD, 'app://parley/index.html', '5');
  ipc.deliver(TO_MAIN.SET_UNREAD, 'https://evil.example/', 9);
  ipc.deliver(TO_MAIN.NOTIFY, 'app://parley/index.html', { chatId: 2, title: 'Bob', body: 'x'.repeat(1000) });
  ipc.deliver(TO_MAIN.NOTIFY, 'app://parley/index.html', { chatId: 'x', title: 'Bob', body: '' });
  ipc.deliver(TO_MAIN.OPEN_EXTERNAL, 'app://parley/index.html', { href: 'https://x' });
  ipc.deliver(TO_MAIN.OPEN_EXTERNAL, 'app://parley/index.html', 'https://x.example');
  assert.deepEqual(got.unread, [5]);
  assert.equal(got.notify.length, 1);
  assert.equal(got.notify[0].body.length, 300);
  assert.deepEqual(got.open, ['https://x.example']);
});

test('closing a chat\'s notifications: only from our page, only a chat id', () => {
  const ipc = new FakeIpcMain();
  const closed = [];
  registerIpc(ipc, { setUnread: () => {}, notify: () => {}, openExternal: () => {}, closeNotifications: (id) => closed.push(id) });
  ipc.deliver(TO_MAIN.CLOSE_NOTIFICATIONS, 'app://parley/index.html', 7);
  ipc.deliver(TO_MAIN.CLOSE_NOTIFICATIONS, 'app://parley/index.html', '7');
  ipc.deliver(TO_MAIN.CLOSE_NOTIFICATIONS, 'app://parley/index.html', 0);
  ipc.deliver(TO_MAIN.CLOSE_NOTIFICATIONS, 'https://evil.example/', 8);
  assert.deepEqual(closed, [7]);
  assert.equal(parseChatId(1.5), null);
});

test('parsers reject what they should', () => {
  assert.equal(parseUnread(1.5), null);
  assert.equal(parseUnread(Number.MAX_SAFE_INTEGER + 1), null);
  assert.equal(parseNotification(null), null);
  assert.equal(parseNotification({ chatId: 0, title: '', body: '' }), null);
});

test('app:// serves files inside dist/web only', () => {
  const root = path.resolve('/opt/parley/dist/web');
  assert.equal(resolveAppPath(root, 'app://parley/'), path.join(root, 'index.html'));
  assert.equal(resolveAppPath(root, 'app://parley/assets/index-1.js'), path.join(root, 'assets/index-1.js'));
  assert.equal(resolveAppPath(root, 'app://parley/../../etc/passwd'), path.join(root, 'etc/passwd'));
  // URL parsing already folds "..", encoded or not; an encoded slash is decoded after it.
  assert.equal(resolveAppPath(root, 'app://parley/%2e%2e/%2e%2e/etc/passwd'), path.join(root, 'etc/passwd'));
  assert.equal(resolveAppPath(root, 'app://parley/..%2f..%2fetc/passwd'), null);
  assert.equal(resolveAppPath(root, 'app://parley/a%00b'), null);
  assert.equal(resolveAppPath(root, 'app://other/index.html'), null);
  assert.equal(resolveAppPath(root, 'file:///etc/passwd'), null);
});

test('menu has the usual roles and hides developer tools in release builds', () => {
  const roles = (template) => JSON.stringify(template).match(/"role":"\w+"/g).map((r) => r.slice(8, -1));
  const release = roles(buildMenuTemplate({ platform: 'linux', isDev: false }));
  for (const role of ['quit', 'editMenu', 'reload', 'zoomIn', 'togglefullscreen', 'windowMenu']) assert.ok(release.includes(role), role);
  assert.ok(!release.includes('toggleDevTools'));
  assert.ok(roles(buildMenuTemplate({ platform: 'darwin', isDev: true })).includes('appMenu'));
});

test('app:// responses carry the CSP; missing files are 404', async () => {
  let handler;
  const protocol = { handle: (scheme, fn) => (handler = fn) };
  const net = {
    fetch: async (url) => {
      if (url.endsWith('/missing.js')) throw new Error('net::ERR_FILE_NOT_FOUND');
      return new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } });
    },
  };
  registerAppProtocol({ protocol, net, root: '/opt/parley/dist/web', pathToFileURL: (p) => new URL(`file://${p}`) });
  const ok = await handler({ url: 'app://parley/index.html' });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-security-policy'), CSP);
  assert.equal((await handler({ url: 'app://parley/missing.js' })).status, 404);
  assert.equal((await handler({ url: 'app://parley/..%2f..%2fetc/passwd' })).status, 404);
});
