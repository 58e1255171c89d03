// The web client's service worker (built by vite-plugin-pwa's injectManifest from this
// file; never registered in Electron: lib/pwa.js). Two jobs:
// - the app shell offline: Workbox precaches the build (HTML, JS, CSS, icons) and
//   answers the app's own page from that cache, so Parley opens without the server.
//   Nothing else is cached: no API answer, no attachment (the last chats shown offline
//   are the page's own IndexedDB copy, lib/offline-store.js).
// - Web Push: shows the server's pushes (src/parley/actions/push.py builds them) and
//   opens the chat when one is clicked.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { OPEN_CHAT, notificationFor } from './lib/push-payload.js';

/**
 * What this file uses of the ServiceWorkerGlobalScope (the project's types are the DOM's).
 * @typedef {{data: {json(): unknown} | null, waitUntil(promise: Promise<unknown>): void}} PushEventLike
 * @typedef {{notification: Notification, waitUntil(promise: Promise<unknown>): void}} ClickEventLike
 * @typedef {{focused: boolean, url: string, focus(): Promise<unknown>, postMessage(message: unknown): void}} WindowClientLike
 * @typedef {{matchAll(options: {type: 'window', includeUncontrolled: boolean}): Promise<WindowClientLike[]>,
 *   openWindow(url: string): Promise<unknown>, claim(): Promise<void>}} ClientsLike
 * @typedef {{registration: ServiceWorkerRegistration,
 *   clients: ClientsLike, skipWaiting(): Promise<void>, addEventListener(type: string, listener: (event: any) => void): void}} WorkerScope
 */
const sw = /** @type {WorkerScope} */ (/** @type {unknown} */ (self));

// The build's files with their revisions, written in here by Workbox at build time.
// @ts-ignore -- self is the worker's global scope, which the DOM types do not know
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Only the app's own page is answered from the cache: other paths the server serves
// (an attachment opened in a tab, /docs, /healthz) still go to the network.
const scope = new URL(sw.registration.scope);
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), {
  allowlist: [new RegExp(`^${scope.pathname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(index\\.html)?$`)],
}));

// A new build takes over at once: the shell holds no state worth keeping.
sw.addEventListener('install', () => {
  sw.skipWaiting();
});
sw.addEventListener('activate', (event) => {
  event.waitUntil(sw.clients.claim());
});

sw.addEventListener('push', (/** @type {PushEventLike} */ event) => {
  event.waitUntil((async () => {
    /** @type {any} */
    let payload;
    try {
      payload = event.data?.json() ?? null;
    } catch {
      payload = null; // not JSON: still say something arrived
    }
    const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
    // A focused Parley window shows the message itself; a test is shown regardless,
    // as it is asked for from that very window.
    if (payload?.type === 'message' && windows.some((client) => client.focused)) return;
    const { title, options } = notificationFor(payload);
    await sw.registration.showNotification(title, options);
  })());
});

sw.addEventListener('notificationclick', (/** @type {ClickEventLike} */ event) => {
  const chatId = /** @type {{chatId?: number | null} | null} */ (event.notification.data)?.chatId ?? null;
  event.notification.close();
  event.waitUntil((async () => {
    const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((client) => client.url.startsWith(scope.href));
    if (open) {
      await open.focus();
      if (chatId !== null) open.postMessage({ type: OPEN_CHAT, chatId });
      return;
    }
    await sw.clients.openWindow(chatId !== null ? `${scope.href}?chat=${chatId}` : scope.href);
  })());
});
