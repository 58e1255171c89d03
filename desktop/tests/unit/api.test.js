import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApi } from '../../src/renderer/lib/api.js';
import { createSession } from '../../src/renderer/lib/session.js';
import { startFakeServer } from './fake-server.js';
import { MemoryStorage } from './memory-storage.js';

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
  };
}

describe('api', () => {
  let server;
  let session;
  let signedOut;
  let timers;
  let api;

  beforeEach(async () => {
    server = await startFakeServer();
    session = createSession(new MemoryStorage());
    signedOut = [];
    timers = manualTimers();
    api = createApi({ session, getServer: () => server.url, onSignedOut: (r) => signedOut.push(r), timers });
  });
  afterEach(() => server.close());

  it('logs in, stores the tokens and the user, and sends the bearer token', async () => {
    const me = await api.login('ann', 'correct horse');
    expect(me.username).toBe('ann');
    expect(session.accessToken()).toBe('a1');
    expect(session.user().id).toBe(1);
    expect(await api.getChats()).toEqual([{ id: 1 }]);
  });

  it('rejects wrong credentials with the server detail and keeps no session', async () => {
    await expect(api.login('ann', 'nope')).rejects.toMatchObject({ response: { status: 401, data: { detail: 'Wrong username or password' } } });
    expect(session.get()).toBeNull();
  });

  it('on 401 refreshes once and retries; parallel requests share one refresh', async () => {
    await api.login('ann', 'correct horse');
    server.expireAccessTokens();
    const results = await Promise.all([api.getChats(), api.getChats(), api.getChats()]);
    expect(results).toEqual([[{ id: 1 }], [{ id: 1 }], [{ id: 1 }]]);
    expect(server.state.refreshCalls).toBe(1);
    expect(session.refreshToken()).toBe('r2'); // rotated
  });

  it('signs out when the refresh token is refused', async () => {
    await api.login('ann', 'correct horse');
    server.expireAccessTokens();
    server.state.refresh.clear();
    await expect(api.getChats()).rejects.toBeTruthy();
    expect(signedOut).toEqual(['Your session has expired. Please sign in again.']);
    expect(session.get()).toBeNull();
  });

  it('does not sign out when the server cannot be reached during a refresh', async () => {
    await api.login('ann', 'correct horse');
    await server.close();
    await expect(api.refresh()).rejects.toSatisfy((err) => err.isAxiosError && !err.response);
    expect(signedOut).toEqual([]);
    expect(session.refreshToken()).toBe('r1');
    server = { close: async () => {} };
  });

  it('schedules a refresh shortly before the access token expires', async () => {
    await api.login('ann', 'correct horse');
    const [{ fn, ms }] = timers.pending.values();
    // 900 s lifetime, refreshed 60 s early.
    expect(ms).toBeGreaterThan(835_000);
    expect(ms).toBeLessThanOrEqual(840_000);
    await fn();
    await new Promise((r) => setTimeout(r, 50));
    expect(session.accessToken()).toBe('a2');
  });

  it('logout ends the session locally even if the server is gone', async () => {
    await api.login('ann', 'correct horse');
    await server.close();
    await api.logout().catch(() => {});
    expect(session.get()).toBeNull();
    expect(signedOut).toEqual(['']);
    server = { close: async () => {} };
  });
});
