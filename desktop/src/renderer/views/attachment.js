// A message's attachment: an image shows its thumbnail inline and opens a viewer on
// click; any other file is a card with its name, size and a download link. URLs come
// from the server signed and relative; `assetUrl` makes them absolute (or null).
import { bridge } from '../lib/bridge.js';
import { ICONS, h, icon } from '../lib/dom.js';
import { formatSize } from '../lib/upload.js';

/** @typedef {import('../lib/types.js').Attachment} Attachment */
/**
 * `assetUrl` turns the server's relative URL into an absolute one (or null: not ours);
 * `own`: in my bubble (other colours); `onFailed`: the preview did not load.
 * @typedef {{assetUrl: (url: string | null | undefined) => string | null, own?: boolean, onFailed?: () => void}} AttachmentDeps
 */

const THUMB_MAX = 320;
// Natural sizes of thumbnails already seen, by attachment id: a row rendered again
// (read tick, edit, scrolled back into view) reserves the right box at once, so
// the timeline does not jump while the cached image decodes.
/** @type {Map<number, {width: number, height: number}>} */
const knownSizes = new Map();
const KNOWN_SIZES_MAX = 5_000;

/** @param {number | undefined} id @param {number} width @param {number} height */
function rememberSize(id, width, height) {
  if (id === undefined || id === null || !width || !height) return;
  const oldest = knownSizes.keys().next();
  if (knownSizes.size >= KNOWN_SIZES_MAX && !oldest.done) knownSizes.delete(oldest.value);
  knownSizes.set(id, { width, height });
}

/**
 * Box of the inline thumbnail: from an earlier load, or the original's size if the server sent it.
 * @param {Attachment} attachment
 */
