// Drafts: per chat and per signed-in user in localStorage, saved shortly after typing
// stops and at once on leaving a chat, cleared once sent.
import { describe, expect, it } from 'vitest';
import { DRAFT_SAVE_DELAY_MS, createDrafts } from '../../src/renderer/lib/drafts.js';
import { fakeTime } from './fake-time.js';
import { MemoryStorage } from './memory-storage.js';

const KEY = 'parley.drafts:http://srv:1';

function setup(storage = new MemoryStorage(), key = KEY) {
  const time = fakeTime();
  return { storage, time, drafts: createDrafts({ storage, key, timers: time }) };
}

describe('drafts', () => {
  it('are saved once typing pauses, not on every keystroke', () => {
    const { storage, time, drafts } = setup();
    drafts.update(5, 'h');
    drafts.update(5, 'he');
    drafts.update(5, 'hello');
    expect(drafts.get(5)).toBe('hello'); // shown at once, from memory
    expect(storage.getItem(KEY)).toBeNull();
    time.advance(DRAFT_SAVE_DELAY_MS - 1);
    expect(storage.getItem(KEY)).toBeNull();
    time.advance(1);
    expect(JSON.parse(storage.getItem(KEY))).toEqual({ 5: 'hello' });
  });

  it('survive a restart: a new instance reads them back, per chat', () => {
    const storage = new MemoryStorage();
    const first = setup(storage).drafts;
    first.save(5, 'for five');
    first.save(7, 'for seven\nwith two lines');
    const again = setup(storage).drafts;
    expect(again.get(5)).toBe('for five');
    expect(again.get(7)).toBe('for seven\nwith two lines');
    expect(again.get(9)).toBe('');
  });

  it('are saved at once on leaving a chat, and the pending save is not repeated', () => {
    const { storage, time, drafts } = setup();
    drafts.update(5, 'half');
    drafts.save(5, 'half a thought');
    expect(JSON.parse(storage.getItem(KEY))).toEqual({ 5: 'half a thought' });
    storage.removeItem(KEY);
    time.advance(DRAFT_SAVE_DELAY_MS * 2);
    expect(storage.getItem(KEY)).toBeNull();
  });

  it('are cleared once sent, and blank text is no draft', () => {
    const { storage, drafts } = setup();
    drafts.save(5, 'hello');
    drafts.save(6, 'keep me');
    drafts.clear(5);
    expect(drafts.get(5)).toBe('');
    expect(JSON.parse(storage.getItem(KEY))).toEqual({ 6: 'keep me' });
    drafts.save(6, '   \n ');
    expect(storage.getItem(KEY)).toBeNull(); // nothing left: the key goes
  });

  it('belong to one user on one server', () => {
    const storage = new MemoryStorage();
    setup(storage, 'parley.drafts:http://srv:1').drafts.save(5, 'alice wrote this');
    expect(setup(storage, 'parley.drafts:http://srv:2').drafts.get(5)).toBe('');
    expect(setup(storage, 'parley.drafts:http://other:1').drafts.get(5)).toBe('');
  });

  it('of another window are kept when this one saves its own', () => {
    const storage = new MemoryStorage();
    const one = setup(storage).drafts;
    const two = setup(storage).drafts;
    one.save(5, 'from window one');
    two.save(6, 'from window two');
    expect(JSON.parse(storage.getItem(KEY))).toEqual({ 5: 'from window one', 6: 'from window two' });
  });

  it('start empty when storage holds garbage, and a full storage loses nothing on screen', () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, '{not json');
    const { drafts } = setup(storage);
    expect(drafts.get(5)).toBe('');
    storage.setItem(KEY, '[1, 2]');
    expect(drafts.get(5)).toBe('');
    storage.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    expect(() => drafts.save(5, 'still here')).not.toThrow();
  });
});

describe('signing out', () => {
  it('forgets every draft of the user, including one still waiting to be saved', () => {
    const { storage, time, drafts } = setup();
    drafts.save(5, 'saved');
    drafts.update(6, 'pending');
    drafts.forgetAll();
    time.advance(DRAFT_SAVE_DELAY_MS * 2);
    expect(storage.getItem(KEY)).toBeNull();
    expect(setup(storage).drafts.get(5)).toBe('');
  });
});
