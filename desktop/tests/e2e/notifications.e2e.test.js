// Notification settings and browser notifications, against a real Parley server in
// real Chromium: a chat muted from the header menu shows dimmed with a grey count;
// with permission granted by the browser context and the page hidden, a new message
// raises a Notification (observed through a wrapped window.Notification) tagged with
// its chat, reading the chat on another device withdraws it, a muted chat raises none
// and muting the chat that notified stops it; quiet hours are saved from the profile screen. Screenshots of the menu and the
// settings are saved like the other e2e files'. Steps share one server and run in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, launchChromium, restClient, screenshot, startParley } from './harness.js';

const PASSWORD = 'correct horse battery';
const TIMEOUT = 15_000;

// Runs in the page before the app: records notifications instead of showing them (the
// permission is still the browser's), and lets the test hide the page.
const INIT = () => {
  const Native = window.Notification;
  /** @type {any} */ (window).__notes = [];
  class Recorded extends EventTarget {
    static get permission() {
      return Native.permission;
    }
    static requestPermission() {
      return Native.requestPermission();
    }
    constructor(title, options = {}) {
      super();
      this.record = { title, body: options.body, tag: options.tag, closed: false };
      /** @type {any} */ (window).__notes.push(this.record);
    }
    close() {
      this.record.closed = true;
    }
  }
  window.Notification = /** @type {any} */ (Recorded);
  /** @type {any} */ (window).__hidden = false;
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (/** @type {any} */ (window).__hidden ? 'hidden' : 'visible') });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => /** @type {any} */ (window).__hidden });
};

