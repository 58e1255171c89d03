// Where the client finds its server. The same build runs in two places:
// inside Electron at app://parley/ (server defaults to a local one) and served by
// the Parley server itself at / (server defaults to that very origin).
import { DESKTOP_DEFAULT_SERVER } from '../../common/app-origin.js';

const SERVER_KEY = 'parley.server';

/** @param {{protocol: string, origin: string}} [loc] */
export function defaultServerUrl(loc = globalThis.location) {
  return loc.protocol === 'app:' ? DESKTOP_DEFAULT_SERVER : loc.origin;
}

/**
 * Accepts what a person types ("chat.example.org", "http://10.0.0.2:8000/") and
 * returns a canonical base URL without a trailing slash, or null if it is not usable.
 * @param {unknown} input
 */
export function normaliseServerUrl(input) {
  const text = String(input ?? '').trim();
  if (!text) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || url.search || url.hash) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * ws(s):// URL for a path on the server, e.g. wsUrl('https://a.b', '/ws') → 'wss://a.b/ws'.
 * @param {string} server
 * @param {string} pathAndQuery
 */
export function wsUrl(server, pathAndQuery) {
  return `${server.replace(/^http/, 'ws')}${pathAndQuery}`;
}

/** @param {Storage} storage @param {{protocol: string, origin: string}} [loc] */
export function loadServerUrl(storage, loc = globalThis.location) {
  return normaliseServerUrl(storage.getItem(SERVER_KEY)) ?? defaultServerUrl(loc);
}

/** @param {Storage} storage @param {string} url */
export function saveServerUrl(storage, url) {
  storage.setItem(SERVER_KEY, url);
}
