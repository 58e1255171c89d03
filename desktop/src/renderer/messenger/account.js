// The account screens wired to the server (lib/account-api.js): My devices, the
// export of my account (with its export.progress events), and the administrator's
// screen. The profile screen and the sidebar open them through these.
import { createAccountApi } from '../lib/account-api.js';
import { resolveServerUrl } from '../lib/upload.js';
import { openAdmin } from '../views/admin.js';
import { openDevices } from '../views/devices.js';
import { confirmDialog } from '../views/dialogs.js';

/** @typedef {import('../lib/account-api.js').ExportJob} ExportJob */

/**
 * @param {object} deps
 * @param {import('../lib/api.js').Api} deps.api
 * @param {string} deps.server
 * @param {import('../lib/store.js').Store} deps.store
 * @param {typeof confirmDialog} [deps.confirm]
 * @param {{openAdmin: typeof openAdmin, openDevices: typeof openDevices}} [deps.views]  tests pass their own
 */
export function createAccount({ api, server, store, confirm = confirmDialog, views = { openAdmin, openDevices } }) {
  const account = createAccountApi(api);
  /** @type {Set<(job: ExportJob) => void>} */
  const exportListeners = new Set();

  /** @type {import('../views/export.js').ExportActions} */
  const exportActions = {
    latest: async () => (await account.exports())[0] ?? null,
    start: () => account.startExport(),
    get: (id) => account.getExport(id),
    watch(listener) {
      exportListeners.add(listener);
      return () => exportListeners.delete(listener);
    },
    downloadUrl: (url) => resolveServerUrl(server, url),
  };

  /** @type {import('../views/devices.js').DevicesActions} */
  const devicesActions = {
    list: () => account.sessions(),
    end: (id) => account.endSession(id),
    endOthers: () => account.endOtherSessions(),
    confirm,
  };

  /** @type {import('../views/admin.js').AdminActions} */
  const adminActions = {
    users: (q) => account.users(q),
    deactivate: (id) => account.deactivate(id),
    reactivate: (id) => account.reactivate(id),
    promote: (id) => account.promote(id),
    demote: (id) => account.demote(id),
    resetLink: (id) => account.resetLink(id),
    invites: () => account.invites(),
    createInvite: (fields) => account.createInvite(fields),
    revokeInvite: (token) => account.revokeInvite(token),
    serverInfo: () => account.serverInfo(),
    updateServer: (fields) => account.updateServer(fields),
    confirm,
    // My own rights changed: the sidebar's Administration button follows.
    changed: (userId) => {
      if (userId === store.me?.id) api.getMe().then((me) => store.setMe(me), () => {});
    },
  };

  return {
    /** An export.progress event (messenger/events.js). @param {ExportJob} job */
    onExport(job) {
      for (const listener of exportListeners) listener(job);
    },
    exportActions,
    openDevices: () => views.openDevices({ actions: devicesActions }),
    /** Only for administrators (the server refuses the rest anyway). */
    openAdmin() {
      if (store.me?.is_admin) views.openAdmin({ actions: adminActions, meId: store.me.id });
    },
  };
}
