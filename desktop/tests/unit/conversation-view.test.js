// @vitest-environment jsdom
// The conversation features in the views: mention suggestions in the composer (keys
// and mouse), the reply bar (menu, Alt+R, Ctrl+↑/↓, Esc) and what a reply sends,
// the quote that jumps to its original, the reaction bar and picker, "seen by", and
// the mention badge in the chat list.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReactorCache } from '../../src/renderer/lib/reactions.js';
import { createStore } from '../../src/renderer/lib/store.js';
import { createChatView } from '../../src/renderer/views/chat-view.js';
import { createSidebar } from '../../src/renderer/views/sidebar.js';

beforeAll(() => {
  globalThis.ResizeObserver ??= class {
    observe() {}
    disconnect() {}
  };
});

const ME = { id: 1, username: 'me', display_name: 'Me Myself' };
const BOB = { id: 2, username: 'bob', display_name: 'Bob Builder' };
const CAROL = { id: 3, username: 'carol', display_name: 'Carol Danvers' };
const tick = () => new Promise((r) => setTimeout(r, 0));
const msg = (id, senderId, extra = {}) => ({
  id, chat_id: 8, sender_id: senderId, content: `m${id}`, created_at: `2026-11-27T10:00:${String(id).padStart(2, '0')}Z`,
  edited_at: null, is_read: false, client_id: null, reactions: [], mentions: [], reply_to: null, preview: null, ...extra,
});

let store;
let actions;

beforeEach(() => {
  document.body.replaceChildren();
  actions = {
    send: vi.fn(), edit: vi.fn(), remove: vi.fn(), retry: vi.fn(), discard: vi.fn(), loadOlder: vi.fn(), typing: vi.fn(), closeChat: vi.fn(),
    assetUrl: () => null, attachmentFailed: vi.fn(), upload: vi.fn(),
    toggleReaction: vi.fn(), frequentEmoji: vi.fn(() => ['🚀', '👍']),
    readers: vi.fn(async () => [BOB]), showMessage: vi.fn(async () => true),
    openChat: vi.fn(), searchUsers: vi.fn(async () => []), startDirectChat: vi.fn(), newGroup: vi.fn(), signOut: vi.fn(),
  };
  store = createStore();
  store.setMe(ME);
  store.setChats([{
    id: 8, is_group: true, title: 'Trip', created_at: '2026-11-27T09:00:00Z', unread_count: 0, mention_count: 0, last_message: null,
    members: [{ user: ME, role: 'owner' }, { user: BOB, role: 'member' }, { user: CAROL, role: 'member' }],
  }]);
  store.addPage(8, [msg(10, BOB.id), msg(11, ME.id), msg(12, CAROL.id)], { limit: 50, older: false });
  document.body.append(createChatView({ store, actions }).element);
  store.setActive(8);
});

const composer = () => document.querySelector('textarea');
const key = (k, extra = {}) => composer().dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...extra }));
function type(text) {
  composer().value = text;
  composer().setSelectionRange(text.length, text.length);
  composer().dispatchEvent(new Event('input', { bubbles: true }));
}
const options = () => [...document.querySelectorAll('#mention-list [role=option]')];
const row = (id) => document.querySelector(`[data-message-id="${id}"]`);

