// My profile (opened from the sidebar): picture, display name, password, and signing
// out of this device. Each part saves on its own and says in words what went wrong
// (the server's refusals: a wrong current password, a file that is not an image, ...).
import { ICONS, h, icon, setChildren } from '../lib/dom.js';
import { TOPICS } from '../lib/store.js';
import { note } from './account-common.js';
import { avatar } from './common.js';
import { openDialog } from './dialogs.js';
import { exportSection } from './export.js';
import { notificationSettingsForm, pushSection } from './notification-settings.js';

/** @typedef {import('../lib/types.js').User} User */

/**
 * What the profile screen asks the messenger for (messenger/actions.js); each rejects
 * with the server's error.
 * @typedef {object} ProfileActions
 * @property {(displayName: string) => Promise<void>} rename
 * @property {(currentPassword: string, newPassword: string) => Promise<void>} changePassword
 * @property {(file: File) => Promise<void>} setAvatar
 * @property {() => Promise<void>} removeAvatar
 * @property {() => Promise<void>} signOut
 * @property {(url: string | null | undefined) => string | null} assetUrl
 * @property {(fields: Partial<import('../lib/types.js').NotificationSettings>) => Promise<void>} [saveNotifications]
 *   quiet hours, allowed people, push previews (PATCH /users/me/notifications)
 * @property {(q: string) => Promise<User[]>} [searchUsers]  to pick the allowed people
 * @property {() => void} [openDevices]  My devices (views/devices.js)
 * @property {() => void} [openAdmin]    the administrator's screen (views/admin.js), for is_admin users
 * @property {import('./export.js').ExportActions} [exports]  Your data: the account export
 * @property {import('./notification-settings.js').PushControls} [push]  Web Push on this device (web client)
 */

const IMAGE_TYPES = 'image/png,image/jpeg,image/gif,image/webp';
const MIN_PASSWORD = 8;

/**
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {ProfileActions} deps.actions
 */
