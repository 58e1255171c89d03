// @vitest-environment jsdom
// The composer with files: paste, drop and the file picker stage them, sending waits
// for the uploads and sends one message per file with the text as the first caption.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from '../../src/renderer/lib/store.js';
import { createChatView } from '../../src/renderer/views/chat-view.js';

beforeAll(() => {
  globalThis.ResizeObserver ??= class {
    observe() {}
    disconnect() {}
  };
  URL.createObjectURL ??= () => 'blob:preview';
  URL.revokeObjectURL ??= () => {};
});

const tick = () => new Promise((r) => setTimeout(r, 0));
const file = (name, type = 'text/plain') => new File(['hello'], name, { type });

/** An event carrying a DataTransfer-like object (jsdom has no DataTransfer). */
function transferEvent(type, prop, files, types = files.length ? ['Files'] : ['text/plain']) {
  const event = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperty(event, prop, { value: { files, items: [], types, dropEffect: 'none' } });
  return event;
}

let view;
let actions;
let uploads;

beforeEach(() => {
  document.body.replaceChildren();
  uploads = [];
  actions = {
    send: vi.fn(),
    edit: vi.fn(),
    loadOlder: vi.fn(),
    typing: vi.fn(),
    closeChat: vi.fn(),
    assetUrl: (u) => (u ? `http://srv${u}` : null),
    attachmentFailed: vi.fn(),
    upload: (f, options) => new Promise((resolve, reject) => uploads.push({ file: f, options, resolve, reject })),
  };
  const store = createStore();
  store.setMe({ id: 1 });
  store.setChats([{ id: 5, is_group: false, created_at: '2026-11-27T10:00:00Z', members: [{ user: { id: 1, username: 'me' } }, { user: { id: 2, username: 'bob' } }] }]);
  view = createChatView({ store, actions });
  document.body.append(view.element);
  store.setActive(5);
});

const composer = () => document.querySelector('textarea');
const form = () => document.querySelector('form');
const answer = (id, name) => ({ id, url: `/attachments/${id}`, name, size: 5, content_type: 'text/plain', is_image: false, download_url: `/attachments/${id}?sig=x`, thumbnail_url: null });

describe('composer attachments', () => {
  it('paste stages the files and uploads them; plain text pastes as usual', () => {
    const textPaste = transferEvent('paste', 'clipboardData', []);
    composer().dispatchEvent(textPaste);
    expect(textPaste.defaultPrevented).toBe(false);
    expect(uploads).toHaveLength(0);

    const paste = transferEvent('paste', 'clipboardData', [file('notes.txt')]);
    composer().dispatchEvent(paste);
    expect(paste.defaultPrevented).toBe(true);
    expect(uploads.map((u) => u.options.name)).toEqual(['notes.txt']);
    expect(document.querySelector('[aria-label=Attachments] li').textContent).toMatch(/notes\.txt/);
  });

  it('drop on the conversation stages files and shows a hint while dragging', () => {
    const section = document.querySelector('section');
    const over = transferEvent('dragover', 'dataTransfer', [file('a.txt')]);
    section.dispatchEvent(over);
    expect(over.defaultPrevented).toBe(true);
    expect(section.textContent).toMatch(/Drop files to attach them/);
    section.dispatchEvent(transferEvent('drop', 'dataTransfer', [file('a.txt'), file('b.txt')]));
    expect(uploads.map((u) => u.options.name)).toEqual(['a.txt', 'b.txt']);
  });

  it('the attach button opens the file picker, whose files are staged', () => {
    const input = document.querySelector('input[type=file]');
    const click = vi.spyOn(input, 'click').mockImplementation(() => {});
    document.querySelector('button[aria-label="Attach files"]').click();
    expect(click).toHaveBeenCalled();
    Object.defineProperty(input, 'files', { configurable: true, value: [file('c.txt')] });
    input.dispatchEvent(new Event('change'));
    expect(uploads.map((u) => u.options.name)).toEqual(['c.txt']);
  });

  it('sending waits for the uploads, then sends one message per file with the caption first', async () => {
    composer().dispatchEvent(transferEvent('paste', 'clipboardData', [file('a.txt'), file('b.txt')]));
    composer().value = 'Two files';
    form().requestSubmit();
    expect(actions.send).not.toHaveBeenCalled();
    expect(document.querySelector('form [role=status]').textContent).toMatch(/Still uploading/);
    expect(composer().value).toBe('Two files');

    uploads[0].resolve(answer(1, 'a.txt'));
    uploads[1].resolve(answer(2, 'b.txt'));
    await tick();
    expect(document.querySelector('form [role=status]').classList.contains('hidden')).toBe(true);
    form().requestSubmit();
    expect(actions.send.mock.calls.map(([chat, text, att]) => [chat, text, att.ref])).toEqual([
      [5, 'Two files', '/attachments/1'],
      [5, '', '/attachments/2'],
    ]);
    expect(composer().value).toBe('');
    expect(document.querySelectorAll('[aria-label=Attachments] li')).toHaveLength(0);
  });

  it('a refused file stays with its reason and is not sent; the text still is', async () => {
    composer().dispatchEvent(transferEvent('paste', 'clipboardData', [file('x.exe', 'application/octet-stream')]));
    uploads[0].reject(Object.assign(new Error('415'), { isAxiosError: true, response: { status: 415, data: { detail: 'Executable files are not allowed' } } }));
    await tick();
    expect(document.querySelector('[aria-label=Attachments] [role=alert]').textContent).toBe('Blocked: Executable files are not allowed');
    composer().value = 'just text';
    form().requestSubmit();
    expect(actions.send).toHaveBeenCalledWith(5, 'just text');
    expect(document.querySelectorAll('[aria-label=Attachments] li')).toHaveLength(1);
  });
});
