// @vitest-environment jsdom
// The account screens: the admin screen's actions (confirmed, then the list asked
// again; refusals in the server's words), invites with a link and a QR code, the
// server tab's switch; My devices (this device marked, sign-outs confirmed); the
// export's progress from events and polls, then the download link or the failure;
// the reset page's two fields and its spent-link message.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openAdmin } from '../../src/renderer/views/admin.js';
import { openDevices } from '../../src/renderer/views/devices.js';
import { POLL_MS, exportSection } from '../../src/renderer/views/export.js';
import { SPENT_LINK, renderResetPassword } from '../../src/renderer/views/reset-password.js';
import { polyfillDialog } from './dialog-polyfill.js';

beforeAll(polyfillDialog);
afterEach(() => document.body.replaceChildren());

const tick = () => new Promise((r) => setTimeout(r, 0));
const settle = async () => {
  for (let i = 0; i < 5; i++) await tick();
};
const refused = (status, detail) => Object.assign(new Error('refused'), { response: { status, data: { detail } } });
const buttonIn = (el, name) => [...el.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent) === name);

const ann = { id: 1, username: 'ann', display_name: 'Ann', email: 'ann@example.test', is_admin: true, is_active: true, created_at: '2026-12-01T10:00:00Z', last_seen_at: null, active_sessions: 2 };
const bob = { id: 2, username: 'bob', display_name: 'Bob', email: null, is_admin: false, is_active: true, created_at: '2026-12-02T10:00:00Z', last_seen_at: '2026-12-05T10:00:00Z', active_sessions: 1 };

function adminActions(overrides = {}) {
  return {
    users: vi.fn(async () => [ann, bob]),
    deactivate: vi.fn(async () => {}),
    reactivate: vi.fn(async () => {}),
    promote: vi.fn(async () => {}),
    demote: vi.fn(async () => {}),
    resetLink: vi.fn(async () => ({ url: 'http://chat.test/?reset=abcdefgh123', token: 'abcdefgh123', expires_at: '2026-12-07T10:00:00Z' })),
    invites: vi.fn(async () => []),
    createInvite: vi.fn(async (f) => ({ token: 'inv12345678', url: 'http://chat.test/?invite=inv12345678', uses: 0, created_at: '2026-12-06T08:00:00Z', expires_at: '2099-01-01T00:00:00Z', revoked: false, joined: [], ...f })),
    revokeInvite: vi.fn(async () => {}),
    serverInfo: vi.fn(async () => ({ users: 2, active_users: 2, admins: 1, chats: 3, messages: 40, attachments: 2, attachment_bytes: 1_258_291, nodes_online: 1, registration: 'invite', email_required: true, version: '0.9.0' })),
    updateServer: vi.fn(async (f) => ({ users: 2, active_users: 2, admins: 1, chats: 3, messages: 40, attachments: 2, attachment_bytes: 1_258_291, nodes_online: 1, registration: 'invite', version: '0.9.0', ...f })),
    confirm: vi.fn(async () => true),
    changed: vi.fn(),
    ...overrides,
  };
}

