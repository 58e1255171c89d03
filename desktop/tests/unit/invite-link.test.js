// Invite and reset links: their server and token from a pasted link, the token from
// the web client's own address, and junk refused with a clear message.
import { describe, expect, it } from 'vitest';
import { NOT_A_LINK, inviteToken, parseAccountLink, tokensOf } from '../../src/renderer/lib/invite-link.js';

const TOKEN = 'Xy3_kLm9-Qa2Rt7vWz0b';

describe('parseAccountLink', () => {
  it('gives the server (origin and base path) and the invite', () => {
    expect(parseAccountLink(`https://chat.example.org/?invite=${TOKEN}`)).toEqual({ server: 'https://chat.example.org', invite: TOKEN });
    expect(parseAccountLink(`  http://10.0.0.2:8000/?invite=${TOKEN}\n`)).toEqual({ server: 'http://10.0.0.2:8000', invite: TOKEN });
    expect(parseAccountLink(`https://example.org/parley/?invite=${TOKEN}`)).toEqual({ server: 'https://example.org/parley', invite: TOKEN });
  });

  it('gives a reset link its token', () => {
    expect(parseAccountLink(`https://chat.example.org/?reset=${TOKEN}`)).toEqual({ server: 'https://chat.example.org', reset: TOKEN });
  });

  it('refuses junk with a message that says what a link looks like', () => {
    for (const junk of ['', 'hello', 'chat.example.org', 'https://chat.example.org/', `ftp://x.org/?invite=${TOKEN}`, `javascript:alert(1)//?invite=${TOKEN}`]) {
      expect(() => parseAccountLink(junk), junk).toThrow(NOT_A_LINK);
    }
    expect(() => parseAccountLink('https://chat.example.org/?invite=ab')).toThrow(/cut short or damaged/);
    expect(() => parseAccountLink('https://chat.example.org/?invite=<script>')).toThrow(/cut short or damaged/);
  });
});

describe('tokensOf and inviteToken', () => {
  it('reads ?invite= and ?reset= of an address, ignoring malformed ones', () => {
    expect(tokensOf(`?invite=${TOKEN}`)).toEqual({ invite: TOKEN });
    expect(tokensOf(`?reset=${TOKEN}&x=1`)).toEqual({ reset: TOKEN });
    expect(tokensOf('?invite=%3Cb%3E')).toEqual({});
    expect(tokensOf('')).toEqual({});
  });

  it('takes a bare code or a whole link in the invite field', () => {
    expect(inviteToken(TOKEN)).toBe(TOKEN);
    expect(inviteToken(`https://chat.example.org/?invite=${TOKEN}`)).toBe(TOKEN);
    expect(inviteToken('not an invite')).toBeNull();
    expect(inviteToken(`https://chat.example.org/?reset=${TOKEN}`)).toBeNull();
  });
});
