// @vitest-environment jsdom
// Offline starts: the copy of the last chats read (lib/offline-store.js, IndexedDB via
// fake-indexeddb here) is written as the messenger runs, shown read-only with the
// offline banner when the server cannot be reached at start, replaced when the socket
// comes back, and cleared on sign-out; only the same server and person read it back.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MESSAGES_PER_CHAT, createOfflineStore } from '../../src/renderer/lib/offline-store.js';
import { createStore } from '../../src/renderer/lib/store.js';
import { OFFLINE_TEXT, createOffline } from '../../src/renderer/messenger/offline.js';

const SERVER = 'https://chat.example.org';
const ME = { id: 1, username: 'me', display_name: 'Me' };
const chat = (id, title) => ({ id, is_group: true, title, created_at: '2026-01-01T00:00:00Z', members: [], last_message: null, unread_count: 0 });
const msg = (id, chatId) => ({ id, chat_id: chatId, sender_id: 2, content: `message ${id}`, attachment_url: null, created_at: '2026-01-01T00:00:00Z', edited_at: null, is_read: false, client_id: null });

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory(); // a fresh, empty IndexedDB per test
});
const offlineStore = () => createOfflineStore();
const waitFor = async (check) => {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25)); // up to 2.5 s: writes wait 1 s for calm
  }
  throw new Error('condition not met');
};

describe('offline store', () => {
  it('keeps the chats and the last page of the recent chats, for one server and person', async () => {
    const s = offlineStore();
    const many = Array.from({ length: 80 }, (_, i) => msg(i + 1, 10));
    await s.save({ server: SERVER, userId: 1, chats: [chat(10, 'Ten'), chat(11, 'Eleven')], recent: [10], messages: new Map([[10, many], [11, [msg(500, 11)]]]) });

    const back = await offlineStore().load(SERVER, 1);
    expect(back.chats.map((c) => c.title)).toEqual(['Ten', 'Eleven']);
    expect(back.messages[10]).toHaveLength(MESSAGES_PER_CHAT);
    expect(back.messages[10].at(-1).id).toBe(80); // the newest page
    expect(back.messages[11]).toBeUndefined(); // not opened recently
    expect(await s.load(SERVER, 2)).toBeNull(); // another person
    expect(await s.load('https://other.example.org', 1)).toBeNull();
  });

  it('is cleared (sign-out)', async () => {
    const s = offlineStore();
    await s.save({ server: SERVER, userId: 1, chats: [chat(10, 'Ten')], recent: [], messages: new Map() });
    await s.clear();
    expect(await s.load(SERVER, 1)).toBeNull();
  });

  it('keeps nothing where there is no IndexedDB', async () => {
    const s = createOfflineStore({ indexedDB: () => undefined });
    await s.save({ server: SERVER, userId: 1, chats: [chat(10, 'Ten')], recent: [], messages: new Map() });
    expect(await s.load(SERVER, 1)).toBeNull();
  });
});

describe('offline mode', () => {
  function setUp(s = offlineStore()) {
    const store = createStore();
    store.setMe(ME);
    const composer = document.createElement('form');
    const history = { refreshNewest: vi.fn(async () => {}) };
    const offline = createOffline({ store, offlineStore: s, history, server: SERVER, composer: () => composer });
    return { store, composer, history, offline, s };
  }

  it('writes what the app shows as it runs, then shows it read-only when the next start is offline', async () => {
    const first = setUp();
    first.store.setChats([chat(10, 'Ten'), chat(11, 'Eleven')]);
    first.store.setActive(10);
    first.store.addPage(10, [msg(1, 10), msg(2, 10)], { limit: 50, older: false });
    await waitFor(async () => (await first.s.load(SERVER, 1))?.messages[10]?.length === 2);
    first.offline.stop();

    // The next start: the server cannot be reached.
    const next = setUp(first.s);
    document.body.replaceChildren(next.offline.banner);
    await next.offline.enter();
    expect(next.offline.offline).toBe(true);
    expect(next.offline.banner.textContent).toBe(OFFLINE_TEXT);
    expect(next.offline.banner.classList.contains('hidden')).toBe(false);
    expect(next.composer.inert).toBe(true);
    expect(next.store.sortedChats().map((c) => c.title).sort()).toEqual(['Eleven', 'Ten']);
    expect(next.store.timeline(10).messages.map((m) => m.content)).toEqual(['message 1', 'message 2']);
    expect(next.store.timeline(10).hasMore).toBe(false); // no server to ask for older pages

    // The socket is back: live again, and the chats shown from the copy are refreshed.
    next.store.setConnection('online');
    expect(next.offline.offline).toBe(false);
    expect(next.composer.inert).toBe(false);
    expect(next.offline.banner.classList.contains('hidden')).toBe(true);
    expect(next.history.refreshNewest).toHaveBeenCalledWith(10);
  });

  it('says offline even with nothing kept, and does not go offline once the socket is online', async () => {
    const a = setUp();
    await a.offline.enter();
    expect(a.offline.offline).toBe(true);
    expect(a.store.sortedChats()).toEqual([]);

    const b = setUp();
    b.store.setConnection('online');
    await b.offline.enter();
    expect(b.offline.offline).toBe(false);
    expect(b.composer.inert).toBeFalsy();
  });
});
