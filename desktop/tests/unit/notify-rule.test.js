// "Notify or not" on this client: the server's rules (mute windows, mentions only,
// quiet hours in the user's time zone, allowed people) and the badge total that leaves
// muted chats out but keeps their mentions.
import { describe, expect, it } from 'vitest';
import { FOREVER, badgeTotal, nextMuteEnd, inQuietHours, isMuted, isMutedForever, isSilenced, minutesIn, shouldNotify } from '../../src/renderer/lib/notify-rule.js';

const ME = 1;
const BOB = 2;
const CAROL = 3;
const NOW = Date.parse('2026-01-15T12:00:00Z'); // winter: Berlin UTC+1, New York UTC-5
const hourLater = new Date(NOW + 3600_000).toISOString();
const hourAgo = new Date(NOW - 3600_000).toISOString();

/** @param {object} [extra] */
const msg = (extra = {}) => ({ id: 10, chat_id: 5, sender_id: BOB, content: 'hi', created_at: new Date(NOW).toISOString(), ...extra });
/** @param {object} [extra] */
const chat = (extra = {}) => ({ notify: /** @type {const} */ ('all'), muted_until: null, ...extra });
const decide = (/** @type {any} */ input) => shouldNotify({ meId: ME, settings: undefined, now: NOW, message: msg(), chat: chat(), ...input });

describe('mute windows', () => {
  it('a mute counts until its time and not after', () => {
    expect(isMuted({ muted_until: hourLater }, NOW)).toBe(true);
    expect(isMuted({ muted_until: hourAgo }, NOW)).toBe(false);
    expect(isMuted({ muted_until: null }, NOW)).toBe(false);
    expect(isMuted({ muted_until: FOREVER }, NOW)).toBe(true);
    expect(isMutedForever({ muted_until: FOREVER })).toBe(true);
    expect(isMutedForever({ muted_until: hourLater })).toBe(false);
  });
  it('a muted chat notifies only of mentions of me and replies to me', () => {
    const muted = chat({ muted_until: hourLater });
    expect(decide({ chat: muted })).toBe(false);
    expect(decide({ chat: muted, message: msg({ mentions: [ME] }) })).toBe(true);
    expect(decide({ chat: muted, message: msg({ reply_to: { id: 3, sender_id: ME, excerpt: 'x', deleted: false } }) })).toBe(true);
  });
  it('a mute that has run out notifies again', () => {
    expect(decide({ chat: chat({ muted_until: hourAgo }) })).toBe(true);
  });
  it('"none" notifies of nothing, mentions included', () => {
    expect(decide({ chat: chat({ notify: 'none' }), message: msg({ mentions: [ME] }) })).toBe(false);
  });
  it('never my own messages', () => {
    expect(decide({ message: msg({ sender_id: ME }) })).toBe(false);
  });
});

describe('mentions only', () => {
  const mentionsOnly = chat({ notify: 'mentions' });
  it('notifies of a mention of me or a reply to me, not of others', () => {
    expect(decide({ chat: mentionsOnly })).toBe(false);
    expect(decide({ chat: mentionsOnly, message: msg({ mentions: [CAROL] }) })).toBe(false);
    expect(decide({ chat: mentionsOnly, message: msg({ mentions: [CAROL, ME] }) })).toBe(true);
    expect(decide({ chat: mentionsOnly, message: msg({ reply_to: { id: 3, sender_id: CAROL, excerpt: 'x', deleted: false } }) })).toBe(false);
    expect(decide({ chat: mentionsOnly, message: msg({ reply_to: { id: 3, sender_id: ME, excerpt: 'x', deleted: false } }) })).toBe(true);
  });
});

describe('quiet hours', () => {
  const at = (/** @type {string} */ iso) => Date.parse(iso);
  const overnightBerlin = { start: '22:00', end: '07:00', time_zone: 'Europe/Berlin' };
  it('reads the wall clock of the zone', () => {
    expect(minutesIn(NOW, 'Europe/Berlin')).toBe(13 * 60);
    expect(minutesIn(NOW, 'America/New_York')).toBe(7 * 60);
    expect(minutesIn(at('2026-07-15T12:00:00Z'), 'Europe/Berlin')).toBe(14 * 60); // summer time
  });
  it('cross midnight: start inclusive, end exclusive', () => {
    expect(inQuietHours(overnightBerlin, at('2026-01-15T20:59:00Z'))).toBe(false); // 21:59
    expect(inQuietHours(overnightBerlin, at('2026-01-15T21:00:00Z'))).toBe(true); // 22:00
    expect(inQuietHours(overnightBerlin, at('2026-01-15T23:30:00Z'))).toBe(true); // 00:30
    expect(inQuietHours(overnightBerlin, at('2026-01-16T05:59:00Z'))).toBe(true); // 06:59
    expect(inQuietHours(overnightBerlin, at('2026-01-16T06:00:00Z'))).toBe(false); // 07:00
  });
  it('the same instant is quiet in one zone and not in another', () => {
    const instant = at('2026-01-15T04:00:00Z'); // 05:00 in Berlin, 23:00 in New York
    expect(inQuietHours(overnightBerlin, instant)).toBe(true);
    expect(inQuietHours({ ...overnightBerlin, time_zone: 'America/New_York' }, instant)).toBe(true);
    const evening = at('2026-01-15T22:30:00Z'); // 23:30 Berlin, 17:30 New York
    expect(inQuietHours(overnightBerlin, evening)).toBe(true);
    expect(inQuietHours({ ...overnightBerlin, time_zone: 'America/New_York' }, evening)).toBe(false);
  });
  it('hours within one day', () => {
    const lunch = { start: '12:00', end: '14:00', time_zone: 'UTC' };
    expect(inQuietHours(lunch, NOW)).toBe(true);
    expect(inQuietHours(lunch, at('2026-01-15T14:00:00Z'))).toBe(false);
    expect(inQuietHours(null, NOW)).toBe(false);
  });
  it('only the allowed people get through; mentions do not', () => {
    const settings = { quiet_hours: { start: '12:00', end: '13:00', time_zone: 'UTC' }, allowed_user_ids: [CAROL], push_previews: false };
    expect(decide({ settings })).toBe(false);
    expect(decide({ settings, message: msg({ mentions: [ME] }) })).toBe(false);
    expect(decide({ settings, message: msg({ sender_id: CAROL }) })).toBe(true);
    expect(decide({ settings: { ...settings, quiet_hours: null } })).toBe(true);
  });
});

describe('next mute end', () => {
  it('the soonest running mute that is not "forever"', () => {
    const twoHours = new Date(NOW + 7200_000).toISOString();
    expect(nextMuteEnd([{ muted_until: twoHours }, { muted_until: hourLater }, { muted_until: FOREVER }, { muted_until: hourAgo }], NOW)).toBe(NOW + 3600_000);
    expect(nextMuteEnd([{ muted_until: FOREVER }, { muted_until: null }], NOW)).toBeNull();
  });
});

describe('badge total', () => {
  it('leaves silenced chats out except their mentions', () => {
    const chats = [
      { ...chat(), unread_count: 3, mention_count: 1 },
      { ...chat({ muted_until: hourLater }), unread_count: 5, mention_count: 2 },
      { ...chat({ notify: 'none' }), unread_count: 4, mention_count: 0 },
      { ...chat({ muted_until: hourAgo }), unread_count: 1 },
    ];
    expect(badgeTotal(/** @type {any} */ (chats), NOW)).toBe(3 + 2 + 0 + 1);
    expect(isSilenced(chats[2], NOW)).toBe(true);
    expect(isSilenced(chats[3], NOW)).toBe(false);
  });
});
