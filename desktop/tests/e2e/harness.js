// End-to-end harness: a REAL `parley serve` on a temporary SQLite database (serving
// the web build at /), Debian's Chromium driven by playwright-core, and a few REST
// helpers to seed data and check results.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const desktopDir = path.resolve(here, '../..');
export const repoDir = path.resolve(desktopDir, '..');
export const webDir = path.join(desktopDir, 'dist/web');
export const screenshotsDir = path.join(desktopDir, 'screenshots');
const parleyBin = process.env.PARLEY_BIN || path.join(repoDir, '.venv/bin/parley');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `parley serve` and waits for /healthz. `stop()` and `start()` again keep
 * the same port and database, as a server restart would.
 */
export async function startParley({ port, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-')), env = {} } = {}) {
  if (!fs.existsSync(path.join(webDir, 'index.html'))) throw new Error(`no web build at ${webDir}: run npm run build:web`);
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child = null;
  let log = '';

  async function start() {
    child = spawn(parleyBin, ['serve', '--host', '127.0.0.1', '--port', String(port)], {
      cwd: dir,
      env: {
        ...process.env,
        PARLEY_DATABASE_URL: `sqlite+aiosqlite:///${path.join(dir, 'e2e.db')}`,
        PARLEY_DATA_DIR: dir,
        PARLEY_WEB_DIR: webDir,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let spawnError = null;
    child.on('error', (err) => (spawnError = err)); // e.g. no such executable
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`cannot run ${parleyBin} (set PARLEY_BIN): ${spawnError.message}`);
      if (child.exitCode !== null) throw new Error(`parley serve exited with ${child.exitCode}:\n${log}`);
      try {
        if ((await fetch(`${url}/healthz`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(150);
    }
    throw new Error(`parley serve did not become healthy in 30 s:\n${log}`);
  }

  async function stop() {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the server for good and removes its temporary folder. */
  async function dispose() {
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  try {
    await start();
  } catch (err) {
    await dispose();
    throw err;
  }
  return { url, port, dir, start, stop, dispose, log: () => log };
}

export async function launchChromium() {
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Chromium with a profile in `userDataDir` (a context that is not off the record).
 * @param {string} userDataDir @param {object} [options]  context options
 */
export async function launchChromiumProfile(userDataDir, options = {}) {
  return chromium.launchPersistentContext(userDataDir, { executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true, ...options });
}

/**
 * Polls `check` (async) until it resolves to `true`; fails with `what`, and the last
 * answer or error, after `timeout` ms.
 * @param {() => Promise<unknown>} check @param {string} what @param {number} [timeout]
 */
export async function eventually(check, what, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check().catch((err) => err);
    if (last === true) return;
    await sleep(100);
  }
  assert.fail(`never happened: ${what} (last: ${last})`);
}

/** Minimal REST client for seeding and checking (API.md). */
export function restClient(base) {
  async function call(method, pathname, { token, body } = {}) {
    const res = await fetch(`${base}${pathname}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error(`${method} ${pathname} → ${res.status} ${text}`);
    return data;
  }
  return {
    call,
    async signUp(username, displayName, password = 'correct horse battery') {
      const user = await call('POST', '/auth/register', { body: { username, email: `${username}@example.org`, password, display_name: displayName } });
      const { access_token: token } = await call('POST', '/auth/login', { body: { username, password } });
      return { ...user, token };
    },
    async login(username, password = 'correct horse battery') {
      return (await call('POST', '/auth/login', { body: { username, password } })).access_token;
    },
  };
}

export async function screenshot(page, name) {
  fs.mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotsDir, name) });
}

/** A real PNG (8-bit RGB, a colour gradient) of the given size, made without any image library. */
export function pngBytes(width, height) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1); // each row starts with filter type 0
    for (let x = 0; x < width; x++) {
      rows[row + 1 + x * 3] = 255 - Math.round((y / height) * 120); // warm sky
      rows[row + 2 + x * 3] = Math.round(90 + (x / width) * 100);
      rows[row + 3 + x * 3] = Math.round(60 + (y / height) * 150);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
