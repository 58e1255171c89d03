// Tokens and the signed-in user, kept in localStorage so a reload keeps the session.
// Every read goes to storage (it is cheap) so that several tabs share one session:
// a refresh token rotated by one tab is seen by the others at once.

const KEY = 'parley.session';

/**
 * @param {Storage} storage
 * @param {() => number} now  ms clock, injectable for tests
 */
export function createSession(storage, now = () => Date.now()) {
  function read() {
    try {
      return JSON.parse(storage.getItem(KEY)) ?? null;
    } catch {
      return null;
    }
  }

  function write(value) {
    storage.setItem(KEY, JSON.stringify(value));
  }

  return {
    /** @returns {{accessToken: string, refreshToken: string, expiresAt: number, user: object|null} | null} */
    get: read,
    accessToken: () => read()?.accessToken ?? null,
    refreshToken: () => read()?.refreshToken ?? null,
    user: () => read()?.user ?? null,
    /** Stores a `Token` response from /auth/login or /auth/refresh. */
    setTokens(token) {
      write({
        ...read(),
        accessToken: token.access_token,
        refreshToken: token.refresh_token,
        expiresAt: now() + Number(token.expires_in) * 1000,
      });
    },
    setUser(user) {
      const current = read();
      if (current) write({ ...current, user });
    },
    clear: () => storage.removeItem(KEY),
  };
}
