// Sign-in and registration. Errors from the server are shown in words: a string
// `detail`, or each validation error of a list on its own line. The registration form
// follows the server's GET /auth/options: an invite field on invite-only servers, no
// form on closed ones, a word for the very first account (it administers the server),
// e-mail optional where the server allows it. An invite link pasted into the server
// address (or into "Have an invite link?") fills in both the server and the invite.
import { describeError } from '../lib/errors.js';
import { ICONS, h, icon, setChildren } from '../lib/dom.js';
import { normaliseServerUrl } from '../lib/config.js';
import { inviteToken, parseAccountLink } from '../lib/invite-link.js';

/** @typedef {'signin' | 'register'} Mode */
/** @typedef {{server: string, username: string, password: string}} SignIn */
/** @typedef {SignIn & {email: string, display_name?: string, invite?: string}} Registration */
/** @typedef {import('../lib/account-api.js').AuthOptions} AuthOptions */
/** @typedef {import('../lib/invite-link.js').AccountLink} AccountLink */

export const CLOSED_TEXT = 'Accounts on this server are made by its administrator. Ask them for one, then sign in here.';
export const FIRST_TEXT = 'You are the first: this account will administer the server.';
export const NEED_INVITE = 'This server takes new accounts by invite only: paste the invite link your administrator sent.';

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
 * @param {(server: string) => Promise<AuthOptions>} [options.getOptions]  GET /auth/options of that server
 * @param {string} [options.invite]   an invite token (from an invite link): opens the registration
 * @param {(link: AccountLink & {reset: string}) => void} [options.onResetLink]  a password reset link was pasted
 */
