// One retry policy for everything that retries against the server: the socket's
// reconnects (ws.js) and the outbox's resends (outbox.js). Exponential, so a server
// that is down is not hammered; capped, so a server that comes back is found soon;
// jittered, so a restarted server is not hit by every client at the same instant.

/** @typedef {{ base: number, max: number }} Backoff  first delay and cap, in ms */

/** @type {Readonly<Backoff>} */
export const BACKOFF = Object.freeze({ base: 500, max: 30_000 });

/**
 * Delay before retry `attempt` (0-based): base·2^attempt capped at max, "equal jitter"
 * (half of it fixed, half random).
 * @param {number} attempt
 * @param {Backoff} [backoff]
 * @param {() => number} [random]  0 ≤ x < 1
 */
export function backoffDelay(attempt, { base, max } = BACKOFF, random = Math.random) {
  const ceiling = Math.min(max, base * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
