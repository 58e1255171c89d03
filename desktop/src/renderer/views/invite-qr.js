// A QR code of an invite link, for a phone's camera: drawn as SVG by the qrcode
// library and shown as an <img> with a data: URL (the CSP allows img-src data:), so
// nothing is parsed into the page.
import QRCode from 'qrcode';
import { h } from '../lib/dom.js';

/**
 * The data: URL of the link's QR code (SVG).
 * @param {string} url
 * @returns {Promise<string>}
 */
export async function qrDataUrl(url) {
  const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#0f172a', light: '#ffffff' } });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/**
 * An <img> that shows the QR code once drawn (or says in its alt text that it could not be).
 * @param {string} url
 */
export function qrImage(url) {
  const img = h('img', { alt: 'QR code of the invite link', width: '176', height: '176', class: 'size-44 rounded-lg border border-slate-200 bg-white p-1 dark:border-slate-700', 'data-testid': 'invite-qr' });
  qrDataUrl(url).then((src) => img.setAttribute('src', src), () => img.setAttribute('alt', 'The QR code could not be drawn: use the link.'));
  return img;
}
