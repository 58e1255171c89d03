// The group screen (opened from the conversation header): rename, the members with
// their roles and pictures, add people found by search, remove, make or unmake
// admins, leave. Controls follow my role (lib/roles.js): one the server would refuse
// is disabled and says why; a refusal that still comes (roles changed meanwhile) is
// shown in words. The screen follows the store, so changes made elsewhere show at once.
import { describeError } from '../lib/errors.js';
import { ICONS, h, icon, setChildren } from '../lib/dom.js';
import { ROLE_LABEL, groupPermissions, memberPermissions } from '../lib/roles.js';
import { TOPICS } from '../lib/store.js';
import { avatar } from './common.js';
import { confirmDialog, openDialog } from './dialogs.js';

/** @typedef {import('../lib/types.js').Chat} Chat */
/** @typedef {import('../lib/types.js').Member} Member */
/** @typedef {import('../lib/types.js').User} User */

/**
 * What the group screen asks the messenger for (messenger/actions.js). Each rejects
 * with the server's error, which the screen puts in words.
 * @typedef {object} GroupInfoActions
 * @property {(chatId: number, title: string) => Promise<void>} rename
 * @property {(chatId: number, userId: number) => Promise<void>} addMember
 * @property {(chatId: number, userId: number) => Promise<void>} removeMember
 * @property {(chatId: number, userId: number, role: 'admin' | 'member') => Promise<void>} setRole
 * @property {(chatId: number) => Promise<void>} leave
 * @property {(q: string) => Promise<User[]>} searchUsers
 * @property {(url: string | null | undefined) => string | null} assetUrl
 */

/** @param {User} user */
const nameOf = (user) => user.display_name || user.username;

/**
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {number} deps.chatId
 * @param {GroupInfoActions} deps.actions
 */
