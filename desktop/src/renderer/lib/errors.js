// Turns any failure into a sentence a person can act on. The server's `detail` is
// either a string or FastAPI's list of validation errors `[{loc, msg}]`.

const LOCATION_PARTS = new Set(['body', 'query', 'path', 'header']);

function fieldName(loc) {
  const parts = (Array.isArray(loc) ? loc : []).filter((p) => !LOCATION_PARTS.has(p) && typeof p === 'string');
  if (!parts.length) return '';
  const name = parts.join(' ').replace(/_/g, ' ');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Renders a FastAPI `detail` (string, list of errors, or object) as text. */
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
  if (detail && typeof detail === 'object' && typeof detail.msg === 'string') return detail.msg;
  return '';
}

const STATUS_TEXT = {
  400: 'The server could not understand the request.',
  401: 'Please sign in again.',
  403: 'You are not allowed to do that.',
  404: 'Not found — it may have been deleted.',
  409: 'That already exists.',
  413: 'That is too large for the server.',
  415: 'That type of file is not allowed.',
  422: 'Some of what you entered is not valid.',
  429: 'Too many attempts. Wait a moment and try again.',
};

/** True when the request never got an answer (server down, offline, timeout). */
export function isNetworkError(err) {
  return Boolean(err) && !err.response && (err.isAxiosError || err.code === 'ERR_NETWORK');
}

export function describeError(err) {
  const response = err?.response;
  if (response) {
    const text = describeDetail(response.data?.detail);
    if (text) return text;
    if (STATUS_TEXT[response.status]) return STATUS_TEXT[response.status];
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
