// "Turn on notifications": offered in the chat list the first time a message arrives
// while the tab is hidden (never on first load, where a permission prompt out of the
// blue is mostly refused), and asked of the browser only on the user's click.
import { ICONS, h, icon } from '../lib/dom.js';

/**
 * @param {object} deps
 * @param {() => Promise<NotificationPermission>} deps.request  asks the browser
 */
export function createNotifyPrompt({ request }) {
  const text = h('p', { class: 'min-w-0 flex-1 text-xs' }, 'Get a notification when a message arrives while Parley is in the background.');
  const element = h('div', {
    class: 'notify-prompt mx-3 mb-2 hidden items-center gap-2 rounded-xl bg-brand-50 px-3 py-2 text-slate-800 dark:bg-slate-800 dark:text-slate-100',
    role: 'region',
    'aria-label': 'Notifications',
  },
  icon(ICONS.bell, 'size-4 shrink-0'),
  text,
  h('button', {
    type: 'button',
    class: 'shrink-0 rounded-lg bg-brand-600 px-2 py-1 text-xs font-semibold text-white hover:bg-brand-700',
    onclick: async () => {
      const answer = await request().catch(() => 'denied');
      if (answer === 'granted') hide();
      else text.textContent = 'Notifications are blocked for this site: allow them in the browser\'s site settings.';
    },
  }, 'Turn on notifications'),
  h('button', { type: 'button', class: 'icon-btn size-7 shrink-0', 'aria-label': 'Not now', onclick: () => hide() }, icon(ICONS.close, 'size-4')));

  function show() {
    element.classList.remove('hidden');
    element.classList.add('flex');
  }
  function hide() {
    element.classList.add('hidden');
    element.classList.remove('flex');
  }
  return { element, show, hide };
}
