// @vitest-environment jsdom
// jsdom has no layout: row heights come from data-height, and the scroller reports
// its own scroll geometry, enough to check that a row whose image loads after it was
// measured is measured again without moving what the reader is looking at.
import { beforeAll, describe, expect, it } from 'vitest';
import { VirtualList } from '../../src/renderer/lib/virtual-list.js';

const resizeCallbacks = [];

beforeAll(() => {
  globalThis.ResizeObserver = class {
    constructor(callback) {
      resizeCallbacks.push(callback);
    }
    observe() {}
    disconnect() {}
  };
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', {
    configurable: true,
    get() {
      return Number(this.dataset.height ?? 0);
    },
  });
});

function scroller(initialHeight) {
  const root = document.createElement('div');
  let top = 0;
  let height = initialHeight;
  root.resize = (h) => {
    height = h;
    resizeCallbacks.at(-1)();
  };
  Object.defineProperties(root, {
    clientHeight: { get: () => height },
    clientWidth: { get: () => 400 },
    scrollHeight: { get: () => Math.max(height, parseFloat(root.firstChild?.style.height || '0')) },
    scrollTop: {
      get: () => top,
      set: (v) => {
        top = Math.max(0, Math.min(v, root.scrollHeight - height));
      },
    },
  });
  document.body.append(root);
  return root;
}

const frame = () => new Promise((r) => requestAnimationFrame(() => r()));

function list(root, count, imageAt) {
  const items = Array.from({ length: count }, (_, i) => ({ key: `m${i}`, i }));
  const vl = new VirtualList({
    root,
    overscan: 0,
    keyOf: (item) => item.key,
    estimate: () => 40,
    renderItem: (item) => {
      const node = document.createElement('div');
      node.dataset.height = '40';
      if (item.i === imageAt) node.append(document.createElement('img'));
      return node;
    },
  });
  vl.setItems(items, { stickToBottom: true });
  return vl;
}

const nodeOf = (vl, key) => vl.nodes.get(key).node;

describe('VirtualList and images that load late', () => {
  it('re-measures the row and stays at the bottom', async () => {
    const root = scroller(200);
    const vl = list(root, 10, 9);
    expect(root.scrollTop).toBe(200); // 10 × 40 − 200
    const row = nodeOf(vl, 'm9');
    row.dataset.height = '240';
    row.querySelector('img').dispatchEvent(new Event('load'));
    await frame();
    expect(vl.heights.get('m9')).toBe(240);
    expect(vl.spacer.style.height).toBe('600px');
    expect(root.scrollTop).toBe(400); // still showing the newest message
  });

  it('keeps the message being read in place when an image above it grows', async () => {
    const root = scroller(200);
    const vl = list(root, 30, 20);
    root.scrollTop = 820; // row 20 (the image) partly on screen at the top, row 23 in the middle
    vl._render();
    const row = nodeOf(vl, 'm20');
    const anchorBefore = vl.offsets[23] - root.scrollTop;
    row.dataset.height = '140';
    row.querySelector('img').dispatchEvent(new Event('error'));
    await frame();
    expect(vl.heights.get('m20')).toBe(140);
    expect(vl.offsets[23] - root.scrollTop).toBe(anchorBefore);
    vl.destroy();
  });

  it('stays at the bottom when the composer grows (staged files) and the timeline gets shorter', async () => {
    const root = scroller(200);
    const vl = list(root, 10, -1);
    root.resize(200); // first observation: the width is learnt
    expect(root.scrollTop).toBe(200);
    root.resize(120);
    expect(root.scrollTop).toBe(280); // 400 − 120: the newest message still shows
    root.scrollTop = 0;
    root.resize(200);
    expect(root.scrollTop).toBe(0); // not at the bottom: left where the reader is
    vl.destroy();
  });

  it('ignores loads that change nothing and events from outside the rows', async () => {
    const root = scroller(200);
    const vl = list(root, 5, 4);
    const before = root.scrollTop;
    nodeOf(vl, 'm4').querySelector('img').dispatchEvent(new Event('load'));
    vl.spacer.dispatchEvent(new Event('load'));
    await frame();
    expect(vl.heights.get('m4')).toBe(40);
    expect(root.scrollTop).toBe(before);
  });
});
