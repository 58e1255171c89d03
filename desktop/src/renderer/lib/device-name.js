// A short name for this device, sent with each sign-in ("device", docs/API-EXTENSIONS.md)
// so that "My devices" can tell sessions apart: "Parley desktop on Windows",
// "Chrome on Linux". Pure: the caller passes navigator (tests pass made-up ones).

/**
 * The parts of navigator this reads (userAgentData is Chromium's, and absent elsewhere).
 * @typedef {{userAgent?: string, userAgentData?: {platform?: string, brands?: {brand: string}[]} | null}} NavigatorLike
 */

const MAX_LENGTH = 100; // the server keeps at most 100 characters

/** @param {string} platform  userAgentData.platform, or '' */
function osFromPlatform(platform) {
  const known = { windows: 'Windows', macos: 'macOS', linux: 'Linux', android: 'Android', 'chrome os': 'ChromeOS', chromeos: 'ChromeOS', ios: 'iOS' };
  return known[/** @type {keyof typeof known} */ (platform.trim().toLowerCase())] ?? '';
}

/** @param {string} ua */
function osFromUserAgent(ua) {
  if (/Windows/i.test(ua)) return 'Windows';
  // Android and ChromeOS user agents also say "Linux": ask for them first.
  if (/Android/i.test(ua)) return 'Android';
  if (/iPhone|iPad|iPod/i.test(ua)) return 'iOS';
  if (/CrOS/.test(ua)) return 'ChromeOS';
  if (/Mac OS X|Macintosh/i.test(ua)) return 'macOS';
  if (/Linux|X11/i.test(ua)) return 'Linux';
  return '';
}

/** @param {{brand: string}[]} brands */
function browserFromBrands(brands) {
  // Chromium lists made-up "Not A Brand" entries and itself next to the real brand.
  const names = brands.map((b) => b.brand).filter((b) => !/not.?a.?brand/i.test(b));
  const known = [['Microsoft Edge', 'Edge'], ['Opera', 'Opera'], ['Brave', 'Brave'], ['Vivaldi', 'Vivaldi'], ['Google Chrome', 'Chrome']];
  for (const [brand, short] of known) if (names.includes(brand)) return short;
  return names.includes('Chromium') ? 'Chromium' : '';
}

/** @param {string} ua */
function browserFromUserAgent(ua) {
  if (/Edg(e|A|iOS)?\//.test(ua)) return 'Edge';
  if (/OPR\//.test(ua)) return 'Opera';
  if (/Firefox\/|FxiOS\//.test(ua)) return 'Firefox';
  if (/Chromium\//.test(ua)) return 'Chromium';
  if (/Chrome\/|CriOS\//.test(ua)) return 'Chrome';
  if (/Safari\//.test(ua)) return 'Safari';
  return '';
}

/**
 * @param {NavigatorLike} nav
 * @param {{desktop?: boolean}} [options]  desktop: running in the Parley desktop app
 * @returns {string}
 */
export function deviceName(nav, { desktop = false } = {}) {
  const ua = String(nav?.userAgent ?? '');
  const data = nav?.userAgentData ?? null;
  const os = osFromPlatform(String(data?.platform ?? '')) || osFromUserAgent(ua);
  const isDesktop = desktop || /\bElectron\//.test(ua);
  const app = isDesktop ? 'Parley desktop' : (Array.isArray(data?.brands) && browserFromBrands(data.brands)) || browserFromUserAgent(ua) || 'Web browser';
  return (os ? `${app} on ${os}` : app).slice(0, MAX_LENGTH);
}
