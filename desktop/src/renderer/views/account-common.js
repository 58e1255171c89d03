// Small pieces shared by the account screens (admin, devices, export): dates in
// words, a note line for errors and confirmations, and a Copy button for links.
import { describeError } from '../lib/errors.js';
import { h } from '../lib/dom.js';

/** "6 Dec 2026, 09:15", or `fallback` without a date. @param {string | null | undefined} iso @param {string} [fallback] */
export function when(iso, fallback = '—') {
  if (!iso) return fallback;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return fallback;
  return date.toLocaleString(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/**
 * A line that says what went wrong (role=alert) or what was done (role=status).
 * @param {string} id
 */
export function note(id) {
  const el = h('p', { id, class: 'hidden' });
  return {
    el,
    /** @param {string} text */
    ok(text) {
      el.setAttribute('role', 'status');
      el.className = 'text-sm text-emerald-700 dark:text-emerald-400';
      el.textContent = text;
    },
    /** @param {unknown} err  an error (in words via describeError) or the words themselves */
    fail(err) {
      el.setAttribute('role', 'alert');
      el.className = 'text-sm whitespace-pre-line text-red-600 dark:text-red-400';
      el.textContent = typeof err === 'string' ? err : describeError(err);
    },
    clear() {
      el.className = 'hidden';
      el.removeAttribute('role');
      el.textContent = '';
    },
  };
}

/**
 * A read-only field holding a link, with a Copy button (the clipboard API where the
 * page may use it; else the text is selected for Ctrl+C and the button says so).
 * @param {{url: string, label: string, id: string}} o
 */
export function copyableLink({ url, label, id }) {
  const input = h('input', { id, class: 'field font-mono text-xs', readonly: true, value: url, spellcheck: 'false', onfocus: () => input.select() });
  const button = h('button', { type: 'button', class: 'btn-ghost shrink-0' }, 'Copy');
  button.addEventListener('click', async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(url);
      button.textContent = 'Copied';
    } catch {
      // No clipboard access here (a plain-http page): the link is selected instead.
      button.textContent = 'Press Ctrl+C';
    }
    setTimeout(() => (button.textContent = 'Copy'), 2500);
  });
  return h('div', { class: 'space-y-1' },
    h('label', { for: id, class: 'text-xs font-medium text-slate-500 dark:text-slate-400' }, label),
    h('div', { class: 'flex gap-2' }, input, button));
}

/** A small coloured label ("Admin", "Deactivated", "This device"). @param {string} text @param {string} [tone] */
export function badge(text, tone = 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300') {
  return h('span', { class: `inline-block rounded-full px-2 py-0.5 text-xs font-medium ${tone}` }, text);
}
