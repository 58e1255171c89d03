// Attachments before they are sent: files picked, dropped or pasted are staged in
// the composer and uploaded at once (POST /attachments), each with its progress.
// Sending then only references the uploaded file (`attachment_url`), so the message
// itself can wait in the outbox like any other; the upload cannot, as it needs the
// server (a failed upload says so and offers a retry).
import { describeDetail, describeError, isNetworkError } from './errors.js';

/** @typedef {import('./types.js').Attachment} Attachment */
/** @typedef {import('./types.js').UploadedFile} UploadedFile */
/** @typedef {import('./api.js').UploadAnswer} UploadAnswer */
/** @typedef {import('./api.js').UploadOptions} UploadOptions */

/**
 * A file staged in the composer. `status`: uploading (with `progress`, 0..1), done
 * (with the `attachment` to send), or failed (with the reason in words and whether
 * a retry may help).
 * @typedef {object} StagedFile
 * @property {string} id
 * @property {File} file
 * @property {string} name
 * @property {number} size
 * @property {string} type
 * @property {boolean} isImage
 * @property {string | null} preview   a local blob: URL of an image
 * @property {'uploading' | 'done' | 'failed'} status
 * @property {number} progress
 * @property {string} error
 * @property {boolean} retriable
 * @property {UploadedFile | null} attachment
 */

export const MAX_STAGED = 10;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * "0 B", "999 B", "1.5 KB", "34 KB", "2.1 MB" (1 KB = 1024 B, as file managers show).
 * @param {unknown} bytes
 */
export function formatSize(bytes) {
  const n = Number(bytes);
  if (!Number.isFinite(n) || n < 0) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  // 1023.96 KB rounds to "1024 KB": show it as the next unit instead.
  if (rounded >= 1024 && unit < units.length - 1) return `1 ${units[unit + 1]}`;
  return `${rounded} ${units[unit]}`;
}

/** Image types the server makes thumbnails of (and browsers can show inline). @param {unknown} type */
export const isPreviewableImage = (type) => IMAGE_TYPES.has(String(type ?? '').toLowerCase());

/**
 * The server's URLs are relative to its address ("/attachments/12?exp=…&sig=…").
 * Returns an absolute http(s) URL on that server, or null for anything else (an
 * absolute URL elsewhere, javascript:, protocol-relative "//host").
 * @param {string} server
 * @param {unknown} url
 * @returns {string | null}
 */
export function resolveServerUrl(server, url) {
  if (typeof url !== 'string' || !url.startsWith('/') || url.startsWith('//')) return null;
  let resolved;
  try {
    resolved = new URL(`${String(server).replace(/\/+$/, '')}${url}`);
  } catch {
    return null;
  }
  return resolved.protocol === 'http:' || resolved.protocol === 'https:' ? resolved.href : null;
}

/**
 * One line for chat previews and notifications of a message without text.
 * @param {Pick<Attachment, 'name' | 'is_image'> | null | undefined} attachment
 */
export function attachmentSummary(attachment) {
  if (!attachment) return '';
  return attachment.is_image ? 'Photo' : `File: ${attachment.name}`;
}

/**
 * Files in a drop or paste (DataTransfer), or [] when there are none (e.g. plain text).
 * @param {Pick<DataTransfer, 'files' | 'items'> | null | undefined} transfer
 * @returns {File[]}
 */
export function filesFromTransfer(transfer) {
  if (!transfer) return [];
  const files = [...(transfer.files ?? [])];
  if (files.length) return files;
  return [...(transfer.items ?? [])]
    .filter((item) => item.kind === 'file')
    .map((item) => item.getAsFile())
    .filter((file) => file !== null);
}

/**
 * True while dragging something that contains files (not text or a link).
 * @param {Pick<DataTransfer, 'types'> | null | undefined} transfer
 */
export const isFileDrag = (transfer) => [...(transfer?.types ?? [])].includes('Files');

/**
 * A clipboard image has no useful name ("image.png"): give it one with the time.
 * @param {{name?: string, type?: string}} file
 * @param {Date} [now]
 */
export function nameFor(file, now = new Date()) {
  const name = String(file?.name ?? '').trim();
  if (name && name !== 'image.png') return name;
  const ext = (String(file?.type ?? '').split('/')[1] || 'png').replace('jpeg', 'jpg').replace(/[^a-z0-9]/gi, '');
  const stamp = now.toISOString().slice(0, 19).replace('T', ' ').replace(/:/g, '.');
  return `Pasted image ${stamp}.${ext}`;
}

/** Worth a retry: no answer, a timeout or a server-side failure; not a refusal of the file. @param {any} err */
export function isRetriableUpload(err) {
  const status = err?.response?.status;
  return isNetworkError(err) || status === undefined || status >= 500 || status === 429 || status === 408;
}

/** The reason an upload failed, in words a person can act on. @param {any} err */
export function uploadErrorMessage(err) {
  const status = err?.response?.status;
  if (isNetworkError(err) && !status) {
    return 'Cannot reach the server, so the file was not uploaded. Uploading needs a connection: retry when you are back online.';
  }
  // Byte counts ("larger than 1114112 bytes") read better as sizes.
  const detail = describeDetail(err?.response?.data?.detail).replace(/\b(\d{4,}) bytes\b/g, (_, n) => formatSize(Number(n)));
  if (status === 413) return detail ? `Too large: ${detail}` : 'This file is too large for the server.';
  if (status === 415) return detail ? `Blocked: ${detail}` : 'This type of file is not allowed.';
  return describeError(err);
}

