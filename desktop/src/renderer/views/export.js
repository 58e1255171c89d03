// "Your data" on the profile screen: export my account as a zip. Shows the latest
// export when opened, a progress bar while the server works on it (fed by the
// export.progress socket event, and by asking every 2 s in case an event is missed),
// then the download link and until when it works, or why it failed.
import { bridge } from '../lib/bridge.js';
import { formatSize } from '../lib/upload.js';
import { h, setChildren } from '../lib/dom.js';
import { note, when } from './account-common.js';

/** @typedef {import('../lib/account-api.js').ExportJob} ExportJob */

/**
 * What the section asks the messenger for (messenger/account.js).
 * @typedef {object} ExportActions
 * @property {() => Promise<ExportJob | null>} latest   my newest export, if any
 * @property {() => Promise<ExportJob>} start           POST /users/me/exports
 * @property {(id: number | string) => Promise<ExportJob>} get
 * @property {(listener: (job: ExportJob) => void) => () => void} watch  export.progress events; returns unsubscribe
 * @property {(url: string | null | undefined) => string | null} downloadUrl  the signed url, on the server
 */

export const POLL_MS = 2_000;

/** @param {ExportJob} job */
const working = (job) => job.status === 'queued' || job.status === 'running';

/**
 * @param {object} deps
 * @param {ExportActions} deps.actions
 * @param {import('../lib/types.js').Timers} [deps.timers]
 * @returns {{element: HTMLElement, stop: () => void}}
 */
export function exportSection({ actions, timers = globalThis }) {
  /** @type {ExportJob | null} */
  let job = null;
  /** @type {unknown} */
  let pollTimer = null;
  let stopped = false;
  const button = h('button', { type: 'button', class: 'btn-primary' }, 'Export my account');
  const status = h('div', { class: 'space-y-2', 'data-testid': 'export-status' });
  const message = note('export-note');

  /** @param {ExportJob} next */
  function show(next) {
    // Events and polls may cross: never step back to an older export or less progress.
    if (job && next.id === job.id && !working(job) && working(next)) return;
    job = next;
    render();
    schedulePoll();
  }

  function render() {
    message.clear();
    button.disabled = Boolean(job && working(job));
    if (!job) return setChildren(status, h('p', { class: 'text-sm text-slate-500 dark:text-slate-400' }, 'A zip of your profile, your chats and messages, and the files you sent.'));
    if (working(job)) {
      const percent = Math.round(Math.min(1, Math.max(0, Number(job.progress) || 0)) * 100);
      button.textContent = 'Exporting…';
      return setChildren(status,
        h('p', { class: 'text-sm' }, job.status === 'queued' ? 'Waiting for the server to start the export…' : `Exporting your account… ${percent}%`),
        h('progress', { class: 'h-2 w-full accent-brand-600', max: '100', value: String(percent), 'aria-label': 'Export progress' }));
    }
    button.textContent = 'Export my account';
    if (job.status === 'failed') {
      setChildren(status);
      return message.fail(`The export failed${job.error ? `: ${job.error}` : ''}. You can try again.`);
    }
    const href = actions.downloadUrl(job.url);
    const expired = job.expires_at ? new Date(job.expires_at).getTime() <= Date.now() : false;
    if (!href || expired) {
      return setChildren(status, h('p', { class: 'text-sm text-slate-500 dark:text-slate-400' },
        `Your last export (${when(job.finished_at ?? job.created_at)}) is no longer available. Export again for a new link.`));
    }
    const size = job.size != null ? `, ${formatSize(job.size)}` : '';
    setChildren(status,
      h('a', {
        href, download: '', class: 'font-medium text-brand-700 underline dark:text-brand-300', 'data-testid': 'export-download',
        // The desktop app never navigates away: the OS browser downloads it (as attachments do).
        onclick: (/** @type {MouseEvent} */ event) => bridge.openExternal(href) && event.preventDefault(),
      },
        `Download (zip${size}) — link valid until ${when(job.expires_at)}`),
      h('p', { class: 'text-xs text-slate-500 dark:text-slate-400' }, `Exported ${when(job.finished_at ?? job.created_at)}.`));
  }

  function schedulePoll() {
    timers.clearTimeout(pollTimer);
    if (stopped || !job || !working(job)) return;
    const id = job.id;
    pollTimer = timers.setTimeout(async () => {
      try {
        const fresh = await actions.get(id);
        if (!stopped) show(fresh);
      } catch (err) {
        // Keep asking: the event or the next poll may still bring the answer.
        if (!stopped) {
          message.fail(err);
          schedulePoll();
        }
      }
    }, POLL_MS);
  }

  const unwatch = actions.watch((next) => {
    if (!stopped) show(next);
  });

  button.addEventListener('click', async () => {
    button.disabled = true;
    message.clear();
    try {
      show(await actions.start());
    } catch (err) {
      button.disabled = false;
      message.fail(err);
    }
  });

  render();
  actions.latest().then((latest) => {
    // An export started meanwhile is newer than what the list said.
    if (!stopped && latest && !job) show(latest);
  }, (err) => message.fail(err));

  const element = h('section', { class: 'space-y-2', 'aria-labelledby': 'export-heading' },
    h('h3', { id: 'export-heading', class: 'text-sm font-semibold' }, 'Your data'),
    status, message.el,
    h('div', { class: 'flex justify-end' }, button));
  return {
    element,
    stop() {
      stopped = true;
      unwatch();
      timers.clearTimeout(pollTimer);
    },
  };
}
