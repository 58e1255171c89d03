// The account and administration calls go to the agreed routes with the agreed bodies
// (docs/API-EXTENSIONS.md), with the bearer token like every call; options and reset
// need none and go to the server they name. Sign-in sends this device's name.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccountApi } from '../../src/renderer/lib/account-api.js';
import { createApi } from '../../src/renderer/lib/api.js';
import { createSession } from '../../src/renderer/lib/session.js';
import { startFakeServer } from './fake-server.js';
import { MemoryStorage } from './memory-storage.js';

describe('account api', () => {
  let server;
  let api;
  let account;

  beforeEach(async () => {
    server = await startFakeServer();
    const session = createSession(new MemoryStorage());
    const timers = { setTimeout: () => 0, clearTimeout: () => {} };
    // The saved server is elsewhere: options and reset must go where they are told.
    api = createApi({ session, getServer: () => 'http://127.0.0.1:9', onSignedOut: () => {}, timers });
    account = createAccountApi(api);
  });
  afterEach(() => server.close());

  it('asks the named server for its options and resets passwords there, without a token', async () => {
    server.state.answers['GET /auth/options'] = [200, { registration: 'invite', email_required: false, first_account: false }];
    server.state.answers['POST /auth/reset'] = [204];
    expect(await account.authOptions(server.url)).toEqual({ registration: 'invite', email_required: false, first_account: false });
    await account.resetPassword(server.url, 'tok-123456', 'new password');
    expect(server.state.requests).toEqual(['GET /auth/options', 'POST /auth/reset']);
    expect(server.state.bodies[1]).toEqual({ token: 'tok-123456', password: 'new password' });
  });

  it('a refused reset rejects with the 400', async () => {
    server.state.answers['POST /auth/reset'] = [400, { detail: 'This reset link has expired', code: 'invalid_input' }];
    await expect(account.resetPassword(server.url, 'tok-123456', 'new password')).rejects.toMatchObject({ response: { status: 400 } });
  });

  describe('signed in', () => {
    beforeEach(async () => {
      // Signed in on the fake server (the one with the routes).
      const session = createSession(new MemoryStorage());
      const timers = { setTimeout: () => 0, clearTimeout: () => {} };
      api = createApi({ session, getServer: () => server.url, onSignedOut: () => {}, timers });
      account = createAccountApi(api);
      await api.login('ann', 'correct horse', 'Chrome on Linux');
    });

    it('sends the device name with the sign-in', () => {
      expect(server.state.logins.at(-1)).toEqual({ username: 'ann', password: 'correct horse', device: 'Chrome on Linux' });
    });

    it('calls the agreed routes', async () => {
      const s = server.state.answers;
      s['GET /auth/sessions'] = [200, [{ id: 1, current: true }]];
      s['DELETE /auth/sessions/7'] = [204];
      s['DELETE /auth/sessions'] = [204];
      s['POST /users/me/exports'] = [202, { id: 3, status: 'queued' }];
      s['GET /users/me/exports'] = [200, [{ id: 3 }]];
      s['GET /users/me/exports/3'] = [200, { id: 3, status: 'running' }];
      s['GET /admin/users'] = [200, [{ id: 2 }]];
      for (const verb of ['deactivate', 'reactivate', 'promote', 'demote']) s[`POST /admin/users/2/${verb}`] = [204];
      s['POST /admin/users/2/reset-link'] = [201, { url: 'http://x/?reset=t', token: 't', expires_at: '2026-12-07T00:00:00Z' }];
      s['GET /invites'] = [200, []];
      s['POST /invites'] = [201, { token: 'abc' }];
      s['DELETE /invites/abc'] = [204];
      s['GET /admin/server'] = [200, { users: 2 }];
      s['PATCH /admin/server'] = [200, { users: 2, email_required: false }];

      expect(await account.sessions()).toEqual([{ id: 1, current: true }]);
      await account.endSession(7);
      await account.endOtherSessions();
      expect(await account.startExport()).toEqual({ id: 3, status: 'queued' });
      await account.exports();
      expect((await account.getExport(3)).status).toBe('running');
      await account.users('ann b');
      await account.users('');
      await account.deactivate(2);
      await account.reactivate(2);
      await account.promote(2);
      await account.demote(2);
      expect((await account.resetLink(2)).token).toBe('t');
      await account.invites();
      await account.createInvite({ max_uses: null, expires_in_hours: 720 });
      await account.revokeInvite('abc');
      await account.serverInfo();
      expect(await account.updateServer({ email_required: false })).toEqual({ users: 2, email_required: false });

      expect(server.state.requests).toEqual([
        'GET /auth/sessions', 'DELETE /auth/sessions/7', 'DELETE /auth/sessions',
        'POST /users/me/exports', 'GET /users/me/exports', 'GET /users/me/exports/3',
        'GET /admin/users?q=ann+b', 'GET /admin/users',
        'POST /admin/users/2/deactivate', 'POST /admin/users/2/reactivate', 'POST /admin/users/2/promote', 'POST /admin/users/2/demote',
        'POST /admin/users/2/reset-link',
        'GET /invites', 'POST /invites', 'DELETE /invites/abc', 'GET /admin/server', 'PATCH /admin/server',
      ]);
      expect(server.state.bodies).toContainEqual({ max_uses: null, expires_in_hours: 720 });
      expect(server.state.bodies).toContainEqual({ email_required: false });
    });

    it('a refusal keeps the server\'s detail for the screen to show', async () => {
      server.state.answers['POST /admin/users/1/demote'] = [409, { detail: 'You are the last administrator: make someone else one first.', code: 'conflict' }];
      await expect(account.demote(1)).rejects.toMatchObject({ response: { status: 409, data: { detail: /last administrator/ } } });
    });
  });
});
