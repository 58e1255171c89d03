// @vitest-environment jsdom
// The wiring: startMessenger draws the shell, loads the chat list, connects the one
// socket with the session's token, routes its events into the store (and so to the
// views and the title), and stop() undoes all of it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSession } from '../../../src/renderer/lib/session.js';
import { startMessenger } from '../../../src/renderer/messenger/index.js';
import { FakeSocket } from '../fake-socket.js';
import { MemoryStorage } from '../memory-storage.js';
import { BOB, ME, directChat, fakeApi, message, settled } from './helpers.js';

const SERVER = 'http://127.0.0.1:8000';
let realWebSocket;
let messenger;

beforeEach(() => {
  realWebSocket = globalThis.WebSocket;
  globalThis.WebSocket = FakeSocket;
  FakeSocket.all = [];
  document.body.replaceChildren();
  document.title = 'Parley';
});

afterEach(() => {
  messenger?.stop();
  globalThis.WebSocket = realWebSocket;
});

function start(api = fakeApi({ getChats: async () => [directChat(5, { last_message: message(10, 5, BOB.id) })] })) {
  const storage = new MemoryStorage();
  const session = createSession(storage);
  session.setTokens({ access_token: 'a b', refresh_token: 'r', expires_in: 900 });
  session.setUser(ME);
  const root = document.createElement('div');
  document.body.append(root);
  messenger = startMessenger({ root, api, session, server: SERVER, storage });
  return { api, root };
}

describe('startMessenger', () => {
  it('shows the chat list, then connects with the token and resumes from the last message seen', async () => {
    const { root } = start();
    await settled();
    expect(root.querySelector('[aria-label="Chats"] [data-chat-id="5"]')).not.toBeNull();
    expect(FakeSocket.all).toHaveLength(1);
    expect(FakeSocket.all[0].url).toBe('ws://127.0.0.1:8000/ws?token=a%20b&since=10');
  });

  it('routes socket events into the store: a new message counts as unread, in the list and the title', async () => {
    start();
    await settled();
    const socket = FakeSocket.all[0];
    socket.serverOpen();
    socket.serverSend({ type: 'message.new', chat_id: 5, message: message(11, 5, BOB.id, { content: 'are you there?' }) });
    expect(messenger.store.chat(5)).toMatchObject({ unread_count: 1, last_message: { content: 'are you there?' } });
    expect(document.title).toBe('(1) Parley');
    expect(messenger.store.connection).toBe('online');
  });

  it('stop() closes the socket, stops the API timers and clears the title', async () => {
    const { api } = start();
    await settled();
    FakeSocket.all[0].serverOpen();
    FakeSocket.all[0].serverSend({ type: 'message.new', chat_id: 5, message: message(11, 5, BOB.id) });
    messenger.stop();
    expect(FakeSocket.all[0].readyState).toBe(3);
    expect(api.stop).toHaveBeenCalled();
    expect(document.title).toBe('Parley');
    expect(messenger.store.connection).toBe('stopped');
  });
});
