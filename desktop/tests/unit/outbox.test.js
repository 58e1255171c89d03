import { describe, expect, it } from 'vitest';
import { createOutbox, createOutboxRetry, createOutboxSender } from '../../src/renderer/lib/outbox.js';
import { fakeTime } from './fake-time.js';
import { MemoryStorage } from './memory-storage.js';

const networkError = () => Object.assign(new Error('Network Error'), { isAxiosError: true, code: 'ERR_NETWORK' });

// A server that stores a message once per client_id, as the real one does.
function dedupingServer() {
  const stored = new Map();
  return {
    stored,
    down: false,
    loseNextAnswer: false,
    async send(entry) {
      if (this.down) throw networkError();
      if (!stored.has(entry.client_id)) stored.set(entry.client_id, { id: stored.size + 1, ...entry });
      if (this.loseNextAnswer) {
        this.loseNextAnswer = false;
        throw networkError(); // stored, but the answer never arrived
      }
      return stored.get(entry.client_id);
    },
  };
}

function setup(storage = new MemoryStorage()) {
  let n = 0;
  const outbox = createOutbox(storage, 'k', { newId: () => `id-${++n}`, now: () => '2026-01-01T00:00:00Z' });
  const server = dedupingServer();
  const sent = [];
  const failed = [];
  const sender = createOutboxSender({
    outbox,
    send: (e) => server.send(e),
    onSent: (e, m) => sent.push(m),
    onFailed: (e, reason) => failed.push([e.client_id, reason]),
  });
  return { storage, outbox, server, sender, sent, failed };
}

describe('outbox', () => {
  it('keeps messages typed while offline across a restart and sends them in order once back', async () => {
    const first = setup();
    first.server.down = true;
    first.outbox.add(1, 'one');
    first.outbox.add(1, 'two');
    expect(await first.sender.flush()).toBe(false);
    expect(first.outbox.pending().map((e) => e.content)).toEqual(['one', 'two']);

    // "Restart": a new outbox over the same storage.
    const second = setup(first.storage);
    expect(await second.sender.flush()).toBe(true);
    expect(second.sent.map((m) => m.content)).toEqual(['one', 'two']);
    expect(second.outbox.list()).toEqual([]);
  });

  it('re-sends after a lost answer with the same client_id, so the server stores it once', async () => {
    const { outbox, server, sender } = setup();
    outbox.add(1, 'hello');
    server.loseNextAnswer = true;
    expect(await sender.flush()).toBe(false);
    expect(await sender.flush()).toBe(true);
    expect(server.stored.size).toBe(1);
  });

  it('marks a refused message as failed and goes on with the next', async () => {
    const { outbox, sent, failed } = setup();
    outbox.add(1, 'x'.repeat(5000));
    outbox.add(1, 'ok');
    const refuse = createOutboxSender({
      outbox,
      send: async (e) => {
        if (e.content.length > 4000) throw { response: { status: 422, data: { detail: [{ loc: ['body', 'content'], msg: 'too long' }] } } };
        return { id: 9, ...e };
      },
      onSent: (e, m) => sent.push(m),
      onFailed: (e, reason) => failed.push(reason),
    });
    await refuse.flush();
    expect(failed).toEqual(['Content: too long']);
    expect(sent.map((m) => m.content)).toEqual(['ok']);
    expect(outbox.list()).toMatchObject([{ status: 'failed', error: 'Content: too long' }]);
  });

  it('retry puts a failed entry back in the queue', () => {
    const { outbox } = setup();
    const a = outbox.add(1, 'a');
    outbox.markFailed(a.client_id, 'nope');
    expect(outbox.pending()).toEqual([]);
    outbox.retry(a.client_id);
    expect(outbox.pending()).toMatchObject([{ client_id: a.client_id, status: 'pending' }]);
  });

  it('never runs two sends at once, even when flushed repeatedly', async () => {
    const { outbox } = setup();
    let inFlight = 0;
    let maxInFlight = 0;
    const order = [];
    const sender = createOutboxSender({
      outbox,
      send: async (e) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        order.push(e.content);
        return { id: order.length };
      },
      onSent: () => {},
      onFailed: () => {},
    });
    outbox.add(1, 'a');
    const run = sender.flush();
    outbox.add(1, 'b');
    sender.flush();
    outbox.add(2, 'c');
    sender.flush();
    await run;
    expect(order).toEqual(['a', 'b', 'c']);
    expect(maxInFlight).toBe(1);
  });
});

describe('outbox retry', () => {
  const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

  function retrying() {
    const parts = setup();
    const time = fakeTime();
    const attempts = [];
    const sender = {
      flush: () => {
        attempts.push(time.now());
        return parts.sender.flush();
      },
    };
    const retry = createOutboxRetry({ sender, outbox: parts.outbox, timers: time, random: () => 1 });
    return { ...parts, time, attempts, retry };
  }

  it('tries again on the shared backoff while the server is down, and stops once delivered', async () => {
    const { outbox, server, time, attempts, retry, sent } = retrying();
    server.down = true;
    outbox.add(1, 'hello');
    await retry.flush();
    // 500 ms, then doubling (lib/backoff.js; no jitter with random = 1).
    for (const gap of [500, 1_000, 2_000, 4_000]) {
      time.advance(gap - 1);
      await settled();
      time.advance(1);
      await settled();
    }
    expect(attempts).toEqual([0, 500, 1_500, 3_500, 7_500]);
    server.down = false;
    time.advance(60_000);
    await settled();
    expect(sent.map((m) => m.content)).toEqual(['hello']);
    const count = attempts.length;
    time.advance(600_000);
    await settled();
    expect(attempts).toHaveLength(count);
  });

  it('sets no timer when everything went out, and none after stop()', async () => {
    const { outbox, server, time, attempts, retry } = retrying();
    outbox.add(1, 'a');
    await retry.flush();
    time.advance(600_000);
    expect(attempts).toHaveLength(1);
    server.down = true;
    outbox.add(1, 'b');
    await retry.flush();
    retry.stop();
    time.advance(600_000);
    await settled();
    expect(attempts).toHaveLength(2);
  });
});
