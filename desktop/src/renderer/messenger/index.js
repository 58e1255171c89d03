// The signed-in client, wired together: the REST API, the socket and the store, and
// the modules beside this one that connect them (server events → events.js, after
// each connection → sync.js, outgoing messages → outgoing.js, history.js,
// read-policy.js, notifications.js; what the views can do → actions.js). Server
// events and REST results go into the store; the views render from the store.
import { bridge } from '../lib/bridge.js';
import { wsUrl } from '../lib/config.js';
import { describeError, isNetworkError } from '../lib/errors.js';
import { createDrafts } from '../lib/drafts.js';
import { createStore } from '../lib/store.js';
import { createFrequentEmoji, createReactorCache } from '../lib/reactions.js';
import { createOfflineStore } from '../lib/offline-store.js';
import { createPush } from '../lib/push.js';
import { onNotificationOpen, takeChatFromAddress } from '../lib/pwa.js';
import { createWebNotifier } from '../lib/web-notifications.js';
import { createSocket } from '../lib/ws.js';
import { confirmDialog, newGroupDialog } from '../views/dialogs.js';
import { openGroupInfo } from '../views/group-info.js';
import { createNotifyPrompt } from '../views/notify-prompt.js';
import { openProfile } from '../views/profile.js';
import { renderShell } from '../views/shell.js';
import { createAccount } from './account.js';
import { createActions } from './actions.js';
import { createEventHandlers, dispatcher } from './events.js';
import { createHistory } from './history.js';
import { createNotifications } from './notifications.js';
import { createOffline } from './offline.js';
import { createOutgoing } from './outgoing.js';
import { createReadPolicy } from './read-policy.js';
import { createSync } from './sync.js';

/**
 * @param {object} deps
 * @param {HTMLElement} deps.root
 * @param {import('../lib/api.js').Api} deps.api
 * @param {ReturnType<typeof import('../lib/session.js').createSession>} deps.session
 * @param {string} deps.server
 * @param {Storage} deps.storage
 * @param {import('../lib/offline-store.js').OfflineStore} [deps.offlineStore]  the last chats read, for offline starts
 */
