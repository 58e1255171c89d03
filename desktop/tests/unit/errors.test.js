import { describe, expect, it } from 'vitest';
import { ERROR_CODES, describeDetail, describeError, describeSocketError } from '../../src/renderer/lib/errors.js';

describe('describeDetail', () => {
  it('keeps a string detail as is', () => {
    expect(describeDetail('Username already taken')).toBe('Username already taken');
  });

  it('renders a list of pydantic errors, one per line, naming the field', () => {
    const detail = [
      { loc: ['body', 'password'], msg: 'String should have at least 8 characters', type: 'string_too_short' },
      { loc: ['body', 'display_name'], msg: 'Field required' },
      { loc: ['body'], msg: 'Invalid JSON' },
    ];
    expect(describeDetail(detail)).toBe(
      'Password: String should have at least 8 characters\nDisplay name: Field required\nInvalid JSON',
    );
  });
});

describe('describeError', () => {
  it('prefers the server detail', () => {
    const err = { response: { status: 401, data: { detail: 'Wrong username or password' } } };
    expect(describeError(err)).toBe('Wrong username or password');
  });

  it('falls back to words for a status without detail', () => {
    expect(describeError({ response: { status: 429, data: {} } })).toMatch(/Too many attempts/);
    expect(describeError({ response: { status: 502, data: 'Bad gateway' } })).toMatch(/server had a problem \(502\)/);
  });

  it('names the server when it cannot be reached', () => {
    const err = { isAxiosError: true, code: 'ERR_NETWORK', config: { baseURL: 'http://127.0.0.1:9' } };
    expect(describeError(err)).toBe('Cannot reach the server at http://127.0.0.1:9. Check the address and your connection.');
  });
});

describe('error codes', () => {
  const refused = (status, body) => ({ response: { status, data: body } });

  it('shows the sentence of codes whose detail does not help the user', () => {
    expect(describeError(refused(401, { detail: 'Not authenticated', code: 'unauthorized' }))).toMatch(/sign in again/);
    expect(describeError(refused(429, { detail: 'too many requests', code: 'rate_limited' }))).toMatch(/Too many attempts/);
    expect(describeError(refused(503, { detail: 'the database is unavailable; try again shortly', code: 'unavailable' }))).toMatch(/cannot reach its database/);
    expect(describeError(refused(500, { detail: 'Internal Server Error', code: 'internal' }))).toBe('The server had a problem. Try again in a moment.');
    expect(describeError(refused(405, { detail: 'Method Not Allowed', code: 'method_not_allowed' }))).toMatch(/another version of Parley/);
  });

  it('keeps the detail where it says what to fix, and the sentence when there is none', () => {
    const fields = [{ loc: ['body', 'username'], msg: 'String should have at least 3 characters' }];
    expect(describeError(refused(422, { detail: fields, code: 'invalid_input' }))).toBe('Username: String should have at least 3 characters');
    expect(describeError(refused(409, { detail: 'username is already taken', code: 'conflict' }))).toBe('username is already taken');
    expect(describeError(refused(403, { detail: 'wrong current password', code: 'forbidden' }))).toBe('wrong current password');
    expect(describeError(refused(404, { detail: 'chat not found', code: 'not_found' }))).toBe('chat not found');
    expect(describeError(refused(413, { detail: 'file is larger than the 25 MB limit', code: 'payload_too_large' }))).toBe('file is larger than the 25 MB limit');
    expect(describeError(refused(415, { detail: 'executable files are not allowed', code: 'unsupported_media_type' }))).toBe('executable files are not allowed');
    expect(describeError(refused(409, { code: 'conflict' }))).toBe('That already exists.');
  });

  it('has words for every code', () => {
    for (const code of Object.values(ERROR_CODES)) {
      const text = describeError(refused(400, { detail: '', code }));
      expect(text, code).toMatch(/^[A-Z].*\.$/);
      expect(text, code).not.toMatch(/answered 400/);
    }
  });

  it('falls back to the detail and then to the status for an unknown or missing code', () => {
    expect(describeError(refused(400, { detail: 'reset link expired', code: 'reset_expired' }))).toBe('reset link expired');
    expect(describeError(refused(413, { code: 'something_new' }))).toBe('That is too large for the server.');
    expect(describeError(refused(404, { detail: 'x', code: 'constructor' }))).toBe('x');
    expect(describeError(refused(418, {}))).toBe('The server answered 418.');
  });

  it('words socket error frames from their code, the detail only where it helps', () => {
    expect(describeSocketError({ code: 'bad_json', detail: 'frame is not valid JSON' })).toMatch(/could not read what the app sent/);
    expect(describeSocketError({ code: 'rate_limited', detail: 'slow down' })).toMatch(/Too many attempts/);
    expect(describeSocketError({ code: 'not_found', detail: 'chat 4 not found' })).toBe('chat 4 not found');
    expect(describeSocketError({ code: 'later_code', detail: 'said by a newer server' })).toBe('said by a newer server');
    expect(describeSocketError({})).toBe('');
  });
});
