// "My devices" (from the profile screen): where I am signed in, with the device's name,
// its address and when it was last active; this device is marked. Another session can
// be signed out, or all of them at once; the list is asked again after each change.
import { ICONS, h, icon, setChildren } from '../lib/dom.js';
import { badge, note, when } from './account-common.js';
import { openDialog } from './dialogs.js';

/** @typedef {import('../lib/account-api.js').SessionInfo} SessionInfo */

/**
 * @typedef {object} DevicesActions
 * @property {() => Promise<SessionInfo[]>} list
 * @property {(id: number | string) => Promise<void>} end        signs that session out
 * @property {() => Promise<void>} endOthers                     every session but this one
 * @property {(question: {title: string, body: string, confirmLabel?: string, danger?: boolean}) => Promise<boolean>} confirm
 */

/** @param {{actions: DevicesActions}} deps */
export function openDevices({ actions }) {
  const labelId = 'devices-title';
  const list = h('ul', { class: 'space-y-2', 'aria-label': 'Signed-in devices' });
  const message = note('devices-note');
  const othersButton = h('button', { type: 'button', class: 'btn-ghost text-red-600 dark:text-red-400', disabled: true }, 'Sign out everywhere else');

  /** @param {SessionInfo} session */
  function row(session) {
    const name = session.device || 'Unknown device';
    return h('li', { class: 'flex items-start gap-3 rounded-xl border border-slate-200 p-3 dark:border-slate-800', 'data-session': String(session.id) },
      h('div', { class: 'min-w-0 flex-1 space-y-0.5' },
        h('p', { class: 'flex flex-wrap items-center gap-2 text-sm font-medium' }, name,
          session.current && badge('This device', 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300')),
        h('p', { class: 'text-xs text-slate-500 dark:text-slate-400' }, session.address ? `From ${session.address}` : 'Address unknown'),
        h('p', { class: 'text-xs text-slate-500 dark:text-slate-400' },
          `Signed in ${when(session.created_at)} · last active ${when(session.last_active_at, 'never')}`)),
      !session.current && h('button', {
        type: 'button',
        class: 'btn-ghost shrink-0 text-red-600 dark:text-red-400',
        'aria-label': `Sign out ${name}`,
        onclick: () => endOne(session, name),
      }, 'Sign out'));
  }

  async function refresh() {
    try {
      const sessions = await actions.list();
      setChildren(list, sessions.length ? sessions.map(row) : h('li', { class: 'text-sm text-slate-500' }, 'No other sessions.'));
      othersButton.disabled = !sessions.some((s) => !s.current);
    } catch (err) {
      message.fail(err);
    }
  }

  /** @param {SessionInfo} session @param {string} name */
  async function endOne(session, name) {
    const ok = await actions.confirm({
      title: 'Sign out this device?',
      body: `${name} will be signed out at once and need the password to come back.`,
      confirmLabel: 'Sign out',
      danger: true,
    });
    if (!ok) return;
    message.clear();
    try {
      await actions.end(session.id);
      message.ok(`${name} was signed out.`);
    } catch (err) {
      message.fail(err);
    }
    await refresh();
  }

  othersButton.addEventListener('click', async () => {
    const ok = await actions.confirm({
      title: 'Sign out everywhere else?',
      body: 'Every other device and browser signed in to your account will be signed out at once. This one stays signed in.',
      confirmLabel: 'Sign out others',
      danger: true,
    });
    if (!ok) return;
    message.clear();
    try {
      await actions.endOthers();
      message.ok('Every other device was signed out.');
    } catch (err) {
      message.fail(err);
    }
    await refresh();
  });

  const dialog = openDialog(labelId, h('div', { class: 'max-h-[calc(100vh-4rem)] space-y-4 overflow-y-auto p-6' },
    h('div', { class: 'flex items-center justify-between' },
      h('h2', { id: labelId, class: 'text-lg font-semibold' }, 'My devices'),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close', onclick: () => dialog.close() }, icon(ICONS.close))),
    h('p', { class: 'text-sm text-slate-500 dark:text-slate-400' }, 'Where your account is signed in. Sign out any you do not recognise, then change your password.'),
    list,
    message.el,
    h('div', { class: 'flex justify-end border-t border-slate-200 pt-4 dark:border-slate-800' }, othersButton)));
  const ready = refresh();
  return Object.assign(dialog, { ready });
}
