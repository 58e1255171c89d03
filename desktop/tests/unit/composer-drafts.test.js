// @vitest-environment jsdom
// The composer keeps a draft per chat: restored on coming back (and after a restart),
// set aside while editing a message, cleared once sent.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDrafts } from '../../src/renderer/lib/drafts.js';
import { createStore } from '../../src/renderer/lib/store.js';
import { createChatView } from '../../src/renderer/views/chat-view.js';
import { MemoryStorage } from './memory-storage.js';

beforeAll(() => {
  globalThis.ResizeObserver ??= class {
    observe() {}
    disconnect() {}
  };
});

const chat = (id) => ({ id, is_group: false, created_at: '2026-11-27T10:00:00Z', last_message: null, unread_count: 0, members: [{ user: { id: 1, username: 'me' } }, { user: { id: id * 10, username: `u${id}` } }] });

let storage;
let store;
let actions;

function mount() {
  document.body.replaceChildren();
  const drafts = createDrafts({ storage, key: 'drafts' });
  store = createStore();
  store.setMe({ id: 1 });
  store.setChats([chat(5), chat(6)]);
  actions = {
    send: vi.fn((chatId) => drafts.clear(chatId)),
    edit: vi.fn(),
    loadOlder: vi.fn(),
    typing: vi.fn(),
    closeChat: vi.fn(),
    assetUrl: () => null,
    attachmentFailed: vi.fn(),
    upload: vi.fn(),
    loadDraft: (id) => drafts.get(id),
    draftChanged: (id, text) => drafts.update(id, text),
    saveDraft: (id, text) => drafts.save(id, text),
  };
  const view = createChatView({ store, actions });
  document.body.append(view.element);
  return drafts;
}

const composer = () => document.querySelector('textarea');
function type(text) {
  composer().value = text;
  composer().dispatchEvent(new Event('input'));
}

beforeEach(() => {
  storage = new MemoryStorage();
});

describe('composer drafts', () => {
  it('come back when I return to a chat, each chat its own', () => {
    mount();
    store.setActive(5);
    type('for five');
    store.setActive(6);
    expect(composer().value).toBe('');
    type('for six');
    store.setActive(5);
    expect(composer().value).toBe('for five');
    store.setActive(6);
    expect(composer().value).toBe('for six');
  });

  it('survive a restart', () => {
    const drafts = mount();
    store.setActive(5);
    type('typed before the reload');
    drafts.flush(); // what the page does on pagehide
    mount();
    store.setActive(5);
    expect(composer().value).toBe('typed before the reload');
  });

  it('are cleared once sent', () => {
    mount();
    store.setActive(5);
    type('sending this');
    document.querySelector('form').requestSubmit();
    expect(actions.send).toHaveBeenCalledWith(5, 'sending this');
    store.setActive(6);
    store.setActive(5);
    expect(composer().value).toBe('');
    mount();
    store.setActive(5);
    expect(composer().value).toBe('');
  });
});
