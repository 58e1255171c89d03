// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CSP } from '../../src/common/csp.js';
import { createOutbox } from '../../src/renderer/lib/outbox.js';
import { resolveServerUrl } from '../../src/renderer/lib/upload.js';
import { createAttachmentTray } from '../../src/renderer/views/attachment-tray.js';
import { thumbnailBox } from '../../src/renderer/views/attachment.js';
import { messageRow } from '../../src/renderer/views/message.js';
import { MemoryStorage } from './memory-storage.js';

const SERVER = 'http://127.0.0.1:8000';
const handlers = (extra = {}) => ({ assetUrl: (u) => resolveServerUrl(SERVER, u), ...extra });
const message = (attachment, extra = {}) => ({
  id: 7, chat_id: 1, sender_id: 2, content: '', attachment_url: `/attachments/${attachment.id}`, attachment,
  created_at: '2026-11-27T10:00:00Z', edited_at: null, is_read: false, ...extra,
});
const row = (msg, h = handlers(), own = false) =>
  messageRow({ message: msg, own, status: 'sent', author: 'Bob', showAuthor: false, first: true }, h);

const image = (id = 12, extra = {}) => ({
  id, name: 'cat.png', size: 34_567, content_type: 'image/png', is_image: true,
  url: `/attachments/${id}?exp=1&sig=full`, thumbnail_url: `/attachments/${id}/thumbnail?exp=1&sig=thumb`, ...extra,
});
const doc = (id = 13, extra = {}) => ({
  id, name: 'report <b>final</b>.pdf', size: 1536, content_type: 'application/pdf', is_image: false,
  url: `/attachments/${id}?exp=1&sig=dl`, thumbnail_url: null, ...extra,
});

beforeAll(() => {
  // jsdom has no modal dialogs: enough of one for the viewer.
  HTMLDialogElement.prototype.showModal = function showModal() {
    this.open = true;
  };
  HTMLDialogElement.prototype.close = function close() {
    this.open = false;
    this.dispatchEvent(new Event('close'));
  };
});
afterEach(() => document.body.replaceChildren());

describe('attachments in a message bubble', () => {
  it('the CSP lets images come from any server address (chosen at sign-in) and from local previews', () => {
    const imgSrc = CSP.split('; ').find((d) => d.startsWith('img-src ')).split(' ');
    expect(imgSrc).toEqual(expect.arrayContaining(["'self'", 'http:', 'https:', 'blob:']));
  });

  it('an image shows its thumbnail from the server, named, and opens the full image in a viewer', () => {
    const node = row(message(image(), { content: 'Our cat' }));
    document.body.append(node);
    const img = node.querySelector('img');
    expect(img.getAttribute('src')).toBe(`${SERVER}/attachments/12/thumbnail?exp=1&sig=thumb`);
    expect(img.getAttribute('alt')).toBe('cat.png');
    expect(node.querySelector('.message-text').textContent).toBe('Our cat');
    expect(node.getAttribute('aria-label')).toMatch(/Photo$/);
    const open = node.querySelector('button.attachment-image');
    expect(open.getAttribute('aria-label')).toBe('Open image cat.png');

    open.click();
    const dialog = document.querySelector('dialog');
    expect(dialog.open).toBe(true);
    expect(dialog.getAttribute('aria-label')).toBe('Image cat.png');
    expect(dialog.querySelector('img.viewer-image').getAttribute('src')).toBe(`${SERVER}/attachments/12?exp=1&sig=full`);
    const close = dialog.querySelector('button[aria-label="Close image viewer"]');
    expect(document.activeElement).toBe(close);
    expect(dialog.querySelector('a[aria-label="Download cat.png"]').getAttribute('href')).toBe(`${SERVER}/attachments/12?exp=1&sig=full`);
    close.click();
    expect(document.querySelector('dialog')).toBeNull();
  });

  it('a click beside the image closes the viewer, a click on it does not', () => {
    const node = row(message(image()));
    document.body.append(node);
    node.querySelector('button.attachment-image').click();
    const dialog = document.querySelector('dialog');
    dialog.querySelector('img.viewer-image').click();
    expect(dialog.open).toBe(true);
    dialog.click();
    expect(document.querySelector('dialog')).toBeNull();
  });

  it('another file is a card with its name (as text), size and download link', () => {
    const node = row(message(doc()));
    const link = node.querySelector('a.file-card');
    expect(link.getAttribute('href')).toBe(`${SERVER}/attachments/13?exp=1&sig=dl`);
    expect(link.getAttribute('download')).toBe('report <b>final</b>.pdf');
    expect(link.getAttribute('aria-label')).toBe('Download report <b>final</b>.pdf, 1.5 KB');
    expect(node.querySelector('.file-name').textContent).toBe('report <b>final</b>.pdf');
    expect(node.querySelector('b')).toBeNull();
    expect(node.querySelector('.file-size').textContent).toBe('1.5 KB');
    expect(node.querySelector('img')).toBeNull();
    expect(node.getAttribute('aria-label')).toMatch(/File: report/);
  });

  it('a URL that is not on the server is never used', () => {
    const node = row(message(doc(14, { url: 'javascript:alert(1)' })));
    expect(node.querySelector('a')).toBeNull();
    expect(node.querySelector('.file-name').textContent).toBe('report <b>final</b>.pdf');
    const pic = row(message(image(15, { url: 'https://evil.example/x.png', thumbnail_url: '//evil.example/t.png' })));
    expect(pic.querySelector('img')).toBeNull();
    expect(pic.querySelector('a')).toBeNull();
  });

  it('a preview that fails to load shows the file card and asks for fresh links', () => {
    const attachmentFailed = vi.fn();
    const msg = message(image(16));
    const node = row(msg, handlers({ attachmentFailed }));
    node.querySelector('img').dispatchEvent(new Event('error'));
    expect(node.querySelector('img')).toBeNull();
    expect(node.querySelector('a.file-card').getAttribute('href')).toBe(`${SERVER}/attachments/16?exp=1&sig=full`);
    expect(node.textContent).toMatch(/could not be loaded/);
    expect(attachmentFailed).toHaveBeenCalledWith(msg);
  });

  it('reserves the thumbnail box: placeholder first, the real size once seen', () => {
    const first = row(message(image(17)));
    const img = first.querySelector('img');
    expect(img.hasAttribute('width')).toBe(false);
    expect(first.querySelector('button.attachment-image').className).toMatch(/min-h-32/);
    Object.defineProperty(img, 'naturalWidth', { value: 320 });
    Object.defineProperty(img, 'naturalHeight', { value: 200 });
    img.dispatchEvent(new Event('load'));
    expect(first.querySelector('button.attachment-image').className).not.toMatch(/min-h-32/);

    const again = row(message(image(17)));
    expect(again.querySelector('img').getAttribute('width')).toBe('320');
    expect(again.querySelector('img').getAttribute('height')).toBe('200');
    // The original's size, when the server sends it, scaled to the 320 px thumbnail.
    expect(thumbnailBox({ id: 99, width: 1600, height: 1200 })).toEqual({ width: 320, height: 240 });
    expect(thumbnailBox({ id: 98, width: 100, height: 50 })).toEqual({ width: 100, height: 50 });
    expect(thumbnailBox({ id: 97 })).toBeNull();
  });

  it('a pending message from the outbox shows its uploaded file', () => {
    const outbox = createOutbox(new MemoryStorage(), 'k', { newId: () => 'c1', now: () => '2026-11-27T10:00:00Z' });
    const entry = outbox.add(1, 'caption', { ref: '/attachments/5', ...doc(5) });
    expect(entry.attachment_url).toBe('/attachments/5');
    expect(entry.attachment).not.toHaveProperty('ref');
    expect(outbox.list()[0]).toEqual(entry); // survives a reload (JSON)
    const node = messageRow({ message: entry, own: true, status: 'pending', author: 'You', first: true }, handlers());
    expect(node.querySelector('.file-name').textContent).toBe('report <b>final</b>.pdf');
    expect(node.querySelector('.tick').dataset.status).toBe('pending');
  });
});

