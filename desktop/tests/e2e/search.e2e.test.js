// Message search against a real Parley server in real Chromium: a user with a long
// chat (300 messages seeded over REST) searches a word only an old message has
// (Ctrl+K), opens the result (Enter), sees it highlighted in place inside a window of
// history around it, scrolls up to the beginning and down to the live end (pages load
// both ways), and a live message still arrives at the end. Empty, no-result and
// refused queries are told in words. Needs GET /search/messages and
// GET /chats/{id}/messages?around= on the server.
// Steps share one server and one browser context and run in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchChromium, restClient, screenshot, startParley } from './harness.js';

const PASSWORD = 'correct horse battery';
const TIMEOUT = 15_000;
const TOTAL = 300;
const OLD = 12; // the message (1-based) that alone has the word searched for
const WORD = 'quokka';

describe('Parley message search, end to end', { timeout: 300_000 }, () => {
  let server;
  let rest;
  let browser;
  let page;
  let bob;
  let chatId;
  /** @type {number[]} message ids in order, oldest first */
  const ids = [];

  const timeline = () => page.locator('[role=log]');
  const row = (id) => page.locator(`[role=log] [data-message-id="${id}"]`);
  const searchBox = () => page.getByRole('combobox', { name: 'Search messages' });

  /** Scrolls the timeline to its top (or bottom) until `done` holds; pages load on the way. */
  async function scrollUntil(where, done, rounds = 40) {
    for (let i = 0; i < rounds; i++) {
      if (await done()) return;
      await timeline().evaluate((el, to) => {
        el.scrollTop = to === 'top' ? 0 : el.scrollHeight;
      }, where);
      await page.waitForTimeout(250);
    }
    assert.fail(`scrolling to the ${where} did not get there`);
  }

  before(async () => {
    // Seeding a long history needs more than the default 60 messages per 10 s.
    server = await startParley({ env: { PARLEY_MESSAGES_PER_WINDOW: '100000' } });
    rest = restClient(server.url);
    browser = await launchChromium();

    const alice = await rest.signUp('alice', 'Alice Liddell', PASSWORD);
    bob = await rest.signUp('bob', 'Bob Builder', PASSWORD);
    const chat = await rest.call('POST', '/chats', { token: bob.token, body: { is_group: false, member_ids: [alice.id] } });
    chatId = chat.id;
    for (let n = 1; n <= TOTAL; n++) {
      const token = n % 3 === 0 ? alice.token : bob.token;
      const content = n === OLD
        ? `Message ${n}: we saw a ${WORD} on Rottnest 🏝️ — <img src=x onerror=alert(1)> stays text`
        : `Message ${n}: notes about the weekend plans, part ${n}`;
      ids.push((await rest.call('POST', `/chats/${chatId}/messages`, { token, body: { content } })).id);
    }
    // Another chat that matches a broader query, for the grouped results.
    const carol = await rest.signUp('carol', 'Carol Danvers', PASSWORD);
    const group = await rest.call('POST', '/chats', { token: carol.token, body: { is_group: true, title: 'Weekend trip', member_ids: [alice.id] } });
    await rest.call('POST', `/chats/${group.id}/messages`, { token: carol.token, body: { content: 'Weekend plans: the ferry leaves at nine' } });
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('signs in and opens the long chat at its newest messages', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'UTC' });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on('dialog', (d) => assert.fail(`unexpected dialog: ${d.message()}`));
    await page.goto(server.url);
    await page.getByRole('tab', { name: 'Sign in' }).click();
    await page.getByLabel('Username or e-mail').fill('alice');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('list', { name: 'Chats' }).getByRole('button', { name: /^Bob Builder/ }).click();
    await row(ids[TOTAL - 1]).waitFor();
    assert.equal(await row(ids[OLD - 1]).count(), 0, 'the old message is not loaded yet');
  });

  it('Ctrl+K: the empty state, and a query of only operators is refused in words', async () => {
    await page.keyboard.press('Control+k');
    await searchBox().waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-input');
    await page.getByRole('dialog').getByRole('status').filter({ hasText: 'Search your messages' }).waitFor();
    await searchBox().fill('has:file');
    await page.getByRole('dialog').getByRole('status').filter({ hasText: /\w/ }).filter({ hasNotText: /Search your messages|Searching/ }).waitFor();
    assert.equal(await page.getByRole('option').count(), 0);
    await screenshot(page, 'search-00-refused.png');
    await searchBox().fill('zebrafinchzz');
    await page.getByRole('dialog').getByText('No messages match “zebrafinchzz”.').waitFor();
    await screenshot(page, 'search-01-no-results.png');
  });

  it('results come grouped by chat as the user types', async () => {
    await searchBox().fill('weekend plans');
    await page.getByRole('group', { name: 'Weekend trip' }).waitFor();
    await page.getByRole('group', { name: 'Bob Builder' }).waitFor();
    assert.ok(await page.locator('mark.search-hit').count() >= 2);
    await screenshot(page, 'search-02-grouped.png');
    // 301 matches: a first page, then the next one through the cursor.
    const first = await page.getByRole('option').count();
    assert.equal(first, 20);
    await page.getByRole('button', { name: 'Load more results' }).click();
    await page.getByRole('option').nth(first).waitFor();
    const ids = await page.getByRole('option').evaluateAll((nodes) => nodes.map((n) => n.dataset.messageId));
    assert.equal(new Set(ids).size, ids.length, 'no result twice');
  });

  it('finds the one old message with the word highlighted, as text', async () => {
    await searchBox().fill(WORD);
    const option = page.getByRole('option').filter({ hasText: WORD });
    await option.waitFor();
    assert.equal(await page.getByRole('option').count(), 1);
    assert.equal(await option.locator('mark').first().textContent(), WORD);
    assert.equal(await option.locator('img').count(), 0, 'message HTML must stay text');
    assert.match(await option.textContent(), /<img src=x onerror=alert\(1\)>/);
    assert.equal(await searchBox().getAttribute('aria-activedescendant'), `search-option-${ids[OLD - 1]}`);
    await screenshot(page, 'search-03-result.png');
  });

  it('Enter opens it in its chat, scrolled to and highlighted', async () => {
    await searchBox().press('Enter');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const target = row(ids[OLD - 1]);
    await target.and(page.locator('[data-highlighted=true]')).waitFor();
    // On screen, inside the timeline's visible area.
    const box = await target.boundingBox();
    const view = await timeline().boundingBox();
    assert.ok(box && view && box.y >= view.y && box.y + box.height <= view.y + view.height, 'the result is in view');
    // A window into the past: the newest message is not shown, a way back to it is.
    assert.equal(await row(ids[TOTAL - 1]).count(), 0);
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor();
    await screenshot(page, 'search-04-opened-highlighted.png');
  });

  it('scrolling up loads older history down to the beginning', async () => {
    await scrollUntil('top', async () => (await page.getByText('This is the beginning of the conversation.').count()) > 0);
    await row(ids[0]).waitFor();
    await screenshot(page, 'search-05-scrolled-to-start.png');
  });

  it('scrolling down loads newer history up to the live end, which takes live messages again', async () => {
    await scrollUntil('bottom', async () => (await row(ids[TOTAL - 1]).count()) > 0);
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor({ state: 'hidden' });
    // Contiguous: the messages on screen now are in order without gaps.
    const shown = await page.locator('[role=log] [data-message-id]').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.messageId)).filter(Boolean));
    const expected = ids.slice(ids.indexOf(shown[0]), ids.indexOf(shown[0]) + shown.length);
    assert.deepEqual(shown, expected);
    const live = await rest.call('POST', `/chats/${chatId}/messages`, { token: bob.token, body: { content: 'Live after the search' } });
    await row(live.id).waitFor();
    await screenshot(page, 'search-06-live-end.png');
  });

  it('Ctrl+F searches the open chat; Esc closes and keeps the conversation', async () => {
    await page.locator('#composer').focus();
    await page.keyboard.press('Control+f');
    await searchBox().waitFor();
    assert.equal(await page.getByRole('button', { name: /^In Bob Builder/ }).getAttribute('aria-pressed'), 'true');
    await searchBox().fill('weekend plans');
    await page.getByRole('group', { name: 'Bob Builder' }).waitFor();
    assert.equal(await page.getByRole('group', { name: 'Weekend trip' }).count(), 0);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'composer');
  });
});