export function openGroupInfo({ store, chatId, actions }) {
  const labelId = 'group-info-title';
  const heading = h('h2', { id: labelId, class: 'truncate text-lg font-semibold' });
  const count = h('p', { class: 'text-sm text-slate-500 dark:text-slate-400' });
  const headAvatar = h('div');
  const roleNote = h('p', { class: 'rounded-lg bg-slate-100 px-3 py-2 text-sm text-slate-600 dark:bg-slate-800 dark:text-slate-300', 'data-testid': 'role-note' });
  const error = h('p', { role: 'alert', class: 'hidden whitespace-pre-line text-sm text-red-600 dark:text-red-400' });

  const titleInput = h('input', { id: 'group-info-name', class: 'field', maxlength: '100', autocomplete: 'off', required: true });
  const renameButton = h('button', { type: 'submit', class: 'btn-primary shrink-0' }, 'Rename');
  const renameForm = h('form', { class: 'space-y-1', 'aria-label': 'Rename the group' },
    h('label', { for: 'group-info-name', class: 'text-sm font-medium' }, 'Group name'),
    h('div', { class: 'flex gap-2' }, titleInput, renameButton));

  const searchInput = h('input', { id: 'group-info-add', type: 'search', class: 'field', placeholder: 'Search by name or username', autocomplete: 'off' });
  const results = h('ul', { class: 'max-h-40 space-y-0.5 overflow-y-auto', 'aria-label': 'People to add' });
  const members = h('ul', { class: 'max-h-72 space-y-0.5 overflow-y-auto', 'aria-label': 'Members' });
  const leaveButton = h('button', { type: 'button', class: 'btn-ghost text-red-600 dark:text-red-400' }, 'Leave group');

  const body = h('div', { class: 'space-y-4 p-6' },
    h('div', { class: 'flex items-center gap-3' },
      headAvatar,
      h('div', { class: 'min-w-0 flex-1' }, heading, count),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close', onclick: () => dialog.close() }, icon(ICONS.close))),
    roleNote,
    error,
    renameForm,
    h('section', { class: 'space-y-2', 'aria-labelledby': 'group-info-add-label' },
      h('label', { id: 'group-info-add-label', for: 'group-info-add', class: 'text-sm font-medium' }, 'Add people'),
      searchInput, results),
    h('section', { class: 'space-y-1', 'aria-labelledby': 'group-info-members-label' },
      h('h3', { id: 'group-info-members-label', class: 'text-sm font-medium' }, 'Members'),
      members),
    h('div', { class: 'flex justify-end' }, leaveButton));
  const dialog = openDialog(labelId, body);
  // The screen is wider than other dialogs: a member row holds a name and two buttons.
  dialog.classList.replace('w-[min(28rem,calc(100vw-2rem))]', 'w-[min(34rem,calc(100vw-2rem))]');

  /** @param {unknown} err */
  function fail(err) {
    error.textContent = typeof err === 'string' ? err : describeError(err);
    error.classList.remove('hidden');
  }
  function clearError() {
    error.classList.add('hidden');
  }

  /**
   * Runs one change with its button disabled; errors are shown in words.
   * @param {HTMLButtonElement | null} button
   * @param {() => Promise<unknown>} work
   */
  async function run(button, work) {
    clearError();
    if (button) button.disabled = true;
    try {
      await work();
    } catch (err) {
      fail(err);
    } finally {
      if (button?.isConnected) button.disabled = false;
      render(); // the rules may have changed (or the server refused): redraw the controls
    }
  }

  /** @param {HTMLButtonElement} button @param {import('../lib/roles.js').Permission} permission */
  function gate(button, permission) {
    button.disabled = !permission.allowed;
    if (permission.reason) button.title = permission.reason;
    else button.removeAttribute('title');
    return button;
  }

  const myRole = () => current()?.members.find((m) => m.user.id === store.me?.id)?.role ?? null;
  const current = () => store.chat(chatId);

  /** @param {Chat} chat @param {Member} member */
  function memberRow(chat, member) {
    const me = member.user.id === store.me?.id;
    const name = nameOf(member.user);
    const can = memberPermissions(myRole(), member.role);
    const promote = member.role === 'admin'
      ? gate(h('button', { type: 'button', class: 'btn-ghost px-2 py-1 text-xs', 'aria-label': `Remove admin role from ${name}` }, 'Unmake admin'), can.removeAdmin)
      : gate(h('button', { type: 'button', class: 'btn-ghost px-2 py-1 text-xs', 'aria-label': `Make ${name} an admin` }, 'Make admin'), can.makeAdmin);
    promote.addEventListener('click', () => run(promote, () => actions.setRole(chat.id, member.user.id, member.role === 'admin' ? 'member' : 'admin')));
    const remove = gate(h('button', { type: 'button', class: 'btn-ghost px-2 py-1 text-xs text-red-600 dark:text-red-400', 'aria-label': `Remove ${name}` }, 'Remove'), can.remove);
    remove.addEventListener('click', async () => {
      const ok = await confirmDialog({ title: `Remove ${name}?`, body: `${name} will leave “${chat.title ?? 'this group'}” and stop seeing its messages.`, confirmLabel: 'Remove', danger: true });
      if (ok) await run(remove, () => actions.removeMember(chat.id, member.user.id));
    });
    return h('li', { class: 'flex items-center gap-3 rounded-lg px-2 py-1.5', dataset: { userId: member.user.id, role: member.role } },
      avatar({ name, seed: member.user.id, size: 'size-9 text-xs', online: Boolean(member.user.online), src: actions.assetUrl(member.user.avatar_url) }),
      h('div', { class: 'min-w-0 flex-1' },
        h('p', { class: 'truncate text-sm font-medium' }, me ? `${name} (you)` : name),
        h('p', { class: 'truncate text-xs text-slate-500 dark:text-slate-400' }, `@${member.user.username} · `,
          h('span', { class: member.role === 'member' ? '' : 'font-semibold text-brand-700 dark:text-brand-400' }, ROLE_LABEL[member.role]))),
      // For myself, "Leave group" below is the way out; no buttons here.
      !me && h('div', { class: 'flex shrink-0 gap-1' }, promote, remove));
  }

  function render() {
    const chat = current();
    if (!chat) {
      // Removed from the group (or it is gone): nothing left to show.
      if (dialog.open) dialog.close();
      return;
    }
    const role = myRole();
    const can = groupPermissions(role);
    heading.textContent = chat.title || 'Group';
    count.textContent = `${chat.members.length} member${chat.members.length === 1 ? '' : 's'}`;
    setChildren(headAvatar, avatar({ name: chat.title || 'Group', seed: chat.id, size: 'size-12 text-base' }));
    roleNote.textContent = role === 'owner'
      ? 'You own this group: you can rename it, add and remove anyone, and make admins.'
      : role === 'admin'
        ? 'You are an admin: you can rename the group, add people and remove members. Only the owner makes admins.'
        : 'You are a member: only the owner and admins can rename the group or change who is in it.';
    if (document.activeElement !== titleInput) titleInput.value = chat.title ?? '';
    titleInput.disabled = !can.rename.allowed;
    gate(renameButton, can.rename);
    searchInput.disabled = !can.add.allowed;
    searchInput.title = can.add.reason;
    if (!can.add.allowed) setChildren(results);
    gate(leaveButton, can.leave);
    // Owners and admins first, then by name: who runs the group is seen at once.
    const order = { owner: 0, admin: 1, member: 2 };
    const sorted = [...chat.members].sort((a, b) => order[a.role] - order[b.role] || nameOf(a.user).localeCompare(nameOf(b.user)));
    setChildren(members, sorted.map((member) => memberRow(chat, member)));
  }

  renameForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const title = titleInput.value.trim();
    if (!title) return fail('Give the group a name.');
    if (title === current()?.title) return;
    run(renameButton, async () => {
      await actions.rename(chatId, title);
      titleInput.blur();
    });
  });

  let seq = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let debounce;
  async function search() {
    const q = searchInput.value.trim();
    const mine = ++seq;
    if (!q) return setChildren(results);
    try {
      const inGroup = new Set(current()?.members.map((m) => m.user.id));
      const users = (await actions.searchUsers(q)).filter((u) => !inGroup.has(u.id));
      if (mine !== seq) return;
      setChildren(results, users.length
        ? users.map((user) => {
            const add = h('button', { type: 'button', class: 'btn-primary px-3 py-1 text-xs', 'aria-label': `Add ${nameOf(user)}` }, 'Add');
            add.addEventListener('click', () => run(add, async () => {
              await actions.addMember(chatId, user.id);
              add.closest('li')?.remove();
            }));
            return h('li', { class: 'flex items-center gap-3 rounded-lg px-2 py-1.5 hover:bg-slate-100 dark:hover:bg-slate-800' },
              avatar({ name: nameOf(user), seed: user.id, size: 'size-8 text-xs', src: actions.assetUrl(user.avatar_url) }),
              h('span', { class: 'min-w-0 flex-1 truncate text-sm' }, nameOf(user), h('span', { class: 'ml-1 text-slate-400' }, `@${user.username}`)),
              add);
          })
        : h('li', { class: 'px-2 py-3 text-sm text-slate-500' }, 'Nobody else found.'));
    } catch (err) {
      if (mine === seq) fail(err);
    }
  }
  searchInput.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(search, 200);
  });

  leaveButton.addEventListener('click', async () => {
    const chat = current();
    if (!chat) return;
    const owner = myRole() === 'owner' && chat.members.length > 1;
    const ok = await confirmDialog({
      title: 'Leave this group?',
      body: `You will stop seeing “${chat.title ?? 'this group'}”.${owner ? ' Ownership passes to the longest-serving admin (or member).' : ''}`,
      confirmLabel: 'Leave',
      danger: true,
    });
    if (ok) await run(leaveButton, () => actions.leave(chatId));
  });

  const unsubscribe = store.subscribe((topic) => {
    if (topic === TOPICS.CHATS || topic === TOPICS.ME) render();
  });
  dialog.addEventListener('close', () => {
    unsubscribe();
    clearTimeout(debounce);
  });
  render();
  return dialog;
}
