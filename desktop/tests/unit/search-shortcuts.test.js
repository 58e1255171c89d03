// @vitest-environment jsdom
// Ctrl/Cmd+K opens message search over all chats from anywhere; Ctrl/Cmd+F does so
// for the open chat only (without one, the browser's find stays); opening a result
// asks the conversation to load it and shows it highlighted.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from '../../src/renderer/lib/store.js';
import { renderShell } from '../../src/renderer/views/shell.js';

beforeAll(() => {
  globalThis.ResizeObserver ??= class {
    observe() {}
    disconnect() {}
  };
  globalThis.requestAnimationFrame ??= (fn) => setTimeout(fn, 0);
  globalThis.cancelAnimationFrame ??= (id) => clearTimeout(id);
});

const ME = { id: 1, username: 'me', display_name: 'Me' };
const BOB = { id: 2, username: 'bob', display_name: 'Bob' };
const chat = { id: 5, is_group: false, title: null, created_at: '2026-11-01T00:00:00Z', last_message: null, unread_count: 0, members: [{ user: ME, role: 'member' }, { user: BOB, role: 'member' }] };
const msg = (id) => ({ id, chat_id: 5, sender_id: 2, content: `word ${id}`, created_at: '2026-11-27T10:00:00Z', edited_at: null, is_read: false, client_id: null });

const press = (key, extra = {}) => {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...extra });
  document.body.dispatchEvent(event);
  return event;
};
const flush = () => new Promise((r) => setTimeout(r, 0));

let store;
let actions;
let shell;

beforeEach(() => {
  shell?.destroy();
  document.body.replaceChildren();
  const root = document.body.appendChild(document.createElement('div'));
  store = createStore();
  store.setMe(ME);
  store.setChats([chat]);
  actions = {
    searchMessages: vi.fn(async () => ({ results: [{ message: msg(7), chat_id: 5, highlights: [[0, 4]] }], next_cursor: null })),
    showMessage: vi.fn(async (chatId) => {
      store.showWindow(chatId, [msg(6), msg(7), msg(8)], { hasMore: true, hasNewer: true });
      store.setActive(chatId);
      return true;
    }),
    loadOlder: vi.fn(), loadNewer: vi.fn(async () => {}), loadLatest: vi.fn(async () => {}),
    send: vi.fn(), edit: vi.fn(), remove: vi.fn(), retry: vi.fn(), discard: vi.fn(), typing: vi.fn(), closeChat: vi.fn(),
    upload: vi.fn(), assetUrl: () => null, attachmentFailed: vi.fn(),
    openChat: vi.fn(), searchUsers: vi.fn(async () => []), startDirectChat: vi.fn(), newGroup: vi.fn(), signOut: vi.fn(),
  };
  shell = renderShell(root, { store, actions });
});

describe('search shortcuts', () => {
  it('Ctrl+K and Cmd+K open the search over all chats', () => {
    expect(press('k', { ctrlKey: true }).defaultPrevented).toBe(true);
    expect(document.querySelector('dialog #search-input')).not.toBeNull();
    shell.destroy();
    expect(document.querySelector('dialog')).toBeNull();
  });

  it('Cmd+K works too, and plain K or Ctrl+Shift+K do nothing', () => {
    press('k');
    press('K', { ctrlKey: true, shiftKey: true });
    expect(document.querySelector('dialog')).toBeNull();
    press('k', { metaKey: true });
    expect(document.querySelector('dialog')).not.toBeNull();
  });

  it('Ctrl+F searches the open chat only; without one it is left to the browser', async () => {
    expect(press('f', { ctrlKey: true }).defaultPrevented).toBe(false);
    expect(document.querySelector('dialog')).toBeNull();
    store.setActive(5);
    expect(press('f', { ctrlKey: true }).defaultPrevented).toBe(true);
    const input = document.querySelector('#search-input');
    input.value = 'word';
    input.dispatchEvent(new Event('input'));
    await new Promise((r) => setTimeout(r, 300));
    expect(actions.searchMessages.mock.calls[0][0]).toMatchObject({ q: 'word', chat_id: 5 });
  });

  it('Enter on a result opens it in its chat, highlighted, with a way back to the latest messages', async () => {
    press('k', { ctrlKey: true });
    const input = document.querySelector('#search-input');
    input.value = 'word';
    input.dispatchEvent(new Event('input'));
    await new Promise((r) => setTimeout(r, 300));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    await flush();
    await flush();
    expect(actions.showMessage).toHaveBeenCalledWith(5, 7);
    expect(document.querySelector('dialog')).toBeNull();
    const row = document.querySelector('[data-message-id="7"]');
    expect(row?.dataset.highlighted).toBe('true');
    expect(document.querySelector('[data-message-id="6"]')?.dataset.highlighted).toBeUndefined();
    const latest = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Jump to latest');
    expect(latest.classList.contains('hidden')).toBe(false);
  });
});
