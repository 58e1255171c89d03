// Reactions as state: events and my own toggles (shown at once, then answered by
// REST and echoed by an event) are applied without counting anything twice. Who
// reacted, by name: asked of the server, remembered per message until a reaction
// event for it, and put in words.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  applyReaction, createFrequentEmoji, createReactorCache, DEFAULT_EMOJI, reactionSummary, reactorsMatch, reactorsText,
} from '../../src/renderer/lib/reactions.js';
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

});

describe('who reacted, in words', () => {
  const DAVE = 4;
  const GONE = 99; // left the chat, and no other chat of mine names them
  const names = (id) => ({ [BOB.id]: 'Bob', [CAROL.id]: 'Carol', [DAVE]: 'Dave' })[id] ?? null;

  it('names everyone: me first as "You", the others in the order they reacted', () => {
    expect(reactorsText([ME.id], ME.id, names)).toBe('You');
    expect(reactorsText([BOB.id], ME.id, names)).toBe('Bob');
    expect(reactorsText([CAROL.id, ME.id], ME.id, names)).toBe('You and Carol');
    expect(reactorsText([CAROL.id, BOB.id, ME.id, DAVE], ME.id, names)).toBe('You, Carol, Bob and Dave');
    expect(reactorsText([], ME.id, names)).toBe('');
  });

  it('people nobody here can name are "someone", or counted when there are several', () => {
    expect(reactorsText([GONE], ME.id, names)).toBe('Someone');
    expect(reactorsText([BOB.id, GONE], ME.id, names)).toBe('Bob and someone');
    expect(reactorsText([GONE, ME.id, GONE + 1], ME.id, names)).toBe('You and 2 others');
    expect(reactorsText([GONE, GONE + 1], ME.id, names)).toBe('2 people');
  });

  it('past the most names shown, the rest are counted', () => {
    expect(reactorsText([BOB.id, CAROL.id, DAVE, ME.id], ME.id, names, 2)).toBe('You, Bob and 2 others');
    expect(reactorsText([BOB.id, CAROL.id, DAVE, GONE], ME.id, names, 2)).toBe('Bob, Carol and 2 others');
    expect(reactorsText([BOB.id, CAROL.id, DAVE], ME.id, names, 2)).toBe('Bob, Carol and 1 other');
    expect(reactorsText([BOB.id, CAROL.id, GONE], ME.id, names, 2)).toBe('Bob, Carol and someone');
  });

  it('before the names are known, the count says it', () => {
    expect(reactionSummary({ emoji: '👍', count: 1, me: true })).toBe('You');
    expect(reactionSummary({ emoji: '👍', count: 2, me: true })).toBe('You and 1 other');
    expect(reactionSummary({ emoji: '👍', count: 4, me: true })).toBe('You and 3 others');
    expect(reactionSummary({ emoji: '👍', count: 1, me: false })).toBe('1 person');
    expect(reactionSummary({ emoji: '👍', count: 2, me: false })).toBe('2 people');
  });

  it('names fit the reactions shown only with the same emoji, counts and "me"', () => {
    const users = [{ emoji: '🎉', user_ids: [BOB.id, ME.id] }, { emoji: '👍', user_ids: [CAROL.id] }];
    const shown = [{ emoji: '👍', count: 1, me: false }, { emoji: '🎉', count: 2, me: true }];
    expect(reactorsMatch(users, shown, ME.id)).toBe(true); // the order may differ (a re-added emoji)
    expect(reactorsMatch(users, [shown[1]], ME.id)).toBe(false);
    expect(reactorsMatch(users, [shown[0], { emoji: '🎉', count: 3, me: true }], ME.id)).toBe(false);
    expect(reactorsMatch(users, [shown[0], { emoji: '🎉', count: 2, me: false }], ME.id)).toBe(false);
    expect(reactorsMatch(users, [shown[0], { emoji: '🔥', count: 2, me: true }], ME.id)).toBe(false);
    expect(reactorsMatch([], [], ME.id)).toBe(true);
  });
});

