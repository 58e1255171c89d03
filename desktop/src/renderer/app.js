// Top level: shows sign-in or the messenger, and switches between them. The web
// client's address may carry an invite (?invite=…: the registration, filled in) or a
// password reset (?reset=…: the "choose a new password" page).
import { createAccountApi } from './lib/account-api.js';
import { createApi } from './lib/api.js';
import { bridge } from './lib/bridge.js';
import { defaultServerUrl, loadServerUrl, saveServerUrl } from './lib/config.js';
import { deviceName } from './lib/device-name.js';
import { tokensOf } from './lib/invite-link.js';
import { createOfflineStore } from './lib/offline-store.js';
import { createSession } from './lib/session.js';
import { startMessenger } from './messenger/index.js';
import { renderAuth } from './views/auth.js';
import { renderResetPassword } from './views/reset-password.js';

export const PASSWORD_CHANGED = 'Your password was changed and your other devices were signed out. Sign in with the new password.';

/** @param {HTMLElement} root @param {Storage} [storage] */
export function startApp(root, storage = globalThis.localStorage) {
  // The last chats read, kept for offline starts (lib/offline-store.js).
  const offlineStore = createOfflineStore();
  let server = loadServerUrl(storage);
  const session = createSession(storage);
  /** @type {ReturnType<typeof startMessenger> | null} */
  let messenger = null;

  const api = createApi({ session, getServer: () => server, onSignedOut: (reason) => showAuth(reason) });
  const account = createAccountApi(api);
  const device = deviceName(globalThis.navigator, { desktop: bridge.isDesktop });
  // Read once: the link's token is dropped from the address bar when used, so a
  // reload or a bookmark does not carry it around.
  let link = tokensOf(globalThis.location?.search ?? '');
  // A link opened in the web client belongs to the server that serves it.
  if ((link.invite || link.reset) && globalThis.location && globalThis.location.protocol !== 'app:') server = defaultServerUrl();

  function forgetLink() {
    link = {};
    if (globalThis.location?.search && globalThis.history?.replaceState) {
      globalThis.history.replaceState(null, '', globalThis.location.pathname + globalThis.location.hash);
    }
  }

  /** @param {string} url */
  function useServer(url) {
    server = url;
    saveServerUrl(storage, url);
  }

  function showAuth(notice = '') {
    messenger?.stop();
    messenger = null;
    // Signed out (or never in): the next person at this computer must not see the
    // previous one's chats offline.
    offlineStore.clear().catch(() => {});
    renderAuth(root, {
      server,
      notice,
      invite: link.invite,
      getOptions: (url) => account.authOptions(url),
      onResetLink: ({ server: url, reset }) => showReset(url, reset),
      async onSignIn({ server: url, username, password }) {
        useServer(url);
        await api.login(username.trim(), password, device);
        forgetLink();
        showMessenger();
      },
      async onRegister({ server: url, username, email, password, display_name, invite }) {
        useServer(url);
        const mail = email?.trim();
        await api.register({ username: username.trim(), ...(mail ? { email: mail } : {}), password, display_name, ...(invite ? { invite } : {}) });
        await api.login(username.trim(), password, device);
        forgetLink();
        showMessenger();
      },
    });
  }

  /** @param {string} url  the server the link belongs to @param {string} token */
  function showReset(url, token) {
    messenger?.stop();
    messenger = null;
    renderResetPassword(root, {
      reset: (password) => account.resetPassword(url, token, password),
      onDone() {
        forgetLink();
        useServer(url);
        showAuth(PASSWORD_CHANGED);
      },
      onCancel() {
        forgetLink();
        showAuth();
      },
    });
  }

  function showMessenger() {
    messenger = startMessenger({ root, api, session, server, storage, offlineStore });
  }

  if (link.reset) showReset(server, link.reset);
  else if (session.refreshToken() && session.user()) {
    // Already signed in here: an invite is of no use to this browser.
    forgetLink();
    showMessenger();
  } else showAuth();
}
