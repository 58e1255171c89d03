// The device name sent at sign-in ("My devices" shows it): from userAgentData where
// Chromium offers it, else from the user agent string; the desktop app says so.
import { describe, expect, it } from 'vitest';
import { deviceName } from '../../src/renderer/lib/device-name.js';

const UA = {
  chromeLinux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  edgeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  chromeAndroid: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  electronWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Parley/0.1.0 Chrome/134.0.0.0 Electron/41.7.1 Safari/537.36',
};

describe('deviceName', () => {
  it('names browsers and systems from the user agent', () => {
    expect(deviceName({ userAgent: UA.chromeLinux })).toBe('Chrome on Linux');
    expect(deviceName({ userAgent: UA.firefoxWindows })).toBe('Firefox on Windows');
    expect(deviceName({ userAgent: UA.safariMac })).toBe('Safari on macOS');
    expect(deviceName({ userAgent: UA.edgeWindows })).toBe('Edge on Windows');
    expect(deviceName({ userAgent: UA.chromeAndroid })).toBe('Chrome on Android');
    expect(deviceName({ userAgent: UA.iphone })).toBe('Safari on iOS');
  });

  it('prefers userAgentData (brands without the made-up ones, and the platform)', () => {
    const brands = [{ brand: 'Not_A Brand' }, { brand: 'Chromium' }, { brand: 'Google Chrome' }];
    expect(deviceName({ userAgent: UA.chromeLinux, userAgentData: { platform: 'Windows', brands } })).toBe('Chrome on Windows');
    expect(deviceName({ userAgent: '', userAgentData: { platform: 'macOS', brands: [{ brand: 'Chromium' }, { brand: 'Not A(Brand' }] } })).toBe('Chromium on macOS');
    expect(deviceName({ userAgent: UA.edgeWindows, userAgentData: { platform: 'Windows', brands: [...brands, { brand: 'Microsoft Edge' }] } })).toBe('Edge on Windows');
  });

  it('says "Parley desktop" in the desktop app', () => {
    expect(deviceName({ userAgent: UA.electronWindows })).toBe('Parley desktop on Windows');
    expect(deviceName({ userAgent: UA.chromeLinux }, { desktop: true })).toBe('Parley desktop on Linux');
  });

  it('falls back to words when it cannot tell, and stays within 100 characters', () => {
    expect(deviceName({ userAgent: '' })).toBe('Web browser');
    expect(deviceName({})).toBe('Web browser');
    const long = deviceName({ userAgentData: { platform: 'Linux', brands: [{ brand: 'x'.repeat(200) }] }, userAgent: '' });
    expect(long.length).toBeLessThanOrEqual(100);
  });
});
