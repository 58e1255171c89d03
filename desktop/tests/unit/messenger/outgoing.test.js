import { describe, expect, it } from 'vitest';
import { createOutbox } from '../../../src/renderer/lib/outbox.js';
import { createOutgoing } from '../../../src/renderer/messenger/outgoing.js';
import { fakeTime } from '../fake-time.js';
import { MemoryStorage } from '../memory-storage.js';
import { ME, directChat, fakeApi, networkError, refused, settled, storeWith } from './helpers.js';

const KEY = 'parley.outbox:http://srv:1';

function setup({ api = fakeApi(), storage = new MemoryStorage() } = {}) {
  const store = storeWith([directChat(5)]);
  store.addPage(5, [], { limit: 50, older: false });
  const time = fakeTime();
  const outgoing = createOutgoing({ api, store, storage, key: KEY, timers: time });
  return { api, store, storage, time, outgoing };
}

describe('outgoing messages', () => {
  it('shows a message as pending at once, sends it, and puts the stored one in the timeline', async () => {
    const { api, store, outgoing } = setup();
    outgoing.send(5, 'hello');
    expect(store.pendingFor(5)).toMatchObject([{ chat_id: 5, content: 'hello', status: 'pending' }]);
    await settled();
    expect(api.sendMessage).toHaveBeenCalledWith(5, expect.objectContaining({ content: 'hello' }));
    expect(store.pendingFor(5)).toEqual([]);
    expect(store.timeline(5).messages).toMatchObject([{ content: 'hello', sender_id: ME.id }]);
    expect(outgoing.unsent()).toBe(0);
  });

  it('shows what was left unsent last time as soon as it starts', () => {
    const storage = new MemoryStorage();
    createOutbox(storage, KEY).add(5, 'from before the restart');
    const { store } = setup({ storage, api: fakeApi({ sendMessage: () => new Promise(() => {}) }) });
    expect(store.pendingFor(5)).toMatchObject([{ content: 'from before the restart' }]);
  });

  it('keeps retrying while the server is down', async () => {
    let down = true;
    const api = fakeApi();
    const send = api.sendMessage;
    api.sendMessage = async (...args) => {
      if (down) throw networkError();
      return send(...args);
    };
    const { store, time, outgoing } = setup({ api });
    outgoing.send(5, 'typed offline');
    await settled();
    expect(store.pendingFor(5)).toMatchObject([{ status: 'pending' }]);
    down = false;
    time.advance(30_000);
    await settled();
    expect(store.pendingFor(5)).toEqual([]);
    expect(store.timeline(5).messages).toMatchObject([{ content: 'typed offline' }]);
  });

  it('a refused message shows why; it can be sent again or discarded', async () => {
    const api = fakeApi();
    api.sendMessage.mockRejectedValueOnce(refused(422, { detail: [{ loc: ['body', 'content'], msg: 'too long' }], code: 'invalid_input' }));
    const { store, outgoing } = setup({ api });
    outgoing.send(5, 'x');
    await settled();
    const [failed] = store.pendingFor(5);
    expect(failed).toMatchObject({ status: 'failed', error: 'Content: too long' });

    outgoing.retry(failed.client_id);
    await settled();
    expect(store.pendingFor(5)).toEqual([]);
    expect(api.sendMessage).toHaveBeenCalledTimes(2);

    api.sendMessage.mockRejectedValueOnce(refused(422, { code: 'invalid_input' }));
    outgoing.send(5, 'y');
    await settled();
    outgoing.discard(store.pendingFor(5)[0].client_id);
    expect(store.pendingFor(5)).toEqual([]);
    expect(outgoing.unsent()).toBe(0);
  });

  it('settles a message the server has stored (its ack or its message.new), once', async () => {
    const { store, outgoing } = setup({ api: fakeApi({ sendMessage: () => new Promise(() => {}) }) });
    outgoing.send(5, 'hello');
    const [entry] = store.pendingFor(5);
    let changes = 0;
    store.subscribe(() => changes++);
    outgoing.settle(entry.client_id);
    expect(store.pendingFor(5)).toEqual([]);
    expect(changes).toBe(1);
    outgoing.settle(entry.client_id);
    outgoing.settle('not-mine');
    expect(changes).toBe(1);
  });

  it('forgets everything on sign-out and stops retrying', async () => {
    const api = fakeApi();
    api.sendMessage.mockRejectedValue(networkError());
    const { storage, time, outgoing } = setup({ api });
    outgoing.send(5, 'never sent');
    await settled();
    expect(outgoing.unsent()).toBe(1);
    outgoing.stop();
    outgoing.forgetAll();
    expect(storage.getItem(KEY)).toBeNull();
    const calls = api.sendMessage.mock.calls.length;
    time.advance(600_000);
    await settled();
    expect(api.sendMessage).toHaveBeenCalledTimes(calls);
  });
});