export function startMessenger({ root, api, session, server, storage, offlineStore = createOfflineStore() }) {
  const store = createStore();
  store.setMe(session.user());

  // The shell shows errors; it is drawn last, as it needs the actions.
  /** @type {ReturnType<typeof renderShell> | null} */
  let shell = null;
  /** @param {string} text */
  const toast = (text) => shell?.toast(text);
  /** Whether the offline banner shows (set once the offline part exists, below). */
  let isOffline = () => false;
  /** @param {unknown} err */
  const onError = (err) => {
    // Offline, the banner already says the server cannot be reached: no toast over the
    // messages for each request that fails the same way.
    if (isOffline() && isNetworkError(err)) return;
    toast(describeError(err));
  };

  const outgoing = createOutgoing({ api, store, storage, key: `parley.outbox:${server}:${store.me?.id}` });
  // Per server and user, like the outbox: a shared computer never mixes people's drafts.
  const drafts = createDrafts({ storage, key: `parley.drafts:${server}:${store.me?.id}` });
  const history = createHistory({ store, api, onError });
  const reading = createReadPolicy({ store, api });
  // In a browser: its own notifications, and an offer to turn them on at the first
  // message that arrives while the tab is hidden. Electron keeps its native path.
  /** @type {ReturnType<typeof createActions> | null} */
  let actionsRef = null;
  const web = bridge.isDesktop || !('Notification' in window) ? undefined
    : createWebNotifier({ onOpen: (chatId) => actionsRef?.openChat(chatId) });
  // Web Push (lib/push.js): subscribes once notifications are allowed, here at start
  // and after the prompt's "Turn on".
  const push = createPush({ api, storage, key: `parley.push:${server}:${store.me?.id}` });
  const syncPush = () => push.sync().catch((err) => console.warn('Parley: push subscription failed', err));
  const prompt = web ? createNotifyPrompt({
    request: async () => {
      const answer = await web.request();
      if (answer === 'granted') syncPush();
      return answer;
    },
  }) : null;
  const notifications = createNotifications({ store, bridge, web, onPermissionWanted: () => prompt?.show() });
  const sync = createSync({ store, api, history, reading, outgoing, onError });
  // Who reacted: asked on hover, forgotten on each reaction event for the message.
  const reactors = createReactorCache({ load: (chatId, messageId) => api.getReactions(chatId, messageId) });
  const account = createAccount({ api, server, store });
  const socket = createSocket({
    url: (since) => wsUrl(server, `/ws?token=${encodeURIComponent(session.accessToken() ?? '')}${since ? `&since=${since}` : ''}`),
    getSince: () => store.lastSeenId,
    onEvent: dispatcher(createEventHandlers({ store, outgoing, sync, reading, notifications, toast, reactors, onExport: account.onExport })),
    onState: (state) => store.setConnection(state),
    onOpen: () => {
      // Reaction events may have been missed while the socket was down.
      reactors.clear();
      sync.resync();
    },
    onAuthFailed: () => api.refresh(),
  });
  const actions = createActions({
    store, api, server, history, sync, reading, outgoing, socket, drafts, onError, stop,
    dialogs: { confirm: confirmDialog, newGroup: newGroupDialog, groupInfo: openGroupInfo, profile: openProfile },
    emoji: createFrequentEmoji(storage, `parley.emoji:${store.me?.id}`),
    reactors,
    account,
    push: push.supported ? {
      state: () => push.state(),
      enable: () => push.enable(),
      endpoint: () => push.endpoint(),
      devices: () => api.getPushDevices(),
      test: () => api.testPush(),
    } : undefined,
    beforeSignOut: () => push.signOut(),
  });
  actionsRef = actions;
  const offline = createOffline({
    store, offlineStore, history, server,
    composer: () => root.querySelector('form[aria-label="Write a message"]'),
  });
  isOffline = () => offline.offline;
  const notices = document.createElement('div');
  notices.append(offline.banner, ...(prompt ? [prompt.element] : []));
  shell = renderShell(root, { store, actions, notice: notices });

  reading.start();
  const onOnline = () => outgoing.flush();
  window.addEventListener('online', onOnline);
  // A reload or a closed window must not lose the last keystrokes of a draft.
  const onPageHide = () => drafts.flush();
  window.addEventListener('pagehide', onPageHide);
  const offOpenChat = bridge.onOpenChat((chatId) => actions.openChat(chatId));
  const offResume = bridge.onResume(() => socket.recheck());
  // A clicked push notification: in this window, or `?chat=` in the one it opened.
  const offPushOpen = onNotificationOpen((chatId) => actions.openChat(chatId));
  const chatFromAddress = bridge.isDesktop ? null : takeChatFromAddress();

  let stopped = false;
  function stop() {
    if (stopped) return;
    stopped = true;
    socket.stop();
    api.stop();
    outgoing.stop();
    reading.stop();
    notifications.stop();
    window.removeEventListener('online', onOnline);
    window.removeEventListener('pagehide', onPageHide);
    drafts.flush();
    offOpenChat();
    offResume();
    offPushOpen();
    offline.stop();
    shell?.destroy();
  }

  api.scheduleRefresh();
  api.getMe().then((me) => store.setMe(me), () => {});
  sync.start(() => socket.start()).then((loaded) => {
    if (!loaded) return offline.enter();
    if (chatFromAddress !== null && store.chat(chatFromAddress)) actions.openChat(chatFromAddress);
    syncPush();
  }).then(() => {
    if (offline.offline && chatFromAddress !== null && store.chat(chatFromAddress)) actions.openChat(chatFromAddress);
  });

  return { stop, store };
}
