// REST client for the Parley server (API.md). Adds the bearer token, refreshes it
// shortly before it expires, and on a 401 refreshes once and retries the request.
import axios from 'axios';

const AUTH_FREE = ['/auth/login', '/auth/register', '/auth/refresh', '/auth/options', '/auth/reset'];
// Refresh this long before expiry (or at 80% of a very short lifetime).
const REFRESH_MARGIN_MS = 60_000;
const RETRY_REFRESH_MS = 10_000;
// The refresh token refused: it ran out, or the session was ended elsewhere (My devices,
// a password reset, an administrator deactivating the account).
export const SIGNED_OUT = 'You were signed out on this device: your session ended or was ended from elsewhere. Please sign in again.';

/** @typedef {ReturnType<typeof createApi>} Api */
/** @typedef {import('./types.js').Chat} Chat */
/** @typedef {import('./types.js').Message} Message */
/** @typedef {import('./types.js').User} User */
/** @typedef {import('./session.js').Token} Token */
/**
 * POST /attachments' answer: `url` is what a message references (attachment_url);
 * newer servers add the id, the signed links and an image's size.
 * @typedef {{url: string, name: string, size: number, content_type: string, id?: number, is_image?: boolean,
 *   download_url?: string, thumbnail_url?: string | null, width?: number, height?: number}} UploadAnswer
 */
/**
 * Options of one upload: `onProgress` gets the fraction sent (0..1), `signal` cancels.
 * @typedef {{name?: string, onProgress?: (fraction: number) => void, signal?: AbortSignal}} UploadOptions
 */

/**
 * @param {object} deps
 * @param {ReturnType<typeof import('./session.js').createSession>} deps.session
 * @param {() => string} deps.getServer     base URL, read per request (the user may change it)
 * @param {(reason: string) => void} deps.onSignedOut  called when the session can no longer be renewed
 * @param {() => number} [deps.now]
 * @param {import('./types.js').Timers} [deps.timers]
 * @param {import('axios').CreateAxiosDefaults} [deps.axiosConfig]  extra axios options (tests pass an adapter)
 */
