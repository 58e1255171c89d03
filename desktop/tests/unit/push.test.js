// Web Push in the web client (lib/push.js) against a fake browser: a service worker
// registration whose pushManager hands out subscriptions, and Notification's
// permission. Checks that it subscribes with the server's key only when allowed, sends
// the device name and keys, sends again only a changed subscription, unsubscribes and
// DELETEs on sign-out, and does nothing in Electron or where push is unsupported.
import { describe, expect, it, vi } from 'vitest';
import { PUSH_STATE_WORDS, base64UrlToBytes, createPush, deviceName } from '../../src/renderer/lib/push.js';
import { MemoryStorage } from './memory-storage.js';

const KEY = 'BAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0A';
const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

class FakeSubscription {
  constructor(manager, endpoint, key) {
    this.manager = manager;
    this.endpoint = endpoint;
    this.options = { applicationServerKey: key.buffer, userVisibleOnly: true };
    this.unsubscribe = vi.fn(async () => {
      if (manager.current === this) manager.current = null;
      return true;
    });
  }
  toJSON() {
    return { endpoint: this.endpoint, expirationTime: null, keys: { p256dh: `p256dh-of-${this.endpoint}`, auth: 'auth-secret' } };
  }
}

function fakeBrowser({ permission = 'granted', push = true, serviceWorker = true } = {}) {
  let n = 0;
  const manager = {
    current: null,
    subscribe: vi.fn(async ({ applicationServerKey, userVisibleOnly }) => {
      if (!userVisibleOnly) throw new Error('Chrome requires userVisibleOnly');
      manager.current = new FakeSubscription(manager, `https://push.example.org/send/${++n}`, applicationServerKey);
      return manager.current;
    }),
    getSubscription: vi.fn(async () => manager.current),
  };
  const Notification = { permission, requestPermission: vi.fn(async () => (Notification.permission = 'granted')) };
  const win = {
    Notification,
    navigator: { userAgent: CHROME_LINUX, ...(serviceWorker ? { serviceWorker: { ready: Promise.resolve({ pushManager: manager }) } } : {}) },
    ...(push ? { PushManager: function PushManager() {} } : {}),
  };
  return { win, manager, Notification };
}

function fakeApi(key = KEY) {
  return {
    getPushKey: vi.fn(async () => key),
    addPushSubscription: vi.fn(async () => undefined),
    removePushSubscription: vi.fn(async () => undefined),
  };
}

const web = { isDesktop: false };

