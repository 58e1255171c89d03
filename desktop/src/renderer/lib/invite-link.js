// Invite and password reset links: `<server>/?invite=<token>` and `<server>/?reset=<token>`
// (docs/API-EXTENSIONS.md). The web client finds them in its own address; the
// desktop app's sign-in screen takes them pasted, and learns the server from them.
import { normaliseServerUrl } from './config.js';

/** What a link carries: the server it belongs to and one of the two tokens. @typedef {{server: string, invite?: string, reset?: string}} AccountLink */

// Tokens are URL-safe base64 (secrets.token_urlsafe) or similar: letters, digits, "-", "_".
const TOKEN = /^[A-Za-z0-9_-]{8,256}$/;

export const NOT_A_LINK = 'That is not a Parley invite link. It looks like https://chat.example.org/?invite=… — copy the whole link your administrator sent.';

/**
 * The invite or reset token of a query string ("?invite=abc"), if it is well formed.
 * @param {string} search
 * @returns {{invite?: string, reset?: string}}
 */
export function tokensOf(search) {
  const params = new URLSearchParams(search);
  /** @type {{invite?: string, reset?: string}} */
  const found = {};
  const invite = params.get('invite')?.trim();
  const reset = params.get('reset')?.trim();
  if (invite && TOKEN.test(invite)) found.invite = invite;
  if (reset && TOKEN.test(reset)) found.reset = reset;
  return found;
}

/**
 * A pasted invite or reset link → its server (origin and any base path) and token.
 * Throws an Error whose message says what is wrong with anything else.
 * @param {unknown} text
 * @returns {AccountLink}
 */
export function parseAccountLink(text) {
  const raw = String(text ?? '').trim();
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(NOT_A_LINK);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(NOT_A_LINK);
  const { invite, reset } = tokensOf(url.search);
  if (!invite && !reset) {
    const params = new URLSearchParams(url.search);
    if (params.has('invite') || params.has('reset')) throw new Error('The code in that link is cut short or damaged: copy the whole link again.');
    throw new Error(NOT_A_LINK);
  }
  const server = normaliseServerUrl(`${url.origin}${url.pathname}`);
  if (!server) throw new Error(NOT_A_LINK);
  return invite ? { server, invite } : { server, reset };
}

/**
 * What the registration form's invite field holds: a bare token, or a whole link
 * pasted into it. Null when it is neither.
 * @param {unknown} text
 * @returns {string | null}
 */
export function inviteToken(text) {
  const raw = String(text ?? '').trim();
  if (TOKEN.test(raw)) return raw;
  try {
    return parseAccountLink(raw).invite ?? null;
  } catch {
    return null;
  }
}
