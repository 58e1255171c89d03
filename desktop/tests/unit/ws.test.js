import { beforeEach, describe, expect, it } from 'vitest';
import { WS_STATE, createSocket } from '../../src/renderer/lib/ws.js';
import { FakeSocket } from './fake-socket.js';
import { fakeTime } from './fake-time.js';

function fakeWindow(onLine = true) {
  const listeners = {};
  return {
    navigator: { onLine },
    addEventListener: (type, fn) => (listeners[type] = fn),
    removeEventListener: (type) => delete listeners[type],
    fire(type) {
      this.navigator.onLine = type === 'online';
      listeners[type]?.();
    },
  };
}

describe('createSocket', () => {
  let time;
  let win;
  let events;
  let states;
  let opens;
  let since;

  function make(overrides = {}) {
    return createSocket({
      url: (s) => `ws://server/ws?token=t${s ? `&since=${s}` : ''}`,
      getSince: () => since,
      onEvent: (e) => events.push(e),
      onState: (s) => states.push(s),
      onOpen: () => opens++,
      WebSocketImpl: FakeSocket,
      win,
      timers: time,
      now: time.now,
      random: () => 1,
      ...overrides,
    });
  }

  beforeEach(() => {
    FakeSocket.all = [];
    time = fakeTime();
    win = fakeWindow();
    events = [];
    states = [];
    opens = 0;
    since = 0;
  });

  it('connects, passes events on, and resumes from the last id seen after a drop', () => {
    const socket = make();
    socket.start();
    FakeSocket.all[0].serverOpen();
    expect(states).toEqual([WS_STATE.CONNECTING, WS_STATE.ONLINE]);
    FakeSocket.all[0].serverSend({ type: 'message.new', chat_id: 1, message: { id: 41 } });
    expect(events).toHaveLength(1);
    since = 41;
    FakeSocket.all[0].serverClose(1006);
    expect(states.at(-1)).toBe(WS_STATE.RECONNECTING);
    time.advance(500); // first retry after base delay
    expect(FakeSocket.all[1].url).toBe('ws://server/ws?token=t&since=41');
    FakeSocket.all[1].serverOpen();
    expect(opens).toBe(2);
  });

  it('backs off exponentially while the server stays down, and resets after success', () => {
    const socket = make();
    socket.start();
    const gaps = [];
    let last = time.now();
    for (let i = 0; i < 5; i++) {
      FakeSocket.all.at(-1).serverClose(1006);
      const before = FakeSocket.all.length;
      while (FakeSocket.all.length === before) time.advance(50);
      gaps.push(time.now() - last);
      last = time.now();
    }
    expect(gaps).toEqual([500, 1000, 2000, 4000, 8000]);
    FakeSocket.all.at(-1).serverOpen();
    FakeSocket.all.at(-1).serverClose(1006);
    time.advance(500);
    expect(FakeSocket.all.at(-1).readyState).toBe(0); // new attempt after the base delay again
  });

  it('goes offline with the browser and reconnects at once when it is back', () => {
    const socket = make();
    socket.start();
    FakeSocket.all[0].serverOpen();
    win.fire('offline');
    expect(states.at(-1)).toBe(WS_STATE.OFFLINE);
    time.advance(60_000);
    expect(FakeSocket.all).toHaveLength(1); // no retries while offline
    win.fire('online');
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1].serverOpen();
    expect(states.at(-1)).toBe(WS_STATE.ONLINE);
  });

  it('pings, and drops a connection that stopped answering', () => {
    const socket = make({ pingEveryMs: 1000 });
    socket.start();
    const first = FakeSocket.all[0];
    first.serverOpen();
    time.advance(1000);
    expect(first.sent).toEqual([{ type: 'ping' }]);
    first.serverSend({ type: 'pong' });
    expect(events).toEqual([]); // pongs are not events
    time.advance(3000); // silence for more than two intervals
    expect(states.at(-1)).toBe(WS_STATE.RECONNECTING);
    time.advance(500);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('renews the token after a 4401 close before reconnecting', async () => {
    let renewed = 0;
    const socket = make({ onAuthFailed: async () => renewed++ });
    socket.start();
    FakeSocket.all[0].serverClose(4401);
    await Promise.resolve();
    await Promise.resolve();
    expect(renewed).toBe(1);
    time.advance(500);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('says so after a 4429 close and retries only at the longest backoff', () => {
    const socket = make({ backoff: { base: 500, max: 30_000 } });
    socket.start();
    FakeSocket.all[0].serverClose(4429);
    expect(states.at(-1)).toBe(WS_STATE.TOO_MANY);
    time.advance(29_000);
    expect(FakeSocket.all).toHaveLength(1); // no quick retries
    time.advance(1_000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(states.at(-1)).toBe(WS_STATE.RECONNECTING);
    FakeSocket.all[1].serverOpen();
    expect(states.at(-1)).toBe(WS_STATE.ONLINE);
  });

  it('recheck() after resume drops a socket that does not answer a ping', () => {
    const socket = make();
    socket.start();
    FakeSocket.all[0].serverOpen();
    socket.recheck(5000);
    expect(FakeSocket.all[0].sent).toEqual([{ type: 'ping' }]);
    time.advance(5000);
    expect(states.at(-1)).toBe(WS_STATE.RECONNECTING);
  });

  it('recheck() keeps a socket that answers', () => {
    const socket = make();
    socket.start();
    FakeSocket.all[0].serverOpen();
    socket.recheck(5000);
    time.advance(10);
    FakeSocket.all[0].serverSend({ type: 'pong' });
    time.advance(5000);
    expect(states.at(-1)).toBe(WS_STATE.ONLINE);
  });

  it('send() reports whether the frame went out; stop() ends reconnecting', () => {
    const socket = make();
    socket.start();
    expect(socket.send({ type: 'typing', chat_id: 1 })).toBe(false);
    FakeSocket.all[0].serverOpen();
    expect(socket.send({ type: 'typing', chat_id: 1 })).toBe(true);
    socket.stop();
    time.advance(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(states.at(-1)).toBe(WS_STATE.STOPPED);
  });
});
