// Top level: shows sign-in or the messenger, and switches between them.
import { createApi } from './lib/api.js';
import { loadServerUrl, saveServerUrl } from './lib/config.js';
import { createOfflineStore } from './lib/offline-store.js';
import { createSession } from './lib/session.js';
import { startMessenger } from './messenger/index.js';
import { renderAuth } from './views/auth.js';

/** @param {HTMLElement} root @param {Storage} [storage] */
export function startApp(root, storage = globalThis.localStorage) {
  // The last chats read, kept for offline starts (lib/offline-store.js).
  const offlineStore = createOfflineStore();
  let server = loadServerUrl(storage);
  const session = createSession(storage);
  /** @type {ReturnType<typeof startMessenger> | null} */
  let messenger = null;

  const api = createApi({ session, getServer: () => server, onSignedOut: (reason) => showAuth(reason) });

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
      async onSignIn({ server: url, username, password }) {
        useServer(url);
        await api.login(username.trim(), password);
        showMessenger();
      },
      async onRegister({ server: url, username, email, password, display_name }) {
        useServer(url);
        await api.register({ username: username.trim(), email: email.trim(), password, display_name });
        await api.login(username.trim(), password);
        showMessenger();
      },
    });
  }

  function showMessenger() {
    messenger = startMessenger({ root, api, session, server, storage, offlineStore });
  }

  if (session.refreshToken() && session.user()) showMessenger();
  else showAuth();
}
