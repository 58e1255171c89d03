// Web client benchmark (not a test): the built web client in headless Chromium
// against a real `parley serve` on a temporary SQLite database.
//   1. size of the web build's JS+CSS, gzipped            (target < 150 KB)
//   2. navigation → usable chat list with 200 chats        (target < 500 ms)
//   3. JS heap after scrolling through 10,000 messages     (target < 60 MB)
// Data is seeded through the REST API. Run from desktop/: `npm run bench`
// (builds the web client first), or `node ../bench/web_bench.mjs` after a build.
// BENCH_MESSAGES=2000 shortens the run while working on the timeline.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { launchChromium, restClient, startParley, webDir } from '../desktop/tests/e2e/harness.js';

const CHATS = 200;
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const RUNS = 5;
const PASSWORD = 'correct horse battery';

const kb = (bytes) => Math.round((bytes / 1024) * 10) / 10;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function bundleSize() {
  const assets = path.join(webDir, 'assets');
  let raw = 0;
  let gzip = 0;
  for (const file of fs.readdirSync(assets).filter((f) => /\.(js|css)$/.test(f))) {
    const data = fs.readFileSync(path.join(assets, file));
    raw += data.length;
    gzip += zlib.gzipSync(data, { level: 9 }).length;
  }
  return { raw, gzip };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool(items, limit, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

async function seed(rest) {
  const me = await rest.signUp('bench', 'Bench Mark', PASSWORD);
  const peers = [];
  for (let i = 0; i < 20; i++) peers.push(await rest.signUp(`peer${i}`, `Peer Number ${i}`, PASSWORD));
  const auth = { token: me.token };
  // 20 direct chats and 180 groups, each with a last message for its preview.
  const chats = [];
  for (const peer of peers) chats.push(await rest.call('POST', '/chats', { ...auth, body: { is_group: false, member_ids: [peer.id] } }));
  const groups = Array.from({ length: CHATS - peers.length }, (_, i) => i);
  await pool(groups, 8, async (i) => {
    chats.push(await rest.call('POST', '/chats', { ...auth, body: { is_group: true, title: `Project group ${i}`, member_ids: [peers[i % peers.length].id] } }));
  });
  await pool(chats, 8, (chat) => rest.call('POST', `/chats/${chat.id}/messages`, { ...auth, body: { content: `Welcome to chat ${chat.id}` } }));

  // The long conversation (10,000 messages by default) between bench and peer0.
  const long = chats[0];
  const peerAuth = { token: peers[0].token };
  const ids = Array.from({ length: MESSAGES }, (_, i) => i);
  await pool(ids, 8, (i) =>
    rest.call('POST', `/chats/${long.id}/messages`, {
      ...(i % 3 ? auth : peerAuth),
      body: { content: i % 7 ? `Message number ${i}` : `Message number ${i} is a longer one, to make heights vary: ${'lorem ipsum '.repeat(8 + (i % 5))}` },
    }));
  return { peerName: 'Peer Number 0' };
}

async function signIn(page, url) {
  await page.goto(url);
  await page.getByLabel('Username or e-mail').fill('bench');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('list', { name: 'Chats' }).waitFor();
}

/** ms from navigation start until the chat list shows all chats. */
async function timeToChatList(page, url) {
  await page.goto(url, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    (n) => document.querySelectorAll('[aria-label="Chats"] li[data-chat-id]').length >= n && performance.now(),
    CHATS,
    { polling: 'raf', timeout: 30_000 },
  );
  return handle.jsonValue();
}

async function scrollThroughHistory(page, peerName) {
  await page.getByRole('button', { name: new RegExp(`^${peerName}`) }).click();
  const log = page.locator('[role=log]');
  await log.locator('[role=article]').first().waitFor();
  // Scroll to the top until the whole history is loaded (older pages of 100).
  const started = Date.now();
  while (!(await log.getByText('This is the beginning of the conversation.').count())) {
    await log.evaluate((el) => (el.scrollTop = 0));
    await page.waitForTimeout(30);
    if (Date.now() - started > 180_000) throw new Error('history did not load in 3 minutes');
  }
  const loadMs = Date.now() - started;
  // Then scroll down through all of it, a screen per frame, timing the frames.
  const frames = await log.evaluate(async (el) => {
    const times = [];
    let last = performance.now();
    while (el.scrollTop + el.clientHeight < el.scrollHeight - 2) {
      el.scrollTop += el.clientHeight;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      times.push(now - last);
      last = now;
    }
    return times;
  });
  const rendered = await log.locator('[role=article]').count();
  return { loadMs, frames, rendered };
}

/** Chromium's own counters (seconds of script, layout, style) over `fn`. */
async function cpuDuring(cdp, fn) {
  const read = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await read();
  const result = await fn();
  const after = await read();
  const ms = (name) => Math.round((after[name] - before[name]) * 1000);
  return { result, script: ms('ScriptDuration'), layout: ms('LayoutDuration'), style: ms('RecalcStyleDuration') };
}

async function main() {
  const size = bundleSize();
  // Every request comes from 127.0.0.1: lift the per-user and per-address limits.
  const server = await startParley({
    env: {
      PARLEY_MESSAGES_PER_WINDOW: '1000000',
      PARLEY_MESSAGES_PER_ADDRESS: '1000000',
      PARLEY_REGISTRATIONS_PER_ADDRESS: '1000',
      PARLEY_LOGIN_ATTEMPTS: '1000',
    },
  });
  const browser = await launchChromium();
  try {
    const rest = restClient(server.url);
    const seedStart = Date.now();
    const { peerName } = await seed(rest);
    const seedMs = Date.now() - seedStart;

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signIn(page, server.url);
    const loads = [];
    for (let i = 0; i < RUNS; i++) loads.push(await timeToChatList(page, server.url));

    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const scroll = await cpuDuring(cdp, () => scrollThroughHistory(page, peerName));
    const { loadMs, frames, rendered } = scroll.result;
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
    const domNodes = metrics.find((m) => m.name === 'Nodes').value;

    const sorted = [...frames].sort((a, b) => a - b);
    const results = {
      bundle_js_css_gzip_kb: kb(size.gzip),
      bundle_js_css_raw_kb: kb(size.raw),
      chat_list_200_ms_median: Math.round(median(loads)),
      chat_list_200_ms_runs: loads.map(Math.round),
      messages: MESSAGES,
      history_load_ms: loadMs,
      scroll_frames: frames.length,
      scroll_frame_ms_median: Math.round(median(frames) * 10) / 10,
      scroll_frame_ms_p95: Math.round(sorted[Math.floor(sorted.length * 0.95)] * 10) / 10,
      history_and_scroll_cpu_ms: { script: scroll.script, layout: scroll.layout, style: scroll.style },
      message_rows_in_dom_after_scroll: rendered,
      dom_nodes_total: domNodes,
      js_heap_after_scroll_mb: Math.round((heap / 1024 / 1024) * 10) / 10,
      seed_ms: seedMs,
    };
    console.log(JSON.stringify(results, null, 2));
    const out = path.join(path.dirname(new URL(import.meta.url).pathname), 'results', 'web.json');
    fs.writeFileSync(out, `${JSON.stringify({ benchmark: 'web', generated_at: new Date().toISOString(), ...results }, null, 2)}\n`);
    console.log(`wrote ${out}`);
    console.log(`bundle JS+CSS gzipped: ${results.bundle_js_css_gzip_kb} KB (target < 150) ${results.bundle_js_css_gzip_kb < 150 ? 'OK' : 'OVER'}`);
    console.log(`chat list (200 chats) usable after: ${results.chat_list_200_ms_median} ms median of ${RUNS} (target < 500) ${results.chat_list_200_ms_median < 500 ? 'OK' : 'OVER'}`);
    console.log(`JS heap after scrolling ${MESSAGES} messages: ${results.js_heap_after_scroll_mb} MB (target < 60) ${results.js_heap_after_scroll_mb < 60 ? 'OK' : 'OVER'}`);
  } finally {
    await browser.close();
    await server.dispose();
  }
}

await main();
