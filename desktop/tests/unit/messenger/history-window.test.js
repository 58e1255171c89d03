// Opening a message far in the past (a search result): the page around it becomes a
// window of history that loads older pages upwards and newer ones downwards until it
// reaches the live end. Live messages, read markers and reconnects must not punch
// holes into it or mark unseen messages read.
import { describe, expect, it, vi } from 'vitest';
import { createActions } from '../../../src/renderer/messenger/actions.js';
import { createHistory, FIRST_PAGE, GAP_PAGES, OLDER_PAGE } from '../../../src/renderer/messenger/history.js';
import { createReadPolicy } from '../../../src/renderer/messenger/read-policy.js';
import { BOB, directChat, fakeApi, fakeDocument, message, storeWith } from './helpers.js';

// A chat of messages 1..300 on the server; the client has the newest page.
const NEWEST = 300;
const range = (from, to) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => message(from + i, 5, BOB.id));

/** GET /chats/5/messages as the server answers it for that chat. */
function serverMessages(_chatId, { before, after, around, limit = FIRST_PAGE } = {}) {
  if (around !== undefined) {
    if (around < 1 || around > NEWEST) return Promise.resolve([]);
    const from = Math.max(1, around - Math.floor(limit / 2));
    return Promise.resolve(range(from, Math.min(NEWEST, from + limit - 1)));
  }
  if (after !== undefined) return Promise.resolve(range(after + 1, Math.min(NEWEST, after + limit)));
  const top = before !== undefined ? before - 1 : NEWEST;
  return Promise.resolve(range(Math.max(1, top - limit + 1), top));
}

function setup() {
  const store = storeWith([directChat(5, { last_message: message(NEWEST, 5, BOB.id), unread_count: 3 })]);
  const api = fakeApi({ getMessages: vi.fn(serverMessages) });
  const errors = [];
  const history = createHistory({ store, api, onError: (err) => errors.push(err) });
  const doc = fakeDocument();
  const reading = createReadPolicy({ store, api, doc, win: new EventTarget() });
  const sync = { refreshChat: vi.fn() };
  const actions = createActions({
    store, api, server: 'http://srv', history, sync, reading, socket: { send: () => true }, stop: () => {},
    outgoing: { send: vi.fn(), retry: vi.fn(), discard: vi.fn(), unsent: () => 0, forgetAll: vi.fn() },
    dialogs: { confirm: vi.fn(), newGroup: vi.fn() },
    onError: (err) => errors.push(err),
  });
  return { store, api, history, reading, actions, errors };
}

const ids = (store) => store.timeline(5).messages.map((m) => m.id);
const contiguous = (list) => list.every((id, i) => i === 0 || id === list[i - 1] + 1);

