// @vitest-environment jsdom
// The chat header's notification menu: the choices it offers and marks, the times its
// mutes end, what a choice asks the server, and the header following the chat's
// settings when the answer (or another device's chat.settings) changes them.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FOREVER } from '../../src/renderer/lib/notify-rule.js';
import { createStore } from '../../src/renderer/lib/store.js';
import { createActions } from '../../src/renderer/messenger/actions.js';
import { muteText, muteUntil } from '../../src/renderer/views/chat-settings.js';
import { createChatView } from '../../src/renderer/views/chat-view.js';
import { directChat, fakeApi, refused, storeWith } from './messenger/helpers.js';

beforeAll(() => {
  globalThis.ResizeObserver ??= class {
    observe() {}
    disconnect() {}
  };
});

const ME = { id: 1, username: 'me', display_name: 'Me Myself' };
const BOB = { id: 2, username: 'bob', display_name: 'Bob Builder' };
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('mute times', () => {
  const now = new Date(2026, 0, 15, 22, 30).getTime(); // local time
  it('1 hour, 8 hours, tomorrow 09:00 local, forever', () => {
    expect(Date.parse(muteUntil('1h', now))).toBe(now + 3600_000);
    expect(Date.parse(muteUntil('8h', now))).toBe(now + 8 * 3600_000);
    expect(new Date(muteUntil('tomorrow', now)).getTime()).toBe(new Date(2026, 0, 16, 9, 0).getTime());
    expect(muteUntil('forever', now)).toBe(FOREVER);
  });
  it('describes the mute in words', () => {
    expect(muteText({ muted_until: FOREVER }, now)).toBe('Muted');
    expect(muteText({ muted_until: null }, now)).toBeNull();
    expect(muteText({ muted_until: new Date(now - 1000).toISOString() }, now)).toBeNull();
    expect(muteText({ muted_until: new Date(now + 600_000).toISOString() }, now)).toMatch(/^Muted until /);
  });
});

describe('the menu in the chat header', () => {
  let store;
  let setChatSettings;
  beforeEach(() => {
    document.body.replaceChildren();
    store = createStore();
    store.setMe(ME);
    store.setChats([{
      id: 8, is_group: false, created_at: '2026-11-27T09:00:00Z', unread_count: 0, last_message: null, notify: 'all', muted_until: null,
      members: [{ user: ME, role: 'member' }, { user: BOB, role: 'member' }],
    }]);
    setChatSettings = vi.fn(async (chatId, fields) => {
      store.upsertChat({ ...store.chat(chatId), ...fields });
      return true;
    });
    const actions = {
      send: vi.fn(), edit: vi.fn(), remove: vi.fn(), retry: vi.fn(), discard: vi.fn(), loadOlder: vi.fn(), typing: vi.fn(), closeChat: vi.fn(),
      assetUrl: () => null, attachmentFailed: vi.fn(), upload: vi.fn(), toggleReaction: vi.fn(), frequentEmoji: vi.fn(() => []),
      readers: vi.fn(async () => []), showMessage: vi.fn(async () => true), loadNewer: vi.fn(), loadLatest: vi.fn(), setChatSettings,
    };
    document.body.append(createChatView({ store, actions }).element);
    store.setActive(8);
  });
  const bell = () => document.querySelector('button[aria-haspopup=menu]');
  const menu = () => document.querySelector('[role=menu]');
  const items = () => [...menu().querySelectorAll('button')];
  const pick = (label) => items().find((b) => b.textContent.endsWith(label)).click();

  it('offers all / mentions only / nothing and the mutes, with the current choice checked', () => {
    bell().click();
    expect(menu().getAttribute('aria-label')).toBe('Notifications for this chat');
    expect(items().map((b) => b.textContent.replace('✓', ''))).toEqual([
      'All messages', 'Mentions only', 'Nothing', 'Mute for 1 hour', 'Mute for 8 hours', 'Mute until tomorrow', 'Mute forever',
    ]);
    expect(items()[0].getAttribute('aria-checked')).toBe('true');
  });

  it('a choice asks the server; the header follows; Unmute appears once muted', async () => {
    bell().click();
    pick('Mentions only');
    await tick();
    expect(setChatSettings).toHaveBeenCalledWith(8, { notify: 'mentions' });
    expect(menu()).toBeNull();
    expect(bell().getAttribute('aria-label')).toBe('Notifications (Mentions only)');
    bell().click();
    pick('Mute forever');
    expect(setChatSettings).toHaveBeenLastCalledWith(8, { muted_until: FOREVER });
    expect(bell().getAttribute('aria-label')).toBe('Notifications (Muted)');
    bell().click();
    expect(items().at(-1).textContent).toBe('Unmute');
    pick('Unmute');
    expect(setChatSettings).toHaveBeenLastCalledWith(8, { muted_until: null });
  });

  it('another device changing the settings (chat.settings) updates the header', () => {
    store.upsertChat({ ...store.chat(8), muted_until: FOREVER });
    expect(bell().getAttribute('aria-label')).toBe('Notifications (Muted)');
  });
});

describe('the action', () => {
  function setup(api) {
    const store = storeWith([directChat(5)]);
    const onError = vi.fn();
    const actions = createActions({ store, api, server: 'http://x', history: {}, sync: {}, reading: {}, outgoing: {}, socket: {}, dialogs: {}, onError, stop: vi.fn() });
    return { store, actions, onError };
  }
  it('stores the chat the server answers with', async () => {
    const api = fakeApi({ updateChatSettings: vi.fn(async (id, fields) => ({ ...directChat(id), ...fields })) });
    const { store, actions } = setup(api);
    expect(await actions.setChatSettings(5, { notify: 'none' })).toBe(true);
    expect(api.updateChatSettings).toHaveBeenCalledWith(5, { notify: 'none' });
    expect(store.chat(5).notify).toBe('none');
  });
  it('a refusal is told in words and changes nothing', async () => {
    const { store, actions, onError } = setup(fakeApi({ updateChatSettings: vi.fn(async () => { throw refused(404, { detail: 'Chat not found', code: 'not_found' }); }) }));
    expect(await actions.setChatSettings(5, { notify: 'none' })).toBe(false);
    expect(onError).toHaveBeenCalled();
    expect(store.chat(5).notify).toBeUndefined();
  });
});
