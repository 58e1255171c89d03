// The profile screen's notification settings, held by the server for all my devices
// (PATCH /users/me/notifications): quiet hours in a time zone, the people allowed
// through them, and whether pushes carry the message's text; and Web Push on this
// device (the web client): its state, a test notification, the devices' delivery log.
import { describeError } from '../lib/errors.js';
import { h, setChildren } from '../lib/dom.js';
import { PUSH_STATE_WORDS } from '../lib/push.js';
import { memberName } from '../lib/names.js';

/** @typedef {import('../lib/types.js').User} User */
/** @typedef {import('../lib/types.js').NotificationSettings} NotificationSettings */

/** Zones for the select: the browser's list where it has one, else mine and UTC. */
export function timeZones() {
  const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([mine, 'UTC', ...all])].sort();
}

/** The settings a new account has (the server's defaults). @type {NotificationSettings} */
const DEFAULTS = { quiet_hours: null, allowed_user_ids: [], push_previews: false };

/**
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {(fields: Partial<NotificationSettings>) => Promise<void>} deps.save
 * @param {(q: string) => Promise<User[]>} deps.searchUsers
 * @param {{ok: (text: string) => void, fail: (err: unknown) => void, clear: () => void, el: HTMLElement}} deps.note
 */
export function notificationSettingsForm({ store, save, searchUsers, note }) {
  const settings = store.me?.notifications ?? DEFAULTS;
  /** @type {Map<number, string>} names of people I can pick or have picked */
  const names = new Map();
  for (const chat of store.sortedChats()) for (const m of chat.members) names.set(m.user.id, memberName(chat, m.user.id));
  const allowed = new Set(settings.allowed_user_ids);

  const quietOn = h('input', { id: 'quiet-on', type: 'checkbox', class: 'size-4', checked: Boolean(settings.quiet_hours) });
  const start = h('input', { id: 'quiet-start', type: 'time', class: 'field w-36', value: settings.quiet_hours?.start ?? '22:00', 'aria-label': 'Quiet from' });
  const end = h('input', { id: 'quiet-end', type: 'time', class: 'field w-36', value: settings.quiet_hours?.end ?? '07:00', 'aria-label': 'Quiet until' });
  const zone = h('select', { id: 'quiet-zone', class: 'field', 'aria-label': 'Time zone' },
    timeZones().map((z) => h('option', { value: z }, z)));
  zone.value = settings.quiet_hours?.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const previews = h('input', { id: 'push-previews', type: 'checkbox', class: 'size-4', checked: settings.push_previews });

  const chips = h('ul', { class: 'flex flex-wrap gap-1', 'aria-label': 'People allowed through quiet hours' });
  const search = h('input', { type: 'search', class: 'field', placeholder: 'Add a person', 'aria-label': 'Add a person allowed through quiet hours', autocomplete: 'off' });
  const found = h('ul', { class: 'space-y-0.5', 'aria-label': 'People found' });
  let seq = 0;

  function renderChips() {
    setChildren(chips, [...allowed].map((id) => h('li', { class: 'inline-flex items-center gap-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs dark:bg-slate-800' },
      names.get(id) ?? `User ${id}`,
      h('button', { type: 'button', class: 'font-bold', 'aria-label': `Remove ${names.get(id) ?? `user ${id}`}`, onclick: () => {
        allowed.delete(id);
        renderChips();
      } }, '×'))));
  }
  search.addEventListener('input', async () => {
    const q = search.value.trim();
    const mine = ++seq;
    if (!q) return setChildren(found);
    const users = await searchUsers(q).catch(() => []);
    if (mine !== seq) return;
    setChildren(found, users.filter((u) => u.id !== store.me?.id && !allowed.has(u.id)).slice(0, 5).map((u) =>
      h('li', null, h('button', { type: 'button', class: 'w-full rounded-lg px-2 py-1 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800', onclick: () => {
        names.set(u.id, u.display_name || u.username);
        allowed.add(u.id);
        search.value = '';
        setChildren(found);
        renderChips();
      } }, `Allow ${u.display_name || u.username} (@${u.username})`))));
  });

  const button = h('button', { type: 'submit', class: 'btn-primary' }, 'Save notification settings');
  const form = h('form', { class: 'space-y-2', 'aria-labelledby': 'profile-notifications-heading' },
    h('h3', { id: 'profile-notifications-heading', class: 'text-sm font-semibold' }, 'Notifications'),
    h('label', { for: 'quiet-on', class: 'flex items-center gap-2 text-sm' }, quietOn, 'Quiet hours: no notifications between'),
    h('div', { class: 'flex flex-wrap items-center gap-2' }, start, h('span', { class: 'text-sm' }, 'and'), end, zone),
    h('p', { class: 'text-xs text-slate-500 dark:text-slate-400' }, 'Except from these people:'),
    chips, search, found,
    h('label', { for: 'push-previews', class: 'flex items-center gap-2 text-sm' }, previews, 'Show message text in push notifications'),
    note.el,
    h('div', { class: 'flex justify-end' }, button));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    note.clear();
    if (quietOn.checked && start.value === end.value) return note.fail('Quiet hours need an end different from their start.');
    button.disabled = true;
    try {
      await save({
        quiet_hours: quietOn.checked ? { start: start.value, end: end.value, time_zone: zone.value } : null,
        allowed_user_ids: [...allowed],
        push_previews: previews.checked,
      });
      note.ok('Notification settings saved.');
    } catch (err) {
      note.fail(err);
    } finally {
      button.disabled = false;
    }
  });
  renderChips();
  return form;
}