describe('a window of history around a message', () => {
  it('far back: the page around it and at most GAP_PAGES pages after it replace the loaded page as a window', async () => {
    const { store, history, api } = setup();
    await history.loadFirst(5); // 251..300
    api.getMessages.mockClear();
    expect(await history.loadAround(5, 7)).toBe(true);
    expect(api.getMessages.mock.calls.map(([, c]) => c)).toEqual([
      { around: 7, limit: FIRST_PAGE },
      ...Array.from({ length: GAP_PAGES }, (_, i) => ({ after: 50 + i * OLDER_PAGE, limit: OLDER_PAGE })),
    ]);
    const list = ids(store);
    expect(list).toContain(7);
    expect(contiguous(list)).toBe(true);
    expect(list[list.length - 1]).toBe(50 + GAP_PAGES * OLDER_PAGE);
    expect(store.timeline(5)).toMatchObject({ loaded: true, hasNewer: true });
  });

  it('a short gap is loaded in between, so the timeline has no hole and no window', async () => {
    const { store, history, api } = setup();
    await history.loadFirst(5); // 251..300
    api.getMessages.mockClear();
    expect(await history.loadAround(5, 160)).toBe(true);
    expect(api.getMessages.mock.calls.map(([, c]) => c)).toEqual([
      { around: 160, limit: FIRST_PAGE },
      { after: 184, limit: OLDER_PAGE },
    ]);
    const list = ids(store);
    expect(list[0]).toBe(135);
    expect(list[list.length - 1]).toBe(NEWEST);
    expect(contiguous(list)).toBe(true);
    expect(store.timeline(5).hasNewer).toBe(false);
  });

  it('a chat not loaded yet opens at the window, which knows from the chat list whether it is the live end', async () => {
    const { store, history } = setup();
    expect(await history.loadAround(5, 280)).toBe(true);
    expect(store.timeline(5)).toMatchObject({ loaded: true, hasNewer: false });
    const other = setup();
    expect(await other.history.loadAround(5, 100)).toBe(true);
    expect(other.store.timeline(5)).toMatchObject({ loaded: true, hasNewer: true });
  });

  it('is merged into the loaded history when it touches it (no window)', async () => {
    const { store, history } = setup();
    await history.loadFirst(5);
    expect(await history.loadAround(5, 260)).toBe(true);
    const list = ids(store);
    expect(contiguous(list)).toBe(true);
    expect(list[list.length - 1]).toBe(NEWEST);
    expect(store.timeline(5).hasNewer).toBe(false);
  });

  it('needs no request for a message already loaded, and is false for one the server does not have', async () => {
    const { history, api } = setup();
    await history.loadFirst(5);
    const calls = api.getMessages.mock.calls.length;
    expect(await history.loadAround(5, 290)).toBe(true);
    expect(api.getMessages).toHaveBeenCalledTimes(calls);
    expect(await history.loadAround(5, 999)).toBe(false);
  });

  it('scrolls down page by page to the live end, without holes, then takes live messages again', async () => {
    const { store, history } = setup();
    await history.loadAround(5, 7);
    // A live message while looking at the past: not added (it would leave a hole)...
    store.addMessage(message(NEWEST + 1, 5, BOB.id), { countsAsUnread: true });
    expect(ids(store)).not.toContain(NEWEST + 1);
    // ...but the chat list knows it.
    expect(store.chat(5).last_message.id).toBe(NEWEST + 1);
    expect(store.chat(5).unread_count).toBe(4);
    let rounds = 0;
    while (store.timeline(5).hasNewer && rounds++ < 10) await history.loadNewer(5);
    const list = ids(store);
    expect(contiguous(list)).toBe(true);
    expect(list[list.length - 1]).toBe(NEWEST);
    expect(store.timeline(5).hasNewer).toBe(false);
    // At the live end, live messages are added again.
    store.addMessage(message(NEWEST + 2, 5, BOB.id));
    expect(ids(store)).toContain(NEWEST + 2);
  });

  it('pages up from the window as well, until the start', async () => {
    const { store, history, api } = setup();
    await history.loadAround(5, 150);
    const first = ids(store)[0];
    await history.loadOlder(5);
    expect(api.getMessages).toHaveBeenLastCalledWith(5, { before: first, limit: OLDER_PAGE });
    await history.loadOlder(5);
    expect(ids(store)[0]).toBe(1);
    expect(store.timeline(5).hasMore).toBe(false);
    expect(store.timeline(5).hasNewer).toBe(true);
    expect(contiguous(ids(store))).toBe(true);
  });

  it('is left alone by the reconnect refresh, which would punch a hole into it', async () => {
    const { store, history, api } = setup();
    await history.loadAround(5, 7);
    const calls = api.getMessages.mock.calls.length;
    await history.refreshNewest(5);
    expect(api.getMessages).toHaveBeenCalledTimes(calls);
    expect(contiguous(ids(store))).toBe(true);
  });

  it('loadLatest goes back to the newest page', async () => {
    const { store, history } = setup();
    await history.loadAround(5, 7);
    await history.loadLatest(5);
    const list = ids(store);
    expect(list[list.length - 1]).toBe(NEWEST);
    expect(list).not.toContain(7);
    expect(store.timeline(5).hasNewer).toBe(false);
  });
});

describe('opening a search result (actions.showMessage)', () => {
  it('opens the chat at the window without marking it read, and marks it read at the live end', async () => {
    const { store, api, actions, reading } = setup();
    expect(await actions.showMessage(5, 7)).toBe(true);
    expect(store.activeChatId).toBe(5);
    expect(ids(store)).toContain(7);
    // Looking at old messages is not reading the new ones: new ones count as unread.
    expect(api.markRead).not.toHaveBeenCalled();
    expect(reading.isSeen(5)).toBe(false);
    expect(store.chat(5).unread_count).toBe(3);
    for (let i = 0; i < 10 && store.timeline(5).hasNewer; i++) await actions.loadNewer(5);
    expect(api.markRead).toHaveBeenCalledWith(5, NEWEST);
    expect(store.chat(5).unread_count).toBe(0);
    expect(reading.isSeen(5)).toBe(true);
  });

  it('a chat left in the past opens at its newest messages from the list', async () => {
    const { store, actions } = setup();
    await actions.showMessage(5, 7);
    actions.closeChat();
    await actions.openChat(5);
    const list = ids(store);
    expect(list[list.length - 1]).toBe(NEWEST);
    expect(store.timeline(5).hasNewer).toBe(false);
  });

  it('tells the user when the message is gone', async () => {
    const { actions, errors } = setup();
    expect(await actions.showMessage(5, 999)).toBe(false);
    expect(String(errors[0]?.message)).toMatch(/deleted/);
  });
});
