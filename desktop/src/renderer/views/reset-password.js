// "Choose a new password": the page a password reset link (<server>/?reset=<token>)
// opens. POST /auth/reset once; then back to sign-in, which says what happened.
import { describeError } from '../lib/errors.js';
import { h, setChildren } from '../lib/dom.js';

export const MIN_PASSWORD = 8;
export const SPENT_LINK = 'This reset link was already used or has expired — ask your administrator for a new one.';

/**
 * @param {HTMLElement} root
 * @param {object} deps
 * @param {(password: string) => Promise<void>} deps.reset   rejects with the server's error
 * @param {() => void} deps.onDone     the password was changed
 * @param {() => void} deps.onCancel   back to sign-in
 */
export function renderResetPassword(root, { reset, onDone, onCancel }) {
  /** @param {string} id @param {string} label */
  const passwordField = (id, label) => {
    const input = h('input', { id, name: id, type: 'password', class: 'field', autocomplete: 'new-password', maxlength: '128', required: true });
    return { input, row: h('div', { class: 'space-y-1' }, h('label', { for: id, class: 'block text-sm font-medium' }, label), input) };
  };
  const first = passwordField('reset-password', 'New password');
  const second = passwordField('reset-repeat', 'Repeat new password');
  const error = h('p', { id: 'reset-error', role: 'alert', class: 'hidden whitespace-pre-line rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700 dark:border-red-900/60 dark:bg-red-950/50 dark:text-red-300' });
  const button = h('button', { type: 'submit', class: 'btn-primary w-full py-2.5' }, 'Change password');
  const form = h('form', { class: 'space-y-4', novalidate: true, 'aria-labelledby': 'reset-title' },
    h('h1', { id: 'reset-title', class: 'text-xl font-bold' }, 'Choose a new password'),
    h('p', { class: 'text-sm text-slate-500 dark:text-slate-400' }, 'Every device signed in to your account will be signed out.'),
    first.row, second.row, error, button,
    h('button', { type: 'button', class: 'btn-ghost w-full', onclick: onCancel }, 'Back to sign in'));

  /** @param {string} text */
  function showError(text) {
    error.textContent = text;
    error.classList.toggle('hidden', !text);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (first.input.value.length < MIN_PASSWORD) return showError(`The new password needs at least ${MIN_PASSWORD} characters.`);
    if (first.input.value !== second.input.value) return showError('The two passwords differ.');
    showError('');
    button.disabled = true;
    button.textContent = 'Changing password…';
    try {
      await reset(first.input.value);
      onDone();
    } catch (err) {
      showError(/** @type {any} */ (err)?.response?.status === 400 ? SPENT_LINK : describeError(err));
      button.disabled = false;
      button.textContent = 'Change password';
    }
  });

  setChildren(root, h('main', { class: 'flex min-h-full items-center justify-center overflow-y-auto bg-gradient-to-br from-brand-50 via-slate-100 to-violet-100 p-4 dark:from-slate-950 dark:via-slate-900 dark:to-indigo-950' },
    h('div', { class: 'w-full max-w-sm space-y-5 rounded-2xl border border-slate-200 bg-white p-6 shadow-xl shadow-slate-900/5 dark:border-slate-800 dark:bg-slate-900' }, form)));
  first.input.focus();
}
