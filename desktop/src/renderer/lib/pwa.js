// The installable web app's page side: registers the service worker (sw.js) in a
// browser, never in Electron, which has its own window, notifications and files; and
// tells the app which chat a clicked push notification names: by a message to an open
// window, or by `?chat=<id>` in the address of the window it opened.
import { bridge } from './bridge.js';
import { OPEN_CHAT } from './push-payload.js';

/**
 * Whether this page can have a service worker: a browser (not Electron) on http(s)
 * with the API. Browsers allow one on https and on localhost only.
 * @param {{isDesktop: boolean}} [desktop]
 * @param {Window & typeof globalThis} [win]
 */
export function serviceWorkerSupported(desktop = bridge, win = globalThis.window) {
  return !desktop.isDesktop && Boolean(win?.navigator?.serviceWorker) && /^https?:$/.test(win.location.protocol);
}

/**
 * Registers the service worker beside the page; resolves to its registration, or null
 * where there is none (Electron, an old browser, plain http to another host).
 * @param {{isDesktop: boolean}} [desktop]
 * @param {Window & typeof globalThis} [win]
 * @returns {Promise<ServiceWorkerRegistration | null>}
 */
export async function registerServiceWorker(desktop = bridge, win = globalThis.window) {
  if (!serviceWorkerSupported(desktop, win)) return null;
  try {
    return await win.navigator.serviceWorker.register('./sw.js', { scope: './' });
  } catch (err) {
    // The app works without it (no offline shell, no pushes): say why in the console.
    console.warn('Parley: the service worker could not be registered', err);
    return null;
  }
}

/**
 * Calls `open(chatId)` for each clicked notification's chat while this page runs.
 * @param {(chatId: number) => void} open
 * @param {Window & typeof globalThis} [win]
 * @returns {() => void} stops listening
 */
export function onNotificationOpen(open, win = globalThis.window) {
  const workers = win?.navigator?.serviceWorker;
  if (!workers) return () => {};
  /** @param {MessageEvent} event */
  const listener = (event) => {
    const data = event.data;
    if (data?.type === OPEN_CHAT && Number.isInteger(data.chatId)) open(data.chatId);
  };
  workers.addEventListener('message', listener);
  return () => workers.removeEventListener('message', listener);
}

/**
 * The chat named by `?chat=<id>` (a notification opened this window), taken out of the
 * address so a reload does not open it again; null when there is none.
 * @param {Window & typeof globalThis} [win]
 */
export function takeChatFromAddress(win = globalThis.window) {
  const url = new URL(win.location.href);
  const raw = url.searchParams.get('chat');
  if (raw === null) return null;
  url.searchParams.delete('chat');
  win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
  const id = Number(raw);
  return Number.isInteger(id) && id > 0 ? id : null;
}
