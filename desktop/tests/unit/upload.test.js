import { describe, expect, it } from 'vitest';
import {
  MAX_STAGED,
  attachmentSummary,
  createUploads,
  filesFromTransfer,
  formatSize,
  isFileDrag,
  isRetriableUpload,
  nameFor,
  resolveServerUrl,
  toAttachment,
  uploadErrorMessage,
} from '../../src/renderer/lib/upload.js';

const refused = (status, detail) => Object.assign(new Error(`Request failed with status code ${status}`), {
  isAxiosError: true,
  response: { status, data: detail === undefined ? {} : { detail } },
});
const networkError = () => Object.assign(new Error('Network Error'), { isAxiosError: true, code: 'ERR_NETWORK' });
const file = (name, type = 'text/plain', size = 10) => ({ name, type, size });

/** An upload function whose calls the test settles by hand. */
function manualUploads() {
  const calls = [];
  const upload = (f, { name, onProgress, signal }) =>
    new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' })));
      calls.push({ file: f, name, onProgress, signal, resolve, reject });
    });
  return { calls, upload };
}

function setup() {
  const { calls, upload } = manualUploads();
  const changes = [];
  const notices = [];
  const revoked = [];
  let n = 0;
  const uploads = createUploads({
    upload,
    onChange: (items) => changes.push(items),
    onNotice: (text) => notices.push(text),
    previewUrl: (f) => `blob:preview-${f.name}`,
    revokeUrl: (url) => revoked.push(url),
    newId: () => `u${++n}`,
  });
  return { uploads, calls, changes, notices, revoked };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const answer = (id, name, extra = {}) => ({
  id, url: `/attachments/${id}`, name, size: 10, content_type: 'text/plain', is_image: false,
  download_url: `/attachments/${id}?exp=1&sig=a`, thumbnail_url: null, ...extra,
});

describe('formatSize', () => {
  it('reads like a file manager', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1 KB');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(34_567)).toBe('34 KB');
    expect(formatSize(1024 * 1024 - 1)).toBe('1 MB');
    expect(formatSize(25 * 1024 * 1024)).toBe('25 MB');
    expect(formatSize(2.5 * 1024 ** 3)).toBe('2.5 GB');
    expect(formatSize(undefined)).toBe('');
    expect(formatSize(-1)).toBe('');
  });
});

describe('resolveServerUrl', () => {
  it('prefixes the server address to the server-relative URLs', () => {
    expect(resolveServerUrl('http://127.0.0.1:8000', '/attachments/12?exp=1&sig=x')).toBe('http://127.0.0.1:8000/attachments/12?exp=1&sig=x');
    expect(resolveServerUrl('https://chat.example.org/parley', '/attachments/1')).toBe('https://chat.example.org/parley/attachments/1');
    expect(resolveServerUrl('https://chat.example.org/', '/a')).toBe('https://chat.example.org/a');
  });

  it('refuses anything that is not a path on that server', () => {
    for (const url of ['javascript:alert(1)', '//evil.example/x', 'https://evil.example/x', 'attachments/1', '', null, undefined, 42]) {
      expect(resolveServerUrl('http://127.0.0.1:8000', url)).toBeNull();
    }
    expect(resolveServerUrl('not a url', '/attachments/1')).toBeNull();
  });
});

describe('small helpers', () => {
  it('summarises an attachment for previews and notifications', () => {
    expect(attachmentSummary(null)).toBe('');
    expect(attachmentSummary({ is_image: true, name: 'cat.png' })).toBe('Photo');
    expect(attachmentSummary({ is_image: false, name: 'report.pdf' })).toBe('File: report.pdf');
  });

  it('takes files from a drop or paste, and nothing from plain text', () => {
    const a = file('a.txt');
    expect(filesFromTransfer({ files: [a], items: [] })).toEqual([a]);
    const b = file('b.png', 'image/png');
    expect(filesFromTransfer({ files: [], items: [{ kind: 'string' }, { kind: 'file', getAsFile: () => b }] })).toEqual([b]);
    expect(filesFromTransfer({ files: [], items: [{ kind: 'string', getAsFile: () => null }] })).toEqual([]);
    expect(filesFromTransfer(null)).toEqual([]);
    expect(isFileDrag({ types: ['Files'] })).toBe(true);
    expect(isFileDrag({ types: ['text/plain'] })).toBe(false);
  });

  it('names pasted images after the time', () => {
    const now = new Date('2026-11-27T10:15:30Z');
    expect(nameFor(file('report.pdf'), now)).toBe('report.pdf');
    expect(nameFor(file('image.png', 'image/png'), now)).toBe('Pasted image 2026-11-27 10.15.30.png');
    expect(nameFor(file('', 'image/jpeg'), now)).toBe('Pasted image 2026-11-27 10.15.30.jpg');
  });

  it('keeps what a message needs of the server answer', () => {
    const att = toAttachment(answer(12, 'cat.png', {
      content_type: 'image/png', is_image: true, thumbnail_url: '/attachments/12/thumbnail?exp=1&sig=t',
    }));
    expect(att).toEqual({
      ref: '/attachments/12', id: 12, name: 'cat.png', size: 10, content_type: 'image/png', is_image: true,
      url: '/attachments/12?exp=1&sig=a', thumbnail_url: '/attachments/12/thumbnail?exp=1&sig=t',
    });
  });
});

