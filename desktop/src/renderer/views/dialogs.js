// Modal dialogs built on <dialog>: focus stays inside and Esc closes, natively.
import { describeError } from '../lib/errors.js';
import { ICONS, h, icon, setChildren } from '../lib/dom.js';
import { avatar } from './common.js';

/** @typedef {import('../lib/types.js').User} User */

/**
 * A modal <dialog> labelled by the element with id `labelId`, removed once closed.
 * @param {string} labelId
 * @param {...import('../lib/dom.js').Child} children
 */
export function openDialog(labelId, ...children) {
  const dialog = h(
    'dialog',
    {
      class: 'm-auto w-[min(28rem,calc(100vw-2rem))] rounded-2xl border border-slate-200 bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-slate-950/50 backdrop:backdrop-blur-sm dark:border-slate-800 dark:bg-slate-900 dark:text-slate-100',
      'aria-labelledby': labelId,
    },
    ...children,
  );
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  dialog.showModal();
  return dialog;
}

/**
 * Resolves true if the user confirms.
 * @param {{title: string, body: string, confirmLabel?: string, danger?: boolean}} options
 * @returns {Promise<boolean>}
 */
export function confirmDialog({ title, body, confirmLabel = 'OK', danger = false }) {
  return new Promise((resolve) => {
    const id = `dlg-${Date.now()}`;
    let answer = false;
    const dialog = openDialog(
      id,
      h('div', { class: 'space-y-2 p-6' },
        h('h2', { id, class: 'text-lg font-semibold' }, title),
        h('p', { class: 'text-sm text-slate-600 dark:text-slate-300' }, body)),
      h('div', { class: 'flex justify-end gap-2 px-6 pb-6' },
        h('button', { type: 'button', class: 'btn-ghost', onclick: () => dialog.close() }, 'Cancel'),
        h('button', {
          type: 'button',
          class: `btn-primary ${danger ? 'bg-red-600 hover:bg-red-700' : ''}`,
          onclick: () => {
            answer = true;
            dialog.close();
          },
        }, confirmLabel)),
    );
    dialog.addEventListener('close', () => resolve(answer));
    /** @type {HTMLButtonElement} */ (dialog.querySelector('.btn-primary')).focus();
  });
}

/**
 * Group creation: a title and members picked from a user search.
 * @param {object} deps
 * @param {(q: string) => Promise<User[]>} deps.searchUsers
 * @param {number | undefined} deps.meId   left out of the results
 * @param {(title: string, ids: number[]) => Promise<void>} deps.create
 */
export function newGroupDialog({ searchUsers, meId, create }) {
  /** @type {Map<number, User>} */
  const picked = new Map();
  let seq = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let debounce;
  const id = 'new-group-title';
  const titleInput = h('input', { id: 'group-title', class: 'field', required: true, maxlength: '100', autocomplete: 'off' });
  const searchInput = h('input', { id: 'group-search', type: 'search', class: 'field', placeholder: 'Search by name or username', autocomplete: 'off' });
  const chips = h('ul', { class: 'flex flex-wrap gap-1.5', 'aria-label': 'Selected members' });
  const results = h('ul', { class: 'max-h-56 space-y-0.5 overflow-y-auto', 'aria-label': 'Search results' });
  const error = h('p', { role: 'alert', class: 'hidden whitespace-pre-line text-sm text-red-600 dark:text-red-400' });
  const submit = h('button', { type: 'submit', class: 'btn-primary' }, 'Create group');

  function renderChips() {
    setChildren(chips, [...picked.values()].map((user) =>
      h('li', { class: 'inline-flex items-center gap-1 rounded-full bg-brand-100 py-0.5 pr-1 pl-3 text-sm text-brand-700 dark:bg-brand-600/25 dark:text-brand-100' },
        user.display_name || user.username,
        h('button', {
          type: 'button',
          class: 'inline-flex size-5 items-center justify-center rounded-full hover:bg-brand-200 dark:hover:bg-brand-600/40',
          'aria-label': `Remove ${user.display_name || user.username}`,
          onclick: () => toggle(user),
        }, icon(ICONS.close, 'size-3.5')))));
  }

  /** @param {User} user */
  function toggle(user) {
    if (picked.has(user.id)) picked.delete(user.id);
    else picked.set(user.id, user);
    renderChips();
    /** @type {NodeListOf<HTMLInputElement>} */ (results.querySelectorAll('input[type=checkbox]')).forEach((box) => {
      box.checked = picked.has(Number(box.value));
    });
  }

  async function search() {
    const q = searchInput.value.trim();
    const mine = ++seq;
    if (!q) return setChildren(results);
    try {
      const users = (await searchUsers(q)).filter((u) => u.id !== meId);
      if (mine !== seq) return;
      setChildren(results, users.length
        ? users.map((user) => {
            const boxId = `pick-${user.id}`;
            return h('li', null,
              h('label', { for: boxId, class: 'flex cursor-pointer items-center gap-3 rounded-lg px-2 py-1.5 hover:bg-slate-100 dark:hover:bg-slate-800' },
                h('input', { id: boxId, type: 'checkbox', value: String(user.id), checked: picked.has(user.id), class: 'size-4 accent-brand-600', onchange: () => toggle(user) }),
                avatar({ name: user.display_name || user.username, seed: user.id, size: 'size-8 text-xs' }),
                h('span', { class: 'min-w-0 flex-1 truncate text-sm' }, user.display_name || user.username,
                  h('span', { class: 'ml-1 text-slate-400' }, `@${user.username}`))));
          })
        : h('li', { class: 'px-2 py-3 text-sm text-slate-500' }, 'Nobody found.'));
    } catch (err) {
      if (mine === seq) setChildren(results, h('li', { class: 'px-2 py-3 text-sm text-red-600' }, describeError(err)));
    }
  }

  searchInput.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(search, 200);
  });

  const form = h(
    'form',
    { class: 'space-y-4 p-6', method: 'dialog' },
    h('div', { class: 'flex items-center justify-between' },
      h('h2', { id, class: 'text-lg font-semibold' }, 'New group'),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close', onclick: () => dialog.close() }, icon(ICONS.close))),
    h('div', { class: 'space-y-1' }, h('label', { for: 'group-title', class: 'text-sm font-medium' }, 'Group name'), titleInput),
    h('div', { class: 'space-y-2' }, h('label', { for: 'group-search', class: 'text-sm font-medium' }, 'Add members'), searchInput, chips, results),
    error,
    h('div', { class: 'flex justify-end gap-2' },
      h('button', { type: 'button', class: 'btn-ghost', onclick: () => dialog.close() }, 'Cancel'),
      submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const title = titleInput.value.trim();
    if (!title) {
      error.textContent = 'Give the group a name.';
      error.classList.remove('hidden');
      return titleInput.focus();
    }
    submit.disabled = true;
    try {
      await create(title, [...picked.keys()]);
      dialog.close();
    } catch (err) {
      error.textContent = describeError(err);
      error.classList.remove('hidden');
      submit.disabled = false;
    }
  });
  const dialog = openDialog(id, form);
  titleInput.focus();
}
