// @vitest-environment jsdom
// "Push to this device" in the profile (views/notification-settings.js pushSection):
// the state in words, turning push on, the test notification and its answer, and each
// device's delivery log with this device marked; and the notification a push shows
// (lib/push-payload.js, used by the service worker).
import { describe, expect, it, vi } from 'vitest';
import { notificationFor } from '../../src/renderer/lib/push-payload.js';
import { deliveryOutcome, pushSection } from '../../src/renderer/views/notification-settings.js';

const tick = () => new Promise((r) => setTimeout(r, 0));
const MINE = 'https://push.example.org/send/mine';
const DEVICES = [
  { id: 1, endpoint: MINE, device: 'Chrome on Linux', created_at: '2026-12-01T10:00:00Z', deliveries: [
    { at: '2026-12-06T08:00:00Z', message_id: null, status: 201, error: null },
    { at: '2026-12-06T07:00:00Z', message_id: 42, status: 503, error: 'still 503 after 4 attempts' },
  ] },
  { id: 2, endpoint: 'https://push.example.org/send/phone', device: 'Firefox on Android', created_at: '2026-12-01T10:00:00Z', deliveries: [] },
];

function controls(state = 'on') {
  return {
    state: vi.fn(async () => state),
    enable: vi.fn(async () => 'on'),
    endpoint: vi.fn(async () => MINE),
    devices: vi.fn(async () => DEVICES),
    test: vi.fn(async () => ({ devices: 2 })),
  };
}

describe('push section', () => {
  it.each([
    ['on', /^On: messages reach this device/],
    ['off', /^Off on this device/],
    ['blocked', /^Blocked by the browser/],
    ['unsupported', /^Not supported here/],
  ])('says the state %s in words', async (state, words) => {
    const section = pushSection({ push: controls(state) });
    await tick();
    expect(section.querySelector('[data-push-state]').textContent).toMatch(words);
    const enable = [...section.querySelectorAll('button')].find((b) => b.textContent === 'Turn on push for this device');
    expect(enable.classList.contains('hidden')).toBe(state !== 'off');
  });

  it('lists each device and its last pushes, marking this one', async () => {
    const section = pushSection({ push: controls() });
    await tick();
    const items = [...section.querySelectorAll('[data-device]')];
    expect(items.map((li) => li.querySelector('p').textContent)).toEqual(['Chrome on Linux (this device)', 'Firefox on Android']);
    const lines = [...items[0].querySelectorAll('li')].map((li) => li.textContent);
    expect(lines[0]).toMatch(/test: Accepted by the push service \(201\)$/);
    expect(lines[1]).toMatch(/message 42: still 503 after 4 attempts$/);
    expect(items[1].textContent).toContain('No pushes yet.');
  });

  it('sends a test notification and says so', async () => {
    const push = controls();
    const section = pushSection({ push });
    await tick();
    const button = [...section.querySelectorAll('button')].find((b) => b.textContent === 'Send me a test notification');
    button.click();
    await tick();
    expect(push.test).toHaveBeenCalledTimes(1);
    expect(section.querySelector('[role=status]').textContent).toMatch(/^Test notification sent to 2 devices/);
  });

  it('says in words when the test fails', async () => {
    const push = controls();
    push.test.mockRejectedValueOnce(Object.assign(new Error('Request failed'), { isAxiosError: true, response: { status: 404, data: { detail: 'Web Push is not configured on this server' } } }));
    const section = pushSection({ push });
    await tick();
    [...section.querySelectorAll('button')].find((b) => b.textContent === 'Send me a test notification').click();
    await tick();
    expect(section.querySelector('[role=alert]').textContent).toMatch(/Web Push is not configured on this server/);
  });

  it('turns push on from the button', async () => {
    const push = controls('off');
    const section = pushSection({ push });
    await tick();
    [...section.querySelectorAll('button')].find((b) => b.textContent === 'Turn on push for this device').click();
    await tick();
    await tick();
    expect(push.enable).toHaveBeenCalledTimes(1);
    expect(section.querySelector('[data-push-state]').dataset.pushState).toBe('on');
  });

  it('words each outcome', () => {
    expect(deliveryOutcome({ status: 201, error: null })).toBe('Accepted by the push service (201)');
    expect(deliveryOutcome({ status: null, error: 'ConnectTimeout' })).toBe('Failed: ConnectTimeout');
    expect(deliveryOutcome({ status: 400, error: 'refused by the push service (400)' })).toBe('refused by the push service (400)');
  });
});

describe('the notification a push shows', () => {
  it('names the sender and the group, with the text only when the server sent it', () => {
    const group = notificationFor({ type: 'message', tag: 'chat-7', chat_id: 7, chat_name: 'Team', sender_name: 'Ann', message_id: 9 });
    expect(group.title).toBe('Ann in Team');
    expect(group.options.body).toBe('New message');
    expect(group.options.tag).toBe('chat-7');
    expect(group.options.data.chatId).toBe(7);
    const direct = notificationFor({ type: 'message', tag: 'chat-8', chat_id: 8, chat_name: 'Ann', sender_name: 'Ann', message_id: 9, text: 'hi' });
    expect(direct.title).toBe('Ann');
    expect(direct.options.body).toBe('hi');
  });

  it('shows a test in the server words', () => {
    const test = notificationFor({ type: 'test', tag: 'parley-test', title: 'Parley', text: 'Test notification: push works on this device.' });
    expect(test.title).toBe('Parley');
    expect(test.options.tag).toBe('parley-test');
    expect(test.options.data.chatId).toBeNull();
  });
});
