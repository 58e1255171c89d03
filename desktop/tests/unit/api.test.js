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
    expect(signedOut).toEqual(['You were signed out on this device: your session ended or was ended from elsewhere. Please sign in again.']);
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

  it('uploads a file as multipart with progress, then references it in a message', async () => {
    await api.login('ann', 'correct horse');
    const progress = [];
    const bytes = new Uint8Array(20_000).fill(7);
    const answer = await api.uploadAttachment(new Blob([bytes], { type: 'image/png' }), {
      name: 'cat.png',
      onProgress: (fraction) => progress.push(fraction),
    });
    expect(answer).toMatchObject({ url: '/attachments/1', name: 'cat.png', size: 20_000, content_type: 'image/png', is_image: true });
    expect(server.state.uploads).toEqual([{ name: 'cat.png', contentType: 'image/png', size: 20_000 }]);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(1);

    await api.sendMessage(1, { content: '', client_id: 'c1', attachment_url: answer.url });
    await api.sendMessage(1, { content: 'text only', client_id: 'c2' });
    expect(server.state.posted).toEqual([
      { content: '', client_id: 'c1', attachment_url: '/attachments/1' },
      { content: 'text only', client_id: 'c2' },
    ]);
  });

  it('replies, reactions (the emoji URL-encoded), readers and the page around a message', async () => {
    await api.login('ann', 'correct horse');
    await api.sendMessage(1, { content: 'yes', client_id: 'c3', reply_to_id: 7 });
    expect(server.state.posted).toEqual([{ content: 'yes', client_id: 'c3', reply_to_id: 7 }]);
    expect(await api.addReaction(1, 7, '👍🏽')).toBe('');
    await api.removeReaction(1, 7, '❤️');
    await api.addReaction(1, 7, '👩‍💻');
    expect(await api.getReaders(1, 7)).toEqual([{ id: 2, username: 'bob', display_name: 'Bob' }]);
    await api.getMessages(1, { around: 7, limit: 50 });
    expect(server.state.requests.slice(1)).toEqual([
      `PUT /chats/1/messages/7/reactions/${encodeURIComponent('👍🏽')}`,
      `DELETE /chats/1/messages/7/reactions/${encodeURIComponent('❤️')}`,
      `PUT /chats/1/messages/7/reactions/${encodeURIComponent('👩‍💻')}`,
      'GET /chats/1/messages/7/readers',
      'GET /chats/1/messages?around=7&limit=50',
    ]);
  });

  it('an upload refused by the server rejects with its status and detail', async () => {
    await api.login('ann', 'correct horse');
    const exe = new Blob(['MZ\x90\x00'], { type: 'application/octet-stream' });
    await expect(api.uploadAttachment(exe, { name: 'x.exe' })).rejects.toMatchObject({
      response: { status: 415, data: { detail: 'Executable files are not allowed' } },
    });
    server.state.maxUpload = 1024;
    await expect(api.uploadAttachment(new Blob([new Uint8Array(4096)]), { name: 'big.bin' })).rejects.toMatchObject({
      response: { status: 413 },
    });
  });

  it('an upload is retried once with a fresh token after a 401', async () => {
    await api.login('ann', 'correct horse');
    server.expireAccessTokens();
    const answer = await api.uploadAttachment(new Blob(['hello'], { type: 'text/plain' }), { name: 'notes.txt' });
    expect(answer).toMatchObject({ name: 'notes.txt', size: 5, is_image: false, thumbnail_url: null });
    expect(server.state.refreshCalls).toBe(1);
  });

  it('an upload can be cancelled', async () => {
    await api.login('ann', 'correct horse');
    const controller = new AbortController();
    controller.abort();
    await expect(api.uploadAttachment(new Blob(['x']), { name: 'a.txt', signal: controller.signal })).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    expect(server.state.uploads).toEqual([]);
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
