// The web client against a real Parley server in real Chromium: two people in two
// browser contexts register, find each other and chat live; unread badges and read
// ticks follow; a reload keeps the session; a message typed while the server is
// down is delivered exactly once after it comes back; HTML stays text; images and
// files are uploaded (picker, drag-and-drop, paste), previewed on the other side, and
// refused files say why.
// Steps share one server and two browser contexts and run in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchChromium, pngBytes, restClient, screenshot, startParley } from './harness.js';

const PASSWORD = 'correct horse battery';
const XSS = '<img src=x onerror=alert(1)>';
const TIMEOUT = 15_000;

describe('Parley web client, end to end', { timeout: 240_000 }, () => {
  let server;
  let rest;
  let browser;
  let alice; // page
  let bob; // page
  let carol; // REST-only third user, for a group chat in the screenshots
  const dialogs = [];

  async function openContext(colorScheme = 'light') {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme, locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss();
    });
    await page.goto(server.url);
    return page;
  }

  async function register(page, username, displayName) {
    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('E-mail').fill(`${username}@example.org`);
    await page.getByLabel('Display name (optional)').fill(displayName);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('list', { name: 'Chats' }).waitFor();
  }

  const composer = (page) => page.getByRole('textbox', { name: 'Message', exact: true });
  const bubble = (page, text) => page.locator('[role=log] [role=article]').filter({ hasText: text });
  const chatRow = (page, name) => page.getByRole('list', { name: 'Chats' }).getByRole('button', { name: new RegExp(`^${name}`) });

  async function send(page, text) {
    await composer(page).fill(text);
    await composer(page).press('Enter');
  }

  before(async () => {
    // Seeding a long history needs more than the default 60 messages per 10 s.
    // A 1 MB upload limit, so that a too-large file is quick to make.
    server = await startParley({ env: { PARLEY_MESSAGES_PER_WINDOW: '100000', PARLEY_MAX_UPLOAD_MB: '1' } });
    rest = restClient(server.url);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('shows the sign-in screen with the server address and server errors in words', async () => {
    alice = await openContext();
    assert.equal(await alice.getByLabel('Server address').inputValue(), server.url);
    await screenshot(alice, '01-sign-in.png');

    // A list of validation errors (422) → one line per field.
    await alice.getByRole('tab', { name: 'Create account' }).click();
    await alice.getByLabel('Username', { exact: true }).fill('x!');
    await alice.getByLabel('E-mail').fill('x@example.org');
    await alice.getByLabel('Password', { exact: true }).fill('short');
    await alice.getByRole('button', { name: 'Create account' }).click();
    const alert = alice.getByRole('alert');
    await alert.filter({ hasText: /Password/ }).waitFor();
    const text = await alert.textContent();
    assert.match(text, /Username/);
    assert.doesNotMatch(text, /\[object|undefined/);

    // A string detail (401).
    await alice.getByRole('tab', { name: 'Sign in' }).click();
    await alice.getByLabel('Username or e-mail').fill('nobody');
    await alice.getByLabel('Password', { exact: true }).fill('wrong password');
    await alice.getByRole('button', { name: 'Sign in' }).click();
    await alice.getByRole('alert').filter({ hasText: /\w/ }).waitFor();
    assert.doesNotMatch(await alice.getByRole('alert').textContent(), /\[object|undefined|401/);
  });

  it('two users register in two browsers and find each other', async () => {
    await register(alice, 'alice', 'Alice Liddell');
    bob = await openContext();
    await register(bob, 'bob', 'Bob Builder');

    // Some company for the screenshots: a third user and a group, seeded over REST.
    carol = await rest.signUp('carol', 'Carol Danvers');
    const aliceToken = await rest.login('alice');
    const bobId = (await rest.call('GET', '/users/search?q=bob', { token: aliceToken }))[0].id;
    const aliceId = (await rest.call('GET', '/auth/me', { token: aliceToken })).id;
    const group = await rest.call('POST', '/chats', { token: carol.token, body: { is_group: true, title: 'Weekend trip', member_ids: [aliceId, bobId] } });
    await rest.call('POST', `/chats/${group.id}/messages`, { token: carol.token, body: { content: 'Who is bringing the tent?' } });

    await alice.getByLabel('Search chats and people').fill('bob');
    await alice.getByRole('button', { name: 'Message Bob Builder' }).click();
    await alice.getByRole('heading', { name: 'Bob Builder' }).waitFor();
  });

  it('messages arrive live both ways', async () => {
    await send(alice, 'Hi Bob! Did the new Parley build land? https://example.org/notes');
    await bubble(alice, 'Hi Bob!').locator('.tick[data-status=sent], .tick[data-status=read]').waitFor();
    // Bob did not reload: the chat and the message come over the socket.
    await chatRow(bob, 'Alice Liddell').waitFor();
    await chatRow(bob, 'Alice Liddell').click();
    await bubble(bob, 'Hi Bob!').waitFor();
    await send(bob, 'It did — and it is fast.\nTwo lines, even.');
    await bubble(alice, 'It did — and it is fast.').waitFor();
  });

  it('unread badges and read ticks change', async () => {
    // Bob looks at another chat; Alice writes twice.
    await chatRow(bob, 'Weekend trip').click();
    await send(alice, 'Are you there?');
    await send(alice, 'Lunch at noon?');
    const badge = chatRow(bob, 'Alice Liddell').locator('.unread-badge');
    await badge.filter({ hasText: '2' }).waitFor();
    await bob.waitForFunction(() => document.title.startsWith('(2)'));
    await screenshot(bob, '02-chat-list.png');
    assert.equal(await bubble(alice, 'Lunch at noon?').locator('.tick').getAttribute('data-status'), 'sent');

    // Bob opens the chat: his badge goes, Alice's ticks turn to read.
    await chatRow(bob, 'Alice Liddell').click();
    await badge.waitFor({ state: 'detached' });
    await bubble(alice, 'Lunch at noon?').locator('.tick[data-status=read]').waitFor();
  });

  it('typing is shown to the other side', async () => {
    // The server forwards at most one typing event per chat and socket every 2 s.
    await bob.waitForTimeout(2_100);
    await composer(bob).pressSequentially('Sure', { delay: 30 });
    await alice.getByText('Bob Builder is typing…').waitFor();
    await composer(bob).press('Enter');
    await bubble(alice, 'Sure').waitFor();
    await screenshot(alice, '03-chat-view.png');
  });

  it('a reload keeps the session', async () => {
    await alice.reload();
    await alice.getByRole('list', { name: 'Chats' }).waitFor();
    await chatRow(alice, 'Bob Builder').waitFor();
    assert.equal(await alice.getByRole('tab', { name: 'Sign in' }).count(), 0);
  });

  it('a message typed while the server is down is delivered exactly once when it is back', async () => {
    await chatRow(alice, 'Bob Builder').click();
    await server.stop();
    const text = `Written while the server was down ${Date.now()}`;
    await send(alice, text);
    await bubble(alice, text).locator('.tick[data-status=pending]').waitFor();
    await alice.getByRole('status').filter({ hasText: /Reconnecting|Offline|Connecting/ }).waitFor();

    await server.start();
    await bubble(alice, text).locator('.tick[data-status=sent], .tick[data-status=read]').waitFor({ timeout: 45_000 });
    await bubble(bob, text).waitFor({ timeout: 45_000 });

    const token = await rest.login('alice');
    const [chat] = (await rest.call('GET', '/chats', { token })).filter((c) => !c.is_group);
    const messages = await rest.call('GET', `/chats/${chat.id}/messages?limit=200`, { token });
    assert.equal(messages.filter((m) => m.content === text).length, 1);
    assert.equal(await bubble(alice, text).count(), 1);
  });

  it('HTML in a message is shown as text, never run', async () => {
    await send(alice, XSS);
    await bubble(bob, XSS).waitFor();
    assert.equal(await bob.locator('[role=log] img').count(), 0);
    assert.equal(await bubble(bob, XSS).locator('.message-text').textContent(), XSS);
    assert.deepEqual(dialogs, []);
  });

  it('a long history is virtualised and loads older pages while scrolling up', async () => {
    const aliceId = (await rest.call('GET', '/users/search?q=alice', { token: carol.token }))[0].id;
    const chat = await rest.call('POST', '/chats', { token: carol.token, body: { is_group: false, member_ids: [aliceId] } });
    for (let i = 0; i < 300; i++) {
      await rest.call('POST', `/chats/${chat.id}/messages`, { token: carol.token, body: { content: `History line ${i}` } });
    }
    await chatRow(alice, 'Carol Danvers').click();
    await bubble(alice, 'History line 299').waitFor();
    const log = alice.locator('[role=log]');
    assert.ok((await log.locator('[role=article]').count()) < 60);
    while (!(await log.getByText('This is the beginning of the conversation.').count())) {
      await log.evaluate((el) => (el.scrollTop = 0));
      await alice.waitForTimeout(50);
    }
    await log.evaluate((el) => (el.scrollTop = 0));
    await log.locator('.message-text').filter({ hasText: /^History line 0$/ }).waitFor();
    assert.ok((await log.locator('[role=article]').count()) < 60, 'only the visible part is in the DOM');
    await chatRow(alice, 'Bob Builder').click();
  });

  it('edits (keyboard: ↑ in the empty composer) and deletes own messages, live on the other side', async () => {
    await send(alice, 'Lunch at 1 instead?');
    await bubble(bob, 'Lunch at 1 instead?').waitFor();
    await composer(alice).focus();
    await composer(alice).press('ArrowUp');
    await alice.getByText('Editing message').waitFor();
    await composer(alice).fill('Lunch at 12:30 instead?');
    await composer(alice).press('Enter');
    await bubble(bob, 'Lunch at 12:30 instead?').getByText('edited').waitFor();

    await bubble(alice, 'Lunch at 12:30 instead?').getByRole('button', { name: 'Delete message' }).click();
    await alice.getByRole('dialog', { name: 'Delete message?' }).getByRole('button', { name: 'Delete' }).click();
    await bubble(alice, 'Lunch at 12:30 instead?').waitFor({ state: 'detached' });
    await bubble(bob, 'Lunch at 12:30 instead?').waitFor({ state: 'detached' });
  });

  it('an image sent with the attach button is previewed on the other side and opens in a viewer', async () => {
    const [chooser] = await Promise.all([
      alice.waitForEvent('filechooser'),
      alice.getByRole('button', { name: 'Attach files' }).click(),
    ]);
    await chooser.setFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: pngBytes(480, 300) });
    const tray = alice.getByRole('list', { name: 'Attachments' });
    await tray.getByText(/ready to send/).waitFor();
    await send(alice, 'Sunset from the trip');
    await tray.waitFor({ state: 'hidden' });

    // Bob, with the chat open, sees the thumbnail load.
    const preview = bubble(bob, 'Sunset from the trip').getByRole('button', { name: 'Open image sunset.png' });
    await preview.waitFor();
    await bob.waitForFunction(() => {
      const img = document.querySelector('[role=log] button.attachment-image img');
      return img?.complete && img.naturalWidth > 0;
    });
    const thumb = await preview.locator('img').evaluate((img) => ({ w: img.naturalWidth, src: img.src }));
    assert.equal(thumb.w, 320, 'the 320 px thumbnail, not the original');
    assert.ok(thumb.src.startsWith(`${server.url}/attachments/`));
    assert.equal(await chatRow(bob, 'Alice Liddell').locator('.unread-badge').count(), 0);

    // Click opens the full image; Esc closes the viewer and gives the focus back.
    await preview.click();
    const viewer = bob.getByRole('dialog', { name: 'Image sunset.png' });
    await viewer.waitFor();
    await bob.waitForFunction(() => document.querySelector('dialog img.viewer-image')?.naturalWidth === 480);
    assert.equal(await bob.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Close image viewer');
    await bob.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    assert.equal(await bob.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Open image sunset.png');
  });

  it('a file dropped on the conversation arrives as a card with its name, size and download link', async () => {
    const text = 'Packing list: tent, stove, two mugs.\n';
    const dataTransfer = await alice.evaluateHandle((content) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([content], 'packing-list.txt', { type: 'text/plain' }));
      return transfer;
    }, text);
    const conversation = alice.locator('section[aria-labelledby=chat-title]');
    await conversation.dispatchEvent('dragenter', { dataTransfer });
    await conversation.dispatchEvent('dragover', { dataTransfer });
    await alice.getByText('Drop files to attach them').waitFor();
    await conversation.dispatchEvent('drop', { dataTransfer });
    await alice.getByText('Drop files to attach them').waitFor({ state: 'hidden' });
    await alice.getByRole('list', { name: 'Attachments' }).getByText(/ready to send/).waitFor();
    await composer(alice).press('Enter'); // no caption needed

    const card = bob.getByRole('link', { name: `Download packing-list.txt, ${Buffer.byteLength(text)} B` });
    await card.waitFor();
    const href = await card.getAttribute('href');
    assert.ok(href.startsWith(`${server.url}/attachments/`));
    const download = await fetch(href); // a signed link: no bearer token needed
    assert.equal(download.status, 200);
    assert.match(download.headers.get('content-disposition'), /^attachment;/);
    assert.equal(await download.text(), text);
    await bubble(bob, 'packing-list.txt').waitFor();
    await bob.evaluate(() => document.activeElement?.blur()); // no focus ring in the picture
    await screenshot(bob, '05-attachment.png');
  });

  it('a blocked or too large file says why in words; a pasted image is staged', async () => {
    const input = alice.locator('input[type=file]');
    await input.setInputFiles({ name: 'x.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ\x90\x00 pretend program') });
    const tray = alice.getByRole('list', { name: 'Attachments' });
    const blocked = tray.getByRole('listitem').filter({ hasText: 'x.exe' }).getByRole('alert');
    await blocked.waitFor();
    assert.match(await blocked.textContent(), /^Blocked: .*(not allowed|blocked|executable|program)/i);

    await input.setInputFiles({ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(1_300_000, 1) });
    const tooLarge = tray.getByRole('listitem').filter({ hasText: 'huge.bin' }).getByRole('alert');
    await tooLarge.waitFor();
    assert.match(await tooLarge.textContent(), /^Too large: .*\d(\.\d)? MB/);
    assert.doesNotMatch(await tray.textContent(), /\[object|undefined|NaN/);
    await screenshot(alice, '06-attachment-refused.png');

    // Refused files are never sent: text still goes, the files stay until removed.
    await send(alice, 'Only this text goes');
    await bubble(bob, 'Only this text goes').waitFor();
    await tray.getByRole('button', { name: 'Remove x.exe' }).click();
    await tray.getByRole('button', { name: 'Remove huge.bin' }).click();
    await tray.waitFor({ state: 'hidden' });

    // Paste: a screenshot on the clipboard becomes a staged image with a readable name.
    await composer(alice).evaluate((el, bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    }, [...pngBytes(40, 30)]);
    await tray.getByText(/^Pasted image .*\.png$/).waitFor();
    await tray.getByText(/ready to send/).waitFor();
    await tray.getByRole('button', { name: /^Remove Pasted image/ }).click();
    await tray.waitFor({ state: 'hidden' });
  });

  it('every control has an accessible name', async () => {
    const unnamed = () =>
      [...document.querySelectorAll('button, input, textarea, select, a[href], [tabindex]')]
        .filter((el) => {
          const byId = (el.getAttribute('aria-labelledby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join('');
          const name = el.getAttribute('aria-label') || byId || [...(el.labels ?? [])].map((l) => l.textContent).join('') || el.textContent || el.title;
          return !name.trim();
        })
        .map((el) => el.outerHTML.slice(0, 120));
    assert.deepEqual(await alice.evaluate(unnamed), []);
    await alice.getByRole('button', { name: 'New group' }).click();
    await alice.getByRole('dialog', { name: 'New group' }).waitFor();
    await alice.getByLabel('Add members').fill('car');
    await alice.getByRole('checkbox', { name: /Carol Danvers/ }).check();
    assert.deepEqual(await alice.evaluate(unnamed), []);
  });

  it('creates a group with the member picker; members see it live', async () => {
    const dialog = alice.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name').fill('Book club');
    await dialog.getByLabel('Add members').fill('bob');
    await dialog.getByRole('checkbox', { name: /Bob Builder/ }).check();
    await dialog.getByRole('list', { name: 'Selected members' }).getByText('Carol Danvers').waitFor();
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await alice.getByRole('heading', { name: 'Book club' }).waitFor();
    await alice.getByText('3 members').waitFor();
    await chatRow(bob, 'Book club').waitFor();
  });

  it('signing out ends the session, also after a reload', async () => {
    await bob.getByRole('button', { name: 'Sign out' }).click();
    await bob.getByRole('tab', { name: 'Sign in' }).waitFor();
    assert.equal(await bob.evaluate(() => localStorage.getItem('parley.session')), null);
    await bob.reload();
    await bob.getByRole('tab', { name: 'Sign in' }).waitFor();
  });

  it('looks right in the dark theme too', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark', locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(server.url);
    await page.getByLabel('Username or e-mail').fill('carol');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await chatRow(page, 'Weekend trip').click();
    await bubble(page, 'Who is bringing the tent?').waitFor();
    await screenshot(page, '04-chat-view-dark.png');
    await context.close();
  });
});