export function thumbnailBox(attachment) {
  const known = attachment.id === undefined ? undefined : knownSizes.get(attachment.id);
  if (known) return known;
  const { width, height } = attachment;
  if (!(width && height && width > 0 && height > 0)) return null;
  const scale = Math.min(1, THUMB_MAX / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Opens `href` in the OS browser under Electron (the window itself never navigates).
 * @param {string} href
 */
function external(href) {
  return (/** @type {MouseEvent} */ event) => {
    if (bridge.openExternal(href)) event.preventDefault();
  };
}

/**
 * The file card: name, size and (when there is a URL) a download link.
 * @param {Attachment} attachment
 * @param {AttachmentDeps} deps
 */
export function fileCard(attachment, { assetUrl, own = false }) {
  const href = assetUrl(attachment.url);
  const size = formatSize(attachment.size);
  const tone = own ? 'bg-white/15 hover:bg-white/25' : 'bg-slate-100 hover:bg-slate-200/80 dark:bg-slate-700/60 dark:hover:bg-slate-700';
  const children = [
    h('span', { class: `flex size-10 shrink-0 items-center justify-center rounded-lg ${own ? 'bg-white/20' : 'bg-brand-100 text-brand-700 dark:bg-brand-600/25 dark:text-brand-100'}` }, icon(ICONS.file)),
    h('span', { class: 'min-w-0 flex-1' },
      h('span', { class: 'file-name block truncate text-sm font-medium' }, attachment.name),
      h('span', { class: `file-size block text-xs ${own ? 'text-brand-100' : 'text-slate-500 dark:text-slate-400'}` }, size)),
    href && icon(ICONS.download, 'size-5 shrink-0 opacity-80'),
  ];
  const cls = `file-card flex w-64 max-w-full items-center gap-3 rounded-xl p-2 text-left ${tone}`;
  if (!href) return h('div', { class: cls }, children);
  return h('a', {
    class: cls,
    href,
    download: attachment.name,
    target: '_blank',
    rel: 'noopener noreferrer',
    'aria-label': `Download ${attachment.name}, ${size}`,
    title: `Download ${attachment.name}`,
    onclick: external(href),
  }, children);
}

/**
 * The inline image. When its size is not known in advance a placeholder box is shown
 * until it loads; the virtual list notices the load and re-measures the row.
 * @param {Attachment} attachment
 * @param {AttachmentDeps} deps
 */
export function imagePreview(attachment, { assetUrl, onFailed = () => {}, own = false }) {
  const src = assetUrl(attachment.thumbnail_url) ?? assetUrl(attachment.url);
  if (!src) return fileCard(attachment, { assetUrl, own });
  const box = thumbnailBox(attachment);
  const img = h('img', {
    src,
    alt: attachment.name,
    width: box?.width,
    height: box?.height,
    decoding: 'async',
    draggable: 'false',
    class: 'attachment-thumb block h-auto max-h-80 w-auto max-w-full object-contain',
  });
  const button = h('button', {
    type: 'button',
    class: `attachment-image block max-w-full overflow-hidden rounded-xl bg-slate-200/70 dark:bg-slate-700/60 ${box ? '' : 'min-h-32 min-w-40'}`,
    'aria-label': `Open image ${attachment.name}`,
    'aria-haspopup': 'dialog',
    title: attachment.name,
    onclick: () => openImageViewer({ src: assetUrl(attachment.url) ?? src, name: attachment.name, size: attachment.size }),
  }, img);
  img.addEventListener('load', () => {
    rememberSize(attachment.id, img.naturalWidth, img.naturalHeight);
    button.classList.remove('min-h-32', 'min-w-40');
  });
  img.addEventListener('error', () => {
    // Usually an expired link (they last an hour): show the file card meanwhile and
    // let the caller fetch the message again with fresh links.
    const card = fileCard(attachment, { assetUrl, own });
    button.replaceWith(h('div', { class: 'space-y-1' }, card,
      h('p', { class: `text-xs ${own ? 'text-brand-100' : 'text-slate-500 dark:text-slate-400'}` }, 'The preview could not be loaded.')));
    onFailed();
  }, { once: true });
  return button;
}

/**
 * The attachment part of a message bubble.
 * @param {Attachment} attachment
 * @param {AttachmentDeps} deps
 */
export function attachmentView(attachment, deps) {
  return attachment.is_image ? imagePreview(attachment, deps) : fileCard(attachment, deps);
}

/**
 * Full-size image in a modal <dialog>: Esc, the close button or a click beside the
 * image closes it, and focus returns to what opened it.
 * @param {{src: string, name: string, size?: number}} image
 */
export function openImageViewer({ src, name, size }) {
    const close = h('button', {
    type: 'button',
    class: 'inline-flex size-10 items-center justify-center rounded-full text-white/80 hover:bg-white/15 hover:text-white',
    'aria-label': 'Close image viewer',
    title: 'Close (Esc)',
    onclick: () => dialog.close(),
  }, icon(ICONS.close));
  const download = h('a', {
    href: src,
    download: name,
    target: '_blank',
    rel: 'noopener noreferrer',
    class: 'inline-flex size-10 items-center justify-center rounded-full text-white/80 hover:bg-white/15 hover:text-white',
    'aria-label': `Download ${name}`,
    title: 'Download',
    onclick: external(src),
  }, icon(ICONS.download));
  const img = h('img', {
    src,
    alt: name,
    class: 'viewer-image max-h-full max-w-full rounded-lg object-contain shadow-2xl',
  });
  const stage = h('div', { class: 'flex min-h-0 flex-1 items-center justify-center p-4 pt-0' }, img);
  const dialog = h(
    'dialog',
    {
      class: 'image-viewer m-0 h-dvh max-h-none w-dvw max-w-none bg-slate-950/95 p-0 text-white backdrop:bg-slate-950/60',
      'aria-label': `Image ${name}`,
    },
    h('div', { class: 'flex h-full flex-col' },
      h('header', { class: 'flex items-center gap-2 px-4 py-3' },
        h('h2', { class: 'min-w-0 flex-1 truncate text-sm font-medium' }, name,
          size !== undefined && h('span', { class: 'ml-2 text-white/60' }, formatSize(size))),
        download,
        close),
      stage),
  );
  // A click on the dark area around the image (not on the image or the controls).
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog || event.target === stage) dialog.close();
  });
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  dialog.showModal();
  close.focus();
  return dialog;
}