export function renderAuth(root, { server, notice = '', onSignIn, onRegister, getOptions, invite = '', onResetLink }) {
  /** @type {Mode} */
  let mode = invite ? 'register' : 'signin';
  /** @type {AuthOptions | null} null: not known (not asked yet, or the server did not say) */
  let options = null;
  let optionsFor = '';
  let inviteValue = invite;
  let showInviteLink = false;
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
    if (next === 'register') loadOptions();
    form.querySelector('input')?.focus();
  }

  /**
   * A pasted invite link: its server and invite, and on to the registration. A reset
   * link goes to its own page. False (and said why) for anything else.
   * @param {string} text
   */
  function useLink(text) {
    let link;
    try {
      link = parseAccountLink(text);
    } catch (err) {
      showError(/** @type {Error} */ (err).message);
      return false;
    }
    serverValue.current = link.server;
    if (link.reset) {
      onResetLink?.({ ...link, reset: link.reset });
      return true;
    }
    inviteValue = link.invite ?? '';
    showInviteLink = false;
    mode = 'register';
    showError('');
    draw();
    loadOptions();
    return true;
  }

  /** Asks the server in the form what it allows, once per address. */
  async function loadOptions() {
    const url = normaliseServerUrl(serverValue.current);
    if (!getOptions || !url || url === optionsFor) return;
    optionsFor = url;
    try {
      const answer = await getOptions(url);
      if (optionsFor !== url) return;
      options = answer;
    } catch {
      // Unknown (an older server, or not reachable yet): the plain form, and the
      // server says what is missing when the form is sent.
      if (optionsFor === url) options = null;
    }
    if (mode === 'register') draw();
  }

  /** What the server's options ask of the registration form (the plain form when unknown). */
  function rules() {
    const first = Boolean(options?.first_account);
    return {
      first,
      closed: options?.registration === 'closed' && !first,
      needsInvite: options?.registration === 'invite' && !first,
      emailOptional: options?.email_required === false,
    };
  }

  function registerFields() {
    const { first, closed, needsInvite, emailOptional } = rules();
    if (closed) return [h('p', { id: 'auth-closed', class: 'rounded-lg bg-slate-100 px-3 py-2 text-sm text-slate-700 dark:bg-slate-800 dark:text-slate-300' }, CLOSED_TEXT)];
    return [
      first && h('p', { id: 'auth-first', role: 'status', class: 'rounded-lg bg-brand-50 px-3 py-2 text-sm text-brand-800 dark:bg-brand-600/15 dark:text-brand-100' }, FIRST_TEXT),
      (needsInvite || inviteValue) && field({
        id: 'invite', label: 'Invite', value: inviteValue, required: needsInvite, autocomplete: 'off', spellcheck: 'false',
        hint: 'The invite link (or its code) your administrator sent',
        oninput: (/** @type {InputEvent} */ e) => (inviteValue = /** @type {HTMLInputElement} */ (e.target).value),
      }),
      field({ id: 'username', label: 'Username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false', hint: '3–32 letters, digits, “_” or “.”' }),
      field({ id: 'email', label: emailOptional ? 'E-mail (optional)' : 'E-mail', type: 'email', autocomplete: 'email', required: !emailOptional }),
      field({ id: 'display_name', label: 'Display name (optional)', autocomplete: 'name' }),
      field({ id: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true, hint: 'At least 8 characters' }),
    ];
  }

  function inviteLinkField() {
    if (!showInviteLink) {
      return h('button', { type: 'button', class: 'text-sm font-medium text-brand-700 hover:underline dark:text-brand-300', onclick: () => {
        showInviteLink = true;
        draw();
        /** @type {HTMLInputElement | null} */ (form.querySelector('#invite-link'))?.focus();
      } }, 'Have an invite link?');
    }
    return field({
      id: 'invite-link', label: 'Invite link', type: 'url', placeholder: 'https://chat.example.org/?invite=…', autocomplete: 'off', spellcheck: 'false',
      hint: 'Paste it here: the server and the invite are filled in for you',
      oninput: (/** @type {InputEvent} */ e) => {
        const text = /** @type {HTMLInputElement} */ (e.target).value.trim();
        // Typed a character at a time, it is not a link yet: judge it when complete.
        if (/[?&](invite|reset)=/.test(text)) useLink(text);
      },
      onchange: (/** @type {Event} */ e) => {
        const text = /** @type {HTMLInputElement} */ (e.target).value.trim();
        if (text) useLink(text);
      },
    });
  }

  /** What the drawn form depends on: a redraw that would not change it is skipped. */
  function shape() {
    return JSON.stringify([mode, showInviteLink, inviteValue, serverValue.current, rules()]);
  }
  let drawn = '';

  function draw() {
    if (shape() === drawn) return;
    drawn = shape();
    // Redrawing (the server's options arrived while the user types) keeps what was
    // typed, the field being typed in and the caret: no keystroke may land nowhere.
    const typed = Object.fromEntries(new FormData(form));
    const active = document.activeElement;
    const focused = active instanceof HTMLInputElement && form.contains(active) ? { name: active.name, start: active.selectionStart, end: active.selectionEnd } : null;
    setChildren(tabs, tab('signin', 'Sign in'), tab('register', 'Create account'));
    const signin = mode === 'signin';
    const closed = !signin && rules().closed;
    setChildren(
      form,
      signin
        ? [
            field({ id: 'username', label: 'Username or e-mail', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' }),
            field({ id: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true }),
          ]
        : registerFields(),
      field({
        id: 'server', label: 'Server address', type: 'url', value: serverValue.current, autocomplete: 'url', inputmode: 'url', spellcheck: 'false',
        oninput: (/** @type {InputEvent} */ e) => {
          const text = /** @type {HTMLInputElement} */ (e.target).value;
          serverValue.current = text;
          // An invite link pasted here: the server is its origin, the invite its token.
          if (/[?&](invite|reset)=/.test(text)) useLink(text.trim());
        },
        onchange: () => mode === 'register' && loadOptions(),
      }),
      errorBox,
      !closed && h('button', { type: 'submit', class: 'btn-primary w-full py-2.5' }, signin ? 'Sign in' : 'Create account'),
      signin && inviteLinkField(),
    );
    for (const [name, value] of Object.entries(typed)) {
      const input = /** @type {HTMLInputElement | null} */ (form.elements.namedItem(name));
      if (input && name !== 'server' && name !== 'invite' && typeof value === 'string' && input.tagName === 'INPUT') input.value = value;
    }
    const refocus = focused && form.elements.namedItem(focused.name);
    if (focused && refocus instanceof HTMLInputElement) {
      refocus.focus();
      // Not every input type has a caret (e-mail, url do not expose one).
      try {
        if (focused.start !== null && focused.end !== null) refocus.setSelectionRange(focused.start, focused.end);
      } catch {
        // the type has no selection: focus is enough
      }
    }
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
    /** @type {string | undefined} */
    let token;
    if (mode === 'register' && 'invite' in values) {
      const text = String(values.invite ?? '').trim();
      token = text ? inviteToken(text) ?? undefined : undefined;
      if (text && !token) return showError('Invite: paste the whole invite link, or the code after “?invite=”.');
      if (!token && rules().needsInvite) return showError(NEED_INVITE);
    }
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
    button.disabled = true;
    button.textContent = mode === 'signin' ? 'Signing in…' : 'Creating account…';
    showError('');
    try {
      if (mode === 'signin') await onSignIn({ ...values, server: serverUrl });
      else await onRegister({ ...values, server: serverUrl, display_name: values.display_name?.trim() || undefined, invite: token });
    } catch (err) {
      showError(describeError(err));
      button.disabled = false;
      button.textContent = mode === 'signin' ? 'Sign in' : 'Create account';
    }
  });

  draw();
  if (mode === 'register') loadOptions();
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
