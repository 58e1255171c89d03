// The one WebSocket of a signed-in client (`/ws?token=&since=`). It reconnects with
// exponential backoff and jitter, resumes from the last message id seen (`since`),
// pings so a dead connection (e.g. after sleep) is noticed, and follows the
// browser's online/offline events.
import { BACKOFF, backoffDelay } from './backoff.js';
import { EVENTS, FRAMES } from './events.js';

export const WS_STATE = Object.freeze({
  CONNECTING: 'connecting',
  ONLINE: 'online',
  RECONNECTING: 'reconnecting',
  OFFLINE: 'offline',
  TOO_MANY: 'too-many', // the server refused: this user has too many sockets open there
  STOPPED: 'stopped',
});

/** @typedef {typeof WS_STATE[keyof typeof WS_STATE]} WsState */
/**
 * @typedef {import('./types.js').Timers & {
 *   setInterval: (fn: () => void, ms: number) => any, clearInterval: (id: any) => void}} Clock
 */
/**
 * Where online/offline events come from (the window), and whether the browser is online.
 * @typedef {{addEventListener?: (type: string, fn: () => void) => void,
 *   removeEventListener?: (type: string, fn: () => void) => void, navigator?: {onLine: boolean}}} Win
 */

const AUTH_FAILED = 4401;
const TOO_MANY_SOCKETS = 4429;

/**
 * @param {object} deps
 * @param {(since: number) => string} deps.url     full ws:// URL (token included) for a connection
 * @param {() => number} deps.getSince              last message id seen
 * @param {(event: {type: string}) => void} deps.onEvent    every server event except pong
 * @param {(state: WsState) => void} deps.onState
 * @param {() => void} [deps.onOpen]                after each successful (re)connection
 * @param {() => Promise<unknown>} [deps.onAuthFailed]  renew the token after a 4401 close
 * @param {new (url: string) => WebSocket} [deps.WebSocketImpl]
 * @param {Win} [deps.win]
 * @param {Clock} [deps.timers]
 * @param {() => number} [deps.random]
 * @param {() => number} [deps.now]
 * @param {number} [deps.pingEveryMs]
 * @param {import('./backoff.js').Backoff} [deps.backoff]
 */
export function createSocket({
  url,
  getSince,
  onEvent,
  onState,
  onOpen = () => {},
  onAuthFailed = async () => {},
  WebSocketImpl = globalThis.WebSocket,
  win = globalThis,
  timers = globalThis,
  random = Math.random,
  now = () => Date.now(),
  pingEveryMs = 25_000,
  backoff = BACKOFF,
}) {
  /** @type {WebSocket | null} */
  let socket = null;
  /** @type {WsState | null} */
  let state = null;
  let attempt = 0;
  /** @type {unknown} */
  let retryTimer = null;
  /** @type {unknown} */
  let pingTimer = null;
  let lastFrameAt = 0;

  /** @param {WsState} next */
  function setState(next) {
    if (next === state) return;
    state = next;
    onState(next);
  }

  const isOffline = () => win.navigator?.onLine === false;

  function connect() {
    timers.clearTimeout(retryTimer);
    if (state === WS_STATE.STOPPED) return;
    if (isOffline()) return setState(WS_STATE.OFFLINE);
    setState(attempt === 0 ? WS_STATE.CONNECTING : WS_STATE.RECONNECTING);
    let ws;
    try {
      ws = new WebSocketImpl(url(getSince()));
    } catch {
      return retry(); // e.g. a malformed server address; keep backing off
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      attempt = 0;
      lastFrameAt = now();
      startPing();
      setState(WS_STATE.ONLINE);
      onOpen();
    };
    ws.onmessage = (message) => {
      if (socket !== ws) return;
      lastFrameAt = now();
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (event?.type && event.type !== EVENTS.PONG) onEvent(event);
    };
    ws.onclose = (close) => {
      if (socket !== ws) return;
      socket = null;
      stopPing();
      if (state === WS_STATE.STOPPED) return;
      if (close.code === AUTH_FAILED) {
        // The access token expired while we were away: renew it, then retry.
        setState(WS_STATE.RECONNECTING);
        onAuthFailed().then(retry, retry);
        return;
      }
      if (close.code === TOO_MANY_SOCKETS) {
        // Other windows or tabs hold this user's sockets; trying again at once cannot
        // help, so say so and retry only at the longest backoff.
        setState(WS_STATE.TOO_MANY);
        timers.clearTimeout(retryTimer);
        retryTimer = timers.setTimeout(connect, backoff.max);
        attempt += 1;
        return;
      }
      retry();
    };
    ws.onerror = () => {}; // always followed by close, handled there
  }

  function retry() {
    if (state === WS_STATE.STOPPED) return;
    if (isOffline()) return setState(WS_STATE.OFFLINE);
    setState(WS_STATE.RECONNECTING);
    timers.clearTimeout(retryTimer);
    retryTimer = timers.setTimeout(connect, backoffDelay(attempt, backoff, random));
    attempt += 1;
  }

  function startPing() {
    stopPing();
    pingTimer = timers.setInterval(() => {
      // Two intervals without any frame (not even a pong): the connection is dead.
      if (now() - lastFrameAt > pingEveryMs * 2) return drop();
      send({ type: FRAMES.PING });
    }, pingEveryMs);
  }

  function stopPing() {
    timers.clearInterval(pingTimer);
  }

  /** Abandons the current socket without waiting for its close handshake. */
  function drop() {
    const ws = socket;
    socket = null;
    stopPing();
    if (ws) {
      try {
        ws.close(4000, 'reconnect');
      } catch {
        // already closed
      }
    }
    retry();
  }

  /**
   * Sends a frame if the socket is open; false when it is not (the caller may retry later).
   * @param {{type: string}} frame
   */
  function send(frame) {
    if (!socket || socket.readyState !== 1) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  const onOnline = () => {
    if (state === WS_STATE.STOPPED || state === WS_STATE.ONLINE) return;
    attempt = 0;
    connect();
  };
  const onOffline = () => {
    if (state === WS_STATE.STOPPED) return;
    const ws = socket;
    socket = null;
    stopPing();
    timers.clearTimeout(retryTimer);
    ws?.close(1000, 'offline');
    setState(WS_STATE.OFFLINE);
  };

  return {
    start() {
      win.addEventListener?.('online', onOnline);
      win.addEventListener?.('offline', onOffline);
      state = null;
      attempt = 0;
      connect();
    },
    stop() {
      setState(WS_STATE.STOPPED);
      win.removeEventListener?.('online', onOnline);
      win.removeEventListener?.('offline', onOffline);
      timers.clearTimeout(retryTimer);
      stopPing();
      const ws = socket;
      socket = null;
      ws?.close(1000, 'bye');
    },
    /**
     * Checks the connection now (after the machine wakes up): reconnect at once if
     * down, otherwise ping and drop the socket if nothing comes back in a few seconds.
     */
    recheck(timeoutMs = 5_000) {
      if (state === WS_STATE.STOPPED || socket?.readyState === 0) return;
      if (!socket) {
        attempt = 0;
        return connect();
      }
      const before = lastFrameAt;
      send({ type: FRAMES.PING });
      timers.setTimeout(() => {
        if (socket && lastFrameAt === before) drop();
      }, timeoutMs);
    },
    send,
    get state() {
      return state;
    },
  };
}
