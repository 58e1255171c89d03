import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FRAMES } from '../../../src/renderer/lib/events.js';
import { createActions } from '../../../src/renderer/messenger/actions.js';
import { BOB, ME, directChat, fakeApi, message, refused, settled, storeWith } from './helpers.js';

let store;
let api;
let history;
let sync;
let reading;
let outgoing;
let socket;
let dialogs;
let errors;
let stop;
let now;
let actions;

beforeEach(() => {
  store = storeWith([directChat(5, { last_message: message(11, 5, ME.id) })]);
  store.addPage(5, [message(10, 5, BOB.id), message(11, 5, ME.id)], { limit: 50, older: false });
  api = fakeApi();
  history = { loadFirst: vi.fn(async () => {}), loadOlder: vi.fn(), refreshMessage: vi.fn() };
  sync = { refreshChat: vi.fn(async (id) => store.upsertChat(directChat(id))) };
  reading = { markRead: vi.fn() };
  outgoing = { send: vi.fn(), retry: vi.fn(), discard: vi.fn(), unsent: vi.fn(() => 0), forgetAll: vi.fn() };
  socket = { send: vi.fn(() => true) };
  dialogs = { confirm: vi.fn(async () => true), newGroup: vi.fn() };
  errors = [];
  stop = vi.fn();
  now = 10_000;
  actions = createActions({
    store, api, server: 'http://srv:8000', history, sync, reading, outgoing, socket, dialogs, stop,
    onError: (err) => errors.push(err),
    now: () => now,
  });
});

describe('actions', () => {
  it('openChat shows the chat, loads its newest page and marks it read; an unknown one is fetched first', async () => {
    await actions.openChat(5);
    expect(store.activeChatId).toBe(5);
    expect(history.loadFirst).toHaveBeenCalledWith(5);
    expect(reading.markRead).toHaveBeenCalledWith(5);
    await actions.openChat(9);
    expect(sync.refreshChat).toHaveBeenCalledWith(9);
    expect(store.activeChatId).toBe(9);
  });

  it('openChat of a chat that does not exist (any more) leaves things as they are', async () => {
    sync.refreshChat.mockResolvedValueOnce(undefined);
    await actions.openChat(9);
    expect(store.activeChatId).toBeNull();
    expect(history.loadFirst).not.toHaveBeenCalled();
  });

  it('starts a direct chat and opens it; a refusal is told', async () => {
    await actions.startDirectChat(BOB.id);
    await settled();
    expect(api.createDirectChat).toHaveBeenCalledWith(BOB.id);
    expect(store.activeChatId).toBe(7);
    api.createDirectChat.mockRejectedValueOnce(refused(404, { detail: 'user not found', code: 'not_found' }));
    await actions.startDirectChat(99);
    expect(errors).toHaveLength(1);
  });

  it('creates a group from the dialog and opens it', async () => {
    actions.newGroup();
    const [{ create, meId }] = dialogs.newGroup.mock.calls[0];
    expect(meId).toBe(ME.id);
    await create('Book club', [BOB.id]);
    await settled();
    expect(api.createGroup).toHaveBeenCalledWith('Book club', [BOB.id]);
    expect(store.chat(8).title).toBe('Book club');
    expect(store.activeChatId).toBe(8);
  });

  it('sends through the outbox; retry and discard act on its entries', () => {
    const file = { ref: '/attachments/1', name: 'a.txt', size: 1, is_image: false, url: null };
    actions.send(5, 'hello');
    actions.send(5, '', file);
    expect(outgoing.send.mock.calls).toEqual([[5, 'hello', null], [5, '', file]]);
    actions.retry({ client_id: 'c1' });
    actions.discard({ client_id: 'c2' });
    expect(outgoing.retry).toHaveBeenCalledWith('c1');
    expect(outgoing.discard).toHaveBeenCalledWith('c2');
  });

  it('edits a message and shows the server’s version', async () => {
    await actions.edit(message(11, 5, ME.id), 'better');
    expect(api.editMessage).toHaveBeenCalledWith(5, 11, 'better');
    expect(store.timeline(5).messages.at(-1)).toMatchObject({ content: 'better', edited_at: expect.any(String) });
  });

  it('deletes a message only after asking; deleting the preview refetches the chat', async () => {
    dialogs.confirm.mockResolvedValueOnce(false);
    await actions.remove(message(11, 5, ME.id));
    expect(api.deleteMessage).not.toHaveBeenCalled();
    await actions.remove(message(11, 5, ME.id));
    expect(api.deleteMessage).toHaveBeenCalledWith(5, 11);
    expect(store.timeline(5).messages.map((m) => m.id)).toEqual([10]);
    expect(sync.refreshChat).toHaveBeenCalledWith(5);
  });

  it('keeps a message whose deletion the server refused', async () => {
    api.deleteMessage.mockRejectedValueOnce(refused(403, { detail: 'not your message', code: 'forbidden' }));
    await actions.remove(message(10, 5, BOB.id));
    expect(store.timeline(5).messages).toHaveLength(2);
    expect(errors).toHaveLength(1);
  });

  it('says "typing" at most every few seconds, and again at once after sending', () => {
    actions.typing(5);
    now += 1_000;
    actions.typing(5);
    expect(socket.send.mock.calls).toEqual([[{ type: FRAMES.TYPING, chat_id: 5 }]]);
    actions.send(5, 'done');
    actions.typing(5);
    expect(socket.send).toHaveBeenCalledTimes(2);
    now += 3_000;
    socket.send.mockReturnValueOnce(false); // offline: try again on the next key
    actions.typing(5);
    actions.typing(5);
    expect(socket.send).toHaveBeenCalledTimes(4);
  });

  it('resolves attachment URLs against the server and refetches a message whose preview failed', () => {
    expect(actions.assetUrl('/attachments/1?sig=x')).toBe('http://srv:8000/attachments/1?sig=x');
    expect(actions.assetUrl('https://elsewhere.example/x')).toBeNull();
    actions.attachmentFailed(message(10, 5, BOB.id));
    expect(history.refreshMessage).toHaveBeenCalledWith(expect.objectContaining({ id: 10 }));
  });

  it('signs out, asking first when messages are unsent', async () => {
    outgoing.unsent.mockReturnValue(2);
    dialogs.confirm.mockResolvedValueOnce(false);
    await actions.signOut();
    expect(dialogs.confirm).toHaveBeenCalledWith(expect.objectContaining({ body: '2 unsent messages will be discarded.' }));
    expect(stop).not.toHaveBeenCalled();
    await actions.signOut();
    expect(outgoing.forgetAll).toHaveBeenCalled();
    expect(stop).toHaveBeenCalled();
    expect(api.logout).toHaveBeenCalled();
  });

  it('signs out even when the server cannot be told', async () => {
    api.logout.mockRejectedValueOnce(new Error('offline'));
    await actions.signOut();
    expect(dialogs.confirm).not.toHaveBeenCalled();
    expect(stop).toHaveBeenCalled();
  });
});
