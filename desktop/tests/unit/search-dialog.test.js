// @vitest-environment jsdom
// The search dialog: combobox + listbox semantics, results grouped by chat with
// sender and matches, keyboard navigation (↑/↓, Enter, Esc), the states in words,
// and focus going back where it was.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from '../../src/renderer/lib/store.js';
import { createSearchDialog, moveActive } from '../../src/renderer/views/search.js';
import { fakeTime } from './fake-time.js';

const ME = { id: 1, username: 'me', display_name: 'Me' };
const BOB = { id: 2, username: 'bob', display_name: 'Bob' };
const chat = (id, title) => ({
  id, is_group: true, title, created_at: '2026-11-01T00:00:00Z', last_message: null, unread_count: 0,
  members: [{ user: ME, role: 'owner' }, { user: BOB, role: 'member' }],
});
const hit = (id, chatId, content, highlights, senderId = 2) => ({
  message: { id, chat_id: chatId, sender_id: senderId, content, created_at: '2026-11-27T10:00:00Z', edited_at: null, is_read: false, client_id: null },
  chat_id: chatId,
  highlights,
});

const flush = () => new Promise((r) => setTimeout(r, 0));
const key = (target, k, extra = {}) => target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...extra }));

let store;
let time;
let onOpen;
let searchMessages;
let dialog;

function type(text) {
  const input = document.querySelector('#search-input');
  input.value = text;
  input.dispatchEvent(new Event('input'));
  return input;
}

async function answer(text) {
  const input = type(text);
  time.advance(250);
  await flush();
  return input;
}

beforeEach(() => {
  document.body.replaceChildren();
  store = createStore();
  store.setMe(ME);
  store.setChats([chat(5, 'Climbing'), chat(6, 'Work')]);
  time = fakeTime();
  onOpen = vi.fn();
  searchMessages = vi.fn(async () => ({
    results: [
      hit(30, 5, 'rope and <b>carabiner</b>', [[12, 21]]),
      hit(20, 6, '😀 carabiner budget', [[2, 11]], 1),
      hit(10, 5, 'old carabiner', [[4, 13]]),
    ],
    next_cursor: null,
  }));
  dialog = createSearchDialog({ store, actions: { searchMessages }, onOpen, timers: time, delay: 250 });
});

describe('moveActive', () => {
  it('moves within the results and stops at the ends', () => {
    expect(moveActive(-1, 3, 'ArrowDown')).toBe(0);
    expect(moveActive(0, 3, 'ArrowDown')).toBe(1);
    expect(moveActive(2, 3, 'ArrowDown')).toBe(2);
    expect(moveActive(0, 3, 'ArrowUp')).toBe(0);
    expect(moveActive(-1, 3, 'ArrowUp')).toBe(2);
    expect(moveActive(1, 3, 'Home')).toBe(0);
    expect(moveActive(0, 3, 'End')).toBe(2);
    expect(moveActive(1, 3, 'a')).toBe(1);
    expect(moveActive(1, 0, 'ArrowDown')).toBe(-1);
  });
});

