// The group screen, my profile and drafts, against a real Parley server in real
// Chromium: the owner renames a group, makes an admin and removes a member from the
// group screen, and an admin sees the owner-only controls disabled with the reason;
// a display name and a picture are changed in the profile, and a wrong current
// password is refused in words; a draft survives switching chats and a reload, and
// goes once sent. Screenshots of each new screen are saved like the other e2e test's.
// Steps share one server and run in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, launchChromium, pngBytes, restClient, screenshot, startParley } from './harness.js';

const PASSWORD = 'correct horse battery';
const TIMEOUT = 15_000;

describe('Group screen, profile and drafts, end to end', { timeout: 180_000 }, () => {
  let server;
  let rest;
  let browser;
  let page; // alice, the group's owner
  let alice;
  let bob;
  let carol;
  let group;

  async function signIn(username) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'UTC' });
    const tab = await context.newPage();
    tab.setDefaultTimeout(TIMEOUT);
    await tab.goto(server.url);
    await tab.getByLabel('Username or e-mail').fill(username);
    await tab.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.getByRole('list', { name: 'Chats' }).waitFor();
    return tab;
  }

  const chatRow = (tab, name) => tab.getByRole('list', { name: 'Chats' }).getByRole('button', { name: new RegExp(`^${name}`) });
  const composer = (tab) => tab.getByRole('textbox', { name: 'Message', exact: true });
  const getChat = () => rest.call('GET', `/chats/${group.id}`, { token: alice.token });

  before(async () => {
    server = await startParley();
    rest = restClient(server.url);
    browser = await launchChromium();
    alice = await rest.signUp('alice', 'Alice Liddell', PASSWORD);
    bob = await rest.signUp('bob', 'Bob Builder', PASSWORD);
    carol = await rest.signUp('carol', 'Carol Danvers', PASSWORD);
    group = await rest.call('POST', '/chats', { token: alice.token, body: { is_group: true, title: 'Weekend', member_ids: [bob.id, carol.id] } });
    await rest.call('POST', `/chats/${group.id}/messages`, { token: carol.token, body: { content: 'Who is bringing the tent?' } });
    const direct = await rest.call('POST', '/chats', { token: bob.token, body: { is_group: false, member_ids: [alice.id] } });
    await rest.call('POST', `/chats/${direct.id}/messages`, { token: bob.token, body: { content: 'Lunch tomorrow?' } });
    page = await signIn('alice');
  });

  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('renames a group, makes an admin and removes a member from the group screen', async () => {
    await chatRow(page, 'Weekend').click();
    await page.getByRole('button', { name: 'Group info' }).click();
    const dialog = page.getByRole('dialog', { name: 'Weekend' });
    await dialog.getByRole('list', { name: 'Members' }).getByText('Carol Danvers').waitFor();
    await dialog.getByText('You own this group').waitFor();
    await screenshot(page, '07-group-info.png');

    await dialog.getByLabel('Group name').fill('Weekend trip');
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await page.getByRole('dialog', { name: 'Weekend trip' }).waitFor();
    await eventually(async () => (await getChat()).title === 'Weekend trip', 'the server has the new title');
    await page.locator('#chat-title', { hasText: 'Weekend trip' }).waitFor();

    const info = page.getByRole('dialog', { name: 'Weekend trip' });
    await info.getByRole('button', { name: 'Make Bob Builder an admin' }).click();
    await info.locator(`li[data-user-id="${bob.id}"][data-role="admin"]`).waitFor();
    const roles = Object.fromEntries((await getChat()).members.map((m) => [m.user.id, m.role]));
    assert.deepEqual(roles, { [alice.id]: 'owner', [bob.id]: 'admin', [carol.id]: 'member' });

    await info.getByRole('button', { name: 'Remove Carol Danvers' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove Carol Danvers?' });
    await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
    await info.locator(`li[data-user-id="${carol.id}"]`).waitFor({ state: 'detached' });
    await eventually(async () => !(await getChat()).members.some((m) => m.user.id === carol.id), 'carol is no longer a member');
    await info.getByText('2 members').waitFor();
    await info.getByRole('button', { name: 'Close' }).click();
  });

  it('shows an admin the owner-only controls disabled, with the reason', async () => {
    const bobPage = await signIn('bob');
    await chatRow(bobPage, 'Weekend trip').click();
    await bobPage.getByRole('button', { name: 'Group info' }).click();
    const dialog = bobPage.getByRole('dialog', { name: 'Weekend trip' });
    await dialog.getByText('You are an admin').waitFor();
    const makeAdmin = dialog.getByRole('button', { name: 'Make Alice Liddell an admin' });
    assert.equal(await makeAdmin.isDisabled(), true);
    assert.equal(await makeAdmin.getAttribute('title'), 'Only the owner can make or unmake admins.');
    const removeOwner = dialog.getByRole('button', { name: 'Remove Alice Liddell' });
    assert.equal(await removeOwner.isDisabled(), true);
    assert.equal(await dialog.getByRole('button', { name: 'Rename', exact: true }).isEnabled(), true);
    assert.equal(await dialog.getByRole('button', { name: 'Leave group' }).isEnabled(), true);
    await bobPage.context().close();
  });

  it('changes the display name and picture in the profile; a wrong password is refused in words', async () => {
    await page.getByRole('button', { name: 'My profile' }).click();
    const dialog = page.getByRole('dialog', { name: 'My profile' });
    await dialog.getByLabel('Display name', { exact: true }).fill('Alice Cooper');
    await dialog.getByRole('button', { name: 'Save name' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Display name saved.' }).waitFor();
    assert.equal((await rest.call('GET', `/users/${alice.id}`, { token: bob.token })).display_name, 'Alice Cooper');

    await dialog.getByLabel('Picture file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: pngBytes(480, 320) });
    await dialog.getByRole('status').filter({ hasText: 'Picture saved.' }).waitFor();
    const { avatar_url: avatarUrl } = await rest.call('GET', `/users/${alice.id}`, { token: bob.token });
    assert.match(avatarUrl, new RegExp(`^/users/${alice.id}/avatar\\?v=`));
    const shown = dialog.getByTestId('profile-avatar').locator('img');
    await shown.waitFor();
    await page.waitForFunction((img) => img.complete && img.naturalWidth === 256, await shown.elementHandle());

    await dialog.getByLabel('Current password', { exact: true }).fill('not my password');
    await dialog.getByLabel('New password', { exact: true }).fill('a brand new password');
    await dialog.getByLabel('Repeat new password').fill('a brand new password');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'The current password is not right' }).waitFor();
    await screenshot(page, '08-profile.png');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // The sidebar shows the new name and the picture.
    const me = page.getByRole('button', { name: 'My profile' });
    await me.getByText('Alice Cooper').waitFor();
    await me.locator('img').waitFor();
  });

  it('keeps a draft through switching chats and a reload, and drops it once sent', async () => {
    await chatRow(page, 'Bob Builder').click();
    await composer(page).fill('A half-written thought about lunch');
    await chatRow(page, 'Weekend trip').click();
    assert.equal(await composer(page).inputValue(), '');
    await chatRow(page, 'Bob Builder').click();
    assert.equal(await composer(page).inputValue(), 'A half-written thought about lunch');

    await page.reload();
    await chatRow(page, 'Bob Builder').click();
    await page.locator('[role=log] [role=article]').filter({ hasText: 'Lunch tomorrow?' }).waitFor();
    assert.equal(await composer(page).inputValue(), 'A half-written thought about lunch');
    await screenshot(page, '09-draft-restored.png');

    await composer(page).press('Enter');
    await page.locator('[role=log] [role=article]').filter({ hasText: 'A half-written thought' }).waitFor();
    assert.equal(await composer(page).inputValue(), '');
    await page.reload();
    await chatRow(page, 'Bob Builder').click();
    await page.locator('[role=log] [role=article]').filter({ hasText: 'A half-written thought' }).waitFor();
    assert.equal(await composer(page).inputValue(), '');
  });
});
