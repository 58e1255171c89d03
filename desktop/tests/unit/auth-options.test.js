// @vitest-environment jsdom
// The registration form follows GET /auth/options: an invite field (filled from a
// link) on invite-only servers, words instead of a form on closed ones, the first
// account told it will administer the server, e-mail optional where allowed; a pasted
// invite link fills in the server and the invite.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CLOSED_TEXT, FIRST_TEXT, NEED_INVITE, renderAuth } from '../../src/renderer/views/auth.js';

const TOKEN = 'Invite_Token-123456';
const tick = () => new Promise((r) => setTimeout(r, 0));

let root;
let onRegister;
let onSignIn;
let getOptions;

/** @param {object} answer  what /auth/options says @param {object} [extra] */
async function open(answer, extra = {}) {
  document.body.replaceChildren();
  root = document.createElement('div');
  document.body.append(root);
  onRegister = vi.fn(async () => {});
  onSignIn = vi.fn(async () => {});
  getOptions = vi.fn(async () => answer);
  renderAuth(root, { server: 'http://chat.test', onSignIn, onRegister, getOptions, ...extra });
  await tick();
}

const $ = (sel) => root.querySelector(sel);
const tabRegister = () => /** @type {HTMLButtonElement} */ ($('#tab-register')).click();
const fill = (id, value) => {
  const input = /** @type {HTMLInputElement} */ ($(`#${id}`));
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
};
/**
 * The registration tab opened while /auth/options has not answered yet.
 * @returns {(options: object) => void} answers it
 */
function registerWhileAsking() {
  /** @type {(options: object) => void} */
  let answer = () => {};
  getOptions = vi.fn(() => new Promise((r) => (answer = r)));
  document.body.replaceChildren(root);
  renderAuth(root, { server: 'http://chat.test', onSignIn, onRegister, getOptions });
  tabRegister();
  return (options) => answer(options);
}
const submit = () => /** @type {HTMLFormElement} */ ($('form')).dispatchEvent(new Event('submit', { cancelable: true }));

describe('registration per /auth/options', () => {
  beforeEach(() => open({ registration: 'open', email_required: true, first_account: false }));

  it('open server: the plain form, e-mail required, no invite field', async () => {
    tabRegister();
    await tick();
    expect(getOptions).toHaveBeenCalledWith('http://chat.test');
    expect($('#invite')).toBeNull();
    expect($('label[for=email]').textContent).toBe('E-mail');
    expect($('#email').required).toBe(true);
  });

  it('invite server: asks for the invite, refuses without one, sends the token of a pasted link', async () => {
    await open({ registration: 'invite', email_required: false, first_account: false });
    tabRegister();
    await tick();
    expect($('#invite')).not.toBeNull();
    expect($('label[for=email]').textContent).toBe('E-mail (optional)');
    fill('username', 'ann');
    fill('password', 'long enough');
    submit();
    expect($('#auth-error').textContent).toBe(NEED_INVITE);
    expect(onRegister).not.toHaveBeenCalled();
    fill('invite', `http://chat.test/?invite=${TOKEN}`);
    submit();
    await tick();
    expect(onRegister).toHaveBeenCalledWith(expect.objectContaining({ username: 'ann', invite: TOKEN, email: '', server: 'http://chat.test' }));
  });

  it('an invite from the link opens the registration with it filled in', async () => {
    await open({ registration: 'invite', email_required: true, first_account: false }, { invite: TOKEN });
    expect($('#tab-register').getAttribute('aria-selected')).toBe('true');
    expect(/** @type {HTMLInputElement} */ ($('#invite')).value).toBe(TOKEN);
  });

  it('closed server: words instead of a form', async () => {
    await open({ registration: 'closed', email_required: true, first_account: false });
    tabRegister();
    await tick();
    expect($('#auth-closed').textContent).toBe(CLOSED_TEXT);
    expect($('#username')).toBeNull();
    expect($('button[type=submit]')).toBeNull();
  });

  it('the first account is told it will administer the server (even on an invite-only one)', async () => {
    await open({ registration: 'invite', email_required: true, first_account: true });
    tabRegister();
    await tick();
    expect($('#auth-first').textContent).toBe(FIRST_TEXT);
    expect($('#invite')).toBeNull();
  });

  it('typed values survive the options arriving', async () => {
    const answer = registerWhileAsking();
    fill('username', 'typed');
    answer({ registration: 'open', email_required: false, first_account: false });
    await tick();
    expect(/** @type {HTMLInputElement} */ ($('#username')).value).toBe('typed');
    expect($('label[for=email]').textContent).toBe('E-mail (optional)');
  });

  it('the field being typed in keeps the focus and the caret when the options redraw the form', async () => {
    const answer = registerWhileAsking();
    const before = /** @type {HTMLInputElement} */ ($('#username'));
    before.focus();
    fill('username', 'abcdef');
    before.setSelectionRange(2, 4);
    answer({ registration: 'open', email_required: true, first_account: true });
    await tick();
    const after = /** @type {HTMLInputElement} */ ($('#username'));
    expect(after).not.toBe(before); // the first-account note redrew the form
    expect(document.activeElement).toBe(after);
    expect([after.value, after.selectionStart, after.selectionEnd]).toEqual(['abcdef', 2, 4]);
  });

  it('options that change nothing leave the inputs in place', async () => {
    const answer = registerWhileAsking();
    await tick();
    // Unknown options draw the plain form: an open server with e-mail required is the same form.
    const before = $('#username');
    answer({ registration: 'open', email_required: true, first_account: false });
    await tick();
    expect($('#username')).toBe(before);
  });
});

describe('a pasted invite link at sign-in', () => {
  beforeEach(() => open({ registration: 'invite', email_required: true, first_account: false }));

  it('in the server address: the server becomes its origin, the invite is filled in', async () => {
    fill('server', `https://other.example.org/?invite=${TOKEN}`);
    await tick();
    expect(getOptions).toHaveBeenCalledWith('https://other.example.org');
    expect($('#tab-register').getAttribute('aria-selected')).toBe('true');
    expect(/** @type {HTMLInputElement} */ ($('#server')).value).toBe('https://other.example.org');
    expect(/** @type {HTMLInputElement} */ ($('#invite')).value).toBe(TOKEN);
  });

  it('in "Have an invite link?": the same; junk is refused in words', async () => {
    const reveal = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Have an invite link?');
    reveal.click();
    const input = /** @type {HTMLInputElement} */ ($('#invite-link'));
    input.value = 'hello';
    input.dispatchEvent(new Event('change'));
    expect($('#auth-error').textContent).toMatch(/not a Parley invite link/);
    fill('invite-link', `http://10.1.2.3:8000/?invite=${TOKEN}`);
    await tick();
    expect(/** @type {HTMLInputElement} */ ($('#server')).value).toBe('http://10.1.2.3:8000');
    expect(/** @type {HTMLInputElement} */ ($('#invite')).value).toBe(TOKEN);
  });

  it('a reset link goes to the reset page', async () => {
    const onResetLink = vi.fn();
    await open({ registration: 'open', email_required: true, first_account: false }, { onResetLink });
    fill('server', `https://chat.example.org/?reset=${TOKEN}`);
    expect(onResetLink).toHaveBeenCalledWith({ server: 'https://chat.example.org', reset: TOKEN });
  });
});
