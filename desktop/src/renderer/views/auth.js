// Sign-in and registration. Errors from the server are shown in words: a string
// `detail`, or each validation error of a list on its own line.
import { describeError } from '../lib/errors.js';
import { ICONS, h, icon, setChildren } from '../lib/dom.js';
import { normaliseServerUrl } from '../lib/config.js';

/** @typedef {'signin' | 'register'} Mode */
/** @typedef {{server: string, username: string, password: string}} SignIn */
/** @typedef {SignIn & {email: string, display_name?: string}} Registration */

/**
 * A labelled input; the rest of the props go to the <input>.
 * @param {{id: string, label: string, hint?: string} & Record<string, unknown>} props
 */
function field({ id, label, hint, ...input }) {
  return h(
    'div',
    { class: 'space-y-1' },
    h('label', { for: id, class: 'block text-sm font-medium text-slate-700 dark:text-slate-300' }, label),
    h('input', { id, name: id, class: 'field', ...input }),
    hint && h('p', { class: 'text-xs text-slate-500 dark:text-slate-400' }, hint),
  );
}

/**
 * @param {HTMLElement} root
 * @param {object} options
 * @param {string} options.server             current server address
 * @param {string} [options.notice]           e.g. "Your session has expired"
 * @param {(values: SignIn) => Promise<void>} options.onSignIn
 * @param {(values: Registration) => Promise<void>} options.onRegister
 */
export function renderAuth(root, { server, notice = '', onSignIn, onRegister }) {
  /** @type {Mode} */
  let mode = 'signin';
  const errorBox = h('div', {
    id: 'auth-error',
    role: 'alert',
    class: 'hidden whitespace-pre-line rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700 dark:border-red-900/60 dark:bg-red-950/50 dark:text-red-300',
  });
  const form = h('form', { class: 'space-y-4', novalidate: true, 'aria-describedby': 'auth-error' });
  const tabs = h('div', { role: 'tablist', 'aria-label': 'Sign in or create an account', class: 'grid grid-cols-2 gap-1 rounded-xl bg-slate-100 p-1 dark:bg-slate-800' });
  const serverValue = { current: server };

  /** @param {string} text */
  function showError(text) {
    errorBox.textContent = text;
    errorBox.classList.toggle('hidden', !text);
  }

  /** @param {Mode} name @param {string} label */
  function tab(name, label) {
    const selected = mode === name;
    return h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${name}`,
        'aria-selected': String(selected),
        class: `rounded-lg px-3 py-1.5 text-sm font-medium transition ${selected ? 'bg-white text-slate-900 shadow-sm dark:bg-slate-700 dark:text-white' : 'text-slate-500 hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-200'}`,
        onclick: () => switchTo(name),
      },
      label,
    );
  }

  /** @param {Mode} next */
  function switchTo(next) {
    mode = next;
    showError('');
    draw();
    form.querySelector('input')?.focus();
  }

  function draw() {
    setChildren(tabs, tab('signin', 'Sign in'), tab('register', 'Create account'));
    const signin = mode === 'signin';
    setChildren(
      form,
      signin
        ? [
            field({ id: 'username', label: 'Username or e-mail', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' }),
            field({ id: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true }),
          ]
        : [
            field({ id: 'username', label: 'Username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false', hint: '3–32 letters, digits, “_” or “.”' }),
            field({ id: 'email', label: 'E-mail', type: 'email', autocomplete: 'email', required: true }),
            field({ id: 'display_name', label: 'Display name (optional)', autocomplete: 'name' }),
            field({ id: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true, hint: 'At least 8 characters' }),
          ],
      field({ id: 'server', label: 'Server address', type: 'url', value: serverValue.current, autocomplete: 'url', inputmode: 'url', spellcheck: 'false', oninput: (/** @type {InputEvent} */ e) => (serverValue.current = /** @type {HTMLInputElement} */ (e.target).value) }),
      errorBox,
      h('button', { type: 'submit', class: 'btn-primary w-full py-2.5' }, signin ? 'Sign in' : 'Create account'),
    );
    tabs.querySelectorAll('[role=tab]').forEach((t) => t.setAttribute('aria-controls', 'auth-form'));
    form.id = 'auth-form';
    form.setAttribute('role', 'tabpanel');
    form.setAttribute('aria-labelledby', `tab-${mode}`);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    // The fields drawn for the mode, all text inputs (draw() above).
    const values = /** @type {Registration} */ (Object.fromEntries(new FormData(form)));
    const serverUrl = normaliseServerUrl(values.server);
    if (!serverUrl) return showError('Server address: enter an address such as https://chat.example.org');
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
    button.disabled = true;
    button.textContent = mode === 'signin' ? 'Signing in…' : 'Creating account…';
    showError('');
    try {
      if (mode === 'signin') await onSignIn({ ...values, server: serverUrl });
      else await onRegister({ ...values, server: serverUrl, display_name: values.display_name?.trim() || undefined });
    } catch (err) {
      showError(describeError(err));
      button.disabled = false;
      button.textContent = mode === 'signin' ? 'Sign in' : 'Create account';
    }
  });

  draw();
  setChildren(
    root,
    h(
      'main',
      { class: 'flex min-h-full items-center justify-center overflow-y-auto bg-gradient-to-br from-brand-50 via-slate-100 to-violet-100 p-4 dark:from-slate-950 dark:via-slate-900 dark:to-indigo-950' },
      h(
        'div',
        { class: 'w-full max-w-sm' },
        h(
          'div',
          { class: 'mb-6 flex flex-col items-center text-center' },
          h('div', { class: 'mb-3 flex size-14 items-center justify-center rounded-2xl bg-gradient-to-br from-brand-500 to-violet-600 text-white shadow-lg shadow-brand-500/30' }, icon(ICONS.chat, 'size-7')),
          h('h1', { class: 'text-2xl font-bold tracking-tight' }, 'Parley'),
          h('p', { class: 'mt-1 text-sm text-slate-500 dark:text-slate-400' }, 'Private conversations on your own server'),
        ),
        h(
          'div',
          { class: 'space-y-5 rounded-2xl border border-slate-200 bg-white p-6 shadow-xl shadow-slate-900/5 dark:border-slate-800 dark:bg-slate-900' },
          notice && h('p', { role: 'status', class: 'rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800 dark:bg-amber-950/50 dark:text-amber-300' }, notice),
          tabs,
          form,
        ),
      ),
    ),
  );
  form.querySelector('input')?.focus();
}