describe('search dialog', () => {
  it('is a labelled dialog whose box is a combobox over a listbox, focused on open', () => {
    dialog.open();
    const el = document.querySelector('dialog');
    expect(el?.getAttribute('aria-label')).toBe('Search messages');
    const input = document.querySelector('#search-input');
    expect(input.getAttribute('role')).toBe('combobox');
    expect(input.getAttribute('aria-controls')).toBe('search-results');
    expect(document.querySelector('#search-results').getAttribute('role')).toBe('listbox');
    expect(document.activeElement).toBe(input);
    expect(document.querySelector('[role="status"]').textContent).toMatch(/Search your messages/);
  });

  it('groups results by chat with sender, date and the matched words as text', async () => {
    dialog.open();
    await answer('carabiner');
    const groups = [...document.querySelectorAll('#search-results [role="group"]')];
    expect(groups.map((g) => document.getElementById(g.getAttribute('aria-labelledby')).textContent)).toEqual(['Climbing', 'Work']);
    const options = [...document.querySelectorAll('[role="option"]')];
    expect(options.map((o) => o.dataset.messageId)).toEqual(['30', '10', '20']);
    expect(options[0].textContent).toContain('Bob');
    expect(options[2].textContent).toContain('You');
    expect(options[0].querySelector('time')).not.toBeNull();
    // Hostile markup is text; the emoji does not shift the mark.
    expect(options[0].querySelector('b')).toBeNull();
    expect(options[0].querySelector('.search-text').textContent).toBe('rope and <b>carabiner</b>');
    expect([...document.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['carabiner', 'carabiner', 'carabiner']);
  });

  it('moves through the results with the arrows, Enter opens, and the dialog closes', async () => {
    const previous = document.body.appendChild(document.createElement('button'));
    previous.focus();
    dialog.open();
    const input = await answer('carabiner');
    const activeId = () => input.getAttribute('aria-activedescendant');
    expect(activeId()).toBe('search-option-30');
    key(input, 'ArrowDown');
    expect(activeId()).toBe('search-option-10');
    expect(document.getElementById('search-option-10').getAttribute('aria-selected')).toBe('true');
    expect(document.getElementById('search-option-30').getAttribute('aria-selected')).toBe('false');
    key(input, 'ArrowDown');
    key(input, 'ArrowDown');
    expect(activeId()).toBe('search-option-20');
    key(input, 'ArrowUp');
    expect(activeId()).toBe('search-option-10');
    key(input, 'Enter');
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(onOpen.mock.calls[0][0].message.id).toBe(10);
    expect(document.querySelector('dialog')).toBeNull();
    expect(dialog.isOpen).toBe(false);
  });

  it('Esc closes and gives the focus back', async () => {
    const previous = document.body.appendChild(document.createElement('button'));
    previous.focus();
    dialog.open();
    const input = await answer('carabiner');
    key(input, 'Escape');
    expect(document.querySelector('dialog')).toBeNull();
    expect(document.activeElement).toBe(previous);
    expect(onOpen).not.toHaveBeenCalled();
  });

  it('a click opens that result', async () => {
    dialog.open();
    await answer('carabiner');
    document.getElementById('search-option-20').click();
    expect(onOpen.mock.calls[0][0].message.id).toBe(20);
  });

  it('says when nothing matches, and why a query was refused', async () => {
    searchMessages.mockResolvedValueOnce({ results: [], next_cursor: null });
    dialog.open();
    await answer('zebra');
    const status = document.querySelector('[role="status"]');
    expect(status.textContent).toBe('No messages match “zebra”.');
    searchMessages.mockRejectedValueOnce(Object.assign(new Error('422'), { response: { status: 422, data: { detail: 'Type a word to search for.', code: 'invalid_input' } } }));
    await answer('has:file');
    expect(status.textContent).toBe('Type a word to search for.');
    expect(document.querySelector('[role="option"]')).toBeNull();
    const retry = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Try again');
    expect(retry.classList.contains('hidden')).toBe(true);
    // No answer at all: asking again may help.
    searchMessages.mockRejectedValueOnce(Object.assign(new Error('Network Error'), { isAxiosError: true, code: 'ERR_NETWORK' }));
    await answer('tent');
    expect(status.textContent).toMatch(/Cannot reach the server/);
    expect(retry.classList.contains('hidden')).toBe(false);
    retry.click();
    await flush();
    expect(document.querySelectorAll('[role="option"]')).toHaveLength(3);
  });

  it('Ctrl+F scope: searches the open chat, and can widen to all chats', async () => {
    store.setActive(6);
    dialog.open({ chatId: 6 });
    await answer('budget');
    expect(searchMessages.mock.calls[0][0]).toMatchObject({ q: 'budget', chat_id: 6 });
    const all = [...document.querySelectorAll('.search-scope')].find((b) => b.textContent === 'All chats');
    expect(all.getAttribute('aria-pressed')).toBe('false');
    all.click();
    time.advance(250);
    expect(searchMessages.mock.calls[1][0]).toMatchObject({ q: 'budget', chat_id: null });
  });

  it('offers more results through the cursor, also from ↓ on the last one', async () => {
    searchMessages.mockResolvedValueOnce({ results: [hit(30, 5, 'carabiner', [[0, 9]])], next_cursor: 'k1' });
    searchMessages.mockResolvedValueOnce({ results: [hit(10, 5, 'carabiner', [[0, 9]])], next_cursor: null });
    dialog.open();
    const input = await answer('carabiner');
    const more = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Load more results');
    expect(more.classList.contains('hidden')).toBe(false);
    key(input, 'ArrowDown');
    await flush();
    expect(searchMessages.mock.calls[1][0]).toMatchObject({ cursor: 'k1' });
    expect([...document.querySelectorAll('[role="option"]')].map((o) => o.dataset.messageId)).toEqual(['30', '10']);
    expect(more.classList.contains('hidden')).toBe(true);
  });
});
