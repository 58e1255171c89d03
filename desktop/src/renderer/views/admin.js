// The administrator's screen (only offered to is_admin users): three tabs.
//   Users    search; deactivate / reactivate, make / remove admin (confirmed), and a
//            one-time password reset link with a Copy button.
//   Invites  create (uses, expiry), the link with Copy and a QR code, the list with
//            uses, expiry and who joined; revoke.
//   Server   counts, storage used, nodes online, registration mode, version, and the
//            "Allow accounts without e-mail" switch.
// Every refusal is shown in the server's words (409 for the last admin, ...).
import { formatSize } from '../lib/upload.js';
import { ICONS, h, icon, setChildren } from '../lib/dom.js';
import { badge, copyableLink, note, when } from './account-common.js';
import { openDialog } from './dialogs.js';
import { qrImage } from './invite-qr.js';

/** @typedef {import('../lib/account-api.js').AdminUser} AdminUser */
/** @typedef {import('../lib/account-api.js').Invite} Invite */
/** @typedef {import('../lib/account-api.js').ServerInfo} ServerInfo */
/** @typedef {import('../lib/account-api.js').ResetLink} ResetLink */

/**
 * What the admin screen asks the messenger for (messenger/account.js); each rejects
 * with the server's error.
 * @typedef {object} AdminActions
 * @property {(q: string) => Promise<AdminUser[]>} users
 * @property {(id: number) => Promise<void>} deactivate
 * @property {(id: number) => Promise<void>} reactivate
 * @property {(id: number) => Promise<void>} promote
 * @property {(id: number) => Promise<void>} demote
 * @property {(id: number) => Promise<ResetLink>} resetLink
 * @property {() => Promise<Invite[]>} invites
 * @property {(fields: {max_uses: number | null, expires_in_hours: number}) => Promise<Invite>} createInvite
 * @property {(token: string) => Promise<void>} revokeInvite
 * @property {() => Promise<ServerInfo>} serverInfo
 * @property {(fields: {email_required?: boolean}) => Promise<ServerInfo>} updateServer
 * @property {(question: {title: string, body: string, confirmLabel?: string, danger?: boolean}) => Promise<boolean>} confirm
 * @property {(userId: number) => void} [changed]  a user's rights changed (mine: reload my profile)
 */

/** @typedef {'users' | 'invites' | 'server'} Tab */

export const USES = /** @type {const} */ ([['1', 1], ['5', 5], ['25', 25], ['Unlimited', null]]);
export const EXPIRY = /** @type {const} */ ([['1 day', 24], ['7 days', 168], ['30 days', 720]]);
const SEARCH_DELAY_MS = 250;

/** @param {AdminUser} user */
const nameOf = (user) => user.display_name || user.username;

/**
 * @param {object} deps
 * @param {AdminActions} deps.actions
 * @param {number | undefined} deps.meId
 * @param {Tab} [deps.tab]
 */
