import { describe, expect, it } from 'vitest';
import { createReadPolicy } from '../../../src/renderer/messenger/read-policy.js';
import { ME, directChat, fakeApi, fakeDocument, message, settled, storeWith } from './helpers.js';

function setup({ visible = true, focused = true, chat = directChat(5, { last_message: message(12, 5, 2), unread_count: 2 }) } = {}) {
  const store = storeWith([chat, directChat(6)]);
  store.addPage(5, [message(11, 5, 2), message(12, 5, 2)], { limit: 50, older: false });
  const api = fakeApi();
  const doc = fakeDocument({ visible, focused });
  const win = new EventTarget();
  const reading = createReadPolicy({ store, api, doc, win });
  return { store, api, doc, win, reading };
}

describe('read policy', () => {
  it('a chat is seen only while open, on screen and in the focused window', () => {
    const { store, doc, reading } = setup();
    expect(reading.isSeen(5)).toBe(false);
    store.setActive(5);
    expect(reading.isSeen(5)).toBe(true);
    expect(reading.isSeen(6)).toBe(false);
    doc.focused = false;
    expect(reading.isSeen(5)).toBe(false);
    doc.focused = true;
    doc.visibilityState = 'hidden';
    expect(reading.isSeen(5)).toBe(false);
  });

  it('reports the newest message read once and clears the unread count', () => {
    const { store, api, reading } = setup();
    store.setActive(5);
    reading.markRead(5);
    reading.markRead(5);
    expect(api.markRead.mock.calls).toEqual([[5, 12]]);
    expect(store.chat(5).unread_count).toBe(0);
    store.addMessage(message(13, 5, 2));
    reading.markRead(5);
    expect(api.markRead).toHaveBeenLastCalledWith(5, 13);
  });

  it('reports nothing for a chat the user does not see', () => {
    const { store, api, reading } = setup({ focused: false });
    store.setActive(5);
    reading.markRead(5);
    reading.markRead(6);
    expect(api.markRead).not.toHaveBeenCalled();
    expect(store.chat(5).unread_count).toBe(2);
  });

  it('needs no report when my own message is the newest and nothing is unread', () => {
    const { store, api, reading } = setup({ chat: directChat(5, { last_message: message(12, 5, ME.id) }) });
    store.setActive(5);
    store.addMessage(message(13, 5, ME.id));
    reading.markRead(5);
    expect(api.markRead).not.toHaveBeenCalled();
  });

  it('uses the chat list preview when the history is not loaded yet', () => {
    const { store, api, reading } = setup();
    store.upsertChat(directChat(6, { last_message: message(40, 6, 2), unread_count: 1 }));
    store.setActive(6);
    reading.markRead(6);
    expect(api.markRead).toHaveBeenCalledWith(6, 40);
  });

  it('reports again after a report failed', async () => {
    const { store, api, reading } = setup();
    api.markRead.mockRejectedValueOnce(new Error('offline'));
    store.setActive(5);
    reading.markRead(5);
    await settled();
    reading.markRead(5);
    expect(api.markRead).toHaveBeenCalledTimes(2);
  });

  it('marks the open chat read when the user comes back to the window, until stopped', () => {
    const { store, api, doc, win, reading } = setup({ visible: false });
    reading.start();
    store.setActive(5);
    reading.markRead(5);
    expect(api.markRead).not.toHaveBeenCalled();
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(api.markRead).toHaveBeenCalledWith(5, 12);

    store.addMessage(message(13, 5, 2));
    reading.stop();
    win.dispatchEvent(new Event('focus'));
    expect(api.markRead).toHaveBeenCalledTimes(1);
  });
});
