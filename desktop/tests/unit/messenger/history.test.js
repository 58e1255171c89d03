import { describe, expect, it, vi } from 'vitest';
import { ATTACHMENT_REFETCH_MS, FIRST_PAGE, OLDER_PAGE, createHistory } from '../../../src/renderer/messenger/history.js';
import { directChat, fakeApi, message, networkError, storeWith } from './helpers.js';

const page = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i, 5, 2));

function setup(api = fakeApi()) {
  const store = storeWith([directChat(5)]);
  const errors = [];
  let now = 0;
  const history = createHistory({ store, api, onError: (err) => errors.push(err), now: () => now });
  return { api, store, errors, history, later: (ms) => (now += ms) };
}

describe('history', () => {
  it('loads the newest page once, however often the chat is opened', async () => {
    const api = fakeApi({ getMessages: vi.fn(async () => page(1, 3)) });
    const { store, history } = setup(api);
    await Promise.all([history.loadFirst(5), history.loadFirst(5)]);
    await history.loadFirst(5);
    expect(api.getMessages).toHaveBeenCalledTimes(1);
    expect(api.getMessages).toHaveBeenCalledWith(5, { limit: FIRST_PAGE });
    expect(store.timeline(5)).toMatchObject({ loaded: true, hasMore: false });
  });

  it('pages back from the oldest loaded message, one request at a time, until the start', async () => {
    const api = fakeApi({ getMessages: vi.fn(async () => page(200, 249)) });
    const { store, history } = setup(api);
    await history.loadFirst(5);
    api.getMessages.mockResolvedValueOnce(page(100, 199));
    await Promise.all([history.loadOlder(5), history.loadOlder(5)]);
    expect(api.getMessages).toHaveBeenLastCalledWith(5, { before: 200, limit: OLDER_PAGE });
    expect(api.getMessages).toHaveBeenCalledTimes(2);
    expect(store.timeline(5).hasMore).toBe(true);
    api.getMessages.mockResolvedValueOnce(page(60, 99));
    await history.loadOlder(5);
    expect(store.timeline(5)).toMatchObject({ hasMore: false });
    expect(store.timeline(5).messages).toHaveLength(190);
    await history.loadOlder(5);
    expect(api.getMessages).toHaveBeenCalledTimes(3);
  });

  it('does not page back before the first page arrived', async () => {
    const { api, history } = setup();
    await history.loadOlder(5);
    expect(api.getMessages).not.toHaveBeenCalled();
  });

  it('reports a failed page and lets the next attempt through', async () => {
    const api = fakeApi({ getMessages: vi.fn(async () => { throw networkError(); }) });
    const { errors, history, store } = setup(api);
    await history.loadFirst(5);
    expect(errors).toHaveLength(1);
    api.getMessages.mockResolvedValueOnce(page(1, 2));
    await history.loadFirst(5);
    expect(store.timeline(5).loaded).toBe(true);
  });

  it('refreshes the newest page after a reconnect, dropping what was deleted meanwhile', async () => {
    const api = fakeApi({ getMessages: vi.fn(async () => page(1, 3)) });
    const { store, history } = setup(api);
    await history.loadFirst(5);
    api.getMessages.mockResolvedValueOnce([message(1, 5, 2), message(3, 5, 2, { content: 'edited' })]);
    await history.refreshNewest(5);
    expect(store.timeline(5).messages.map((m) => m.content)).toEqual(['m1', 'edited']);
  });

  it('fetches a message again for fresh attachment links, at most every few minutes', async () => {
    const api = fakeApi({ getMessages: vi.fn(async () => page(1, 3)) });
    const { store, history, later } = setup(api);
    await history.loadFirst(5);
    const fresh = message(2, 5, 2, { attachment: { id: 9, name: 'a.png', size: 1, is_image: true, url: '/attachments/9?sig=new' } });
    api.getMessages.mockResolvedValue([fresh]);
    await history.refreshMessage(store.timeline(5).messages[1]);
    expect(api.getMessages).toHaveBeenLastCalledWith(5, { before: 3, limit: 1 });
    expect(store.timeline(5).messages[1]).toBe(fresh);
    await history.refreshMessage(fresh);
    expect(api.getMessages).toHaveBeenCalledTimes(2);
    later(ATTACHMENT_REFETCH_MS);
    await history.refreshMessage(fresh);
    expect(api.getMessages).toHaveBeenCalledTimes(3);
  });
});