describe('push subscription', () => {
  it('subscribes with the server key when notifications are allowed, and sends device and keys', async () => {
    const { win, manager } = fakeBrowser();
    const api = fakeApi();
    const push = createPush({ api, storage: new MemoryStorage(), key: 'k', desktop: web, win });

    expect(await push.sync()).toBe('on');
    expect(manager.subscribe).toHaveBeenCalledTimes(1);
    const { applicationServerKey, userVisibleOnly } = manager.subscribe.mock.calls[0][0];
    expect(userVisibleOnly).toBe(true);
    expect([...applicationServerKey]).toEqual([...base64UrlToBytes(KEY)]);
    expect(applicationServerKey.length).toBe(65);
    expect(api.addPushSubscription).toHaveBeenCalledWith({
      endpoint: 'https://push.example.org/send/1',
      keys: { p256dh: 'p256dh-of-https://push.example.org/send/1', auth: 'auth-secret' },
      device: 'Chrome on Linux',
    });
    expect(await push.state()).toBe('on');
    expect(await push.endpoint()).toBe('https://push.example.org/send/1');
  });

  it('does not subscribe before notifications are allowed; enable() asks, then subscribes', async () => {
    const { win, manager, Notification } = fakeBrowser({ permission: 'default' });
    const api = fakeApi();
    const push = createPush({ api, storage: new MemoryStorage(), key: 'k', desktop: web, win });
    expect(await push.sync()).toBe('off');
    expect(manager.subscribe).not.toHaveBeenCalled();
    expect(api.addPushSubscription).not.toHaveBeenCalled();

    expect(await push.enable()).toBe('on');
    expect(Notification.requestPermission).toHaveBeenCalledTimes(1);
    expect(api.addPushSubscription).toHaveBeenCalledTimes(1);
  });

  it('says blocked when the browser refused notifications, and subscribes nothing', async () => {
    const { win, manager } = fakeBrowser({ permission: 'denied' });
    const push = createPush({ api: fakeApi(), storage: new MemoryStorage(), key: 'k', desktop: web, win });
    expect(await push.sync()).toBe('blocked');
    expect(manager.subscribe).not.toHaveBeenCalled();
    expect(PUSH_STATE_WORDS.blocked).toMatch(/blocked by the browser/i);
  });

  it('sends the subscription again at start only when it changed', async () => {
    const { win, manager } = fakeBrowser();
    const api = fakeApi();
    const storage = new MemoryStorage();
    await createPush({ api, storage, key: 'k', desktop: web, win }).sync();
    // The next start, same subscription: nothing to send.
    await createPush({ api, storage, key: 'k', desktop: web, win }).sync();
    expect(api.addPushSubscription).toHaveBeenCalledTimes(1);

    // The browser's push service renewed it: the next start sends the new one.
    manager.current = new FakeSubscription(manager, 'https://push.example.org/send/renewed', base64UrlToBytes(KEY));
    await createPush({ api, storage, key: 'k', desktop: web, win }).sync();
    expect(api.addPushSubscription).toHaveBeenCalledTimes(2);
    expect(api.addPushSubscription.mock.calls[1][0].endpoint).toBe('https://push.example.org/send/renewed');
    expect(manager.subscribe).toHaveBeenCalledTimes(1);
  });

  it('replaces a subscription made for another server key', async () => {
    const { win, manager } = fakeBrowser();
    const old = new FakeSubscription(manager, 'https://push.example.org/send/old', new Uint8Array(65).fill(7));
    manager.current = old;
    const api = fakeApi();
    await createPush({ api, storage: new MemoryStorage(), key: 'k', desktop: web, win }).sync();
    expect(old.unsubscribe).toHaveBeenCalled();
    expect(manager.subscribe).toHaveBeenCalledTimes(1);
    expect(api.addPushSubscription.mock.calls[0][0].endpoint).toBe('https://push.example.org/send/1');
  });

  it('on sign-out DELETEs the subscription at the server and unsubscribes the browser', async () => {
    const { win, manager } = fakeBrowser();
    const api = fakeApi();
    const storage = new MemoryStorage();
    const push = createPush({ api, storage, key: 'k', desktop: web, win });
    await push.sync();
    const subscription = manager.current;
    await push.signOut();
    expect(api.removePushSubscription).toHaveBeenCalledWith('https://push.example.org/send/1');
    expect(subscription.unsubscribe).toHaveBeenCalled();
    expect(storage.getItem('k')).toBeNull();
    expect(await push.state()).toBe('off');
  });

  it('still unsubscribes the browser when the server cannot be reached at sign-out', async () => {
    const { win, manager } = fakeBrowser();
    const api = fakeApi();
    const push = createPush({ api, storage: new MemoryStorage(), key: 'k', desktop: web, win });
    await push.sync();
    const subscription = manager.current;
    api.removePushSubscription.mockRejectedValueOnce(new Error('Network Error'));
    await expect(push.signOut()).resolves.toBeUndefined();
    expect(subscription.unsubscribe).toHaveBeenCalled();
  });

  it('does nothing in Electron', async () => {
    const { win, manager } = fakeBrowser();
    const api = fakeApi();
    const push = createPush({ api, storage: new MemoryStorage(), key: 'k', desktop: { isDesktop: true }, win });
    expect(push.supported).toBe(false);
    expect(await push.sync()).toBe('unsupported');
    await push.signOut();
    expect(api.getPushKey).not.toHaveBeenCalled();
    expect(manager.subscribe).not.toHaveBeenCalled();
    expect(manager.getSubscription).not.toHaveBeenCalled();
  });

  it.each([
    ['no PushManager', { push: false }],
    ['no service worker', { serviceWorker: false }],
  ])('does nothing where push is unsupported (%s)', async (_, options) => {
    const { win, manager } = fakeBrowser(options);
    const api = fakeApi();
    const push = createPush({ api, storage: new MemoryStorage(), key: 'k', desktop: web, win });
    expect(await push.sync()).toBe('unsupported');
    expect(await push.enable()).toBe('unsupported');
    expect(api.getPushKey).not.toHaveBeenCalled();
    expect(manager.subscribe).not.toHaveBeenCalled();
  });

  it('fails in words when the server has push off (404 on the key)', async () => {
    const { win, manager } = fakeBrowser();
    const api = fakeApi();
    api.getPushKey.mockRejectedValueOnce(Object.assign(new Error('404'), { response: { status: 404 } }));
    const push = createPush({ api, storage: new MemoryStorage(), key: 'k', desktop: web, win });
    await expect(push.sync()).rejects.toThrow('404');
    expect(manager.subscribe).not.toHaveBeenCalled();
  });
});

describe('device names', () => {
  it.each([
    [CHROME_LINUX, 'Chrome on Linux'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0', 'Firefox on Windows'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15', 'Safari on macOS'],
    ['Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Mobile Safari/537.36', 'Chrome on Android'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36 Edg/140.0', 'Edge on Windows'],
  ])('%s → %s', (ua, name) => {
    expect(deviceName(ua)).toBe(name);
  });
});
