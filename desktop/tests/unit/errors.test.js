import { describe, expect, it } from 'vitest';
import { describeDetail, describeError } from '../../src/renderer/lib/errors.js';

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
