// REST client for the Parley server (API.md). Adds the bearer token, refreshes it
// shortly before it expires, and on a 401 refreshes once and retries the request.
import axios from 'axios';

const AUTH_FREE = ['/auth/login', '/auth/register', '/auth/refresh'];
// Refresh this long before expiry (or at 80% of a very short lifetime).
const REFRESH_MARGIN_MS = 60_000;
const RETRY_REFRESH_MS = 10_000;

/** @typedef {ReturnType<typeof createApi>} Api */

/**
 * @param {object} deps
 * @param {ReturnType<typeof import('./session.js').createSession>} deps.session
 * @param {() => string} deps.getServer     base URL, read per request (the user may change it)
 * @param {(reason: string) => void} deps.onSignedOut  called when the session can no longer be renewed
 * @param {() => number} [deps.now]
 * @param {{setTimeout: Function, clearTimeout: Function}} [deps.timers]
 * @param {object} [deps.axiosConfig]       extra axios options (tests pass an adapter)
 */
export function createApi({ session, getServer, onSignedOut, now = () => Date.now(), timers = globalThis, axiosConfig = {} }) {
  const http = axios.create({ timeout: 20_000, ...axiosConfig });
  let refreshing = null;
  let refreshTimer = null;

  http.interceptors.request.use((config) => {
    config.baseURL = getServer();
    const token = session.accessToken();
    if (token && !AUTH_FREE.includes(config.url)) config.headers.Authorization = `Bearer ${token}`;
    return config;
  });

  http.interceptors.response.use(undefined, async (error) => {
    const config = error.config;
    const retriable = error.response?.status === 401 && config && !config.retried && !AUTH_FREE.includes(config.url);
    if (!retriable || !session.refreshToken()) throw error;
    config.retried = true;
    // Another request may already have rotated the token while this one was in flight.
    const sentWith = String(config.headers.Authorization ?? '').replace('Bearer ', '');
    if (sentWith === session.accessToken()) await refresh();
    return http(config);
  });

  function signOut(reason) {
    timers.clearTimeout(refreshTimer);
    session.clear();
    onSignedOut(reason);
  }

  /** Rotates the tokens. Concurrent callers share one request: the old refresh token is single-use. */
  function refresh() {
    refreshing ??= (async () => {
      try {
        const { data } = await http.post('/auth/refresh', { refresh_token: session.refreshToken() });
        session.setTokens(data);
        scheduleRefresh();
        return data.access_token;
      } catch (err) {
        // Only a refusal ends the session; a network failure is retried later.
        if (err.response?.status === 401) signOut('Your session has expired. Please sign in again.');
        else scheduleRefresh(RETRY_REFRESH_MS);
        throw err;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  function scheduleRefresh(delay) {
    timers.clearTimeout(refreshTimer);
    const stored = session.get();
    if (!stored?.refreshToken) return;
    const left = stored.expiresAt - now();
    const margin = Math.min(REFRESH_MARGIN_MS, left * 0.2);
    refreshTimer = timers.setTimeout(() => refresh().catch(() => {}), delay ?? Math.max(0, left - margin));
  }

  async function login(username, password) {
    const { data } = await http.post('/auth/login', { username, password });
    session.setTokens(data);
    scheduleRefresh();
    return getMe();
  }

  async function getMe() {
    const { data } = await http.get('/auth/me');
    session.setUser(data);
    return data;
  }

  async function logout() {
    const refreshToken = session.refreshToken();
    try {
      await http.post('/auth/logout', refreshToken ? { refresh_token: refreshToken } : {});
    } finally {
      // Signing out locally must work even if the server cannot be reached.
      signOut('');
    }
  }

  const body = (promise) => promise.then((r) => r.data);

  return {
    refresh,
    scheduleRefresh,
    stop: () => timers.clearTimeout(refreshTimer),
    register: (fields) => body(http.post('/auth/register', fields)),
    login,
    logout,
    getMe,
    searchUsers: (q, limit = 20) => body(http.get('/users/search', { params: { q, limit } })),
    getChats: () => body(http.get('/chats')),
    getChat: (id) => body(http.get(`/chats/${id}`)),
    createDirectChat: (userId) => body(http.post('/chats', { is_group: false, member_ids: [userId] })),
    createGroup: (title, memberIds) => body(http.post('/chats', { is_group: true, title, member_ids: memberIds })),
    /** @param {{before?: number, after?: number, limit?: number}} cursor */
    getMessages: (chatId, cursor = {}) => body(http.get(`/chats/${chatId}/messages`, { params: cursor })),
    /** `attachment_url` is the `url` POST /attachments answered ("/attachments/12"). */
    sendMessage: (chatId, { content, client_id, attachment_url }) =>
      body(http.post(`/chats/${chatId}/messages`, attachment_url ? { content, client_id, attachment_url } : { content, client_id })),
    /**
     * Multipart upload of one file. No timeout (a large file on a slow link takes
     * what it takes); `signal` cancels it. `onProgress` gets the fraction sent, 0..1.
     * @param {Blob} file
     * @param {{name?: string, onProgress?: (fraction: number) => void, signal?: AbortSignal}} [options]
     */
    uploadAttachment(file, { name, onProgress, signal } = {}) {
      const form = new FormData();
      form.append('file', file, name ?? file.name ?? 'file');
      return body(http.post('/attachments', form, {
        timeout: 0,
        signal,
        onUploadProgress: (event) => {
          const fraction = event.progress ?? (event.total ? event.loaded / event.total : 0);
          onProgress?.(fraction);
        },
      }));
    },
    editMessage: (chatId, messageId, content) =>
      body(http.patch(`/chats/${chatId}/messages/${messageId}`, { content })),
    deleteMessage: (chatId, messageId) => body(http.delete(`/chats/${chatId}/messages/${messageId}`)),
    markRead: (chatId, messageId) => body(http.post(`/chats/${chatId}/read`, { message_id: messageId })),
  };
}
