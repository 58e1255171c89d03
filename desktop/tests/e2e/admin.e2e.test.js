// Accounts and administration against a real Parley server (PARLEY_REGISTRATION=invite)
// in real Chromium: the first account registered in the web UI administers the server;
// it makes an invite in the admin screen, a second browser opens the link, registers
// with it and lands in the app; deactivating that user signs their open window out;
// "My devices" signs another window of the same account out; an account export shows
// its progress and its link downloads a zip. Screenshots of the admin screen's tabs
// and of My devices go with the other e2e screenshots. Steps share one server, in order.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchChromium, restClient, screenshot, startParley } from './harness.js';

const PASSWORD = 'correct horse battery';
const TIMEOUT = 20_000;
const SIGNED_OUT = /You were signed out on this device/;

describe('Accounts, invites and administration, end to end', { timeout: 240_000 }, () => {
  let server;
  let rest;
  let browser;
  let admin; // the first account's page
  let inviteUrl;
  let bobPage;

  async function newPage() {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB', timezoneId: 'UTC', acceptDownloads: true });
    const tab = await context.newPage();
    tab.setDefaultTimeout(TIMEOUT);
    return tab;
  }

  async function signIn(username) {
    const tab = await newPage();
    await tab.goto(server.url);
    await tab.getByLabel('Username or e-mail').fill(username);
    await tab.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.getByRole('list', { name: 'Chats' }).waitFor();
    return tab;
  }

  /** The admin screen, on one tab. */
  async function adminTab(name) {
    let dialog = admin.getByRole('dialog', { name: 'Administration' });
    if (!(await dialog.isVisible())) {
      await admin.getByRole('button', { name: 'Administration' }).click();
      dialog = admin.getByRole('dialog', { name: 'Administration' });
    }
    await dialog.getByRole('tab', { name }).click();
    return dialog;
  }

  before(async () => {
    server = await startParley({ env: { PARLEY_REGISTRATION: 'invite' } });
    rest = restClient(server.url);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('registers the first account in the web UI, which becomes the administrator', async () => {
    admin = await newPage();
    await admin.goto(server.url);
    await admin.getByRole('tab', { name: 'Create account' }).click();
    await admin.getByText('You are the first: this account will administer the server.').waitFor();
    // Invite-only, but the first account needs none.
    assert.equal(await admin.locator('#invite').count(), 0);
    await admin.getByLabel('Username').fill('ada');
    await admin.getByLabel('E-mail').fill('ada@example.test');
    await admin.getByLabel('Display name (optional)').fill('Ada Admin');
    await admin.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await admin.getByRole('button', { name: 'Create account' }).click();
    await admin.getByRole('list', { name: 'Chats' }).waitFor();
    const token = await rest.login('ada', PASSWORD);
    const me = await rest.call('GET', '/auth/me', { token });
    assert.equal(me.is_admin, true);
    // Now the server is invite-only for everyone else.
    const options = await rest.call('GET', '/auth/options');
    assert.deepEqual([options.registration, options.first_account], ['invite', false]);
  });

  it('makes an invite with a QR code in the admin screen; a second browser registers through the link', async () => {
    const dialog = await adminTab('Invites');
    await dialog.getByLabel('Uses').selectOption({ label: '5' });
    await dialog.getByLabel('Expires in').selectOption({ label: '1 day' });
    await dialog.getByRole('button', { name: 'Create invite' }).click();
    const link = dialog.locator('#invite-link-new');
    await link.waitFor();
    inviteUrl = await link.inputValue();
    assert.match(inviteUrl, new RegExp(`^${server.url}/\\?invite=[A-Za-z0-9_-]+$`));
    const qr = dialog.locator('[data-testid=invite-qr]').first();
    await admin.waitForFunction((img) => img.complete && img.naturalWidth > 0 && img.src.startsWith('data:image/svg+xml'), await qr.elementHandle());
    await dialog.locator('[data-invite]').first().getByText('0/5 used').waitFor();
    await screenshot(admin, 'admin-02-invites.png');

    bobPage = await newPage();
    await bobPage.goto(inviteUrl);
    await bobPage.getByRole('tab', { name: 'Create account', selected: true }).waitFor();
    assert.equal(await bobPage.getByLabel('Invite', { exact: true }).inputValue(), inviteUrl.split('=')[1]);
    await bobPage.getByLabel('Username').fill('bob');
    await bobPage.getByLabel('E-mail').fill('bob@corp.local');
    await bobPage.getByLabel('Display name (optional)').fill('Bob Builder');
    await bobPage.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await bobPage.getByRole('button', { name: 'Create account' }).click();
    await bobPage.getByRole('list', { name: 'Chats' }).waitFor();
    // The token left the address bar once used.
    assert.equal(new URL(bobPage.url()).search, '');
    // Not an administrator: no admin button.
    assert.equal(await bobPage.getByRole('button', { name: 'Administration' }).isVisible(), false);

    const invites = await adminTab('Invites');
    await invites.locator('[data-invite]').first().getByText('1/5 used').waitFor();
    await invites.getByText('Joined: Bob Builder (@bob)').waitFor();
  });

  it('lists users and the server in the admin screen; deactivating bob signs his open window out', async () => {
    const server = await adminTab('Server');
    await server.locator('[data-stat=Users]').getByText('2 (2 active)').waitFor();
    await server.locator('[data-stat=Registration]').getByText('By invite only').waitFor();
    await screenshot(admin, 'admin-03-server.png');

    const users = await adminTab('Users');
    const bobRow = users.locator('[data-user=bob]');
    await bobRow.getByText('1 active session').waitFor();
    await screenshot(admin, 'admin-01-users.png');
    await bobRow.getByRole('button', { name: 'Deactivate' }).click();
    await admin.getByRole('dialog', { name: 'Deactivate Bob Builder?' }).getByRole('button', { name: 'Deactivate' }).click();
    await users.getByText('Bob Builder was deactivated and signed out everywhere.').waitFor();
    await bobRow.getByText('Deactivated').waitFor();

    // Bob's window: signed out at once (socket closed with 4401), with the reason.
    await bobPage.getByText(SIGNED_OUT).waitFor();
    await bobPage.getByRole('button', { name: 'Sign in' }).waitFor();
    await assert.rejects(rest.login('bob', PASSWORD), /401/);
    await users.getByRole('button', { name: 'Close' }).click();
  });

  it('signs another window of the same account out from My devices', async () => {
    const other = await signIn('ada');
    await admin.getByRole('button', { name: 'My profile' }).click();
    await admin.getByRole('dialog', { name: 'My profile' }).getByRole('button', { name: 'My devices' }).click();
    const devices = admin.getByRole('dialog', { name: 'My devices' });
    const list = devices.getByRole('list', { name: 'Signed-in devices' });
    await list.getByText('This device').waitFor();
    assert.ok((await list.locator('[data-session]').count()) >= 2);
    await list.getByText(/^(Chrome|Chromium) on Linux/).first().waitFor();
    await screenshot(admin, 'admin-04-my-devices.png');

    await devices.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await admin.getByRole('dialog', { name: 'Sign out everywhere else?' }).getByRole('button', { name: 'Sign out others' }).click();
    await devices.getByText('Every other device was signed out.').waitFor();
    await other.getByText(SIGNED_OUT).waitFor();
    // Only this one is left, and this window still works.
    await admin.waitForFunction(() => document.querySelectorAll('[aria-label="Signed-in devices"] [data-session]').length === 1);
    await devices.getByRole('button', { name: 'Close' }).click();
    await admin.getByRole('list', { name: 'Chats' }).waitFor();
  });

  it('exports the account: progress, then a link that downloads a zip', async () => {
    const profile = admin.getByRole('dialog', { name: 'My profile' });
    await profile.waitFor();
    // Records whether the progress was ever shown (a small account exports fast).
    await admin.evaluate(() => {
      const box = document.querySelector('[data-testid=export-status]');
      window.sawProgress = false;
      new MutationObserver(() => {
        if (box?.querySelector('progress') || /Exporting|Waiting for the server/.test(box?.textContent ?? '')) window.sawProgress = true;
      }).observe(box, { childList: true, subtree: true, characterData: true });
    });
    await profile.getByRole('button', { name: 'Export my account' }).click();
    const link = profile.locator('[data-testid=export-download]');
    await link.waitFor({ timeout: 60_000 });
    assert.equal(await admin.evaluate(() => window.sawProgress), true);
    assert.match(await link.innerText(), /^Download \(zip, [\d.]+ (B|KB|MB)\) — link valid until /);
    const [download] = await Promise.all([admin.waitForEvent('download'), link.click()]);
    const file = await download.path();
    const head = fs.readFileSync(file).subarray(0, 2).toString('latin1');
    assert.equal(head, 'PK');
    await screenshot(admin, 'admin-05-export.png');

    // Opened again, the screen shows the latest export.
    await profile.getByRole('button', { name: 'Close' }).click();
    await admin.getByRole('button', { name: 'My profile' }).click();
    await admin.getByRole('dialog', { name: 'My profile' }).locator('[data-testid=export-download]').waitFor();
  });
});
