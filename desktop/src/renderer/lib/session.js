// Tokens and the signed-in user, kept in localStorage so a reload keeps the session.
// Every read goes to storage (it is cheap) so that several tabs share one session:
// a refresh token rotated by one tab is seen by the others at once.

const KEY = 'parley.session';

/** @typedef {import('./types.js').User} User */
/**
 * POST /auth/login and /auth/refresh's answer.
 * @typedef {{access_token: string, refresh_token: string, expires_in: number | string, token_type?: string}} Token
 */
/** @typedef {{accessToken: string, refreshToken: string, expiresAt: number, user?: User | null}} StoredSession */

/**
 * @param {Storage} storage
 * @param {() => number} now  ms clock, injectable for tests
 */
export function createSession(storage, now = () => Date.now()) {
  /** @returns {StoredSession | null} */
  function read() {
    try {
      return JSON.parse(storage.getItem(KEY) ?? 'null');
    } catch {
      return null;
    }
  }

  /** @param {StoredSession} value */
  function write(value) {
    storage.setItem(KEY, JSON.stringify(value));
  }

  return {
    get: read,
    accessToken: () => read()?.accessToken ?? null,
    refreshToken: () => read()?.refreshToken ?? null,
    user: () => read()?.user ?? null,
    /** Stores a `Token` response from /auth/login or /auth/refresh. @param {Token} token */
    setTokens(token) {
      write({
        ...read(),
        accessToken: token.access_token,
        refreshToken: token.refresh_token,
        expiresAt: now() + Number(token.expires_in) * 1000,
      });
    },
    /** @param {User} user */
    setUser(user) {
      const current = read();
      if (current) write({ ...current, user });
    },
    clear: () => storage.removeItem(KEY),
  };
}
