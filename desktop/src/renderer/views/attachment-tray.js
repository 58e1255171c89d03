// The files staged in the composer (lib/upload.js): a preview, name and size, an
// upload progress bar, and the reason in words when the server refused a file.
// Progress updates change the bar in place, so focus on a button is kept.
import { ICONS, dropRowsExcept, h, icon } from '../lib/dom.js';
import { formatSize } from '../lib/upload.js';

/** @typedef {import('../lib/upload.js').StagedFile} StagedFile */
/** @typedef {{item: StagedFile, node: HTMLElement, bar: HTMLElement, progress: HTMLElement | null, status: HTMLElement}} Row */

/** @param {StagedFile} item */
function statusText(item) {
  const size = formatSize(item.size);
  if (item.status === 'uploading') return `${size} · uploading ${Math.round(item.progress * 100)}%`;
  if (item.status === 'done') return `${size} · ready to send`;
  return size;
}

/**
 * @param {object} handlers
 * @param {(id: string) => void} handlers.remove
 * @param {(id: string) => void} handlers.retry
 */
export function createAttachmentTray({ remove, retry }) {
  const list = h('ul', { class: 'hidden flex-wrap gap-2 px-3 pt-3 sm:px-4', 'aria-label': 'Attachments' });
  /** @type {Map<string, Row>} */
  const rows = new Map();

  /** @param {StagedFile} item @returns {Row} */
  function row(item) {
    const failed = item.status === 'failed';
    const preview = item.preview
      ? h('img', { src: item.preview, alt: '', class: 'size-11 shrink-0 rounded-lg object-cover' })
      : h('span', { class: 'flex size-11 shrink-0 items-center justify-center rounded-lg bg-brand-100 text-brand-700 dark:bg-brand-600/25 dark:text-brand-100' }, icon(ICONS.file));
    const status = h('p', { class: 'tray-status truncate text-xs text-slate-500 dark:text-slate-400' }, statusText(item));
    const bar = h('div', { class: 'h-full rounded-full bg-brand-600 transition-[width] duration-150' });
    bar.style.width = `${Math.round(item.progress * 100)}%`;
    const progress = item.status === 'uploading'
      ? h('div', {
          class: 'mt-1 h-1.5 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700',
          role: 'progressbar',
          'aria-label': `Uploading ${item.name}`,
          'aria-valuemin': '0',
          'aria-valuemax': '100',
          'aria-valuenow': String(Math.round(item.progress * 100)),
        }, bar)
      : null;
    const node = h(
      'li',
      {
        class: `tray-item flex w-72 max-w-full items-start gap-2 rounded-xl bg-slate-100 p-2 dark:bg-slate-800 ${failed ? 'ring-1 ring-red-500/60' : ''}`,
        dataset: { status: item.status },
      },
      preview,
      h('div', { class: 'min-w-0 flex-1' },
        h('p', { class: 'truncate text-sm font-medium', title: item.name }, item.name),
        status,
        progress,
        failed && h('p', { class: 'upload-error mt-1 text-xs text-red-600 dark:text-red-400', role: 'alert' }, item.error)),
      failed && item.retriable &&
        h('button', { type: 'button', class: 'icon-btn size-7', 'aria-label': `Retry uploading ${item.name}`, title: 'Retry upload', onclick: () => retry(item.id) }, icon(ICONS.retry, 'size-4')),
      h('button', { type: 'button', class: 'icon-btn size-7', 'aria-label': `Remove ${item.name}`, title: 'Remove', onclick: () => remove(item.id) }, icon(ICONS.close, 'size-4')),
    );
    return { item, node, bar, progress, status };
  }

  /** Syncs the list with `items`: new rows, removed rows, progress in place. @param {readonly StagedFile[]} items */
  function render(items) {
    dropRowsExcept(rows, new Set(items.map((item) => item.id)));
    /** @type {ChildNode | null} */
    let previous = null;
    for (const item of items) {
      let entry = rows.get(item.id);
      if (entry && entry.item !== item && entry.item.status === item.status && item.status === 'uploading') {
        const percent = Math.round(item.progress * 100);
        entry.bar.style.width = `${percent}%`;
        entry.progress?.setAttribute('aria-valuenow', String(percent)); // an uploading row has its bar
        entry.status.textContent = statusText(item);
        entry.item = item;
      } else if (!entry || entry.item !== item) {
        const next = row(item);
        if (entry) entry.node.replaceWith(next.node);
        entry = next;
        rows.set(item.id, entry);
      }
      /** @type {ChildNode | null} */
      const expected = previous ? previous.nextSibling : list.firstChild;
      if (expected !== entry.node) list.insertBefore(entry.node, expected);
      previous = entry.node;
    }
    list.classList.toggle('hidden', items.length === 0);
    list.classList.toggle('flex', items.length > 0);
  }

  return { element: list, render };
}
