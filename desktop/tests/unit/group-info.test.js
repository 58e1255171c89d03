// @vitest-environment jsdom
// The group screen: controls follow my role, changes go to the actions, refusals are
// told in words, and the screen follows the store (a new role redraws the controls).
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from '../../src/renderer/lib/store.js';
import { openGroupInfo } from '../../src/renderer/views/group-info.js';

beforeAll(() => {
  // jsdom has <dialog> but not its modal methods.
  globalThis.HTMLDialogElement.prototype.showModal ??= function showModal() {
    this.setAttribute('open', '');
  };
  globalThis.HTMLDialogElement.prototype.close ??= function close() {
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
});

const tick = () => new Promise((r) => setTimeout(r, 0));
const user = (id, name) => ({ id, username: name.toLowerCase(), display_name: name });
const group = (roles) => ({
  id: 9,
  is_group: true,
  title: 'Weekend',
  created_at: '2026-11-27T10:00:00Z',
  last_message: null,
  unread_count: 0,
  members: [
    { user: user(1, 'Me'), role: roles.me },
    { user: user(2, 'Olga'), role: roles.olga ?? 'owner' },
    { user: user(3, 'Max'), role: 'member' },
  ],
});

let store;
let actions;
let dialog;

function open(roles) {
  document.body.replaceChildren();
  store = createStore();
  store.setMe({ id: 1, username: 'me' });
  store.setChats([group(roles)]);
  actions = {
    rename: vi.fn(async () => {}),
    addMember: vi.fn(async () => {}),
    removeMember: vi.fn(async () => {}),
    setRole: vi.fn(async () => {}),
    leave: vi.fn(async () => {}),
    searchUsers: vi.fn(async () => []),
    assetUrl: (url) => (url ? `http://srv${url}` : null),
  };
  dialog = openGroupInfo({ store, chatId: 9, actions });
}

const button = (name) => /** @type {HTMLButtonElement} */ ([...dialog.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent) === name));

beforeEach(() => open({ me: 'member' }));

describe('group screen', () => {
  it('for a member: everything but leaving is disabled, with the reason', () => {
    expect(button('Rename').disabled).toBe(true);
    expect(button('Rename').title).toBe('Only the owner and admins can rename the group.');
    expect(dialog.querySelector('#group-info-add').disabled).toBe(true);
    expect(button('Remove Max').disabled).toBe(true);
    expect(button('Make Max an admin').disabled).toBe(true);
    expect(button('Leave group').disabled).toBe(false);
    expect(dialog.textContent).toContain('You are a member');
  });

  it('for an admin: rename and remove members, but no roles and not the owner', () => {
    open({ me: 'admin' });
    expect(button('Rename').disabled).toBe(false);
    expect(button('Remove Max').disabled).toBe(false);
    expect(button('Remove Olga').disabled).toBe(true);
    expect(button('Make Max an admin').title).toBe('Only the owner can make or unmake admins.');
  });

  it('for the owner: roles change through the actions, and the screen follows the store', async () => {
    open({ me: 'owner', olga: 'admin' });
    button('Make Max an admin').click();
    await tick();
    expect(actions.setRole).toHaveBeenCalledWith(9, 3, 'admin');
    button('Remove admin role from Olga').click();
    await tick();
    expect(actions.setRole).toHaveBeenCalledWith(9, 2, 'member');
    // The server's answer arrives in the store: the row redraws with the new role.
    const chat = group({ me: 'owner', olga: 'admin' });
    chat.members[2].role = 'admin';
    store.upsertChat(chat);
    expect(dialog.querySelector('li[data-user-id="3"]').dataset.role).toBe('admin');
    expect(button('Remove admin role from Max')).toBeTruthy();
  });

  it('renames, and shows a refusal in words', async () => {
    open({ me: 'admin' });
    actions.rename.mockRejectedValueOnce({ response: { status: 403, data: { detail: 'only the group\'s owner or admins may do this', code: 'forbidden' } } });
    dialog.querySelector('#group-info-name').value = 'Weekend trip';
    dialog.querySelector('form').requestSubmit();
    await tick();
    expect(actions.rename).toHaveBeenCalledWith(9, 'Weekend trip');
    const alert = dialog.querySelector('[role=alert]');
    expect(alert.classList.contains('hidden')).toBe(false);
    expect(alert.textContent).toMatch(/owner or admins/);
  });

  it('closes itself once I am no longer in the group', () => {
    store.removeChat(9);
    expect(dialog.isConnected).toBe(false);
  });
});