export function openAdmin({ actions, meId, tab = 'users' }) {
  const labelId = 'admin-title';
  /** @type {Tab} */
  let current = tab;
  const panel = h('div', { id: 'admin-panel', role: 'tabpanel', class: 'space-y-4' });
  const tabs = h('div', { role: 'tablist', 'aria-label': 'Administration', class: 'grid grid-cols-3 gap-1 rounded-xl bg-slate-100 p-1 dark:bg-slate-800' });
  /** @type {Promise<void>} */
  let ready = Promise.resolve();

  /** @param {Tab} name @param {string} label */
  function tabButton(name, label) {
    const selected = current === name;
    return h('button', {
      type: 'button',
      role: 'tab',
      id: `admin-tab-${name}`,
      'aria-selected': String(selected),
      'aria-controls': 'admin-panel',
      class: `rounded-lg px-3 py-1.5 text-sm font-medium ${selected ? 'bg-white text-slate-900 shadow-sm dark:bg-slate-700 dark:text-white' : 'text-slate-500 hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-200'}`,
      onclick: () => show(name),
    }, label);
  }

  /** @param {Tab} name */
  function show(name) {
    current = name;
    setChildren(tabs, tabButton('users', 'Users'), tabButton('invites', 'Invites'), tabButton('server', 'Server'));
    panel.setAttribute('aria-labelledby', `admin-tab-${name}`);
    ready = name === 'users' ? usersPanel() : name === 'invites' ? invitesPanel() : serverPanel();
    dialog.ready = ready;
  }

  // ---- users -------------------------------------------------------------------
  function usersPanel() {
    const search = h('input', { id: 'admin-user-search', type: 'search', class: 'field', placeholder: 'Search by name, username or e-mail', autocomplete: 'off', 'aria-label': 'Search users' });
    const list = h('ul', { class: 'space-y-2', 'aria-label': 'Users' });
    const message = note('admin-users-note');
    const linkBox = h('div', { class: 'space-y-1' });
    let seq = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let debounce;

    async function load() {
      const mine = ++seq;
      try {
        const users = await actions.users(search.value.trim());
        if (mine === seq) setChildren(list, users.length ? users.map(row) : h('li', { class: 'text-sm text-slate-500' }, 'Nobody found.'));
      } catch (err) {
        if (mine === seq) message.fail(err);
      }
    }

    /**
     * @param {string} label
     * @param {() => Promise<unknown>} work
     * @param {string} done  said once it worked
     * @param {{title: string, body: string, confirmLabel: string, danger?: boolean}} [question]
     */
    function action(label, work, done, question) {
      return h('button', {
        type: 'button',
        class: `btn-ghost px-2 py-1 text-xs ${question?.danger ? 'text-red-600 dark:text-red-400' : ''}`,
        onclick: async () => {
          if (question && !(await actions.confirm(question))) return;
          message.clear();
          try {
            await work();
            message.ok(done);
          } catch (err) {
            message.fail(err);
          }
          await load();
        },
      }, label);
    }

    /** @param {AdminUser} user */
    function row(user) {
      const name = nameOf(user);
      const sessions = user.active_sessions ?? 0;
      const me = user.id === meId;
      return h('li', { class: 'space-y-2 rounded-xl border border-slate-200 p-3 dark:border-slate-800', 'data-user': user.username },
        h('div', { class: 'flex flex-wrap items-center gap-2' },
          h('span', { class: 'text-sm font-medium' }, name),
          h('span', { class: 'text-xs text-slate-500' }, `@${user.username}`),
          user.is_admin && badge('Admin', 'bg-brand-100 text-brand-700 dark:bg-brand-600/25 dark:text-brand-100'),
          user.is_active ? badge('Active', 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300')
            : badge('Deactivated', 'bg-red-100 text-red-700 dark:bg-red-950/60 dark:text-red-300'),
          me && badge('You')),
        h('p', { class: 'text-xs text-slate-500 dark:text-slate-400' },
          `${user.email || 'No e-mail'} · last seen ${when(user.last_seen_at, 'never')} · ${sessions} active session${sessions === 1 ? '' : 's'}`),
        h('div', { class: 'flex flex-wrap gap-1' },
          user.is_active
            ? action('Deactivate', () => actions.deactivate(user.id), `${name} was deactivated and signed out everywhere.`, {
                title: `Deactivate ${name}?`,
                body: `${name} is signed out at once on every device and cannot sign in until reactivated. Their messages stay.`,
                confirmLabel: 'Deactivate',
                danger: true,
              })
            : action('Reactivate', () => actions.reactivate(user.id), `${name} can sign in again.`, {
                title: `Reactivate ${name}?`,
                body: `${name} will be able to sign in again.`,
                confirmLabel: 'Reactivate',
              }),
          user.is_admin
            ? action('Remove admin', async () => {
                await actions.demote(user.id);
                actions.changed?.(user.id);
              }, `${name} is no longer an administrator.`, {
                title: `Remove ${name} as administrator?`,
                body: `${name} will no longer see this screen or manage users and invites.`,
                confirmLabel: 'Remove admin',
                danger: true,
              })
            : action('Make admin', async () => {
                await actions.promote(user.id);
                actions.changed?.(user.id);
              }, `${name} is now an administrator.`, {
                title: `Make ${name} an administrator?`,
                body: `${name} will manage users, invites and this server's settings.`,
                confirmLabel: 'Make admin',
              }),
          h('button', { type: 'button', class: 'btn-ghost px-2 py-1 text-xs', onclick: () => resetLink(user) }, 'Password reset link')));
    }

    /** @param {AdminUser} user */
    async function resetLink(user) {
      message.clear();
      try {
        const link = await actions.resetLink(user.id);
        setChildren(linkBox,
          copyableLink({ url: link.url, id: 'admin-reset-link', label: `Password reset link for ${nameOf(user)}` }),
          h('p', { class: 'text-xs text-slate-500 dark:text-slate-400' },
            `Works once, until ${when(link.expires_at)}. Send it to ${nameOf(user)} privately: whoever opens it can choose the password.`));
      } catch (err) {
        message.fail(err);
      }
    }

    search.addEventListener('input', () => {
      clearTimeout(debounce);
      debounce = setTimeout(load, SEARCH_DELAY_MS);
    });
    setChildren(panel, search, message.el, linkBox, list);
    return load();
  }

  // ---- invites -----------------------------------------------------------------
  function invitesPanel() {
    const uses = h('select', { id: 'invite-uses', class: 'field' }, USES.map(([label, value]) => h('option', { value: String(value ?? '') }, label)));
    const expiry = h('select', { id: 'invite-expiry', class: 'field' }, EXPIRY.map(([label, hours]) => h('option', { value: String(hours), selected: hours === 168 }, label)));
    const createButton = h('button', { type: 'submit', class: 'btn-primary' }, 'Create invite');
    const message = note('admin-invites-note');
    const fresh = h('div', { class: 'space-y-2' });
    const list = h('ul', { class: 'space-y-2', 'aria-label': 'Invites' });
    const form = h('form', { class: 'flex flex-wrap items-end gap-2', 'aria-label': 'New invite' },
      h('div', { class: 'space-y-1' }, h('label', { for: 'invite-uses', class: 'block text-xs font-medium' }, 'Uses'), uses),
      h('div', { class: 'space-y-1' }, h('label', { for: 'invite-expiry', class: 'block text-xs font-medium' }, 'Expires in'), expiry),
      createButton);

    /** @param {Invite} invite */
    const expired = (invite) => new Date(invite.expires_at).getTime() <= Date.now();
    /** @param {Invite} invite */
    const usedUp = (invite) => invite.max_uses !== null && invite.uses >= invite.max_uses;

    /** @param {Invite} invite @param {string} id */
    function share(invite, id) {
      return h('div', { class: 'flex flex-wrap items-start gap-3' },
        qrImage(invite.url),
        h('div', { class: 'min-w-0 flex-1 space-y-1' },
          copyableLink({ url: invite.url, id, label: 'Invite link' }),
          h('p', { class: 'text-xs text-slate-500 dark:text-slate-400' },
            'Send the link, or let a phone scan the code. It opens the registration with the invite filled in.')));
    }

    /** @param {Invite} invite */
    function row(invite) {
      const max = invite.max_uses === null ? '∞' : String(invite.max_uses);
      const state = invite.revoked ? badge('Revoked', 'bg-red-100 text-red-700 dark:bg-red-950/60 dark:text-red-300')
        : expired(invite) ? badge('Expired') : usedUp(invite) ? badge('Used up')
          : badge('Active', 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300');
      const joined = invite.joined ?? [];
      const live = !invite.revoked && !expired(invite) && !usedUp(invite);
      const details = h('div', { class: 'hidden pt-2' });
      return h('li', { class: 'space-y-1 rounded-xl border border-slate-200 p-3 dark:border-slate-800', 'data-invite': invite.token },
        h('div', { class: 'flex flex-wrap items-center gap-2' },
          h('span', { class: 'font-mono text-xs' }, `…${invite.token.slice(-8)}`),
          state,
          h('span', { class: 'text-xs text-slate-500 dark:text-slate-400' }, `${invite.uses}/${max} used · ${expired(invite) ? 'expired' : 'expires'} ${when(invite.expires_at)}`)),
        h('p', { class: 'text-xs text-slate-500 dark:text-slate-400' },
          joined.length ? `Joined: ${joined.map((u) => `${u.display_name || u.username} (@${u.username})`).join(', ')}` : 'Nobody joined with it yet.'),
        live && h('div', { class: 'flex flex-wrap gap-1' },
          h('button', {
            type: 'button',
            class: 'btn-ghost px-2 py-1 text-xs',
            onclick: () => {
              if (!details.firstChild) details.append(share(invite, `invite-link-${invite.token}`));
              details.classList.toggle('hidden');
            },
          }, 'Show link and QR code'),
          h('button', {
            type: 'button',
            class: 'btn-ghost px-2 py-1 text-xs text-red-600 dark:text-red-400',
            onclick: () => revoke(invite),
          }, 'Revoke')),
        details);
    }

    async function load() {
      try {
        const invites = await actions.invites();
        setChildren(list, invites.length ? invites.map(row) : h('li', { class: 'text-sm text-slate-500' }, 'No invites yet.'));
      } catch (err) {
        message.fail(err);
      }
    }

    /** @param {Invite} invite */
    async function revoke(invite) {
      const ok = await actions.confirm({
        title: 'Revoke this invite?',
        body: 'The link stops working at once. Accounts already made with it stay.',
        confirmLabel: 'Revoke',
        danger: true,
      });
      if (!ok) return;
      message.clear();
      try {
        await actions.revokeInvite(invite.token);
        message.ok('The invite was revoked.');
        if (fresh.querySelector(`[data-token="${invite.token}"]`)) setChildren(fresh);
      } catch (err) {
        message.fail(err);
      }
      await load();
    }

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      createButton.disabled = true;
      message.clear();
      try {
        const invite = await actions.createInvite({
          max_uses: uses.value === '' ? null : Number(uses.value),
          expires_in_hours: Number(expiry.value),
        });
        setChildren(fresh, h('div', { class: 'space-y-2 rounded-xl bg-brand-50 p-3 dark:bg-brand-600/10', 'data-token': invite.token },
          h('p', { class: 'text-sm font-medium', role: 'status' }, 'Invite created'),
          share(invite, 'invite-link-new')));
      } catch (err) {
        message.fail(err);
      } finally {
        createButton.disabled = false;
      }
      await load();
    });

    setChildren(panel, form, message.el, fresh, list);
    return load();
  }

  // ---- server ------------------------------------------------------------------
  function serverPanel() {
    const stats = h('dl', { class: 'grid grid-cols-2 gap-x-4 gap-y-2 text-sm', 'aria-label': 'Server statistics' });
    const message = note('admin-server-note');
    const toggle = h('input', { id: 'admin-email-optional', type: 'checkbox', class: 'size-4 accent-brand-600' });
    const toggleRow = h('label', { for: 'admin-email-optional', class: 'flex items-center gap-2 text-sm' }, toggle, 'Allow accounts without e-mail');

    const MODES = { open: 'Open: anyone can create an account', invite: 'By invite only', closed: 'Closed: accounts are made on the command line' };

    /** @param {ServerInfo} info */
    function render(info) {
      /** @type {[string, string][]} */
      const rows = [
        ['Users', `${info.users} (${info.active_users} active)`],
        ['Administrators', String(info.admins)],
        ['Chats', String(info.chats)],
        ['Messages', String(info.messages)],
        ['Attachments', `${info.attachments} (${formatSize(info.attachment_bytes)})`],
        ['Nodes online', String(info.nodes_online)],
        ['Registration', MODES[info.registration] ?? info.registration],
        ['Version', info.version],
      ];
      setChildren(stats, rows.map(([term, value]) => [
        h('dt', { class: 'text-slate-500 dark:text-slate-400' }, term),
        h('dd', { class: 'font-medium', 'data-stat': term }, value),
      ]));
      toggle.checked = !info.email_required;
    }

    toggle.addEventListener('change', async () => {
      toggle.disabled = true;
      message.clear();
      const allow = toggle.checked;
      try {
        render(await actions.updateServer({ email_required: !allow }));
        message.ok(allow ? 'New accounts may leave the e-mail out.' : 'New accounts need an e-mail address.');
      } catch (err) {
        toggle.checked = !allow;
        message.fail(err);
      } finally {
        toggle.disabled = false;
      }
    });

    setChildren(panel, stats, h('div', { class: 'space-y-1 border-t border-slate-200 pt-3 dark:border-slate-800' }, toggleRow,
      h('p', { class: 'text-xs text-slate-500 dark:text-slate-400' }, 'Without an e-mail address a forgotten password can only be reset with a link from an administrator.')), message.el);
    return actions.serverInfo().then(render, (err) => message.fail(err));
  }

  const dialog = /** @type {HTMLDialogElement & {ready: Promise<void>}} */ (openDialog(labelId,
    h('div', { class: 'max-h-[calc(100vh-4rem)] space-y-4 overflow-y-auto p-6' },
      h('div', { class: 'flex items-center justify-between' },
        h('h2', { id: labelId, class: 'text-lg font-semibold' }, 'Administration'),
        h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close', onclick: () => dialog.close() }, icon(ICONS.close))),
      tabs,
      panel)));
  dialog.classList.replace('w-[min(28rem,calc(100vw-2rem))]', 'w-[min(44rem,calc(100vw-2rem))]');
  show(current);
  dialog.ready = ready;
  return dialog;
}