describe('the reactor cache', () => {
  const answer = (ids) => [{ emoji: '👍', user_ids: ids }];
  /** A load whose answers the test gives, one at a time. */
  function server() {
    const calls = [];
    const load = vi.fn((chatId, messageId) => new Promise((resolve, reject) => calls.push({ chatId, messageId, resolve, reject })));
    return { load, calls };
  }

  it('asks once per message, shares a request under way, and remembers the answer', async () => {
    const { load, calls } = server();
    const cache = createReactorCache({ load });
    expect(cache.peek(10)).toBeNull();
    const first = cache.get(8, 10);
    const second = cache.get(8, 10);
    expect(load).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenCalledWith(8, 10);
    calls[0].resolve(answer([BOB.id]));
    expect(await first).toEqual(answer([BOB.id]));
    expect(await second).toEqual(answer([BOB.id]));
    expect(cache.peek(10)).toEqual(answer([BOB.id]));
    expect(await cache.get(8, 10)).toEqual(answer([BOB.id]));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('forgetting a message (a reaction event) asks again; other messages stay known', async () => {
    const load = vi.fn(async (chatId, messageId) => answer([messageId === 10 ? BOB.id : CAROL.id]));
    const cache = createReactorCache({ load });
    await cache.get(8, 10);
    await cache.get(8, 11);
    cache.forget(10);
    expect(cache.peek(10)).toBeNull();
    expect(cache.peek(11)).toEqual(answer([CAROL.id]));
    await cache.get(8, 10);
    expect(load).toHaveBeenCalledTimes(3);
    cache.clear();
    expect(cache.peek(11)).toBeNull();
  });

  it('an answer overtaken by a reaction event while under way is not kept: it is asked again', async () => {
    const { load, calls } = server();
    const cache = createReactorCache({ load });
    const pending = cache.get(8, 10);
    cache.forget(10); // Carol reacted after the question left
    calls[0].resolve(answer([BOB.id]));
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(cache.peek(10)).toBeNull();
    calls[1].resolve(answer([BOB.id, CAROL.id]));
    expect(await pending).toEqual(answer([BOB.id, CAROL.id]));
    expect(cache.peek(10)).toEqual(answer([BOB.id, CAROL.id]));
  });

  it('a failure answers null and is not remembered', async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error('offline')).mockResolvedValue(answer([BOB.id]));
    const cache = createReactorCache({ load });
    expect(await cache.get(8, 10)).toBeNull();
    expect(cache.peek(10)).toBeNull();
    expect(await cache.get(8, 10)).toEqual(answer([BOB.id]));
  });

  it('remembers only the most recently asked messages', async () => {
    const cache = createReactorCache({ load: async () => answer([BOB.id]), keep: 2 });
    for (const id of [10, 11, 12]) await cache.get(8, id);
    expect([10, 11, 12].map((id) => cache.peek(id) !== null)).toEqual([false, true, true]);
  });
});

