import { describe, expect, it, vi } from 'vitest';
import { createSync } from '../../../src/renderer/messenger/sync.js';
import { directChat, fakeApi, message, networkError, refused, storeWith } from './helpers.js';

function setup(api = fakeApi()) {
  const store = storeWith([]);
  const errors = [];
  const history = { refreshNewest: vi.fn(async () => {}) };
  const reading = { markRead: vi.fn() };
  const outgoing = { flush: vi.fn() };
  const sync = createSync({ store, api, history, reading, outgoing, onError: (err) => errors.push(err) });
  return { api, store, errors, history, reading, outgoing, sync };
}

describe('sync', () => {
  it('loads the chat list, then connects; the first connection does not load it again', async () => {
    const api = fakeApi({ getChats: vi.fn(async () => [directChat(5, { unread_count: 2 })]) });
    const { store, sync, outgoing } = setup(api);
    const connect = vi.fn(() => expect(store.chat(5)).not.toBeNull());
    await sync.start(connect);
    expect(connect).toHaveBeenCalledOnce();
    await sync.resync();
    expect(api.getChats).toHaveBeenCalledOnce();
    expect(outgoing.flush).toHaveBeenCalledOnce();
    // Every later (re)connection: the server's unread counts replace ours.
    api.getChats.mockResolvedValueOnce([directChat(5, { unread_count: 7 })]);
    await sync.resync();
    expect(store.chat(5).unread_count).toBe(7);
  });

  it('connects even when the chat list cannot be loaded; unreachable is left to the offline banner', async () => {
    const api = fakeApi({ getChats: vi.fn(async () => { throw networkError(); }) });
    const { sync, errors } = setup(api);
    const connect = vi.fn();
    expect(await sync.start(connect)).toBe(false); // the messenger starts offline
    expect(connect).toHaveBeenCalledOnce();
    expect(errors).toHaveLength(0);
  });

  it('says why when the server answers the chat list with an error', async () => {
    const refusal = Object.assign(new Error('Request failed'), { isAxiosError: true, response: { status: 500, data: {} } });
    const api = fakeApi({ getChats: vi.fn(async () => { throw refusal; }) });
    const { sync, errors } = setup(api);
    const connect = vi.fn();
    expect(await sync.start(connect)).toBe(false);
    expect(connect).toHaveBeenCalledOnce();
    expect(errors).toEqual([refusal]);
  });

  it('refreshes the open chat after a reconnect and marks it read', async () => {
    const { store, sync, history, reading } = setup();
    store.setChats([directChat(5), directChat(6)]);
    await sync.resync(); // nothing open
    store.setActive(6); // open, history not loaded yet: the page request on its way does it
    await sync.resync();
    expect(history.refreshNewest).not.toHaveBeenCalled();
    store.addPage(5, [message(1, 5, 2)], { limit: 50, older: false });
    store.setActive(5);
    await sync.resync();
    expect(history.refreshNewest).toHaveBeenCalledWith(5);
    expect(reading.markRead).toHaveBeenCalledWith(5);
  });

  it('still sends the outbox when the refresh fails', async () => {
    const api = fakeApi({ getChats: vi.fn(async () => { throw refused(503, { code: 'unavailable' }); }) });
    const { sync, errors, outgoing } = setup(api);
    await sync.resync();
    expect(errors).toHaveLength(1);
    expect(outgoing.flush).toHaveBeenCalledOnce();
  });

  it('fetches a single chat again, and drops it when the server no longer shows it to us', async () => {
    const api = fakeApi();
    const { store, sync } = setup(api);
    await sync.refreshChat(5);
    expect(store.chat(5)).toMatchObject({ id: 5 });
    api.getChat.mockRejectedValueOnce(networkError());
    await sync.refreshChat(5);
    expect(store.chat(5)).not.toBeNull();
    api.getChat.mockRejectedValueOnce(refused(404, { detail: 'chat not found', code: 'not_found' }));
    await sync.refreshChat(5);
    expect(store.chat(5)).toBeNull();
  });
});