describe('mention suggestions', () => {
  it('"@" lists the members and @all/@here; arrows move, Enter chooses without sending', () => {
    type('hi @');
    expect(options().map((o) => o.textContent)).toEqual(['BBBob Builder@bob', 'CDCarol Danvers@carol', '@@allEveryone in this group', '@@hereEveryone in this group']);
    expect(composer().getAttribute('aria-activedescendant')).toBe('mention-option-0');
    key('ArrowDown');
    expect(options()[1].getAttribute('aria-selected')).toBe('true');
    key('Enter');
    expect(composer().value).toBe('hi @carol ');
    expect(options()).toHaveLength(0);
    expect(actions.send).not.toHaveBeenCalled();
  });

  it('typing filters; Tab chooses; Esc closes the list and keeps the text; a click chooses', () => {
    type('@bo');
    expect(options()).toHaveLength(1);
    key('Tab');
    expect(composer().value).toBe('@bob ');
    type('@a');
    expect(options().map((o) => o.textContent)).toEqual(['@@allEveryone in this group']);
    key('Escape');
    expect(options()).toHaveLength(0);
    expect(composer().value).toBe('@a');
    type('x @car');
    options()[0].click();
    expect(composer().value).toBe('x @carol ');
    type('nobody @zzz');
    expect(document.querySelector('#mention-list').classList.contains('hidden')).toBe(true);
  });
});

describe('replies', () => {
  it('the Reply button shows the reply bar; sending sends the reply once; Esc cancels', () => {
    row(10).querySelector('[aria-label=Reply]').click();
    const bar = document.querySelector('.reply-bar');
    expect(bar.classList.contains('hidden')).toBe(false);
    expect(bar.textContent).toContain('Replying to Bob Builder');
    type('sure');
    key('Enter');
    expect(actions.send).toHaveBeenCalledWith(8, 'sure', null, expect.objectContaining({ id: 10 }));
    expect(bar.classList.contains('hidden')).toBe(true);
    row(12).querySelector('[aria-label=Reply]').click();
    key('Escape');
    expect(bar.classList.contains('hidden')).toBe(true);
    type('plain');
    key('Enter');
    expect(actions.send).toHaveBeenLastCalledWith(8, 'plain');
  });

  it('Alt+R replies to the last message, Ctrl+↑ to earlier ones, Ctrl+↓ back and past the newest to none', () => {
    const bar = document.querySelector('.reply-bar');
    key('r', { altKey: true });
    expect(bar.textContent).toContain('Carol Danvers');
    key('ArrowUp', { ctrlKey: true });
    expect(bar.textContent).toContain('yourself');
    key('ArrowDown', { ctrlKey: true });
    expect(bar.textContent).toContain('Carol Danvers');
    key('ArrowDown', { ctrlKey: true });
    expect(bar.classList.contains('hidden')).toBe(true);
  });

  it('a quote shows who and what; clicking it loads the original and highlights it', async () => {
    store.addMessage(msg(13, BOB.id, { reply_to: { id: 11, sender_id: ME.id, excerpt: 'm11', deleted: false } }));
    const quote = row(13).querySelector('.quote');
    expect(quote.getAttribute('aria-label')).toBe('Reply to You: m11. Show the original message');
    quote.click();
    await tick();
    expect(actions.showMessage).toHaveBeenCalledWith(8, 11);
    expect(row(11).dataset.highlighted).toBe('true');
  });
});

