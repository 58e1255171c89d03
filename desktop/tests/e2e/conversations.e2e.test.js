// Conversations end to end, against a real Parley server in real Chromium: two people
// format messages (and hostile Markdown stays inert), reply to each other (the menu and
// the keyboard) and jump to a quoted message, react live without double counting,
// mention each other with the suggestion list (the @ badge appears and clears as the
// chat is read), see who has read a group message, and get a link preview card when
// the server makes one. Screenshots of each new screen go to screenshots/.
// Steps share one server and two browser contexts and run in order.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { freePort, launchChromium, restClient, screenshot, startParley } from './harness.js';

const PASSWORD = 'correct horse battery';
const TIMEOUT = 15_000;

describe('Parley conversations, end to end', { timeout: 240_000 }, () => {
  let server;
  let rest;
  let browser;
  let alice; // page
  let bob; // page
  let tokens; // REST tokens: alice, bob
  let ids; // user ids
  let group; // the group chat (alice owns it)
  const dialogs = [];

  async function openContext() {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', locale: 'en-GB', timezoneId: 'UTC' });
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
  /** The row of the message whose own text (not a quote of it) contains `text`. */
  const bubble = (page, text) => page.locator('[role=log] [role=article]').filter({ has: page.locator('.message-text', { hasText: text }) });
  const chatRow = (page, name) => page.getByRole('list', { name: 'Chats' }).getByRole('button', { name: new RegExp(`^${name}`) });

  async function send(page, text) {
    await composer(page).fill(text);
    await composer(page).press('Enter');
  }

  async function messagesOf(token, chatId) {
    return rest.call('GET', `/chats/${chatId}/messages?limit=100`, { token });
  }

  before(async () => {
    server = await startParley({
      env: {
        PARLEY_MESSAGES_PER_WINDOW: '100000',
        // The preview test's page is on this machine: only tests may let the server fetch it.
        PARLEY_LINK_PREVIEWS: 'true',
        PARLEY_PREVIEW_UNSAFE_ALLOW_LOOPBACK_FOR_TESTS: 'true',
      },
    });
    rest = restClient(server.url);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('two people sign up, a group exists, and they open their direct chat', async () => {
    alice = await openContext();
    await register(alice, 'alice', 'Alice Liddell');
    bob = await openContext();
    await register(bob, 'bob', 'Bob Builder');
    tokens = { alice: await rest.login('alice'), bob: await rest.login('bob') };
    ids = {
      alice: (await rest.call('GET', '/auth/me', { token: tokens.alice })).id,
      bob: (await rest.call('GET', '/auth/me', { token: tokens.bob })).id,
    };
    const carol = await rest.signUp('carol', 'Carol Danvers');
    ids.carol = carol.id;
    // Alice owns the group, so her @all mentions everyone.
    group = await rest.call('POST', '/chats', { token: tokens.alice, body: { is_group: true, title: 'Weekend trip', member_ids: [ids.bob, ids.carol] } });
    await rest.call('POST', `/chats/${group.id}/messages`, { token: carol.token, body: { content: 'Who is bringing the tent?' } });

    await alice.getByLabel('Search chats and people').fill('bob');
    await alice.getByRole('button', { name: 'Message Bob Builder' }).click();
    await alice.getByRole('heading', { name: 'Bob Builder' }).waitFor();
    await send(alice, 'Hello **Bob**: the plan is in `notes.md`, details on [the wiki](https://example.org/wiki).');
    await chatRow(bob, 'Alice Liddell').click();
    const hello = bubble(bob, 'Hello');
    await hello.waitFor();
    assert.equal(await hello.locator('.message-text strong').textContent(), 'Bob');
    assert.equal(await hello.locator('.message-text code').textContent(), 'notes.md');
    const link = hello.locator('.message-text a');
    assert.equal(await link.getAttribute('href'), 'https://example.org/wiki');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
  });

  it('hostile Markdown stays inert: no script links, no images, nothing runs', async () => {
    const hostile = '[click](javascript:alert(1)) ![x](https://example.org/x.png) <img src=x onerror=alert(1)> <JaVaScRiPt:alert(2)>';
    await send(alice, hostile);
    const row = bubble(bob, 'click');
    await row.waitFor();
    // The image syntax is at most a link to the picture (never an <img>); the script links are text.
    const hrefs = await row.locator('a').evaluateAll((links) => links.map((l) => l.getAttribute('href')));
    assert.deepEqual(hrefs, ['https://example.org/x.png']);
    assert.equal(await row.locator('img').count(), 0);
    assert.match(await row.locator('.message-text').textContent(), /\[click\]\(javascript:alert\(1\)\)/);
    assert.deepEqual(dialogs, []);
    // What Alice typed is stored as she typed it.
    const stored = (await messagesOf(tokens.bob, (await rest.call('GET', '/chats', { token: tokens.bob })).find((c) => !c.is_group).id)).at(-1);
    assert.equal(stored.content, hostile);
  });

  it('replies: from the menu with a quote, by keyboard, and a click on the quote shows the original', async () => {
    await send(alice, 'Shall we take the early train on Saturday?');
    const question = bubble(bob, 'early train');
    await question.waitFor();
    await question.getByRole('button', { name: 'Reply', exact: true }).click();
    await bob.locator('.reply-bar').getByText('Replying to Alice Liddell').waitFor();
    await screenshot(bob, 'conv-01-reply-bar.png');
    await composer(bob).fill('Yes, the 7:40 one.');
    await composer(bob).press('Enter');
    const answer = bubble(alice, '7:40');
    await answer.waitFor();
    await answer.locator('.quote').getByText('Shall we take the early train on Saturday?').waitFor();
    await screenshot(alice, 'conv-02-reply.png');
    const direct = (await rest.call('GET', '/chats', { token: tokens.alice })).find((c) => !c.is_group);
    const sent = (await messagesOf(tokens.alice, direct.id)).find((m) => m.content === 'Yes, the 7:40 one.');
    assert.equal(sent.reply_to.excerpt, 'Shall we take the early train on Saturday?');

    // Keyboard: Alt+R answers the last message, Esc cancels.
    await composer(alice).focus();
    await composer(alice).press('Alt+r');
    await alice.locator('.reply-bar').getByText('Replying to Bob Builder').waitFor();
    await composer(alice).press('Escape');
    await alice.locator('.reply-bar').waitFor({ state: 'hidden' });

    // The quote jumps to its original, highlighted.
    await answer.locator('.quote').click();
    await alice.locator('[role=log] [role=article][data-highlighted=true]').filter({ hasText: 'early train' }).waitFor();
  });

  it('jumping to a quoted message far back loads the page around it', async () => {
    const direct = (await rest.call('GET', '/chats', { token: tokens.bob })).find((c) => !c.is_group);
    const old = await rest.call('POST', `/chats/${direct.id}/messages`, { token: tokens.bob, body: { content: 'The very first packing list' } });
    for (let i = 0; i < 120; i++) {
      await rest.call('POST', `/chats/${direct.id}/messages`, { token: tokens.bob, body: { content: `Filler ${i}` } });
    }
    await rest.call('POST', `/chats/${direct.id}/messages`, { token: tokens.bob, body: { content: 'Back to the list above', reply_to_id: old.id } });
    const reply = bubble(alice, 'Back to the list above');
    await reply.waitFor();
    await reply.locator('.quote').click();
    await alice.locator('[role=log] [role=article][data-highlighted=true]').filter({ hasText: 'The very first packing list' }).waitFor();
    await screenshot(alice, 'conv-03-jump-to-original.png');
  });

  it('reactions: the picker, live counts on both sides, mine highlighted, no double counting', async () => {
    await send(alice, 'Tickets booked for both of us');
    const mine = bubble(bob, 'Tickets booked');
    await mine.waitFor();
    await mine.getByRole('button', { name: 'React', exact: true }).click();
    const picker = bob.getByRole('dialog', { name: 'Choose a reaction' });
    await picker.waitFor();
    await screenshot(bob, 'conv-04-reaction-picker.png');
    await picker.getByRole('button', { name: 'React with 🎉' }).click();
    await picker.waitFor({ state: 'detached' });

    const onAlice = bubble(alice, 'Tickets booked').locator('.reaction[data-emoji="🎉"]');
    await onAlice.filter({ hasText: '1' }).waitFor();
    assert.equal(await onAlice.getAttribute('aria-pressed'), 'false');
    // Who reacted, on hover: asked of the server, in the tooltip that describes the button.
    const tipOf = async (page, chip) => page.locator(`[id="${await chip.getAttribute('aria-describedby')}"]`);
    const asked = [];
    const count = (request) => request.url().endsWith('/reactions') && asked.push(request.url());
    alice.on('request', count);
    await onAlice.hover();
    const aliceTip = await tipOf(alice, onAlice);
    await aliceTip.filter({ hasText: /^Bob Builder$/ }).waitFor();
    assert.equal(await aliceTip.getAttribute('role'), 'tooltip');
    await alice.mouse.move(0, 0);
    await aliceTip.waitFor({ state: 'hidden' });
    await onAlice.hover(); // known: not asked again
    await aliceTip.filter({ hasText: /^Bob Builder$/ }).waitFor();
    assert.equal(asked.length, 1);
    await onAlice.click();
    await onAlice.filter({ hasText: '2' }).waitFor();
    assert.equal(await onAlice.getAttribute('aria-pressed'), 'true');
    const onBob = mine.locator('.reaction[data-emoji="🎉"]');
    await onBob.filter({ hasText: '2' }).waitFor();
    assert.equal(await onBob.getAttribute('aria-pressed'), 'true');
    await onBob.hover();
    await (await tipOf(bob, onBob)).filter({ hasText: /^You and Alice Liddell$/ }).waitFor();
    await screenshot(bob, 'conv-05-reactions.png');
    // Alice's toggle changed who reacted: her next hover asks again.
    await alice.mouse.move(0, 0);
    await onAlice.hover();
    await (await tipOf(alice, onAlice)).filter({ hasText: /^You and Bob Builder$/ }).waitFor();
    assert.equal(asked.length, 2);
    alice.off('request', count);

    // The REST answer and the event both arrived: still 2, on both sides and on the server.
    await alice.waitForTimeout(500);
    assert.match(await onAlice.textContent(), /^🎉2$/);
    const direct = (await rest.call('GET', '/chats', { token: tokens.alice })).find((c) => !c.is_group);
    const stored = (await messagesOf(tokens.alice, direct.id)).find((m) => m.content === 'Tickets booked for both of us');
    assert.deepEqual(stored.reactions, [{ emoji: '🎉', count: 2, me: true }]);

    // Taking mine back: Bob's tooltip, asked again after the event, names only him.
    await onAlice.click();
    await onBob.filter({ hasText: '1' }).waitFor();
    assert.equal(await onAlice.getAttribute('aria-pressed'), 'false');
    await bob.mouse.move(0, 0);
    await onBob.hover();
    await (await tipOf(bob, onBob)).filter({ hasText: /^You$/ }).waitFor();
  });

  it('mentions: suggestions after @, a badge for Bob that clears as he reads, and the bubble marked', async () => {
    await chatRow(alice, 'Weekend trip').click();
    await alice.getByRole('heading', { name: 'Weekend trip' }).waitFor();
    await composer(alice).fill('');
    await composer(alice).pressSequentially('Can you bring the stove @bo');
    const list = alice.getByRole('listbox', { name: 'People to mention' });
    await list.getByRole('option', { name: /Bob Builder/ }).waitFor();
    await screenshot(alice, 'conv-06-mention-suggestions.png');
    await composer(alice).press('Enter');
    assert.equal(await composer(alice).inputValue(), 'Can you bring the stove @bob ');
    await composer(alice).pressSequentially('please?');
    await composer(alice).press('Enter');

    // Bob is in the direct chat: the group's row gets the @ badge.
    const badge = chatRow(bob, 'Weekend trip').locator('.mention-badge');
    await badge.waitFor();
    assert.equal(await badge.textContent(), '@');
    assert.match(await chatRow(bob, 'Weekend trip').getAttribute('aria-label'), /1 mentioning you/);
    await screenshot(bob, 'conv-07-mention-badge.png');
    await chatRow(bob, 'Weekend trip').click();
    const mention = bubble(bob, 'bring the stove');
    await mention.locator('[data-mentions-me=true]').waitFor();
    await mention.locator('.mention-me').filter({ hasText: '@bob' }).waitFor();
    await badge.waitFor({ state: 'detached' });
    // The server hears of the read too (the badge goes at once, the request follows).
    let chat;
    for (let i = 0; i < 50; i++) {
      chat = (await rest.call('GET', '/chats', { token: tokens.bob })).find((c) => c.id === group.id);
      if (chat.mention_count === 0) break;
      await bob.waitForTimeout(100);
    }
    assert.equal(chat.mention_count, 0);
    await screenshot(bob, 'conv-08-mention-read.png');
  });

  it('"seen by": Alice asks who has read her group message', async () => {
    const row = bubble(alice, 'bring the stove');
    await row.locator('.seen-by').click();
    const seen = alice.getByRole('dialog', { name: 'Seen by' });
    await seen.getByText('Bob Builder').waitFor();
    assert.equal(await seen.getByText('Carol Danvers').count(), 0);
    await screenshot(alice, 'conv-09-seen-by.png');
    await alice.keyboard.press('Escape');
    await seen.waitFor({ state: 'detached' });
  });

  it('a link preview card appears under a message with a link', async () => {
    // A page with Open Graph tags on this machine.
    const port = await freePort();
    const page = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><head><title>Campsite</title><meta property="og:title" content="Lakeside campsite">'
        + '<meta property="og:description" content="Pitches by the water, open all year."><meta property="og:site_name" content="Camping Guide"></head><body>Hi</body></html>');
    });
    await new Promise((r) => page.listen(port, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${port}/lakeside`;
      await send(alice, `This one looks good: ${url}`);
      await bubble(bob, 'This one looks good').waitFor();
      const card = bubble(bob, 'This one looks good').locator('.link-preview');
      await card.waitFor({ timeout: 10_000 });
      const stored = (await messagesOf(tokens.alice, group.id)).at(-1);
      assert.equal(stored.preview?.title, 'Lakeside campsite');
      assert.match(await card.textContent(), /Lakeside campsite/);
      assert.equal(await card.getAttribute('href'), url);
      await screenshot(bob, 'conv-10-link-preview.png');
    } finally {
      page.close();
    }
  });

  it('looks right in the dark theme too', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark', locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(server.url);
    await page.getByLabel('Username or e-mail').fill('bob');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await chatRow(page, 'Alice Liddell').click();
    await bubble(page, 'Back to the list above').locator('.quote').waitFor();
    await bubble(page, 'Tickets booked').locator('.reaction').waitFor();
    await screenshot(page, 'conv-11-dark.png');
    await context.close();
  });

  it('every new control has an accessible name', async () => {
    const unnamed = await bob.evaluate(() =>
      [...document.querySelectorAll('button, [role=option], textarea, input')].filter((el) => {
        const named = el.getAttribute('aria-label') || el.textContent.trim() || el.getAttribute('title') ||
          (el.id && document.querySelector(`label[for="${el.id}"]`));
        return !named && el.getAttribute('aria-hidden') !== 'true' && el.type !== 'file';
      }).map((el) => el.outerHTML.slice(0, 120)));
    assert.deepEqual(unnamed, []);
    assert.deepEqual(dialogs, []);
  });
});
