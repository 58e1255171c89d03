// The search-as-you-type controller: debounced queries, stale answers dropped,
// keyset "load more", errors in words, and results grouped by chat.
import { describe, expect, it, vi } from 'vitest';
import { createSearch, groupByChat } from '../../src/renderer/messenger/search.js';
import { fakeTime } from './fake-time.js';

const hit = (id, chatId, content = `m${id}`) => ({
  message: { id, chat_id: chatId, sender_id: 2, content, created_at: '2026-11-27T10:00:00Z', edited_at: null, is_read: false, client_id: null },
  chat_id: chatId,
  highlights: [[0, 1]],
});

/** A promise the test settles by hand, to order answers as it likes. */
function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(searchMessages) {
  const time = fakeTime();
  const states = [];
  const api = { searchMessages: vi.fn(searchMessages) };
  const search = createSearch({ api, onChange: (s) => states.push(s), timers: time, delay: 250, limit: 20 });
  return { time, states, api, search, last: () => states[states.length - 1] };
}

describe('search', () => {
  it('asks once typing pauses, with the last text', async () => {
    const { time, api, search, last } = setup(async () => ({ results: [hit(1, 5)], next_cursor: null }));
    search.setQuery('h');
    time.advance(100);
    search.setQuery('he');
    time.advance(100);
    search.setQuery('hello');
    expect(last().status).toBe('loading');
    time.advance(249);
    expect(api.searchMessages).not.toHaveBeenCalled();
    time.advance(1);
    expect(api.searchMessages).toHaveBeenCalledTimes(1);
    expect(api.searchMessages.mock.calls[0][0]).toEqual({ q: 'hello', chat_id: null, limit: 20, cursor: null });
    await flush();
    expect(last()).toMatchObject({ status: 'done', nextCursor: null });
    expect(last().results.map((r) => r.message.id)).toEqual([1]);
  });

  it('drops a slow answer that arrives after the answer to a newer query', async () => {
    const slow = deferred();
    const fast = deferred();
    const { time, api, search, last } = setup((query) => (query.q === 'hel' ? slow.promise : fast.promise));
    search.setQuery('hel');
    time.advance(250);
    search.setQuery('hello');
    time.advance(250);
    expect(api.searchMessages).toHaveBeenCalledTimes(2);
    // The first request was cancelled when the second one went out.
    expect(api.searchMessages.mock.calls[0][1].signal.aborted).toBe(true);
    fast.resolve({ results: [hit(2, 5, 'hello')], next_cursor: null });
    await flush();
    slow.resolve({ results: [hit(1, 5, 'help')], next_cursor: 'c1' });
    await flush();
    expect(last()).toMatchObject({ query: 'hello', status: 'done', nextCursor: null });
    expect(last().results.map((r) => r.message.id)).toEqual([2]);
  });

  it('drops a failure of a stale request too', async () => {
    const slow = deferred();
    const { time, search, last } = setup((query) => (query.q === 'a' ? slow.promise : Promise.resolve({ results: [], next_cursor: null })));
    search.setQuery('a');
    time.advance(250);
    search.setQuery('ab');
    time.advance(250);
    await flush();
    slow.reject(Object.assign(new Error('boom'), { response: { status: 500, data: {} } }));
    await flush();
    expect(last()).toMatchObject({ query: 'ab', status: 'done', error: '' });
  });

  it('shows nothing and asks nothing for an empty or blank query', () => {
    const { time, api, search, last } = setup(async () => ({ results: [], next_cursor: null }));
    search.setQuery('x');
    search.setQuery('   ');
    time.advance(1000);
    expect(api.searchMessages).not.toHaveBeenCalled();
    expect(last()).toMatchObject({ status: 'idle', results: [] });
  });

  it('says in words why the server refused the query (422: only operators)', async () => {
    const refusal = Object.assign(new Error('422'), { isAxiosError: true, response: { status: 422, data: { detail: 'Type at least one word to search for.', code: 'invalid_input' } } });
    const { time, search, last } = setup(async () => { throw refusal; });
    search.setQuery('has:file');
    time.advance(250);
    await flush();
    expect(last()).toMatchObject({ status: 'error', error: 'Type at least one word to search for.', results: [] });
  });

  it('loads more with the cursor, appending, and once at a time', async () => {
    const { time, api, search, last } = setup(async (query) =>
      query.cursor ? { results: [hit(3, 6)], next_cursor: null } : { results: [hit(5, 5), hit(4, 6)], next_cursor: 'k1' });
    search.setQuery('word');
    time.advance(250);
    await flush();
    search.loadMore();
    search.loadMore();
    expect(api.searchMessages).toHaveBeenCalledTimes(2);
    expect(api.searchMessages.mock.calls[1][0]).toMatchObject({ q: 'word', cursor: 'k1' });
    await flush();
    expect(last().results.map((r) => r.message.id)).toEqual([5, 4, 3]);
    expect(last()).toMatchObject({ nextCursor: null, loadingMore: false });
    search.loadMore();
    expect(api.searchMessages).toHaveBeenCalledTimes(2);
  });

  it('drops a "load more" answer once the query has changed', async () => {
    const more = deferred();
    const { time, search, last } = setup((query) =>
      query.cursor ? more.promise : Promise.resolve({ results: [hit(query.q === 'one' ? 9 : 8, 5)], next_cursor: 'k' }));
    search.setQuery('one');
    time.advance(250);
    await flush();
    search.loadMore();
    search.setQuery('two');
    time.advance(250);
    await flush();
    more.resolve({ results: [hit(1, 5)], next_cursor: null });
    await flush();
    expect(last().results.map((r) => r.message.id)).toEqual([8]);
  });

  it('searches one chat, and asks again when the scope changes', async () => {
    const { time, api, search } = setup(async () => ({ results: [], next_cursor: null }));
    search.setQuery('x');
    search.setScope(5);
    time.advance(250);
    expect(api.searchMessages).toHaveBeenCalledTimes(1);
    expect(api.searchMessages.mock.calls[0][0]).toMatchObject({ q: 'x', chat_id: 5 });
  });

  it('ignores everything on its way once stopped', async () => {
    const slow = deferred();
    const { time, search, states } = setup(() => slow.promise);
    search.setQuery('x');
    time.advance(250);
    search.stop();
    const count = states.length;
    slow.resolve({ results: [hit(1, 5)], next_cursor: null });
    await flush();
    expect(states).toHaveLength(count);
  });
});

describe('groupByChat', () => {
  it('groups in the order each chat first appears, keeping the order within a chat', () => {
    const groups = groupByChat([hit(9, 1), hit(8, 2), hit(7, 1), hit(6, 3), hit(5, 2)]);
    expect(groups.map((g) => g.chatId)).toEqual([1, 2, 3]);
    expect(groups.map((g) => g.results.map((r) => r.message.id))).toEqual([[9, 7], [8, 5], [6]]);
  });
});
