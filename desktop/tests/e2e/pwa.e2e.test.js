// The installable web app, against a real Parley server in real Chromium: Chromium's own
// manifest parser and installability check find nothing wrong, the icons are the sizes
// the manifest says, the service worker takes control and precaches the shell; with
// the server stopped a reload still opens Parley, with the last chats read shown
// read-only and "offline" in words, and it goes live again when the server is back; a
// push delivered to the service worker (through the DevTools protocol, as a push service
// would) becomes a notification, also with no Parley window open. Screenshots go to
// screenshots/. Steps share one server and one browser context and run in order.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, launchChromiumProfile, restClient, screenshot, startParley } from './harness.js';

const PASSWORD = 'correct horse battery';
const TIMEOUT = 15_000;
const OFFLINE_TEXT = "Offline — showing what was last loaded; messages can't be sent.";

/** Width and height from a PNG's IHDR chunk. @param {Buffer} bytes */
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG file');
  return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
}

describe('Parley as an installable web app, end to end', { timeout: 240_000 }, () => {
  let server;
  let rest;
  let profile;
  let context;
  let page;
  let alice;
  let bob;
  let direct;

  /** The notifications the service worker shows, seen from a page of the app. */
  const shown = (p) => p.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return (await registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, chatId: n.data?.chatId ?? null }));
  });

  before(async () => {
    server = await startParley();
    rest = restClient(server.url);
    alice = await rest.signUp('alice', 'Alice Liddell', PASSWORD);
    bob = await rest.signUp('bob', 'Bob Builder', PASSWORD);
    direct = await rest.call('POST', '/chats', { token: bob.token, body: { is_group: false, member_ids: [alice.id] } });
    for (const content of ['The keys are under the mat', 'Back on Sunday']) {
      await rest.call('POST', `/chats/${direct.id}/messages`, { token: bob.token, body: { content } });
    }
    // A profile on disk, not an off-the-record context: Chromium does not offer to
    // install an app from an incognito window, and its installability check says so.
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pwa-profile-'));
    context = await launchChromiumProfile(profile, { viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'UTC' });
    await context.grantPermissions(['notifications'], { origin: server.url });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(server.url);
  });

  after(async () => {
    await context?.close();
    await server?.dispose();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('the manifest is valid and installable by Chromium, with icons of the sizes it names', async () => {
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    assert.equal(manifest.url, `${server.url}/manifest.webmanifest`);
    assert.deepEqual(manifest.errors, [], 'Chromium parses the manifest without errors');
    const data = JSON.parse(manifest.data);
    assert.equal(data.name, 'Parley');
    assert.equal(data.display, 'standalone');
    assert.match(data.theme_color, /^#[0-9a-f]{6}$/i);
    const sizes = [];
    for (const icon of data.icons) {
      const res = await fetch(new URL(icon.src, manifest.url));
      assert.equal(res.status, 200, icon.src);
      assert.equal(pngSize(Buffer.from(await res.arrayBuffer())), icon.sizes, `${icon.src} is ${icon.sizes}`);
      sizes.push(`${icon.sizes} ${icon.purpose ?? 'any'}`);
    }
    assert.deepEqual(sizes.sort(), ['192x192 any', '512x512 any', '512x512 maskable']);
    // Installability needs the service worker in control too: wait for it.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await eventually(async () => {
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      return installabilityErrors.length === 0 || JSON.stringify(installabilityErrors);
    }, 'Chromium finds the app installable');
    await cdp.detach();
  });

  it('the service worker controls the page and has the shell precached', async () => {
    const worker = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return { script: registration.active?.scriptURL, state: registration.active?.state, scope: registration.scope };
    });
    assert.deepEqual(worker, { script: `${server.url}/sw.js`, state: 'activated', scope: `${server.url}/` });
    await eventually(() => page.evaluate(() => navigator.serviceWorker.controller !== null), 'the worker in control (clients.claim)');
    const cached = await page.evaluate(async () => {
      const urls = [];
      for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
      return urls;
    });
    assert.ok(cached.includes('/index.html'), `index.html precached: ${cached}`);
    assert.ok(cached.some((p) => /^\/assets\/index-.*\.js$/.test(p)), 'the app script precached');
    assert.ok(cached.some((p) => /^\/assets\/index-.*\.css$/.test(p)), 'the styles precached');
    assert.ok(!cached.some((p) => p.startsWith('/chats') || p.startsWith('/auth')), 'no API answer is cached');
  });

  it('opens with the server stopped: the last chats read, read-only, "offline" in words', async () => {
    await page.getByLabel('Username or e-mail').fill('alice');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('list', { name: 'Chats' }).getByRole('button', { name: /^Bob Builder/ }).click();
    await page.locator('[role=log] [role=article]', { hasText: 'Back on Sunday' }).waitFor();
    // The copy for offline starts is written a moment after the chat is shown.
    await eventually(() => page.evaluate(() => new Promise((resolve) => {
      const open = indexedDB.open('parley-offline');
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('snapshots')) return resolve(false);
        const count = db.transaction('snapshots').objectStore('snapshots').count();
        count.onsuccess = () => resolve(count.result > 0);
        count.onerror = () => resolve(false);
      };
      open.onerror = () => resolve(false);
    })), 'the offline copy saved');

    await server.stop();
    await page.reload();
    await page.getByText(OFFLINE_TEXT).waitFor();
    await page.getByRole('list', { name: 'Chats' }).getByRole('button', { name: /^Bob Builder/ }).click();
    await page.locator('[role=log] [role=article]', { hasText: 'The keys are under the mat' }).waitFor();
    await page.locator('[role=log] [role=article]', { hasText: 'Back on Sunday' }).waitFor();
    const composerForm = page.locator('form', { has: page.getByRole('textbox', { name: 'Message', exact: true }) });
    assert.equal(await composerForm.evaluate((form) => form.inert), true, 'nothing can be sent offline');
    // The banner says it once: no error toast over the messages for each failed request.
    assert.equal(await page.getByText('Cannot reach the server').count(), 0);
    await screenshot(page, 'pwa-01-offline.png');

    await server.start();
    // The socket's backoff finds the server again: the banner goes, the composer comes back.
    await page.getByText(OFFLINE_TEXT).waitFor({ state: 'hidden', timeout: 60_000 });
    assert.equal(await composerForm.evaluate((form) => form.inert), false);
  });

  it('a push becomes a notification: a test push, and a message push with no window open', async () => {
    // The DevTools protocol stands in for a push service (this machine has none); it
    // works from any page of the context, here a blank one that is not Parley.
    const other = await context.newPage();
    await other.goto('about:blank');
    const cdp = await context.newCDPSession(other);
    const registrations = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: list }) => registrations.push(...list));
    await cdp.send('ServiceWorker.enable');
    // The newest report of Parley's registration that is not deleted: after the server
    // came back (the test above), an older report of it may still be in the list.
    const live = () => registrations.filter((r) => r.scopeURL === `${server.url}/` && !r.isDeleted).at(-1);
    await eventually(async () => live() !== undefined, 'the registration reported');
    const push = (payload) => cdp.send('ServiceWorker.deliverPushMessage', { origin: server.url, registrationId: live().registrationId, data: JSON.stringify(payload) });

    // Delivered again until shown: a push service retries too, and on a busy machine the
    // worker may still be starting when the first one arrives. One tag: one notification.
    const test = { type: 'test', tag: 'parley-test', title: 'Parley test notification', text: 'Pushes reach this device.' };
    await eventually(async () => {
      await push(test);
      return (await shown(page)).some((n) => n.tag === 'parley-test');
    }, 'the test notification');
    assert.deepEqual((await shown(page)).find((n) => n.tag === 'parley-test'), { title: 'Parley test notification', body: 'Pushes reach this device.', tag: 'parley-test', chatId: null });

    // Every Parley window closed: the worker alone shows the message push (the
    // server's default payload: sender and chat, no text).
    await page.close();
    const tag = `chat-${direct.id}`;
    await push({ type: 'message', tag, chat_id: direct.id, chat_name: 'Bob Builder', sender_name: 'Bob Builder', message_id: 3 });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(server.url);
    await eventually(async () => (await shown(page)).some((n) => n.tag === tag), 'the message notification');
    assert.deepEqual((await shown(page)).find((n) => n.tag === tag), { title: 'Bob Builder', body: 'New message', tag, chatId: direct.id });
    await cdp.detach();
    await other.close();
  });
});