describe('reactions and "seen by"', () => {
  it('the bar shows counts, mine pressed, who reacted by count until asked; a click toggles', () => {
    store.applyReaction(8, 10, { emoji: '👍', userId: BOB.id, added: true });
    store.applyReaction(8, 10, { emoji: '👍', userId: ME.id, added: true });
    const button = row(10).querySelector('.reaction');
    expect(button.getAttribute('aria-pressed')).toBe('true');
    expect(button.textContent).toBe('👍2');
    expect(row(10).querySelector('.reactors').textContent).toBe('You and 1 other');
    button.click();
    expect(actions.toggleReaction).toHaveBeenCalledWith(expect.objectContaining({ id: 10 }), '👍');
  });

  describe('who reacted, on hover and focus', () => {
    const DAVE = { id: 4, username: 'dave', display_name: 'Dave Dee' }; // left the group; we share a direct chat
    const GONE = 99; // left, and nothing here names them
    let load;

    beforeEach(() => {
      vi.useFakeTimers();
      load = vi.fn(async () => [
        { emoji: '👍', user_ids: [BOB.id, GONE, ME.id, DAVE.id] },
        { emoji: '🎉', user_ids: [CAROL.id] },
      ]);
      const cache = createReactorCache({ load });
      actions.whoReacted = (m) => cache.get(m.chat_id, m.id);
      actions.knownReactors = (m) => cache.peek(m.id);
      actions.forget = (id) => cache.forget(id);
      store.upsertChat({
        id: 9, is_group: false, title: null, created_at: '2026-11-27T09:00:00Z', unread_count: 0, mention_count: 0, last_message: null,
        members: [{ user: ME, role: 'member' }, { user: DAVE, role: 'member' }],
      });
      store.setActive(8);
      for (const [emoji, userId] of [['👍', BOB.id], ['👍', GONE], ['👍', ME.id], ['👍', DAVE.id], ['🎉', CAROL.id]]) {
        store.applyReaction(8, 10, { emoji, userId, added: true });
      }
    });
    afterEach(() => vi.useRealTimers());

    const chip = (i) => row(10).querySelectorAll('.reactions > span')[i];
    const tipOf = (i) => document.getElementById(chip(i).querySelector('.reaction').getAttribute('aria-describedby'));

    it('after a pause, names them in the tooltip that describes the button: members, others I know, "someone"', async () => {
      expect(tipOf(0).getAttribute('role')).toBe('tooltip');
      expect(tipOf(0).textContent).toBe('You and 3 others');
      expect(tipOf(1).textContent).toBe('1 person');
      chip(0).dispatchEvent(new MouseEvent('mouseenter'));
      await vi.advanceTimersByTimeAsync(200);
      expect(load).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(100);
      expect(load).toHaveBeenCalledWith(8, 10);
      expect(tipOf(0).textContent).toBe('You, Bob Builder, Dave Dee and someone');
      // One answer for the whole message: the next emoji needs no request.
      chip(1).querySelector('.reaction').dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
      expect(tipOf(1).textContent).toBe('Carol Danvers');
      await vi.advanceTimersByTimeAsync(1000);
      expect(load).toHaveBeenCalledTimes(1);
      // Drawn again (a new row), the names stay.
      store.updateMessage({ ...store.timeline(8).messages[0] });
      expect(tipOf(0).textContent).toBe('You, Bob Builder, Dave Dee and someone');
    });

    it('passing over asks nothing; a reaction event makes the next hover ask again', async () => {
      chip(0).dispatchEvent(new MouseEvent('mouseenter'));
      await vi.advanceTimersByTimeAsync(100);
      chip(0).dispatchEvent(new MouseEvent('mouseleave'));
      await vi.advanceTimersByTimeAsync(1000);
      expect(load).not.toHaveBeenCalled();
      chip(0).dispatchEvent(new MouseEvent('mouseenter'));
      await vi.advanceTimersByTimeAsync(300);
      expect(load).toHaveBeenCalledTimes(1);
      // Carol adds 👍 (what the event handler does): counted at once, named on the next hover.
      actions.forget(10);
      store.applyReaction(8, 10, { emoji: '👍', userId: CAROL.id, added: true });
      load.mockResolvedValueOnce([
        { emoji: '👍', user_ids: [BOB.id, GONE, ME.id, DAVE.id, CAROL.id] },
        { emoji: '🎉', user_ids: [CAROL.id] },
      ]);
      expect(tipOf(0).textContent).toBe('You and 4 others');
      chip(0).dispatchEvent(new MouseEvent('mouseenter'));
      await vi.advanceTimersByTimeAsync(300);
      expect(load).toHaveBeenCalledTimes(2);
      expect(tipOf(0).textContent).toBe('You, Bob Builder, Dave Dee, Carol Danvers and someone');
    });
  });

  it('the picker offers the frequent emoji first and closes with Esc, giving the focus back', () => {
    const react = row(12).querySelector('[aria-label=React]');
    react.click();
    const picker = document.querySelector('[role=dialog][aria-label="Choose a reaction"]');
    expect([...picker.querySelectorAll('button')].slice(0, 2).map((b) => b.textContent)).toEqual(['🚀', '👍']);
    expect(document.activeElement.textContent).toBe('🚀');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(document.querySelector('[aria-label="Choose a reaction"]')).toBeNull();
    expect(document.activeElement).toBe(react);
    react.click();
    // (jsdom's selectors miss attribute values with emoji: compare the labels instead)
    [...document.querySelectorAll('[role=dialog] button')].find((b) => b.getAttribute('aria-label') === 'React with 👍').click();
    expect(actions.toggleReaction).toHaveBeenCalledWith(expect.objectContaining({ id: 12 }), '👍');
  });

  it('my message in a group: the tick asks who has read it', async () => {
    row(11).querySelector('.seen-by').click();
    await tick();
    expect(actions.readers).toHaveBeenCalledWith(expect.objectContaining({ id: 11 }));
    expect(document.querySelector('[aria-label="Seen by"] ul').textContent).toContain('Bob Builder');
    expect(row(10).querySelector('.seen-by')).toBeNull();
  });
});