export function createApi({ session, getServer, onSignedOut, now = () => Date.now(), timers = globalThis, axiosConfig = {} }) {
  const http = axios.create({ timeout: 20_000, ...axiosConfig });
  /** @type {Promise<string> | null} */
  let refreshing = null;
  /** @type {unknown} */
  let refreshTimer = null;

  http.interceptors.request.use((config) => {
    // A request may name its server (asking a server typed at sign-in for its options).
    config.baseURL ??= getServer();
    const token = session.accessToken();
    if (token && !AUTH_FREE.includes(config.url ?? '')) config.headers.Authorization = `Bearer ${token}`;
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

  /** @param {string} reason  shown on the sign-in screen */
  function signOut(reason) {
    timers.clearTimeout(refreshTimer);
    session.clear();
    onSignedOut(reason);
  }

  /**
   * Rotates the tokens. Concurrent callers share one request: the old refresh token is single-use.
   * @returns {Promise<string>} the new access token
   */
  function refresh() {
    refreshing ??= (async () => {
      try {
        /** @type {{data: Token}} */
        const { data } = await http.post('/auth/refresh', { refresh_token: session.refreshToken() });
        session.setTokens(data);
        scheduleRefresh();
        return data.access_token;
      } catch (err) {
        // Only a refusal ends the session; a network failure is retried later.
        if (axios.isAxiosError(err) && err.response?.status === 401) signOut(SIGNED_OUT);
        else scheduleRefresh(RETRY_REFRESH_MS);
        throw err;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  /** @param {number} [delay]  ms; by default shortly before the access token expires */
  function scheduleRefresh(delay) {
    timers.clearTimeout(refreshTimer);
    const stored = session.get();
    if (!stored?.refreshToken) return;
    const left = stored.expiresAt - now();
    const margin = Math.min(REFRESH_MARGIN_MS, left * 0.2);
    refreshTimer = timers.setTimeout(() => refresh().catch(() => {}), delay ?? Math.max(0, left - margin));
  }

  /** @param {string} username @param {string} password @param {string} [device]  this device's name (My devices) */
  async function login(username, password, device) {
    /** @type {{data: Token}} */
    const { data } = await http.post('/auth/login', { username, password, ...(device ? { device } : {}) });
    session.setTokens(data);
    scheduleRefresh();
    return getMe();
  }

  /** @returns {Promise<User>} */
  async function getMe() {
    /** @type {{data: User}} */
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

  /**
   * The answer's body.
   * @template T
   * @param {Promise<{data: T}>} promise
   * @returns {Promise<T>}
   */
  const body = (promise) => promise.then((r) => r.data);

  return {
    /**
     * Any other request, with the same token handling (lib/account-api.js builds on it).
     * @template T
     * @param {import('axios').AxiosRequestConfig} config
     * @returns {Promise<T>}
     */
    request: (config) => body(http.request(config)),
    refresh,
    scheduleRefresh,
    stop: () => timers.clearTimeout(refreshTimer),
    /**
     * `email` left out where the server allows accounts without one; `invite`: a token.
     * @param {{username: string, email?: string, password: string, display_name?: string, invite?: string}} fields
     * @returns {Promise<User>}
     */
    register: (fields) => body(http.post('/auth/register', fields)),
    login,
    logout,
    getMe,
    /** @param {string} q @param {number} [limit] @returns {Promise<User[]>} */
    searchUsers: (q, limit = 20) => body(http.get('/users/search', { params: { q, limit } })),
    /** @returns {Promise<Chat[]>} */
    getChats: () => body(http.get('/chats')),
    /** @param {number} id @returns {Promise<Chat>} */
    getChat: (id) => body(http.get(`/chats/${id}`)),
    /** @param {number} userId @returns {Promise<Chat>} */
    createDirectChat: (userId) => body(http.post('/chats', { is_group: false, member_ids: [userId] })),
    /** @param {string} title @param {number[]} memberIds @returns {Promise<Chat>} */
    createGroup: (title, memberIds) => body(http.post('/chats', { is_group: true, title, member_ids: memberIds })),
    /**
     * @param {number} chatId
     * @param {{before?: number, after?: number, around?: number, limit?: number}} [cursor]  `around`: the page holding that message
     * @returns {Promise<Message[]>}
     */
    getMessages: (chatId, cursor = {}) => body(http.get(`/chats/${chatId}/messages`, { params: cursor })),
    /**
     * `attachment_url` is the `url` POST /attachments answered ("/attachments/12").
     * @param {number} chatId
     * @param {{content: string, client_id: string, attachment_url?: string, reply_to_id?: number}} message
     * @returns {Promise<Message>}
     */
    sendMessage: (chatId, { content, client_id, attachment_url, reply_to_id }) =>
      body(http.post(`/chats/${chatId}/messages`, {
        content,
        client_id,
        ...(attachment_url ? { attachment_url } : {}),
        ...(reply_to_id ? { reply_to_id } : {}),
      })),
    /**
     * Multipart upload of one file. No timeout (a large file on a slow link takes
     * what it takes); `signal` cancels it. `onProgress` gets the fraction sent, 0..1.
     * @param {Blob & {name?: string}} file
     * @param {UploadOptions} [options]
     * @returns {Promise<UploadAnswer>}
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
    /** @param {number} chatId @param {number} messageId @param {string} content @returns {Promise<Message>} */
    editMessage: (chatId, messageId, content) =>
      body(http.patch(`/chats/${chatId}/messages/${messageId}`, { content })),
    /** @param {number} chatId @param {number} messageId */
    deleteMessage: (chatId, messageId) => body(http.delete(`/chats/${chatId}/messages/${messageId}`)),
    /** @param {number} chatId @param {string} title @returns {Promise<Chat>} */
    renameChat: (chatId, title) => body(http.patch(`/chats/${chatId}`, { title })),
    /** @param {number} chatId @param {number} userId @returns {Promise<Chat>} */
    addMember: (chatId, userId) => body(http.post(`/chats/${chatId}/members`, { user_id: userId })),
    /** Removes someone, or (my own id) leaves. @param {number} chatId @param {number} userId */
    removeMember: (chatId, userId) => body(http.delete(`/chats/${chatId}/members/${userId}`)),
    /**
     * PATCH /chats/{id}/settings: my own notification settings for a chat (only the
     * fields sent change; `muted_until: null` unmutes).
     * @param {number} chatId
     * @param {{notify?: 'all' | 'mentions' | 'none', muted_until?: string | null}} fields
     * @returns {Promise<Chat>}
     */
    updateChatSettings: (chatId, fields) => body(http.patch(`/chats/${chatId}/settings`, fields)),
    /**
     * PATCH /users/me/notifications: quiet hours, allowed people, push previews.
     * @param {Partial<import('./types.js').NotificationSettings>} fields
     * @returns {Promise<import('./types.js').NotificationSettings>}
     */
    updateNotificationSettings: (fields) => body(http.patch('/users/me/notifications', fields)),
    // ---- Web Push (lib/push.js) --------------------------------------------------
    /** GET /push/key: the applicationServerKey (404: push is off on this server). @returns {Promise<string>} */
    getPushKey: () => body(http.get('/push/key')).then((data) => /** @type {{vapid_public_key: string}} */ (data).vapid_public_key),
    /** @param {{endpoint: string, keys: {p256dh: string, auth: string}, device?: string}} subscription */
    addPushSubscription: (subscription) => body(http.post('/push/subscriptions', subscription)),
    /** @param {string} endpoint */
    removePushSubscription: (endpoint) => body(http.delete('/push/subscriptions', { data: { endpoint } })),
    /** My devices, each with its last pushes. @returns {Promise<import('./types.js').PushDevice[]>} */
    getPushDevices: () => body(http.get('/push/subscriptions')),
    /** A test notification to each of my devices. @returns {Promise<{devices: number}>} */
    testPush: () => body(http.post('/push/test')),
    /** @param {number} chatId @param {number} userId @param {'admin' | 'member'} role @returns {Promise<Chat>} */
    setMemberRole: (chatId, userId, role) => body(http.patch(`/chats/${chatId}/members/${userId}`, { role })),
    /**
     * PATCH /users/me: display name, or password (with the current one).
     * @param {{display_name?: string, password?: string, current_password?: string}} fields
     * @returns {Promise<User>}
     */
    async updateMe(fields) {
      const user = await body(http.patch('/users/me', fields));
      session.setUser(user);
      return user;
    },
    /** A new avatar (an image; the server makes it a square). @param {Blob & {name?: string}} file @returns {Promise<User>} */
    async setAvatar(file) {
      const form = new FormData();
      form.append('file', file, file.name ?? 'avatar');
      const user = await body(http.put('/users/me/avatar', form, { timeout: 0 }));
      session.setUser(user);
      return user;
    },
    /** Back to initials. @returns {Promise<User>} */
    async removeAvatar() {
      await http.delete('/users/me/avatar');
      return getMe();
    },
    /** One emoji (URL-encoded in the path); 204, idempotent. @param {number} chatId @param {number} messageId @param {string} emoji */
    addReaction: (chatId, messageId, emoji) =>
      body(http.put(`/chats/${chatId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`)),
    /** @param {number} chatId @param {number} messageId @param {string} emoji */
    removeReaction: (chatId, messageId, emoji) =>
      body(http.delete(`/chats/${chatId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`)),
    /**
     * Who reacted to a message, per emoji (by first use), user ids in reaction order.
     * @param {number} chatId @param {number} messageId @returns {Promise<import('./types.js').ReactionUsers[]>}
     */
    getReactions: (chatId, messageId) => body(http.get(`/chats/${chatId}/messages/${messageId}/reactions`)),
    /** Who has read my message (groups). @param {number} chatId @param {number} messageId @returns {Promise<User[]>} */
    getReaders: (chatId, messageId) => body(http.get(`/chats/${chatId}/messages/${messageId}/readers`)),
    /**
     * Message search (newest first). `cursor` is the previous page's `next_cursor`;
     * `signal` cancels a request whose answer is no longer wanted.
     * @param {{q: string, chat_id?: number | null, limit?: number, cursor?: string | null}} query
     * @param {{signal?: AbortSignal}} [options]
     * @returns {Promise<import('./types.js').SearchPage>}
     */
    searchMessages: ({ q, chat_id, limit, cursor }, { signal } = {}) => body(http.get('/search/messages', {
      params: { q, ...(chat_id != null ? { chat_id } : {}), ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) },
      signal,
    })),
    /** @param {number} chatId @param {number} messageId */
    markRead: (chatId, messageId) => body(http.post(`/chats/${chatId}/read`, { message_id: messageId })),
  };
}
