// Turns any failure into a sentence a person can act on. The server's error bodies
// are `{"detail": ..., "code": ...}`: `code` is a stable word (ERROR_CODES) that picks
// our sentence, `detail` is either a string or FastAPI's list of validation errors
// `[{loc, msg}]`. Socket `error` frames carry the same codes.

/**
 * Every error code the server sends (../shared/API.md). The server's tests read this
 * list as text, one entry per line, and compare it with the server's catalogue.
 */
export const ERROR_CODES = Object.freeze({
  INVALID_INPUT: 'invalid_input',
  BAD_REQUEST: 'bad_request',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not_found',
  METHOD_NOT_ALLOWED: 'method_not_allowed',
  CONFLICT: 'conflict',
  PAYLOAD_TOO_LARGE: 'payload_too_large',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  RATE_LIMITED: 'rate_limited',
  UNAVAILABLE: 'unavailable',
  INTERNAL: 'internal',
  BAD_JSON: 'bad_json',
  UNKNOWN_TYPE: 'unknown_type',
  BINARY: 'binary',
  INVALID: 'invalid',
});

/** @typedef {typeof ERROR_CODES[keyof typeof ERROR_CODES]} ErrorCode */

const UNREADABLE = 'The server could not read what the app sent. Reloading may help.';

/**
 * Our words for each code. `detail: true` where the server's detail says what to fix
 * (which field, which name is taken, which limit): it is shown instead, and the
 * sentence only when there is no detail.
 * @type {{[K in ErrorCode]: {text: string, detail?: true}}}
 */
const CODE_TEXT = {
  [ERROR_CODES.INVALID_INPUT]: { text: 'Some of what you entered is not valid.', detail: true },
  [ERROR_CODES.BAD_REQUEST]: { text: 'The server could not understand the request.' },
  [ERROR_CODES.UNAUTHORIZED]: { text: 'Wrong username or password, or your session has ended. Please sign in again.' },
  [ERROR_CODES.FORBIDDEN]: { text: 'You are not allowed to do that.', detail: true },
  [ERROR_CODES.NOT_FOUND]: { text: 'Not found — it may have been deleted.', detail: true },
  [ERROR_CODES.METHOD_NOT_ALLOWED]: { text: 'The server does not offer this. It may run another version of Parley.' },
  [ERROR_CODES.CONFLICT]: { text: 'That already exists.', detail: true },
  [ERROR_CODES.PAYLOAD_TOO_LARGE]: { text: 'That is too large for the server.', detail: true },
  [ERROR_CODES.UNSUPPORTED_MEDIA_TYPE]: { text: 'That type of file is not allowed.', detail: true },
  [ERROR_CODES.RATE_LIMITED]: { text: 'Too many attempts. Wait a moment and try again.' },
  [ERROR_CODES.UNAVAILABLE]: { text: 'The server cannot reach its database just now. Try again in a moment.' },
  [ERROR_CODES.INTERNAL]: { text: 'The server had a problem. Try again in a moment.' },
  // Socket frames only: the app sent something the server could not take. Nothing
  // the user typed is wrong, so no detail (it names protocol internals).
  [ERROR_CODES.BAD_JSON]: { text: UNREADABLE },
  [ERROR_CODES.UNKNOWN_TYPE]: { text: 'The server did not understand the app. It may run another version of Parley.' },
  [ERROR_CODES.BINARY]: { text: UNREADABLE },
  [ERROR_CODES.INVALID]: { text: 'The server refused a request of the app as malformed. Reloading may help.' },
};

// Older servers send no code: their statuses are worded by the code that stands for them now.
/** @type {Record<number, ErrorCode>} */
const STATUS_CODES = {
  400: ERROR_CODES.BAD_REQUEST,
  401: ERROR_CODES.UNAUTHORIZED,
  403: ERROR_CODES.FORBIDDEN,
  404: ERROR_CODES.NOT_FOUND,
  409: ERROR_CODES.CONFLICT,
  413: ERROR_CODES.PAYLOAD_TOO_LARGE,
  415: ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
  422: ERROR_CODES.INVALID_INPUT,
  429: ERROR_CODES.RATE_LIMITED,
};

const LOCATION_PARTS = new Set(['body', 'query', 'path', 'header']);

/** @param {unknown} loc  FastAPI's location of a validation error, e.g. ['body', 'display_name'] */
function fieldName(loc) {
  const parts = (Array.isArray(loc) ? loc : []).filter((p) => !LOCATION_PARTS.has(p) && typeof p === 'string');
  if (!parts.length) return '';
  const name = parts.join(' ').replace(/_/g, ' ');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * Renders a FastAPI `detail` (string, list of errors, or object) as text.
 * @param {unknown} detail
 * @returns {string}
 */
export function describeDetail(detail) {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((item) => {
        if (typeof item === 'string') return item;
        const field = fieldName(item?.loc);
        const msg = String(item?.msg ?? 'is invalid');
        return field ? `${field}: ${msg}` : msg;
      })
      .join('\n');
  }
  if (detail && typeof detail === 'object' && 'msg' in detail && typeof detail.msg === 'string') return detail.msg;
  return '';
}

/**
 * Words for a server error that carries a known code, or '' for an unknown or missing
 * one (the contract lets the server add more specific codes).
 * @param {unknown} code
 * @param {unknown} detail
 */
function describeCode(code, detail) {
  if (typeof code !== 'string' || !Object.hasOwn(CODE_TEXT, code)) return '';
  const { text, detail: showDetail } = CODE_TEXT[/** @type {ErrorCode} */ (code)];
  return (showDetail && describeDetail(detail)) || text;
}

/**
 * A socket `error` frame in words ('' when it says nothing: no known code, no detail).
 * @param {{code?: string, detail?: string}} frame
 */
export function describeSocketError({ code, detail }) {
  return describeCode(code, detail) || describeDetail(detail);
}

/**
 * True when the request never got an answer (server down, offline, timeout).
 * @param {any} err
 */
export function isNetworkError(err) {
  return Boolean(err) && !err.response && (err.isAxiosError || err.code === 'ERR_NETWORK');
}

/**
 * Any failure (axios error, REST refusal, bug) in words.
 * @param {any} err
 * @returns {string}
 */
export function describeError(err) {
  const response = err?.response;
  if (response) {
    const body = response.data;
    const coded = describeCode(body?.code, body?.detail);
    if (coded) return coded;
    const text = describeDetail(body?.detail);
    if (text) return text;
    const code = STATUS_CODES[response.status];
    if (code) return CODE_TEXT[code].text;
    if (response.status >= 500) return `The server had a problem (${response.status}). Try again in a moment.`;
    return `The server answered ${response.status}.`;
  }
  if (err?.code === 'ECONNABORTED' || err?.code === 'ETIMEDOUT') return 'The server took too long to answer.';
  if (isNetworkError(err)) {
    const server = err.config?.baseURL;
    return server
      ? `Cannot reach the server at ${server}. Check the address and your connection.`
      : 'Cannot reach the server. Check your connection.';
  }
  return err?.message || 'Something went wrong.';
}