/**
 * What the "Push to this device" section needs (messenger/index.js builds it from
 * lib/push.js and the API).
 * @typedef {object} PushControls
 * @property {() => Promise<import('../lib/push.js').PushState>} state
 * @property {() => Promise<import('../lib/push.js').PushState>} enable  asks the browser, then subscribes
 * @property {() => Promise<string | null>} endpoint  this browser's, to mark it in the log
 * @property {() => Promise<import('../lib/types.js').PushDevice[]>} devices  GET /push/subscriptions
 * @property {() => Promise<{devices: number}>} test  POST /push/test
 */

/** A delivery's outcome in words. @param {{status: number | null, error: string | null}} d */
export function deliveryOutcome(d) {
  if (d.error) return d.status ? `${d.error}` : `Failed: ${d.error}`;
  if (d.status !== null && d.status >= 200 && d.status < 300) return `Accepted by the push service (${d.status})`;
  return d.status === null ? 'No answer from the push service' : `Push service answered ${d.status}`;
}

/** @param {string} iso */
const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/**
 * "Push to this device": its state in words, turning it on, a test notification, and
 * every device's last pushes as the server logged them.
 * @param {{push: PushControls}} deps
 */
export function pushSection({ push }) {
  const stateLine = h('p', { class: 'text-sm', 'data-push-state': '' }, 'Checking…');
  const note = h('p', { class: 'hidden text-sm', role: 'status' });
  const log = h('ul', { class: 'space-y-2', 'aria-label': 'Push deliveries by device' });
  const enableButton = h('button', { type: 'button', class: 'btn-ghost hidden' }, 'Turn on push for this device');
  const testButton = h('button', { type: 'button', class: 'btn-ghost' }, 'Send me a test notification');
  const refreshButton = h('button', { type: 'button', class: 'btn-ghost' }, 'Refresh the log');

  /** @param {string} text @param {boolean} [failed] */
  function say(text, failed = false) {
    note.className = failed ? 'text-sm text-red-600 dark:text-red-400' : 'text-sm text-emerald-700 dark:text-emerald-400';
    note.setAttribute('role', failed ? 'alert' : 'status');
    note.textContent = text;
  }

  /** @param {import('../lib/push.js').PushState} state */
  function showState(state) {
    stateLine.dataset.pushState = state;
    stateLine.textContent = PUSH_STATE_WORDS[state];
    enableButton.classList.toggle('hidden', state !== 'off');
  }

  async function renderLog() {
    const [devices, mine] = await Promise.all([push.devices(), push.endpoint().catch(() => null)]);
    if (!devices.length) {
      setChildren(log, h('li', { class: 'text-sm text-slate-500 dark:text-slate-400' }, 'No device receives pushes yet.'));
      return;
    }
    setChildren(log, devices.map((d) => h('li', { class: 'rounded-lg border border-slate-200 p-2 dark:border-slate-800', 'data-device': d.device ?? '' },
      h('p', { class: 'text-sm font-medium' }, d.device || 'Unnamed device', d.endpoint === mine ? ' (this device)' : ''),
      d.deliveries.length
        ? h('ul', { class: 'mt-1 space-y-0.5 text-xs text-slate-600 dark:text-slate-300' }, d.deliveries.map((x) =>
          h('li', null, `${when(x.at)} — ${x.message_id === null ? 'test' : `message ${x.message_id}`}: ${deliveryOutcome(x)}`)))
        : h('p', { class: 'text-xs text-slate-500 dark:text-slate-400' }, 'No pushes yet.'))));
  }
  const loadLog = () => renderLog().catch((err) => say(describeError(err), true));

  enableButton.addEventListener('click', async () => {
    enableButton.disabled = true;
    try {
      showState(await push.enable());
      await loadLog();
    } catch (err) {
      say(describeError(err), true);
    } finally {
      enableButton.disabled = false;
    }
  });
  testButton.addEventListener('click', async () => {
    testButton.disabled = true;
    try {
      const { devices } = await push.test();
      say(devices
        ? `Test notification sent to ${devices} device${devices > 1 ? 's' : ''}; the log below shows what each push service answered.`
        : 'No device receives pushes yet: turn push on first.');
      // The worker pushes after the answer: look again shortly for its outcome.
      setTimeout(loadLog, 1500);
    } catch (err) {
      say(describeError(err), true);
    } finally {
      testButton.disabled = false;
    }
  });
  refreshButton.addEventListener('click', loadLog);

  push.state().then(showState, () => showState('unsupported'));
  loadLog();
  return h('section', { class: 'space-y-2', 'aria-labelledby': 'profile-push-heading' },
    h('h3', { id: 'profile-push-heading', class: 'text-sm font-semibold' }, 'Push to this device'),
    stateLine,
    h('div', { class: 'flex flex-wrap gap-2' }, enableButton, testButton, refreshButton),
    note,
    log);
}
