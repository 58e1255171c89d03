// @vitest-environment jsdom
// A list that is not live (a window into the past): items added below do not pull the
// view along even when it is at the bottom, the reader's item stays put, reaching the
// bottom asks for newer items, and scrollToKey brings an item into view.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { VirtualList } from '../../src/renderer/lib/virtual-list.js';

beforeAll(() => {
  globalThis.ResizeObserver = class {
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

function scroller(height) {
  const root = document.createElement('div');
  let top = 0;
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

const items = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => ({ key: `m${from + i}` }));
const frame = () => new Promise((r) => requestAnimationFrame(() => r()));

function make(root, callbacks = {}) {
  return new VirtualList({
    root,
    overscan: 0,
    keyOf: (item) => item.key,
    estimate: () => 40,
    renderItem: () => {
      const node = document.createElement('div');
      node.dataset.height = '40';
      return node;
    },
    ...callbacks,
  });
}

describe('a list that is not live', () => {
  it('scrolls an item into view, a third from the top', () => {
    const root = scroller(400);
    const vl = make(root);
    vl.setItems(items(1, 100), { live: false });
    expect(vl.scrollToKey('m50')).toBe(true);
    expect(root.scrollTop).toBe(49 * 40 - 400 / 3);
    expect(vl.nodes.has('m50')).toBe(true);
    expect(vl.scrollToKey('m999')).toBe(false);
  });

  it('keeps the view where it is when newer items arrive below, and asks for them at the bottom', async () => {
    const root = scroller(400);
    const onNearBottom = vi.fn();
    const vl = make(root, { onNearBottom });
    vl.setItems(items(1, 50), { live: false });
    root.scrollTop = root.scrollHeight; // the reader scrolled to the bottom of the window
    root.dispatchEvent(new Event('scroll'));
    await frame();
    expect(onNearBottom).toHaveBeenCalled();
    const before = root.scrollTop;
    vl.setItems(items(1, 150), { live: false });
    expect(root.scrollTop).toBe(before);
    // A live list at the bottom follows what is added below.
    root.scrollTop = root.scrollHeight;
    vl.setItems(items(1, 160), { live: true });
    expect(root.scrollTop).toBe(root.scrollHeight - 400);
  });
});
