// Serves the built renderer (dist/web) under app://parley/. A standard, secure
// scheme gives the page a real origin (needed for localStorage, fetch and CORS)
// without exposing file:// to it.
import path from 'node:path';
import { APP_HOST, APP_SCHEME } from '../common/app-origin.js';
import { CSP } from '../common/csp.js';

export const SCHEME_PRIVILEGES = Object.freeze({
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
});

/**
 * Maps an app:// URL to a file inside `root`, or null if it would escape it.
 * @param {string} root
 * @param {string} requestUrl
 */
export function resolveAppPath(root, requestUrl) {
  let url;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let pathname;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const relative = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  const resolved = path.resolve(root, relative);
  const base = path.resolve(root) + path.sep;
  return resolved.startsWith(base) ? resolved : null;
}

/**
 * @param {object} deps
 * @param {Pick<import('electron').Protocol, 'handle'>} deps.protocol
 * @param {{fetch: (url: string) => Promise<Response>}} deps.net
 * @param {string} deps.root                  absolute path of dist/web
 * @param {(p: string) => URL} deps.pathToFileURL
 */
export function registerAppProtocol({ protocol, net, root, pathToFileURL }) {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppPath(root, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    let response;
    try {
      response = await net.fetch(pathToFileURL(file).toString());
    } catch {
      return new Response('Not found', { status: 404 }); // missing file
    }
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CSP);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}