describe('the chat list', () => {
  it('shows an @ badge beside the unread count while I have unread mentions', () => {
    document.body.append(createSidebar({ store, actions }).element);
    const chatRow = () => document.querySelector('[data-chat-id="8"]');
    expect(chatRow().querySelector('.mention-badge')).toBeNull();
    store.upsertChat({ ...store.chat(8), unread_count: 3, mention_count: 2 });
    expect(chatRow().querySelector('.mention-badge').textContent).toBe('@2');
    expect(chatRow().querySelector('.unread-badge').textContent).toBe('3');
    expect(chatRow().querySelector('button').getAttribute('aria-label')).toBe('Trip, 3 unread, 2 mentioning you');
    store.setUnread(8, 0);
    expect(chatRow().querySelector('.mention-badge')).toBeNull();
  });

  it('dims a muted chat and greys its count; the mention badge keeps its colour', () => {
    store.setActive(null); // the open chat is highlighted instead
    document.body.append(createSidebar({ store, actions }).element);
    const chatRow = () => document.querySelector('[data-chat-id="8"]');
    store.upsertChat({ ...store.chat(8), unread_count: 3, mention_count: 1, muted_until: '9999-12-31T23:59:59Z' });
    expect(chatRow().classList.contains('opacity-60')).toBe(true);
    expect(chatRow().dataset.muted).toBe('true');
    expect(chatRow().querySelector('.unread-badge').className).toContain('bg-slate-300');
    expect(chatRow().querySelector('.mention-badge').className).toContain('bg-amber-500');
    expect(chatRow().querySelector('button').getAttribute('aria-label')).toBe('Trip, muted, 3 unread, 1 mentioning you');
    store.upsertChat({ ...store.chat(8), muted_until: null, notify: 'none' });
    expect(chatRow().dataset.muted).toBe('true');
    store.upsertChat({ ...store.chat(8), notify: 'all' });
    expect(chatRow().dataset.muted).toBeUndefined();
    expect(chatRow().classList.contains('opacity-60')).toBe(false);
    expect(chatRow().querySelector('.unread-badge').className).toContain('bg-brand-600');
  });

  it('undims a chat when its mute runs out, with no event', () => {
    vi.useFakeTimers({ now: Date.parse('2026-01-15T12:00:00Z') });
    try {
      store.setActive(null);
      document.body.append(createSidebar({ store, actions }).element);
      const chatRow = () => document.querySelector('[data-chat-id="8"]');
      store.upsertChat({ ...store.chat(8), unread_count: 2, muted_until: '2026-01-15T12:30:00Z' });
      expect(chatRow().dataset.muted).toBe('true');
      vi.advanceTimersByTime(30 * 60_000 + 100);
      expect(chatRow().dataset.muted).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});
