// Web Push for the web client: once notifications are allowed, this browser subscribes
// at its push service with the server's key (GET /push/key) and gives the server the
// subscription (POST /push/subscriptions), so messages reach it while no Parley tab is
// open; the service worker (sw.js) shows them. A subscription that changed since it
// was last sent is sent again at start; signing out removes it from the server and
// from the browser. Electron has its native notifications instead: nothing here runs.
import { bridge } from './bridge.js';

/** @typedef {'unsupported' | 'blocked' | 'on' | 'off'} PushState */
/** @typedef {{endpoint: string, keys: {p256dh: string, auth: string}}} SubscriptionJson */

/** What each state is called on the settings screen. @type {Record<PushState, string>} */
export const PUSH_STATE_WORDS = {
  on: 'On: messages reach this device while Parley is closed.',
  off: 'Off on this device.',
  blocked: 'Blocked by the browser: allow notifications for this site in its settings.',
  unsupported: 'Not supported here (this browser or this address cannot receive pushes).',
};

/** @param {string} text URL-safe base64 → bytes (an applicationServerKey) */
export function base64UrlToBytes(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** @param {ArrayBuffer | ArrayBufferView | null | undefined} a @param {Uint8Array} b */
function sameBytes(a, b) {
  if (!a) return false;
  const bytes = ArrayBuffer.isView(a) ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength) : new Uint8Array(a);
  return bytes.length === b.length && bytes.every((x, i) => x === b[i]);
}

/**
 * A short name for this device, as the delivery log lists it: "Chrome on Linux".
 * @param {string} ua  navigator.userAgent
 */
export function deviceName(ua) {
  const browser = /Edg\//.test(ua) ? 'Edge'
    : /OPR\/|Opera/.test(ua) ? 'Opera'
      : /Firefox\//.test(ua) ? 'Firefox'
        : /Chrom(e|ium)\//.test(ua) ? 'Chrome'
          : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android'
    : /iPhone|iPad|iPod/.test(ua) ? 'iOS'
      : /Windows/.test(ua) ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua) ? 'macOS'
          : /CrOS/.test(ua) ? 'ChromeOS'
            : /Linux/.test(ua) ? 'Linux' : 'an unknown system';
  return `${browser} on ${os}`;
}

/**
 * @param {object} deps
 * @param {Pick<import('./api.js').Api, 'getPushKey' | 'addPushSubscription' | 'removePushSubscription'>} deps.api
 * @param {Storage} deps.storage  remembers what was last sent to the server
 * @param {string} deps.key       per server and user, like the outbox
 * @param {{isDesktop: boolean}} [deps.desktop]
 * @param {Window & typeof globalThis} [deps.win]
 */
export function createPush({ api, storage, key, desktop = bridge, win = globalThis.window }) {
  const nav = win?.navigator;
  const Native = /** @type {typeof Notification | undefined} */ (/** @type {any} */ (win)?.Notification);
  const supported = !desktop.isDesktop && Boolean(nav?.serviceWorker) && 'PushManager' in (win ?? {}) && Boolean(Native);

  /** @returns {Promise<PushSubscription | null>} */
  async function current() {
    if (!supported) return null;
    const registration = await nav.serviceWorker.ready;
    return registration.pushManager.getSubscription();
  }

  /** @param {PushSubscription} subscription @returns {SubscriptionJson} */
  const toJson = (subscription) => /** @type {SubscriptionJson} */ (subscription.toJSON());

  /** @returns {Promise<PushState>} */
  async function state() {
    if (!supported || !Native) return 'unsupported';
    if (Native.permission === 'denied') return 'blocked';
    if (Native.permission !== 'granted') return 'off';
    return (await current()) ? 'on' : 'off';
  }

  return {
    supported,
    state,
    /** This browser's endpoint, to mark "this device" in the delivery log. */
    async endpoint() {
      return (await current().catch(() => null))?.endpoint ?? null;
    },

    /**
     * With notifications allowed: subscribes if this browser is not (or is, with another
     * server key), and sends the subscription when it differs from what was last sent.
     * Does nothing when unsupported or not allowed. Rejects with the error in words'
     * source (the API's or the browser's) for the caller to show.
     * @returns {Promise<PushState>}
     */
    async sync() {
      if (!supported || !Native || Native.permission !== 'granted') return state();
      const serverKey = base64UrlToBytes(await api.getPushKey());
      const registration = await nav.serviceWorker.ready;
      let subscription = await registration.pushManager.getSubscription();
      if (subscription && !sameBytes(subscription.options?.applicationServerKey, serverKey)) {
        await subscription.unsubscribe(); // made for another key: the server could not use it
        subscription = null;
      }
      subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: serverKey });
      const json = toJson(subscription);
      const sent = JSON.stringify({ endpoint: json.endpoint, keys: json.keys });
      if (storage.getItem(key) !== sent) {
        await api.addPushSubscription({ endpoint: json.endpoint, keys: json.keys, device: deviceName(nav.userAgent) });
        storage.setItem(key, sent);
      }
      return 'on';
    },

    /** Asks the browser for notifications (from a click), then subscribes. @returns {Promise<PushState>} */
    async enable() {
      if (!supported || !Native) return 'unsupported';
      if (Native.permission === 'default') await Native.requestPermission();
      return this.sync();
    },

    /**
     * Signing out: the server forgets this device (needs the session: call before
     * logging out) and the browser drops the subscription. Never rejects.
     */
    async signOut() {
      storage.removeItem(key);
      const subscription = await current().catch(() => null);
      if (!subscription) return;
      await api.removePushSubscription(subscription.endpoint).catch(() => {}); // logout removes it too
      await subscription.unsubscribe().catch(() => false);
    },
  };
}
