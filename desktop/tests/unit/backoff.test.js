import { describe, expect, it } from 'vitest';
import { BACKOFF, backoffDelay } from '../../src/renderer/lib/backoff.js';

describe('backoffDelay', () => {
  it('grows exponentially with jitter and is capped', () => {
    expect(backoffDelay(0, { base: 500, max: 30_000 }, () => 0)).toBe(250);
    expect(backoffDelay(0, { base: 500, max: 30_000 }, () => 1)).toBe(500);
    expect(backoffDelay(3, { base: 500, max: 30_000 }, () => 0.5)).toBe(3000);
    expect(backoffDelay(20, { base: 500, max: 30_000 }, () => 1)).toBe(30_000);
  });

  it('uses the one shared policy unless told otherwise', () => {
    expect(backoffDelay(0, undefined, () => 1)).toBe(BACKOFF.base);
    expect(backoffDelay(50, undefined, () => 1)).toBe(BACKOFF.max);
    expect(Object.isFrozen(BACKOFF)).toBe(true);
  });
});
