import { describe, expect, it } from 'vitest';
import { createSession } from '../../src/renderer/lib/session.js';
import { MemoryStorage } from './memory-storage.js';

describe('session', () => {
  it('stores tokens with their absolute expiry and survives a new instance (reload)', () => {
    const storage = new MemoryStorage();
    const session = createSession(storage, () => 1_000);
    session.setTokens({ access_token: 'a1', refresh_token: 'r1', expires_in: 900, token_type: 'bearer' });
    session.setUser({ id: 7, username: 'ann' });
    const reloaded = createSession(storage);
    expect(reloaded.get()).toEqual({ accessToken: 'a1', refreshToken: 'r1', expiresAt: 901_000, user: { id: 7, username: 'ann' } });
  });

  it('sees tokens rotated by another tab', () => {
    const storage = new MemoryStorage();
    const tabA = createSession(storage);
    const tabB = createSession(storage);
    tabA.setTokens({ access_token: 'a1', refresh_token: 'r1', expires_in: 900 });
    tabB.setTokens({ access_token: 'a2', refresh_token: 'r2', expires_in: 900 });
    expect(tabA.refreshToken()).toBe('r2');
  });

  it('treats broken storage as signed out', () => {
    const storage = new MemoryStorage();
    storage.setItem('parley.session', '{not json');
    expect(createSession(storage).accessToken()).toBeNull();
  });
});