describe('the composer attachment tray', () => {
  const item = (extra) => ({
    id: 'u1', name: 'cat.png', size: 2048, type: 'image/png', isImage: true, preview: 'blob:x',
    status: 'uploading', progress: 0, error: '', retriable: false, attachment: null, ...extra,
  });

  it('shows a progress bar that moves in place, then the ready state', () => {
    const tray = createAttachmentTray({ remove: () => {}, retry: () => {} });
    tray.render([]);
    expect(tray.element.classList.contains('hidden')).toBe(true);
    tray.render([item()]);
    expect(tray.element.classList.contains('hidden')).toBe(false);
    const node = tray.element.querySelector('li');
    const bar = node.querySelector('[role=progressbar]');
    expect(bar.getAttribute('aria-label')).toBe('Uploading cat.png');
    expect(bar.getAttribute('aria-valuenow')).toBe('0');

    tray.render([item({ progress: 0.57 })]);
    expect(tray.element.querySelector('li')).toBe(node); // same node: focus is kept
    expect(bar.getAttribute('aria-valuenow')).toBe('57');
    expect(bar.firstChild.style.width).toBe('57%');
    expect(node.textContent).toMatch(/2 KB · uploading 57%/);

    tray.render([item({ status: 'done', progress: 1 })]);
    expect(tray.element.querySelector('[role=progressbar]')).toBeNull();
    expect(tray.element.textContent).toMatch(/ready to send/);
  });

  it('says in words why a file was refused, with retry only when it can help', () => {
    const remove = vi.fn();
    const retry = vi.fn();
    const tray = createAttachmentTray({ remove, retry });
    tray.render([
      item({ id: 'u1', name: 'x.exe', preview: null, status: 'failed', error: 'Blocked: Executable files are not allowed' }),
      item({ id: 'u2', name: 'c.txt', preview: null, status: 'failed', error: 'Cannot reach the server', retriable: true }),
    ]);
    const [exe, txt] = tray.element.querySelectorAll('li');
    expect(exe.querySelector('[role=alert]').textContent).toBe('Blocked: Executable files are not allowed');
    expect(exe.querySelector('button[aria-label^="Retry"]')).toBeNull();
    txt.querySelector('button[aria-label="Retry uploading c.txt"]').click();
    exe.querySelector('button[aria-label="Remove x.exe"]').click();
    expect(retry).toHaveBeenCalledWith('u2');
    expect(remove).toHaveBeenCalledWith('u1');

    tray.render([item({ id: 'u2', name: 'c.txt', preview: null, status: 'failed', error: 'x', retriable: true })]);
    expect(tray.element.querySelectorAll('li')).toHaveLength(1);
  });
});