describe('admin screen: users', () => {
  it('lists users with their badges, e-mail, sessions', async () => {
    const actions = adminActions();
    const dialog = openAdmin({ actions, meId: 1 });
    await dialog.ready;
    const rows = dialog.querySelectorAll('[data-user]');
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('Admin');
    expect(rows[0].textContent).toContain('2 active sessions');
    expect(rows[1].textContent).toContain('No e-mail');
    expect(rows[1].textContent).toContain('1 active session');
    expect(actions.users).toHaveBeenCalledWith('');
  });

  it('deactivates after confirming and asks for the list again; a refusal is not done', async () => {
    const actions = adminActions();
    const dialog = openAdmin({ actions, meId: 1 });
    await dialog.ready;
    buttonIn(dialog.querySelector('[data-user=bob]'), 'Deactivate').click();
    await settle();
    expect(actions.confirm).toHaveBeenCalledWith(expect.objectContaining({ title: 'Deactivate Bob?', danger: true }));
    expect(actions.deactivate).toHaveBeenCalledWith(2);
    expect(actions.users).toHaveBeenCalledTimes(2);
    expect(dialog.querySelector('#admin-users-note').textContent).toMatch(/Bob was deactivated/);

    actions.confirm.mockResolvedValueOnce(false);
    buttonIn(dialog.querySelector('[data-user=bob]'), 'Make admin').click();
    await settle();
    expect(actions.promote).not.toHaveBeenCalled();
  });

  it('shows the server\'s words for the last admin (409)', async () => {
    const actions = adminActions({ demote: vi.fn(async () => { throw refused(409, 'Ann is the last administrator.'); }) });
    const dialog = openAdmin({ actions, meId: 1 });
    await dialog.ready;
    buttonIn(dialog.querySelector('[data-user=ann]'), 'Remove admin').click();
    await settle();
    const note = dialog.querySelector('#admin-users-note');
    expect(note.getAttribute('role')).toBe('alert');
    expect(note.textContent).toBe('Ann is the last administrator.');
    expect(actions.changed).not.toHaveBeenCalled();
  });

  it('make admin tells the messenger whose rights changed', async () => {
    const actions = adminActions();
    const dialog = openAdmin({ actions, meId: 1 });
    await dialog.ready;
    buttonIn(dialog.querySelector('[data-user=bob]'), 'Make admin').click();
    await settle();
    expect(actions.promote).toHaveBeenCalledWith(2);
    expect(actions.changed).toHaveBeenCalledWith(2);
  });

  it('a password reset link is shown with Copy, its expiry and that it works once', async () => {
    const actions = adminActions();
    const dialog = openAdmin({ actions, meId: 1 });
    await dialog.ready;
    buttonIn(dialog.querySelector('[data-user=bob]'), 'Password reset link').click();
    await settle();
    expect(actions.resetLink).toHaveBeenCalledWith(2);
    expect(/** @type {HTMLInputElement} */ (dialog.querySelector('#admin-reset-link')).value).toBe('http://chat.test/?reset=abcdefgh123');
    expect(buttonIn(dialog, 'Copy')).toBeTruthy();
    expect(dialog.textContent).toMatch(/Works once, until/);
  });

  it('searches as one types', async () => {
    vi.useFakeTimers();
    try {
      const actions = adminActions();
      const dialog = openAdmin({ actions, meId: 1 });
      const search = /** @type {HTMLInputElement} */ (dialog.querySelector('#admin-user-search'));
      search.value = 'bo';
      search.dispatchEvent(new Event('input'));
      await vi.advanceTimersByTimeAsync(300);
      expect(actions.users).toHaveBeenLastCalledWith('bo');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('admin screen: invites and server', () => {
  it('creates an invite with the chosen uses and expiry, and shows its link and QR code', async () => {
    const actions = adminActions();
    const dialog = openAdmin({ actions, meId: 1, tab: 'invites' });
    await dialog.ready;
    /** @type {HTMLSelectElement} */ (dialog.querySelector('#invite-uses')).value = '';
    /** @type {HTMLSelectElement} */ (dialog.querySelector('#invite-expiry')).value = '720';
    dialog.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(actions.createInvite).toHaveBeenCalledWith({ max_uses: null, expires_in_hours: 720 });
    expect(/** @type {HTMLInputElement} */ (dialog.querySelector('#invite-link-new')).value).toBe('http://chat.test/?invite=inv12345678');
    await vi.waitFor(() => expect(dialog.querySelector('[data-testid=invite-qr]').getAttribute('src')).toMatch(/^data:image\/svg\+xml/));
    expect(actions.invites).toHaveBeenCalledTimes(2);
  });

  it('lists invites with uses, state and who joined; revokes after confirming', async () => {
    const invite = { token: 'live12345678', url: 'http://chat.test/?invite=live12345678', max_uses: 5, uses: 1, created_at: '2026-12-06T08:00:00Z', expires_at: '2099-01-01T00:00:00Z', revoked: false, joined: [{ id: 2, username: 'bob', display_name: 'Bob' }] };
    const old = { ...invite, token: 'gone12345678', revoked: true, joined: [] };
    const actions = adminActions({ invites: vi.fn(async () => [invite, old]) });
    const dialog = openAdmin({ actions, meId: 1, tab: 'invites' });
    await dialog.ready;
    const live = dialog.querySelector('[data-invite=live12345678]');
    expect(live.textContent).toContain('1/5 used');
    expect(live.textContent).toContain('Joined: Bob (@bob)');
    expect(dialog.querySelector('[data-invite=gone12345678]').textContent).toContain('Revoked');
    expect(buttonIn(dialog.querySelector('[data-invite=gone12345678]'), 'Revoke')).toBeUndefined();
    buttonIn(live, 'Revoke').click();
    await settle();
    expect(actions.revokeInvite).toHaveBeenCalledWith('live12345678');
  });

  it('shows the server\'s numbers and switches "Allow accounts without e-mail"', async () => {
    const actions = adminActions();
    const dialog = openAdmin({ actions, meId: 1, tab: 'server' });
    await dialog.ready;
    expect(dialog.querySelector('[data-stat=Attachments]').textContent).toBe('2 (1.2 MB)');
    expect(dialog.querySelector('[data-stat=Registration]').textContent).toBe('By invite only');
    const toggle = /** @type {HTMLInputElement} */ (dialog.querySelector('#admin-email-optional'));
    expect(toggle.checked).toBe(false);
    toggle.checked = true;
    toggle.dispatchEvent(new Event('change'));
    await settle();
    expect(actions.updateServer).toHaveBeenCalledWith({ email_required: false });
    expect(toggle.checked).toBe(true);
  });

  it('a refused switch goes back and says why', async () => {
    const actions = adminActions({ updateServer: vi.fn(async () => { throw refused(403, 'Only administrators can do that.'); }) });
    const dialog = openAdmin({ actions, meId: 1, tab: 'server' });
    await dialog.ready;
    const toggle = /** @type {HTMLInputElement} */ (dialog.querySelector('#admin-email-optional'));
    toggle.checked = true;
    toggle.dispatchEvent(new Event('change'));
    await settle();
    expect(toggle.checked).toBe(false);
    expect(dialog.querySelector('#admin-server-note').textContent).toBe('Only administrators can do that.');
  });
});

describe('my devices', () => {
  const sessions = [
    { id: 11, device: 'Chrome on Linux', address: '10.0.0.5', created_at: '2026-12-06T07:00:00Z', last_active_at: '2026-12-06T08:00:00Z', current: true },
    { id: 12, device: 'Parley desktop on Windows', address: '10.0.0.9', created_at: '2026-12-01T07:00:00Z', last_active_at: '2026-12-05T08:00:00Z', current: false },
  ];
  const deviceActions = (overrides = {}) => ({
    list: vi.fn(async () => sessions),
    end: vi.fn(async () => {}),
    endOthers: vi.fn(async () => {}),
    confirm: vi.fn(async () => true),
    ...overrides,
  });

  it('marks this device and offers to sign out only the others', async () => {
    const actions = deviceActions();
    const dialog = openDevices({ actions });
    await dialog.ready;
    const [mine, other] = dialog.querySelectorAll('[data-session]');
    expect(mine.textContent).toContain('This device');
    expect(mine.querySelector('button')).toBeNull();
    expect(other.textContent).toContain('From 10.0.0.9');
    expect(buttonIn(other, 'Sign out Parley desktop on Windows')).toBeTruthy();
  });

  it('signs one out after confirming, then asks for the list again', async () => {
    const actions = deviceActions();
    const dialog = openDevices({ actions });
    await dialog.ready;
    buttonIn(dialog, 'Sign out Parley desktop on Windows').click();
    await settle();
    expect(actions.confirm).toHaveBeenCalled();
    expect(actions.end).toHaveBeenCalledWith(12);
    expect(actions.list).toHaveBeenCalledTimes(2);
  });

  it('signs out everywhere else; a refusal is told in words', async () => {
    const actions = deviceActions({ endOthers: vi.fn(async () => { throw refused(500, undefined); }) });
    const dialog = openDevices({ actions });
    await dialog.ready;
    buttonIn(dialog, 'Sign out everywhere else').click();
    await settle();
    expect(actions.endOthers).toHaveBeenCalled();
    expect(dialog.querySelector('#devices-note').textContent).toMatch(/The server had a problem/);
  });

  it('nothing to sign out: the button is off', async () => {
    const dialog = openDevices({ actions: deviceActions({ list: vi.fn(async () => [sessions[0]]) }) });
    await dialog.ready;
    expect(/** @type {HTMLButtonElement} */ (buttonIn(dialog, 'Sign out everywhere else')).disabled).toBe(true);
  });
});

describe('account export', () => {
  const job = (fields) => ({ id: 5, status: 'queued', progress: 0, created_at: '2026-12-06T08:00:00Z', finished_at: null, expires_at: null, url: null, size: null, error: null, ...fields });

  function manualTimers() {
    const pending = new Map();
    let next = 1;
    return {
      pending,
      setTimeout(fn, ms) {
        pending.set(next, { fn, ms });
        return next++;
      },
      clearTimeout(id) {
        pending.delete(id);
      },
      async fire() {
        const entries = [...pending.entries()];
        pending.clear();
        for (const [, { fn }] of entries) await fn();
      },
    };
  }

  function setup(overrides = {}) {
    let listener = null;
    const actions = {
      latest: vi.fn(async () => null),
      start: vi.fn(async () => job({})),
      get: vi.fn(async () => job({ status: 'running', progress: 0.2 })),
      watch: vi.fn((fn) => {
        listener = fn;
        return () => (listener = null);
      }),
      downloadUrl: (url) => (url ? `http://chat.test${url}` : null),
      ...overrides,
    };
    const timers = manualTimers();
    const section = exportSection({ actions, timers });
    document.body.append(section.element);
    return { actions, timers, section, emit: (j) => listener?.(j) };
  }

  const bar = () => /** @type {HTMLProgressElement | null} */ (document.querySelector('progress'));
  const button = () => /** @type {HTMLButtonElement} */ (buttonIn(document.body, 'Export my account') ?? buttonIn(document.body, 'Exporting…'));

  it('starts, follows progress events, then shows the download link', async () => {
    const { actions, emit } = setup();
    button().click();
    await settle();
    expect(actions.start).toHaveBeenCalled();
    expect(button().disabled).toBe(true);
    emit(job({ status: 'running', progress: 0.42 }));
    expect(bar().value).toBe(42);
    expect(document.body.textContent).toContain('42%');
    emit(job({ status: 'done', progress: 1, url: '/exports/5/download?sig=x', size: 1_258_291, finished_at: '2026-12-06T08:01:00Z', expires_at: '2099-12-07T08:01:00Z' }));
    const link = /** @type {HTMLAnchorElement} */ (document.querySelector('[data-testid=export-download]'));
    expect(link.href).toBe('http://chat.test/exports/5/download?sig=x');
    expect(link.hasAttribute('download')).toBe(true);
    expect(link.textContent).toMatch(/^Download \(zip, 1\.2 MB\) — link valid until /);
    expect(bar()).toBeNull();
    expect(button().disabled).toBe(false);
  });

  it('asks every 2 s while it runs, in case an event is missed, and stops when done', async () => {
    const { actions, timers } = setup({ latest: vi.fn(async () => job({ status: 'running', progress: 0.1 })) });
    await settle();
    expect(bar().value).toBe(10);
    expect([...timers.pending.values()][0].ms).toBe(POLL_MS);
    await timers.fire();
    expect(actions.get).toHaveBeenCalledWith(5);
    expect(bar().value).toBe(20);
    actions.get.mockResolvedValueOnce(job({ status: 'failed', error: 'The disk is full' }));
    await timers.fire();
    expect(timers.pending.size).toBe(0);
    expect(document.querySelector('#export-note').textContent).toBe('The export failed: The disk is full. You can try again.');
  });

  it('a late event of the running export does not undo a finished one', async () => {
    const { emit } = setup();
    emit(job({ status: 'done', progress: 1, url: '/x', size: 10, expires_at: '2099-01-01T00:00:00Z' }));
    emit(job({ status: 'running', progress: 0.9 }));
    expect(document.querySelector('[data-testid=export-download]')).not.toBeNull();
  });

  it('opening the screen again shows the latest export; closing stops the polling', async () => {
    const { timers, section } = setup({ latest: vi.fn(async () => job({ status: 'queued' })) });
    await settle();
    expect(document.body.textContent).toContain('Waiting for the server');
    section.stop();
    expect(timers.pending.size).toBe(0);
  });

  it('a refused start says why', async () => {
    const { actions } = setup({ start: vi.fn(async () => { throw refused(429, 'Too many exports today.'); }) });
    button().click();
    await settle();
    expect(actions.start).toHaveBeenCalled();
    expect(document.querySelector('#export-note').textContent).toBe('Too many exports today.');
  });
});

describe('reset page', () => {
  function open(reset) {
    const root = document.createElement('div');
    document.body.append(root);
    const onDone = vi.fn();
    renderResetPassword(root, { reset, onDone, onCancel: vi.fn() });
    const fill = (a, b) => {
      /** @type {HTMLInputElement} */ (root.querySelector('#reset-password')).value = a;
      /** @type {HTMLInputElement} */ (root.querySelector('#reset-repeat')).value = b;
      root.querySelector('form').dispatchEvent(new Event('submit', { cancelable: true }));
    };
    return { root, onDone, fill };
  }

  it('checks the two fields, sends the password, and is done', async () => {
    const reset = vi.fn(async () => {});
    const { root, onDone, fill } = open(reset);
    fill('short', 'short');
    expect(root.querySelector('#reset-error').textContent).toMatch(/at least 8/);
    fill('long enough 1', 'long enough 2');
    expect(root.querySelector('#reset-error').textContent).toMatch(/differ/);
    fill('long enough', 'long enough');
    await settle();
    expect(reset).toHaveBeenCalledWith('long enough');
    expect(onDone).toHaveBeenCalled();
  });

  it('a spent or expired link (400) is said in words', async () => {
    const { root, onDone, fill } = open(vi.fn(async () => { throw refused(400, 'invalid token'); }));
    fill('long enough', 'long enough');
    await settle();
    expect(root.querySelector('#reset-error').textContent).toBe(SPENT_LINK);
    expect(onDone).not.toHaveBeenCalled();
  });
});