describe('Notification settings and browser notifications, end to end', { timeout: 180_000 }, () => {
  let server;
  let rest;
  let browser;
  let page;
  let alice;
  let bob;
  let group;
  let direct;

  const chatRow = (name) => page.getByRole('list', { name: 'Chats' }).locator('li', { has: page.getByRole('button', { name: new RegExp(`^${name}`) }) });
  const notes = () => page.evaluate(() => /** @type {any} */ (window).__notes);

  before(async () => {
    server = await startParley();
    rest = restClient(server.url);
    browser = await launchChromium();
    alice = await rest.signUp('alice', 'Alice Liddell', PASSWORD);
    bob = await rest.signUp('bob', 'Bob Builder', PASSWORD);
    group = await rest.call('POST', '/chats', { token: alice.token, body: { is_group: true, title: 'Weekend', member_ids: [bob.id] } });
    await rest.call('POST', `/chats/${group.id}/messages`, { token: bob.token, body: { content: 'Who is bringing the tent?' } });
    direct = await rest.call('POST', '/chats', { token: bob.token, body: { is_group: false, member_ids: [alice.id] } });
    await rest.call('POST', `/chats/${direct.id}/messages`, { token: bob.token, body: { content: 'Lunch tomorrow?' } });

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'UTC' });
    await context.grantPermissions(['notifications'], { origin: server.url });
    await context.addInitScript(INIT);
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(server.url);
    await page.getByLabel('Username or e-mail').fill('alice');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('list', { name: 'Chats' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('mutes a chat from the header menu: the chat list shows it dimmed with a grey count', async () => {
    await chatRow('Weekend').getByRole('button').click();
    await page.getByRole('button', { name: 'Notifications', exact: true }).click();
    const menu = page.getByRole('menu', { name: 'Notifications for this chat' });
    await menu.getByRole('menuitemradio', { name: /All messages/ }).waitFor();
    await screenshot(page, 'notify-01-chat-menu.png');
    await menu.getByRole('menuitem', { name: 'Mute for 8 hours' }).click();
    await page.getByRole('button', { name: /^Notifications \(Muted until/ }).waitFor();
    const settings = await rest.call('GET', `/chats/${group.id}`, { token: alice.token });
    assert.ok(settings.muted_until && Date.parse(settings.muted_until) > Date.now() + 7 * 3600_000, `muted until ${settings.muted_until}`);

    await chatRow('Bob Builder').getByRole('button').click(); // leave the muted chat
    await rest.call('POST', `/chats/${group.id}/messages`, { token: bob.token, body: { content: 'Tent is sorted' } });
    const row = chatRow('Weekend');
    await row.locator('.unread-badge', { hasText: '1' }).waitFor();
    assert.equal(await row.getAttribute('data-muted'), 'true');
    assert.match(await row.getAttribute('class'), /opacity-60/);
    assert.match(await row.locator('.unread-badge').getAttribute('class'), /bg-slate-300/);
    assert.equal(await page.title(), 'Parley'); // the muted chat's message is not in the total
  });

  it('a hidden page gets a notification for a new message; reading elsewhere withdraws it; a muted chat raises none', async () => {
    await page.evaluate(() => {
      /** @type {any} */ (window).__hidden = true;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const sent = await rest.call('POST', `/chats/${direct.id}/messages`, { token: bob.token, body: { content: 'Are you there?' } });
    await eventually(async () => (await notes()).length === 1, 'a notification');
    assert.deepEqual(await notes(), [{ title: 'Bob Builder', body: 'Are you there?', tag: `chat-${direct.id}`, closed: false }]);

    // Read on another device: chat.read from me closes it by its tag.
    await rest.call('POST', `/chats/${direct.id}/read`, { token: alice.token, body: { message_id: sent.id } });
    await eventually(async () => (await notes())[0].closed, 'the notification withdrawn');

    await rest.call('POST', `/chats/${group.id}/messages`, { token: bob.token, body: { content: 'Muted news' } });
    await chatRow('Weekend').locator('.unread-badge', { hasText: '2' }).waitFor();
    assert.equal((await notes()).length, 1, 'no notification from the muted chat');
    // Muting the chat that just notified stops its notifications too.
    await page.getByRole('button', { name: 'Notifications', exact: true }).click();
    await page.getByRole('menu', { name: 'Notifications for this chat' }).getByRole('menuitem', { name: 'Mute forever' }).click();
    await page.getByRole('button', { name: 'Notifications (Muted)' }).waitFor();
    await rest.call('POST', `/chats/${direct.id}/messages`, { token: bob.token, body: { content: 'Still there?' } });
    await chatRow('Bob Builder').locator('.unread-badge', { hasText: '1' }).waitFor();
    assert.equal((await notes()).length, 1, 'no notification once muted');
    const after = await rest.call('GET', `/chats/${direct.id}`, { token: alice.token });
    assert.equal(after.muted_until?.slice(0, 4), '9999');
  });

  it('saves quiet hours and people allowed through them in the profile', async () => {
    await page.evaluate(() => {
      /** @type {any} */ (window).__hidden = false;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.getByRole('button', { name: 'My profile' }).click();
    const dialog = page.getByRole('dialog', { name: 'My profile' });
    await dialog.getByLabel('Quiet hours: no notifications between').check();
    await dialog.getByLabel('Quiet from').fill('22:30');
    await dialog.getByLabel('Quiet until').fill('07:00');
    await dialog.getByLabel('Time zone').selectOption('Europe/Berlin');
    await dialog.getByLabel('Add a person allowed through quiet hours').fill('bob');
    await dialog.getByRole('button', { name: /^Allow Bob Builder/ }).click();
    await dialog.getByLabel('Show message text in push notifications').check();
    await dialog.getByRole('button', { name: 'Save notification settings' }).click();
    await dialog.getByText('Notification settings saved.').waitFor();
    await dialog.getByRole('heading', { name: 'Notifications' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'notify-02-profile-settings.png');
    const saved = await rest.call('GET', '/users/me/notifications', { token: alice.token });
    assert.deepEqual(saved, { quiet_hours: { start: '22:30', end: '07:00', time_zone: 'Europe/Berlin' }, allowed_user_ids: [bob.id], push_previews: true });
  });
});
