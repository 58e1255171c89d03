// Draws Parley's icons (app icon, tray icon, Windows unread overlay) as PNGs with no
// image library: a signed-distance rasteriser with 4x4 supersampling. Run once with
// `node scripts/make-icons.mjs`; the PNGs are committed.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/main/assets');

function crc32(buf) {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Signed distance to a rounded box centred at (cx, cy), in unit coordinates.
function roundedBox(x, y, cx, cy, hw, hh, r) {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.min(Math.max(qx, qy), 0) + Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) - r;
}

const circle = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r;

// Returns [r, g, b, a] (0..1) for a point in the unit square.
function parleyIcon(x, y, { background }) {
  const bubble =
    Math.min(
      roundedBox(x, y, 0.5, 0.46, 0.3, 0.22, 0.12),
      // the bubble's tail, bottom left
      Math.max(-(x - 0.28), -(y - 0.6), x + y - 1.02, -(x - 0.2) - (y - 0.8) * 0.1),
    );
  const dots = Math.min(circle(x, y, 0.36, 0.46, 0.045), circle(x, y, 0.5, 0.46, 0.045), circle(x, y, 0.64, 0.46, 0.045));
  const tile = roundedBox(x, y, 0.5, 0.5, 0.48, 0.48, 0.22);
  const indigo = [0.31 + 0.15 * y, 0.27, 0.9 - 0.1 * y];
  if (dots < 0) return [...indigo, 1];
  if (bubble < 0) return [1, 1, 1, 1];
  if (background && tile < 0) return [...indigo, 1];
  return [0, 0, 0, 0];
}

function unreadDot(x, y) {
  if (circle(x, y, 0.5, 0.5, 0.46) < 0) return [0.94, 0.27, 0.27, 1];
  return [0, 0, 0, 0];
}

function render(size, shade) {
  const rgba = Buffer.alloc(size * size * 4);
  const ss = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const [r, g, b, a] = shade((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size);
          acc[0] += r * a;
          acc[1] += g * a;
          acc[2] += b * a;
          acc[3] += a;
        }
      }
      const a = acc[3] / (ss * ss);
      const i = (py * size + px) * 4;
      rgba[i] = a ? Math.round((acc[0] / acc[3]) * 255) : 0;
      rgba[i + 1] = a ? Math.round((acc[1] / acc[3]) * 255) : 0;
      rgba[i + 2] = a ? Math.round((acc[2] / acc[3]) * 255) : 0;
      rgba[i + 3] = Math.round(a * 255);
    }
  }
  return png(size, rgba);
}

fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'icon.png'), render(512, (x, y) => parleyIcon(x, y, { background: true })));
fs.writeFileSync(path.join(out, 'tray.png'), render(32, (x, y) => parleyIcon(x, y, { background: true })));
fs.writeFileSync(path.join(out, 'badge.png'), render(16, unreadDot));
