// messenger/account.js: export.progress events reach the export screen's watchers,
// the admin screen opens only for administrators, and a change of my own rights
// reloads my profile (the sidebar's Administration button follows).
import { describe, expect, it, vi } from 'vitest';
import { EVENTS } from '../../../src/renderer/lib/events.js';
import { createStore } from '../../../src/renderer/lib/store.js';
import { createAccount } from '../../../src/renderer/messenger/account.js';
import { createEventHandlers, dispatcher } from '../../../src/renderer/messenger/events.js';

function setup(me) {
  const store = createStore();
  store.setMe(me);
  const api = { request: vi.fn(async () => []), getMe: vi.fn(async () => ({ ...me, is_admin: false })) };
  const views = { openAdmin: vi.fn(), openDevices: vi.fn() };
  const account = createAccount({ api, server: 'http://chat.test', store, confirm: vi.fn(), views });
  return { store, api, views, account };
}

describe('account', () => {
  it('export.progress events reach the watchers until they unsubscribe', () => {
    const { store, account } = setup({ id: 1, username: 'ann' });
    const handle = dispatcher(createEventHandlers({ store, outgoing: {}, sync: {}, reading: {}, notifications: {}, toast: () => {}, onExport: account.onExport }));
    const seen = [];
    const stop = account.exportActions.watch((job) => seen.push(job.progress));
    handle({ type: EVENTS.EXPORT_PROGRESS, export: { id: 1, status: 'running', progress: 0.5 } });
    stop();
    handle({ type: EVENTS.EXPORT_PROGRESS, export: { id: 1, status: 'running', progress: 0.7 } });
    expect(seen).toEqual([0.5]);
    expect(account.exportActions.downloadUrl('/exports/1/download?sig=a')).toBe('http://chat.test/exports/1/download?sig=a');
    expect(account.exportActions.downloadUrl('javascript:alert(1)')).toBeNull();
  });

  it('opens the admin screen for administrators only', () => {
    const plain = setup({ id: 2, username: 'bob', is_admin: false });
    plain.account.openAdmin();
    expect(plain.views.openAdmin).not.toHaveBeenCalled();
    const admin = setup({ id: 1, username: 'ann', is_admin: true });
    admin.account.openAdmin();
    expect(admin.views.openAdmin).toHaveBeenCalledWith(expect.objectContaining({ meId: 1 }));
  });

  it('my own rights changing reloads me', async () => {
    const { store, api, views, account } = setup({ id: 1, username: 'ann', is_admin: true });
    account.openAdmin();
    const { actions } = views.openAdmin.mock.calls[0][0];
    actions.changed(2);
    expect(api.getMe).not.toHaveBeenCalled();
    actions.changed(1);
    await vi.waitFor(() => expect(store.me.is_admin).toBe(false));
  });
});
