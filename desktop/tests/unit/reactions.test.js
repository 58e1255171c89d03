// Reactions as state: events and my own toggles (shown at once, then answered by
// REST and echoed by an event) are applied without counting anything twice.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { applyReaction, createFrequentEmoji, DEFAULT_EMOJI, reactorsText } from '../../src/renderer/lib/reactions.js';
import { createActions } from '../../src/renderer/messenger/actions.js';
import { createEventHandlers, dispatcher } from '../../src/renderer/messenger/events.js';
import { BOB, CAROL, ME, fakeApi, groupChat, message, refused, storeWith } from './messenger/helpers.js';
import { MemoryStorage } from './memory-storage.js';

const none = new Map();

describe('applyReaction', () => {
  it('counts a new emoji, another user, and removes an emoji at zero', () => {
    let state = applyReaction([], none, { emoji: '👍', userId: BOB.id, added: true, meId: ME.id });
    expect(state.reactions).toEqual([{ emoji: '👍', count: 1, me: false }]);
    state = applyReaction(state.reactions, state.reactors, { emoji: '👍', userId: ME.id, added: true, meId: ME.id });
    expect(state.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    state = applyReaction(state.reactions, state.reactors, { emoji: '🎉', userId: CAROL.id, added: true, meId: ME.id });
    expect(state.reactions.map((r) => r.emoji)).toEqual(['👍', '🎉']);
    state = applyReaction(state.reactions, state.reactors, { emoji: '🎉', userId: CAROL.id, added: false, meId: ME.id });
    expect(state.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    expect(state.reactors.get('👍')).toEqual(new Map([[BOB.id, true]]));
    expect(state.reactors.get('🎉')).toEqual(new Map([[CAROL.id, false]]));
  });

  it('repeats change nothing: my echo, a user already known, a removal already applied', () => {
    const mine = [{ emoji: '👍', count: 1, me: true }];
    expect(applyReaction(mine, none, { emoji: '👍', userId: ME.id, added: true, meId: ME.id })).toBeNull();
    expect(applyReaction([], none, { emoji: '👍', userId: ME.id, added: false, meId: ME.id })).toBeNull();
    const known = new Map([['👍', new Map([[BOB.id, true], [CAROL.id, false]])]]);
    expect(applyReaction([{ emoji: '👍', count: 2, me: false }], known, { emoji: '👍', userId: BOB.id, added: true, meId: ME.id })).toBeNull();
    expect(applyReaction([{ emoji: '👍', count: 2, me: false }], known, { emoji: '👍', userId: CAROL.id, added: false, meId: ME.id })).toBeNull();
    // Only I am counted: someone else's removal has nobody to remove.
    expect(applyReaction(mine, none, { emoji: '👍', userId: BOB.id, added: false, meId: ME.id })).toBeNull();
  });

  it('a removal by someone counted by the server but not known to us still counts down', () => {
    const state = applyReaction([{ emoji: '👍', count: 3, me: true }], none, { emoji: '👍', userId: BOB.id, added: false, meId: ME.id });
    expect(state.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
  });

  it('who reacted, in words', () => {
    const names = (id) => ({ [BOB.id]: 'Bob', [CAROL.id]: 'Carol' })[id];
    expect(reactorsText({ emoji: '👍', count: 1, me: true }, undefined, names)).toBe('You');
    expect(reactorsText({ emoji: '👍', count: 3, me: true }, new Map([[BOB.id, true], [CAROL.id, false]]), names)).toBe('You, Bob and 1 other');
    expect(reactorsText({ emoji: '👍', count: 2, me: false }, new Map([[BOB.id, true], [CAROL.id, true]]), names)).toBe('Bob and Carol');
    expect(reactorsText({ emoji: '👍', count: 4, me: true }, undefined, names)).toBe('You and 3 others');
    expect(reactorsText({ emoji: '👍', count: 2, me: false }, undefined, names)).toBe('2 people');
  });
});

describe('reactions in the messenger', () => {
  let store;
  let api;
  let handle;
  let actions;
  let errors;

  beforeEach(() => {
    store = storeWith([groupChat(8, 'Trip')]);
    store.addPage(8, [message(10, 8, BOB.id, { reactions: [{ emoji: '👍', count: 1, me: false }] }), message(11, 8, ME.id)], { limit: 50, older: false });
    api = fakeApi({ addReaction: vi.fn(async () => ''), removeReaction: vi.fn(async () => '') });
    errors = [];
    handle = dispatcher(createEventHandlers({ store, outgoing: { settle: vi.fn() }, sync: {}, reading: {}, notifications: {}, toast: vi.fn() }));
    actions = createActions({
      store, api, server: 'http://srv', history: {}, sync: {}, reading: {}, outgoing: { unsent: () => 0, forgetAll: vi.fn() }, socket: {}, dialogs: {}, stop: vi.fn(),
      onError: (err) => errors.push(err),
      emoji: createFrequentEmoji(new MemoryStorage(), 'emoji'),
    });
  });

  const reactionsOf = (id) => store.timeline(8).messages.find((m) => m.id === id).reactions;
  const event = (type, emoji, userId, messageId = 10) => ({ type, chat_id: 8, message_id: messageId, emoji, user_id: userId });

  it('my toggle shows at once, its REST answer and its event do not count it twice', async () => {
    const pending = actions.toggleReaction(store.timeline(8).messages[0], '👍');
    expect(reactionsOf(10)).toEqual([{ emoji: '👍', count: 2, me: true }]);
    await pending;
    expect(api.addReaction).toHaveBeenCalledWith(8, 10, '👍');
    handle(event('reaction.added', '👍', ME.id));
    expect(reactionsOf(10)).toEqual([{ emoji: '👍', count: 2, me: true }]);
    // And back: a click on my reaction takes it away, once.
    await actions.toggleReaction(store.timeline(8).messages[0], '👍');
    handle(event('reaction.removed', '👍', ME.id));
    expect(api.removeReaction).toHaveBeenCalledWith(8, 10, '👍');
    expect(reactionsOf(10)).toEqual([{ emoji: '👍', count: 1, me: false }]);
  });

  it('the event may arrive before the REST answer', async () => {
    let answer;
    api.addReaction.mockImplementation(() => new Promise((r) => (answer = r)));
    const pending = actions.toggleReaction(store.timeline(8).messages[1], '🎉');
    handle(event('reaction.added', '🎉', ME.id, 11));
    answer('');
    await pending;
    expect(reactionsOf(11)).toEqual([{ emoji: '🎉', count: 1, me: true }]);
  });

  it('a refusal undoes my toggle and is told', async () => {
    api.addReaction.mockRejectedValue(refused(422, { detail: 'Not one emoji', code: 'invalid_input' }));
    await actions.toggleReaction(store.timeline(8).messages[0], '🙂');
    expect(reactionsOf(10)).toEqual([{ emoji: '👍', count: 1, me: false }]);
    expect(errors).toHaveLength(1);
  });

  it("others' reactions count once each, also when an event repeats; reactors are remembered", () => {
    handle(event('reaction.added', '👍', CAROL.id));
    handle(event('reaction.added', '👍', CAROL.id));
    expect(reactionsOf(10)).toEqual([{ emoji: '👍', count: 2, me: false }]);
    expect(store.reactorsOf(10).get('👍')).toEqual(new Map([[CAROL.id, true]]));
    handle(event('reaction.removed', '👍', CAROL.id));
    handle(event('reaction.removed', '👍', CAROL.id));
    expect(reactionsOf(10)).toEqual([{ emoji: '👍', count: 1, me: false }]);
    // A message not loaded here: nothing to change, nothing breaks.
    handle(event('reaction.added', '👍', CAROL.id, 999));
  });

  it('the picker remembers the emoji I use most', async () => {
    expect(actions.frequentEmoji()).toEqual(DEFAULT_EMOJI.slice(0, 8));
    await actions.toggleReaction(store.timeline(8).messages[1], '🚀');
    await actions.toggleReaction(store.timeline(8).messages[0], '🚀');
    await actions.toggleReaction(store.timeline(8).messages[0], '🦄');
    expect(actions.frequentEmoji().slice(0, 3)).toEqual(['🚀', '🦄', DEFAULT_EMOJI[0]]);
    expect(actions.frequentEmoji()).toHaveLength(8);
    // Signing out forgets them with the rest of the account's data.
    await actions.signOut();
    expect(actions.frequentEmoji()).toEqual(DEFAULT_EMOJI.slice(0, 8));
  });
});

describe('frequent emoji storage', () => {
  it('survives garbage in storage and a missing storage', () => {
    const storage = new MemoryStorage();
    storage.setItem('e', 'not json');
    expect(createFrequentEmoji(storage, 'e').list()).toEqual(DEFAULT_EMOJI.slice(0, 8));
    const none = createFrequentEmoji(null, 'e');
    none.use('🚀');
    expect(none.list()).toEqual(DEFAULT_EMOJI.slice(0, 8));
  });
});
