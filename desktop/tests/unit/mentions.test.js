// Mention autocomplete as data: the "@prefix" at the cursor, the members it matches
// (and @all/@here in groups), and the text after choosing one.
import { describe, expect, it } from 'vitest';
import { insertMention, mentionAt, mentionCandidates } from '../../src/renderer/lib/mentions.js';
import { BOB, CAROL, ME, directChat, groupChat } from './messenger/helpers.js';

describe('the @prefix at the cursor', () => {
  it('finds an @ at the start, after a space or an opening bracket, up to the cursor', () => {
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('hi @bo', 6)).toEqual({ start: 3, query: 'bo' });
    expect(mentionAt('hi (@Ca', 7)).toEqual({ start: 4, query: 'Ca' });
    expect(mentionAt('line\n@car.d', 11)).toEqual({ start: 5, query: 'car.d' });
    // The cursor in the middle of a word: the part before it.
    expect(mentionAt('hi @bob and', 6)).toEqual({ start: 3, query: 'bo' });
  });

  it('ignores e-mail addresses, a space after the name and text far from the cursor', () => {
    expect(mentionAt('mail bob@example.org', 20)).toBeNull();
    expect(mentionAt('hi @bob ', 8)).toBeNull();
    expect(mentionAt('@bob hello', 10)).toBeNull();
    expect(mentionAt('', 0)).toBeNull();
    expect(mentionAt('@@', 2)).toBeNull();
  });
});

describe('candidates', () => {
  const group = groupChat(8, 'Trip', { members: [{ user: ME, role: 'owner' }, { user: BOB }, { user: CAROL }, { user: { id: 4, username: 'bobby', display_name: 'Robert Tables' } }] });

  it('members by username prefix first, then by a word of the display name; never me', () => {
    expect(mentionCandidates(group, 'bo', ME.id).map((c) => c.username)).toEqual(['bob', 'bobby']);
    expect(mentionCandidates(group, 'BUILD', ME.id).map((c) => c.username)).toEqual(['bob']);
    expect(mentionCandidates(group, 'rob', ME.id).map((c) => c.username)).toEqual(['bobby']);
    expect(mentionCandidates(group, 'me', ME.id)).toEqual([]);
  });

  it('an empty prefix lists everyone, then @all and @here in groups I own or administer', () => {
    expect(mentionCandidates(group, '', ME.id).map((c) => c.username)).toEqual(['bob', 'bobby', 'carol', 'all', 'here']);
    expect(mentionCandidates(group, 'a', ME.id).map((c) => c.username)).toEqual(['all']);
    expect(mentionCandidates(directChat(5), '', ME.id).map((c) => c.username)).toEqual(['bob']);
    expect(mentionCandidates(directChat(5), 'a', ME.id)).toEqual([]);
    expect(mentionCandidates(null, '', ME.id)).toEqual([]);
    // A plain member's @all is plain text on the server: not offered.
    const asMember = { ...group, members: group.members.map((m) => (m.user.id === ME.id ? { ...m, role: 'member' } : m)) };
    expect(mentionCandidates(asMember, 'a', ME.id)).toEqual([]);
  });

  it('label and detail say who it is', () => {
    expect(mentionCandidates(group, 'car', ME.id)[0]).toEqual({ username: 'carol', label: 'Carol Danvers', detail: '@carol', userId: CAROL.id });
    expect(mentionCandidates(group, 'here', ME.id)[0]).toMatchObject({ username: 'here', userId: null });
  });
});

describe('choosing', () => {
  it('replaces the prefix with @username and a space, and puts the cursor after it', () => {
    expect(insertMention('hi @bo', { start: 3 }, 6, 'bob')).toEqual({ text: 'hi @bob ', cursor: 8 });
    // In the middle of the text: the rest stays, without a doubled space.
    expect(insertMention('hi @b how are you', { start: 3 }, 5, 'bob')).toEqual({ text: 'hi @bob how are you', cursor: 8 });
  });
});

describe('mention counts', () => {
  it('a new unread message that mentions me counts; reading the chat (here or elsewhere) clears it', async () => {
    const { storeWith } = await import('./messenger/helpers.js');
    const { message } = await import('./messenger/helpers.js');
    const store = storeWith([groupChat(8, 'Trip', { unread_count: 1, mention_count: 1 })]);
    expect(store.totalMentions()).toBe(1);
    store.addMessage(message(20, 8, BOB.id, { mentions: [ME.id] }), { countsAsUnread: true });
    store.addMessage(message(21, 8, BOB.id, { mentions: [CAROL.id] }), { countsAsUnread: true });
    // A replay of one already counted changes nothing.
    store.addMessage(message(20, 8, BOB.id, { mentions: [ME.id] }), { countsAsUnread: true });
    expect(store.chat(8)).toMatchObject({ unread_count: 3, mention_count: 2 });
    // Read on another device (chat.read for me, up to the newest).
    store.markRead(8, ME.id, 21);
    expect(store.chat(8)).toMatchObject({ unread_count: 0, mention_count: 0 });
    store.addMessage(message(22, 8, BOB.id, { mentions: [ME.id] }), { countsAsUnread: true });
    expect(store.chat(8).mention_count).toBe(1);
    // Read here: the read policy sets the unread count to 0.
    store.setUnread(8, 0);
    expect(store.chat(8).mention_count).toBe(0);
  });
});