describe('upload errors in words', () => {
  it('says why a file was refused, with the server detail', () => {
    expect(uploadErrorMessage(refused(413, 'File is larger than the 25 MB limit'))).toBe('Too large: File is larger than the 25 MB limit');
    expect(uploadErrorMessage(refused(413))).toBe('This file is too large for the server.');
    expect(uploadErrorMessage(refused(413, 'request body is larger than 1114112 bytes'))).toBe('Too large: request body is larger than 1.1 MB');
    expect(uploadErrorMessage(refused(415, 'Executable files are not allowed'))).toBe('Blocked: Executable files are not allowed');
    expect(uploadErrorMessage(refused(415))).toBe('This type of file is not allowed.');
    expect(uploadErrorMessage(refused(422, [{ loc: ['body', 'file'], msg: 'Field required' }]))).toBe('File: Field required');
  });

  it('says that uploading needs the server when it cannot be reached', () => {
    expect(uploadErrorMessage(networkError())).toMatch(/Cannot reach the server.*not uploaded.*needs a connection/);
  });

  it('offers a retry only when trying again can help', () => {
    expect(isRetriableUpload(networkError())).toBe(true);
    expect(isRetriableUpload(refused(503))).toBe(true);
    expect(isRetriableUpload(refused(429))).toBe(true);
    expect(isRetriableUpload(refused(413))).toBe(false);
    expect(isRetriableUpload(refused(415))).toBe(false);
    expect(isRetriableUpload(refused(422))).toBe(false);
  });
});

describe('createUploads (the composer staging area)', () => {
  it('uploads each file at once, reports progress, and hands the uploads over in order', async () => {
    const { uploads, calls, changes } = setup();
    expect(uploads.add([file('a.txt'), file('b.png', 'image/png')])).toBe(2);
    expect(calls.map((c) => c.name)).toEqual(['a.txt', 'b.png']);
    expect(uploads.items().map((i) => [i.name, i.status, i.preview])).toEqual([
      ['a.txt', 'uploading', null],
      ['b.png', 'uploading', 'blob:preview-b.png'],
    ]);
    expect(uploads.busy()).toBe(true);

    const before = changes.length;
    calls[0].onProgress(0.005); // under 1 %: no update
    calls[0].onProgress(0.42);
    calls[0].onProgress(0.425); // same whole percent: no update
    expect(changes.length).toBe(before + 1);
    expect(uploads.items()[0].progress).toBe(0.42);

    calls[1].resolve(answer(2, 'b.png', { is_image: true, content_type: 'image/png' }));
    calls[0].resolve(answer(1, 'a.txt'));
    await tick();
    expect(uploads.busy()).toBe(false);
    expect(uploads.items().map((i) => i.status)).toEqual(['done', 'done']);
    const taken = uploads.takeUploaded();
    expect(taken.map((a) => a.ref)).toEqual(['/attachments/1', '/attachments/2']);
    expect(uploads.items()).toEqual([]);
    expect(uploads.takeUploaded()).toEqual([]);
  });

  it('shows a refused file with the reason and no retry; a network failure can be retried', async () => {
    const { uploads, calls } = setup();
    uploads.add([file('x.exe', 'application/x-msdownload'), file('c.txt')]);
    calls[0].reject(refused(415, 'Executable files are not allowed'));
    calls[1].reject(networkError());
    await tick();
    const [exe, txt] = uploads.items();
    expect(exe).toMatchObject({ status: 'failed', retriable: false, error: 'Blocked: Executable files are not allowed' });
    expect(txt).toMatchObject({ status: 'failed', retriable: true });
    expect(txt.error).toMatch(/Cannot reach the server/);
    expect(uploads.busy()).toBe(false);
    expect(uploads.takeUploaded()).toEqual([]); // failed files are never sent

    uploads.retry(txt.id);
    expect(calls).toHaveLength(3);
    expect(uploads.items()[1]).toMatchObject({ status: 'uploading', error: '', progress: 0 });
    calls[2].resolve(answer(3, 'c.txt'));
    await tick();
    expect(uploads.items()[1].status).toBe('done');
    uploads.retry(txt.id); // not failed any more: nothing happens
    expect(calls).toHaveLength(3);
  });

  it('removing a file cancels its upload, frees its preview, and ignores a late answer', async () => {
    const { uploads, calls, revoked } = setup();
    uploads.add([file('big.png', 'image/png')]);
    const [item] = uploads.items();
    uploads.remove(item.id);
    expect(calls[0].signal.aborted).toBe(true);
    expect(revoked).toEqual(['blob:preview-big.png']);
    expect(uploads.items()).toEqual([]);
    calls[0].resolve(answer(1, 'big.png'));
    await tick();
    expect(uploads.items()).toEqual([]);
  });

  it('clear() cancels everything (switching chats)', () => {
    const { uploads, calls } = setup();
    uploads.add([file('a.txt'), file('b.txt')]);
    uploads.clear();
    expect(calls.every((c) => c.signal.aborted)).toBe(true);
    expect(uploads.items()).toEqual([]);
  });

  it(`stages at most ${MAX_STAGED} files and says so`, () => {
    const { uploads, notices } = setup();
    const files = Array.from({ length: MAX_STAGED + 2 }, (_, i) => file(`f${i}.txt`));
    expect(uploads.add(files)).toBe(MAX_STAGED);
    expect(uploads.items()).toHaveLength(MAX_STAGED);
    expect(notices[0]).toMatch(new RegExp(`up to ${MAX_STAGED} files`));
    expect(uploads.add([file('more.txt')])).toBe(0);
  });
});