export function openProfile({ store, actions }) {
  const labelId = 'profile-title';
  /** @type {string | null} a chosen picture shown while it uploads */
  let localPreview = null;

  // ---- picture ---------------------------------------------------------------
  const picture = h('div', { class: 'size-24', 'data-testid': 'profile-avatar' });
  const fileInput = h('input', { type: 'file', accept: IMAGE_TYPES, class: 'hidden', tabindex: '-1', 'aria-label': 'Picture file' });
  const chooseButton = h('button', { type: 'button', class: 'btn-primary', onclick: () => fileInput.click() }, 'Choose picture');
  const removeButton = h('button', { type: 'button', class: 'btn-ghost' }, 'Remove picture');
  const pictureNote = note('profile-picture-note');

  // ---- display name ----------------------------------------------------------
  const nameInput = h('input', { id: 'profile-name', class: 'field', maxlength: '64', autocomplete: 'name', required: true });
  const nameButton = h('button', { type: 'submit', class: 'btn-primary shrink-0' }, 'Save name');
  const nameNote = note('profile-name-note');
  const nameForm = h('form', { class: 'space-y-1', 'aria-label': 'Change display name' },
    h('label', { for: 'profile-name', class: 'text-sm font-medium' }, 'Display name'),
    h('div', { class: 'flex gap-2' }, nameInput, nameButton),
    nameNote.el);

  // ---- password --------------------------------------------------------------
  /** @param {string} id @param {string} label @param {string} autocomplete */
  const passwordField = (id, label, autocomplete) => {
    const input = h('input', { id, type: 'password', class: 'field', autocomplete, maxlength: '128', required: true });
    return { input, row: h('div', { class: 'space-y-1' }, h('label', { for: id, class: 'text-sm font-medium' }, label), input) };
  };
  const current = passwordField('profile-current-password', 'Current password', 'current-password');
  const next = passwordField('profile-new-password', 'New password', 'new-password');
  const repeat = passwordField('profile-repeat-password', 'Repeat new password', 'new-password');
  const passwordButton = h('button', { type: 'submit', class: 'btn-primary' }, 'Change password');
  const passwordNote = note('profile-password-note');
  const passwordForm = h('form', { class: 'space-y-2', 'aria-labelledby': 'profile-password-heading' },
    h('h3', { id: 'profile-password-heading', class: 'text-sm font-semibold' }, 'Password'),
    current.row, next.row, repeat.row, passwordNote.el,
    h('div', { class: 'flex justify-end' }, passwordButton));

  // ---- notifications -----------------------------------------------------------
  const saveNotifications = actions.saveNotifications;
  const notificationsForm = saveNotifications && notificationSettingsForm({
    store,
    save: saveNotifications,
    searchUsers: (q) => actions.searchUsers?.(q) ?? Promise.resolve([]),
    note: note('profile-notifications-note'),
  });

  // ---- devices, administration, your data --------------------------------------
  const devicesButton = actions.openDevices && h('button', { type: 'button', class: 'btn-ghost', onclick: () => actions.openDevices?.() }, 'My devices');
  const adminButton = actions.openAdmin && h('button', { type: 'button', class: 'btn-ghost', onclick: () => actions.openAdmin?.() }, 'Administration');
  const exports = actions.exports && exportSection({ actions: actions.exports });

  const who = h('p', { class: 'truncate text-sm text-slate-500 dark:text-slate-400' });
  const signOutButton = h('button', { type: 'button', class: 'btn-ghost text-red-600 dark:text-red-400' }, icon(ICONS.logout, 'mr-1 inline size-4'), 'Sign out of this device');

  const dialog = openDialog(labelId, h('div', { class: 'max-h-[calc(100vh-4rem)] space-y-5 overflow-y-auto p-6' },
    h('div', { class: 'flex items-center justify-between' },
      h('h2', { id: labelId, class: 'text-lg font-semibold' }, 'My profile'),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close', onclick: () => dialog.close() }, icon(ICONS.close))),
    h('section', { class: 'flex items-center gap-4', 'aria-label': 'Picture' },
      picture,
      h('div', { class: 'min-w-0 flex-1 space-y-2' },
        who,
        h('div', { class: 'flex flex-wrap gap-2' }, chooseButton, removeButton, fileInput),
        pictureNote.el)),
    nameForm,
    passwordForm,
    notificationsForm,
    exports?.element,
    (devicesButton || adminButton) && h('div', { class: 'flex flex-wrap gap-2 border-t border-slate-200 pt-4 dark:border-slate-800' }, devicesButton, adminButton),
    actions.push && pushSection({ push: actions.push }),
    h('div', { class: 'flex justify-end border-t border-slate-200 pt-4 dark:border-slate-800' }, signOutButton)));

  function render() {
    const me = store.me;
    if (!me) return;
    const name = me.display_name || me.username;
    setChildren(picture, avatar({ name, seed: me.id, size: 'size-24 text-2xl', src: localPreview ?? actions.assetUrl(me.avatar_url) }));
    who.textContent = `@${me.username}${me.email ? ` · ${me.email}` : ''}`;
    removeButton.disabled = !me.avatar_url;
    adminButton?.classList.toggle('hidden', !me.is_admin);
    if (document.activeElement !== nameInput) nameInput.value = me.display_name ?? '';
  }

  /**
   * @param {HTMLButtonElement} button
   * @param {ReturnType<typeof import('./account-common.js').note>} note
   * @param {() => Promise<string>} work  resolves with the confirmation to show
   */
  async function run(button, note, work) {
    note.clear();
    button.disabled = true;
    try {
      note.ok(await work());
    } catch (err) {
      note.fail(err);
    } finally {
      button.disabled = false;
      render();
    }
  }

  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = ''; // choosing the same file again fires change again
    if (!file) return;
    // Shown at once, while it uploads; the server's square version replaces it.
    localPreview = URL.createObjectURL(file);
    render();
    pictureNote.ok('Uploading…');
    run(chooseButton, pictureNote, async () => {
      try {
        await actions.setAvatar(file);
        return 'Picture saved.';
      } finally {
        if (localPreview) URL.revokeObjectURL(localPreview);
        localPreview = null;
      }
    });
  });
  removeButton.addEventListener('click', () => run(removeButton, pictureNote, async () => {
    await actions.removeAvatar();
    return 'Picture removed: your initials show instead.';
  }));

  nameForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!name) return nameNote.fail('Enter a display name (up to 64 characters).');
    run(nameButton, nameNote, async () => {
      await actions.rename(name);
      nameInput.blur();
      return 'Display name saved.';
    });
  });

  passwordForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (next.input.value.length < MIN_PASSWORD) return passwordNote.fail(`The new password needs at least ${MIN_PASSWORD} characters.`);
    if (next.input.value !== repeat.input.value) return passwordNote.fail('The two new passwords differ.');
    run(passwordButton, passwordNote, async () => {
      try {
        await actions.changePassword(current.input.value, next.input.value);
      } catch (err) {
        // 403 here means one thing: say it as a sentence, and where to look.
        if (/** @type {any} */ (err)?.response?.status === 403) {
          current.input.focus();
          throw 'The current password is not right, so the password was not changed.';
        }
        throw err;
      }
      for (const field of [current, next, repeat]) field.input.value = '';
      return 'Password changed.';
    });
  });

  signOutButton.addEventListener('click', async () => {
    dialog.close();
    await actions.signOut();
  });

  const unsubscribe = store.subscribe((topic) => topic === TOPICS.ME && render());
  dialog.addEventListener('close', () => {
    unsubscribe();
    exports?.stop();
    if (localPreview) URL.revokeObjectURL(localPreview);
  });
  render();
  nameInput.focus();
  return dialog;
}
