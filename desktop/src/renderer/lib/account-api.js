// The account and administration routes (API.md "Accounts, invites, administration"
// and docs/API-EXTENSIONS.md): registration options, password reset, my sessions, my
// account export, and the administrator's users, invites and server. Built on
// api.request so that tokens are handled like every other call.

/**
 * GET /auth/options: how this server makes accounts.
 * @typedef {{registration: 'open' | 'invite' | 'closed', email_required: boolean, first_account: boolean}} AuthOptions
 */
/** @typedef {{id: number, username: string, display_name: string}} Joined */
/**
 * An invite link. `max_uses` null: unlimited.
 * @typedef {object} Invite
 * @property {string} token
 * @property {string} url
 * @property {number | null} max_uses
 * @property {number} uses
 * @property {string} expires_at
 * @property {string} created_at
 * @property {boolean} [revoked]
 * @property {Joined[]} [joined]
 */
/**
 * A row of GET /admin/users.
 * @typedef {object} AdminUser
 * @property {number} id
 * @property {string} username
 * @property {string} display_name
 * @property {string | null} email
 * @property {boolean} is_admin
 * @property {boolean} is_active
 * @property {string} created_at
 * @property {string | null} last_seen_at
 * @property {number} [active_sessions]
 */
/** POST /admin/users/{id}/reset-link. @typedef {{url: string, token: string, expires_at: string}} ResetLink */
/**
 * GET /admin/server.
 * @typedef {object} ServerInfo
 * @property {number} users
 * @property {number} active_users
 * @property {number} admins
 * @property {number} chats
 * @property {number} messages
 * @property {number} attachments
 * @property {number} attachment_bytes
 * @property {number} nodes_online
 * @property {'open' | 'invite' | 'closed'} registration
 * @property {boolean} email_required
 * @property {string} version
 */
/**
 * One of my signed-in sessions (GET /auth/sessions).
 * @typedef {{id: number | string, device: string | null, address: string | null, created_at: string, last_active_at: string | null, current: boolean}} SessionInfo
 */
/**
 * An account export. `url` (signed, no bearer needed) once done, until `expires_at`.
 * @typedef {object} ExportJob
 * @property {number | string} id
 * @property {'queued' | 'running' | 'done' | 'failed'} status
 * @property {number} progress   0..1
 * @property {string} created_at
 * @property {string | null} finished_at
 * @property {string | null} expires_at
 * @property {string | null} url
 * @property {number | null} size
 * @property {string | null} error
 */

/** @typedef {ReturnType<typeof createAccountApi>} AccountApi */

/**
 * @param {{request: import('./api.js').Api['request']}} api
 */
export function createAccountApi({ request }) {
  /** @param {string} path @param {unknown} [data] */
  const post = (path, data) => request({ method: 'POST', url: path, data });
  const enc = encodeURIComponent;
  return {
    /** Asked before signing in, of the server the form names. @param {string} [server] @returns {Promise<AuthOptions>} */
    authOptions: (server) => request({ method: 'GET', url: '/auth/options', ...(server ? { baseURL: server } : {}) }),
    /** @param {string} server @param {string} token @param {string} password @returns {Promise<void>} */
    resetPassword: (server, token, password) => request({ method: 'POST', url: '/auth/reset', baseURL: server, data: { token, password } }),

    /** @returns {Promise<SessionInfo[]>} */
    sessions: () => request({ method: 'GET', url: '/auth/sessions' }),
    /** @param {number | string} id @returns {Promise<void>} */
    endSession: (id) => request({ method: 'DELETE', url: `/auth/sessions/${enc(String(id))}` }),
    /** Every session but this one. @returns {Promise<void>} */
    endOtherSessions: () => request({ method: 'DELETE', url: '/auth/sessions' }),

    /** @returns {Promise<ExportJob>} */
    startExport: () => post('/users/me/exports'),
    /** Newest first. @returns {Promise<ExportJob[]>} */
    exports: () => request({ method: 'GET', url: '/users/me/exports' }),
    /** @param {number | string} id @returns {Promise<ExportJob>} */
    getExport: (id) => request({ method: 'GET', url: `/users/me/exports/${enc(String(id))}` }),

    /** @param {string} q @returns {Promise<AdminUser[]>} */
    users: (q) => request({ method: 'GET', url: '/admin/users', params: q ? { q } : {} }),
    /** @param {number} id @returns {Promise<void>} */
    deactivate: (id) => post(`/admin/users/${id}/deactivate`),
    /** @param {number} id @returns {Promise<void>} */
    reactivate: (id) => post(`/admin/users/${id}/reactivate`),
    /** @param {number} id @returns {Promise<void>} */
    promote: (id) => post(`/admin/users/${id}/promote`),
    /** @param {number} id @returns {Promise<void>} */
    demote: (id) => post(`/admin/users/${id}/demote`),
    /** @param {number} id @returns {Promise<ResetLink>} */
    resetLink: (id) => post(`/admin/users/${id}/reset-link`),
    /** Newest first, revoked ones too. @returns {Promise<Invite[]>} */
    invites: () => request({ method: 'GET', url: '/invites' }),
    /** @param {{max_uses: number | null, expires_in_hours: number}} fields @returns {Promise<Invite>} */
    createInvite: (fields) => post('/invites', fields),
    /** @param {string} token @returns {Promise<void>} */
    revokeInvite: (token) => request({ method: 'DELETE', url: `/invites/${enc(token)}` }),
    /** @returns {Promise<ServerInfo>} */
    serverInfo: () => request({ method: 'GET', url: '/admin/server' }),
    /** @param {{email_required?: boolean}} fields @returns {Promise<ServerInfo>} */
    updateServer: (fields) => request({ method: 'PATCH', url: '/admin/server', data: fields }),
  };
}
