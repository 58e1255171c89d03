// Doubles and fixtures for the messenger's modules: a REST API whose every method is
// a vi.fn, a document whose visibility and focus the test sets, and chats and
// messages shaped like the server's (API.md). The store is always the real one.
import { vi } from 'vitest';
import { createStore } from '../../../src/renderer/lib/store.js';

export const ME = { id: 1, username: 'me', display_name: 'Me Myself' };
export const BOB = { id: 2, username: 'bob', display_name: 'Bob Builder' };
export const CAROL = { id: 3, username: 'carol', display_name: 'Carol Danvers' };

const T0 = Date.parse('2026-11-27T10:00:00Z');

export const message = (id, chatId, senderId, extra = {}) => ({
  id,
  chat_id: chatId,
  sender_id: senderId,
  content: `m${id}`,
  created_at: new Date(T0 + id * 1000).toISOString(),
  edited_at: null,
  is_read: false,
  client_id: null,
  ...extra,
});

export const directChat = (id, extra = {}) => ({
  id,
  is_group: false,
  title: null,
  created_at: '2026-11-01T00:00:00Z',
  members: [{ user: ME, role: 'member' }, { user: BOB, role: 'member' }],
  last_message: null,
  unread_count: 0,
  ...extra,
});

export const groupChat = (id, title, extra = {}) =>
  directChat(id, { is_group: true, title, members: [{ user: ME, role: 'owner' }, { user: BOB, role: 'member' }, { user: CAROL, role: 'member' }], ...extra });

/** A refusal as axios reports it. */
export const refused = (status, body = {}) =>
  Object.assign(new Error(`Request failed with status code ${status}`), { isAxiosError: true, response: { status, data: body } });

export const networkError = () => Object.assign(new Error('Network Error'), { isAxiosError: true, code: 'ERR_NETWORK' });

/** The REST API (lib/api.js) as vi.fn()s answering like a server with nothing in it. */
export function fakeApi(overrides = {}) {
  let nextId = 100;
  return {
    getChats: vi.fn(async () => []),
    getChat: vi.fn(async (id) => directChat(id)),
    getMessages: vi.fn(async () => []),
    sendMessage: vi.fn(async (chatId, entry) => message(++nextId, chatId, ME.id, { content: entry.content, client_id: entry.client_id })),
    markRead: vi.fn(async () => ''),
    editMessage: vi.fn(async (chatId, id, content) => message(id, chatId, ME.id, { content, edited_at: '2026-11-27T11:00:00Z' })),
    deleteMessage: vi.fn(async () => ''),
    createDirectChat: vi.fn(async () => directChat(7)),
    createGroup: vi.fn(async (title) => groupChat(8, title)),
    searchUsers: vi.fn(async () => [BOB]),
    uploadAttachment: vi.fn(async () => ({ url: '/attachments/1' })),
    logout: vi.fn(async () => {}),
    refresh: vi.fn(async () => 'token'),
    getMe: vi.fn(async () => ME),
    scheduleRefresh: vi.fn(),
    stop: vi.fn(),
    ...overrides,
  };
}

/** The page's document: visible and focused unless the test says otherwise. */
export function fakeDocument({ visible = true, focused = true } = {}) {
  const doc = new EventTarget();
  doc.visibilityState = visible ? 'visible' : 'hidden';
  doc.focused = focused;
  doc.hasFocus = () => doc.focused;
  doc.title = 'Parley';
  return doc;
}

/** The real store, signed in as ME, with `chats` loaded. */
export function storeWith(chats = []) {
  const store = createStore();
  store.setMe(ME);
  store.setChats(chats);
  return store;
}

/** Lets pending promise callbacks run. */
export const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