let seq = 0;
const nextId = () => `u${++seq}`;

/**
 * The files staged in the composer. Each is uploaded as soon as it is added.
 * Items are replaced (never mutated) on change, so a view can tell what changed.
 *
 * @param {object} deps
 * @param {(file: File, opts: UploadOptions) => Promise<UploadAnswer>} deps.upload
 *        resolves with the server's answer to POST /attachments
 * @param {(items: readonly StagedFile[]) => void} deps.onChange
 * @param {(text: string) => void} [deps.onNotice]   a problem that belongs to no single item
 * @param {(file: File) => string|null} [deps.previewUrl]   local preview (blob:) of an image
 * @param {(url: string) => void} [deps.revokeUrl]
 * @param {() => string} [deps.newId]
 */
export function createUploads({
  upload,
  onChange,
  onNotice = () => {},
  previewUrl = (file) => URL.createObjectURL(file),
  revokeUrl = (url) => URL.revokeObjectURL(url),
  newId = nextId,
}) {
  /** @type {readonly StagedFile[]} */
  let items = [];
  /** @type {Map<string, AbortController>} the running uploads */
  const controllers = new Map();

  /** @param {string} id */
  const find = (id) => items.find((item) => item.id === id);
  const emit = () => onChange(items);
  /** @param {string} id @param {Partial<StagedFile>} changes */
  function patch(id, changes) {
    items = items.map((item) => (item.id === id ? { ...item, ...changes } : item));
    emit();
  }

  /** @param {string} id */
  async function start(id) {
    const item = find(id);
    if (!item) return;
    const controller = new AbortController();
    controllers.set(id, controller);
    patch(id, { status: 'uploading', progress: 0, error: '', retriable: false });
    let lastPercent = 0;
    try {
      const answer = await upload(item.file, {
        name: item.name,
        signal: controller.signal,
        onProgress: (fraction) => {
          // One update per whole percent is plenty for a progress bar.
          const percent = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
          if (percent > lastPercent && controllers.get(id) === controller) {
            lastPercent = percent;
            patch(id, { progress: percent / 100 });
          }
        },
      });
      if (controllers.get(id) !== controller) return; // removed meanwhile
      patch(id, { status: 'done', progress: 1, attachment: toAttachment(answer, item) });
    } catch (err) {
      if (controllers.get(id) !== controller) return; // removed (aborted) meanwhile
      patch(id, { status: 'failed', error: uploadErrorMessage(err), retriable: isRetriableUpload(err) });
    } finally {
      if (controllers.get(id) === controller) controllers.delete(id);
    }
  }

  /** @param {string} id */
  function drop(id) {
    const item = find(id);
    if (!item) return;
    controllers.get(id)?.abort();
    controllers.delete(id);
    if (item.preview) revokeUrl(item.preview);
    items = items.filter((i) => i.id !== id);
  }

  return {
    items: () => items,
    /** Stages and starts uploading `files`; returns how many were taken. @param {Iterable<File>} files */
    add(files) {
      const list = [...files];
      const room = MAX_STAGED - items.length;
      if (list.length > room) onNotice(`You can attach up to ${MAX_STAGED} files to one message at a time.`);
      const taken = list.slice(0, Math.max(0, room));
      /** @type {StagedFile[]} */
      const added = taken.map((file) => ({
        id: newId(),
        file,
        name: nameFor(file),
        size: file.size,
        type: file.type,
        isImage: isPreviewableImage(file.type),
        preview: isPreviewableImage(file.type) ? previewUrl(file) : null,
        status: 'uploading',
        progress: 0,
        error: '',
        retriable: false,
        attachment: null,
      }));
      if (!added.length) return 0;
      items = [...items, ...added];
      emit();
      for (const item of added) start(item.id);
      return added.length;
    },
    /** @param {string} id */
    retry(id) {
      if (find(id)?.status === 'failed') start(id);
    },
    /** Unstages an item, cancelling its upload if it is still running. @param {string} id */
    remove(id) {
      drop(id);
      emit();
    },
    clear() {
      if (!items.length) return;
      for (const { id } of items) drop(id);
      emit();
    },
    /** True while any upload is still running. */
    busy: () => items.some((item) => item.status === 'uploading'),
    /**
     * Removes the uploaded items and returns their attachments (in the order they were added).
     * @returns {UploadedFile[]}
     */
    takeUploaded() {
      const done = items.filter((item) => item.status === 'done');
      if (!done.length) return [];
      for (const { id } of done) drop(id);
      emit();
      // A done item always has its attachment.
      return done.flatMap((item) => (item.attachment ? [item.attachment] : []));
    },
  };
}

/**
 * What a message needs of an uploaded file: `ref` to send as attachment_url, and
 * the same fields as MessageOut.attachment, so a pending message shows it the same way.
 * @param {UploadAnswer} answer
 * @param {{name?: string, size?: number, type?: string}} [item]  what the browser knew of the file
 * @returns {UploadedFile}
 */
export function toAttachment(answer, item = {}) {
  return {
    ref: answer.url,
    id: answer.id,
    name: answer.name ?? item.name,
    size: answer.size ?? item.size,
    content_type: answer.content_type ?? item.type,
    is_image: answer.is_image ?? isPreviewableImage(answer.content_type ?? item.type),
    url: answer.download_url ?? null,
    thumbnail_url: answer.thumbnail_url ?? null,
    ...(answer.width && answer.height ? { width: answer.width, height: answer.height } : {}),
  };
}