describe('reactions in the messenger', () => {
  let store;
  let api;
  let handle;
  let actions;
  let errors;
  let reactors;

  beforeEach(() => {
    store = storeWith([groupChat(8, 'Trip')]);
    store.addPage(8, [message(10, 8, BOB.id, { reactions: [{ emoji: '👍', count: 1, me: false }] }), message(11, 8, ME.id)], { limit: 50, older: false });
    api = fakeApi({
      addReaction: vi.fn(async () => ''),
      removeReaction: vi.fn(async () => ''),
      getReactions: vi.fn(async () => [{ emoji: '👍', user_ids: [CAROL.id] }]),
    });
    errors = [];
    reactors = createReactorCache({ load: (chatId, messageId) => api.getReactions(chatId, messageId) });
    handle = dispatcher(createEventHandlers({ store, outgoing: { settle: vi.fn() }, sync: {}, reading: {}, notifications: {}, toast: vi.fn(), reactors }));
    actions = createActions({
      store, api, server: 'http://srv', history: {}, sync: {}, reading: {}, outgoing: { unsent: () => 0, forgetAll: vi.fn() }, socket: {}, dialogs: {}, stop: vi.fn(),
      onError: (err) => errors.push(err),
      emoji: createFrequentEmoji(new MemoryStorage(), 'emoji'),
      reactors,
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

  it("others' reactions count once each, also when an event repeats", () => {
    handle(event('reaction.added', '👍', CAROL.id));
    handle(event('reaction.added', '👍', CAROL.id));
    expect(reactionsOf(10)).toEqual([{ emoji: '👍', count: 2, me: false }]);
    handle(event('reaction.removed', '👍', CAROL.id));
    handle(event('reaction.removed', '👍', CAROL.id));
    expect(reactionsOf(10)).toEqual([{ emoji: '👍', count: 1, me: false }]);
    // A message not loaded here: nothing to change, nothing breaks.
    handle(event('reaction.added', '👍', CAROL.id, 999));
  });

  it('who reacted is asked once, and again after a reaction event for that message (not another)', async () => {
    const m10 = () => store.timeline(8).messages[0];
    api.getReactions.mockResolvedValueOnce([{ emoji: '👍', user_ids: [BOB.id] }]);
    expect(await actions.whoReacted(m10())).toEqual([{ emoji: '👍', user_ids: [BOB.id] }]);
    expect(await actions.whoReacted(m10())).toEqual([{ emoji: '👍', user_ids: [BOB.id] }]);
    expect(actions.knownReactors(m10())).toEqual([{ emoji: '👍', user_ids: [BOB.id] }]);
    expect(api.getReactions).toHaveBeenCalledTimes(1);
    expect(api.getReactions).toHaveBeenCalledWith(8, 10);
    handle(event('reaction.added', '🎉', CAROL.id, 11)); // another message
    expect(actions.knownReactors(m10())).not.toBeNull();
    // Bob took his back and Carol reacted: the count is still 1, only the event tells.
    handle(event('reaction.removed', '👍', BOB.id));
    handle(event('reaction.added', '👍', CAROL.id));
    expect(reactionsOf(10)).toEqual([{ emoji: '👍', count: 1, me: false }]);
    expect(actions.knownReactors(m10())).toBeNull();
    expect(await actions.whoReacted(m10())).toEqual([{ emoji: '👍', user_ids: [CAROL.id] }]);
    expect(api.getReactions).toHaveBeenCalledTimes(2);
    // My own echo, too: the server may have been asked between my click and its commit.
    handle(event('reaction.added', '👍', ME.id));
    expect(actions.knownReactors(m10())).toBeNull();
  });

  it('my toggle forgets who reacted; remembered names that no longer fit the counts are asked again', async () => {
    const m10 = () => store.timeline(8).messages[0];
    await actions.whoReacted(m10());
    await actions.toggleReaction(m10(), '👍');
    expect(actions.knownReactors(m10())).toBeNull();
    api.getReactions.mockResolvedValueOnce([{ emoji: '👍', user_ids: [CAROL.id, ME.id] }]);
    await actions.whoReacted(m10());
    expect(api.getReactions).toHaveBeenCalledTimes(2);
    // An event missed (the socket was down): the counts changed, the names do not fit.
    store.updateMessage({ ...m10(), reactions: [{ emoji: '👍', count: 3, me: true }] });
    api.getReactions.mockResolvedValueOnce([{ emoji: '👍', user_ids: [CAROL.id, ME.id, BOB.id] }]);
    expect(await actions.whoReacted(m10())).toEqual([{ emoji: '👍', user_ids: [CAROL.id, ME.id, BOB.id] }]);
    expect(api.getReactions).toHaveBeenCalledTimes(3);
  });

  it('a deleted message is forgotten with its reactions', async () => {
    await actions.whoReacted(store.timeline(8).messages[0]);
    handle({ type: 'message.deleted', chat_id: 8, message_id: 10 });
    expect(reactors.peek(10)).toBeNull();
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
