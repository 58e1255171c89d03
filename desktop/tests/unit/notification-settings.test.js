// @vitest-environment jsdom
// The profile screen's notification settings: shows what the server holds, saves quiet
// hours (time zone defaulting to the browser's), allowed people picked by search and
// push previews in one PATCH, and refuses an empty quiet window in words.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from '../../src/renderer/lib/store.js';
import { notificationSettingsForm, timeZones } from '../../src/renderer/views/notification-settings.js';

const ME = { id: 1, username: 'me', display_name: 'Me', notifications: { quiet_hours: null, allowed_user_ids: [], push_previews: false } };
const BOB = { id: 2, username: 'bob', display_name: 'Bob Builder' };
const tick = () => new Promise((r) => setTimeout(r, 0));
const note = () => {
  const el = document.createElement('p');
  return { el, ok: (t) => { el.textContent = t; }, fail: (e) => { el.textContent = typeof e === 'string' ? e : 'failed'; }, clear: () => { el.textContent = ''; } };
};

let store;
let save;
let form;
beforeEach(() => {
  document.body.replaceChildren();
  store = createStore();
  store.setMe(ME);
  save = vi.fn(async () => {});
  form = notificationSettingsForm({ store, save, searchUsers: vi.fn(async () => [BOB]), note: note() });
  document.body.append(form);
});
const $ = (sel) => document.querySelector(sel);

describe('notification settings', () => {
  it('the time zone defaults to the browser\'s, and the list has it', () => {
    const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect($('#quiet-zone').value).toBe(mine);
    expect(timeZones()).toContain(mine);
  });

  it('saves quiet hours, an allowed person found by search and previews', async () => {
    $('#quiet-on').click();
    $('#quiet-start').value = '23:00';
    $('#quiet-end').value = '06:30';
    $('#quiet-zone').value = 'UTC';
    const search = $('input[type=search]');
    search.value = 'bo';
    search.dispatchEvent(new Event('input'));
    await tick();
    [...document.querySelectorAll('[aria-label="People found"] button')][0].click();
    expect($('[aria-label="People allowed through quiet hours"]').textContent).toContain('Bob Builder');
    $('#push-previews').click();
    form.requestSubmit();
    await tick();
    expect(save).toHaveBeenCalledWith({ quiet_hours: { start: '23:00', end: '06:30', time_zone: 'UTC' }, allowed_user_ids: [2], push_previews: true });
    expect(form.textContent).toContain('Notification settings saved.');
  });

  it('quiet hours off are saved as null; an empty window is refused in words', async () => {
    form.requestSubmit();
    await tick();
    expect(save).toHaveBeenLastCalledWith({ quiet_hours: null, allowed_user_ids: [], push_previews: false });
    $('#quiet-on').click();
    $('#quiet-start').value = '22:00';
    $('#quiet-end').value = '22:00';
    form.requestSubmit();
    expect(save).toHaveBeenCalledTimes(1);
    expect(form.textContent).toContain('Quiet hours need an end different from their start.');
  });
});
