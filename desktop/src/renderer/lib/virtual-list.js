// A virtualised vertical list for the message timeline: only the items within (or
// near) the viewport are in the DOM, so 10,000 messages scroll as smoothly as 50.
// Items have different heights: each is measured once rendered and cached by key;
// unmeasured ones use an estimate. When items are added above (older history) or
// measurements change, the item being read keeps its place on screen; when the
// view was at the bottom, it stays at the bottom (new messages), unless the list is
// not `live` (a window into the past: items added below load as the user scrolls
// down, and must not pull the view along). A row whose image
// loads (or fails) after it was measured is measured again.

/**
 * [start, end) of the items overlapping [top, bottom], given prefix-sum offsets.
 * @param {ArrayLike<number>} offsets  offsets[i] = top of item i; offsets[n] = total height
 * @param {number} top
 * @param {number} bottom
 * @returns {[number, number]}
 */
export function visibleRange(offsets, top, bottom) {
  const n = offsets.length - 1;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid + 1] <= top) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < n && offsets[end] < bottom) end += 1;
  return [lo, end];
}

const BOTTOM_SLACK_PX = 48;

/** @typedef {{key: string, delta: number}} Anchor  an item and its distance from the view's top */

// Methods starting with _ are internal (not #private: Electronegativity's parser
// cannot read private class members).
/** @template T  an item */
export class VirtualList {
  /**
   * @param {object} options
   * @param {HTMLElement} options.root        the scrolling element
   * @param {(item: T) => HTMLElement} options.renderItem
   * @param {(item: T) => string} options.keyOf
   * @param {(item: T) => number} options.estimate   height guess before measuring
   * @param {() => void} [options.onNearTop]         the user scrolled close to the oldest item
   * @param {() => void} [options.onNearBottom]      the user scrolled close to the newest item
   * @param {number} [options.overscan]              px rendered beyond each edge of the view
   */
  constructor({ root, renderItem, keyOf, estimate, onNearTop = () => {}, onNearBottom = () => {}, overscan = 600 }) {
    this.root = root;
    this.renderItem = renderItem;
    this.keyOf = keyOf;
    this.estimate = estimate;
    this.onNearTop = onNearTop;
    this.onNearBottom = onNearBottom;
    this.overscan = overscan;
    /** @type {readonly T[]} */
    this.items = [];
    /** @type {Map<string, number>} key → position in items */
    this.index = new Map();
    /** @type {Map<string, number>} key → measured height */
    this.heights = new Map();
    /** @type {Map<string, {node: HTMLElement, item: T}>} */
    this.nodes = new Map();
    /** @type {WeakMap<Node, string>} rendered node → key */
    this.keyOfNode = new WeakMap();
    /** @type {Set<string>} keys to measure again (an image in the row loaded) */
    this.stale = new Set();
    this.offsets = new Float64Array(1);
    this.width = 0;
    this.height = 0;
    this.frame = 0;
    this.measureFrame = 0;
    this.spacer = document.createElement('div');
    this.spacer.className = 'relative mt-auto w-full shrink-0';
    root.append(this.spacer);
    this.onScrollEvent = () => this._scheduleRender();
    root.addEventListener('scroll', this.onScrollEvent, { passive: true });
    // load/error do not bubble: listen in the capture phase for every image inside.
    this.onMediaEvent = (/** @type {Event} */ event) => this._onMedia(event);
    this.spacer.addEventListener('load', this.onMediaEvent, true);
    this.spacer.addEventListener('error', this.onMediaEvent, true);
    this.resizeObserver = new ResizeObserver(() => this._onResize());
    this.resizeObserver.observe(root);
  }

  get atBottom() {
    const { scrollTop, scrollHeight, clientHeight } = this.root;
    return scrollHeight - scrollTop - clientHeight < BOTTOM_SLACK_PX;
  }

  get nearBottom() {
    const { scrollTop, scrollHeight, clientHeight } = this.root;
    return scrollHeight - scrollTop - clientHeight < clientHeight;
  }

  /**
   * Replaces the items. `stickToBottom`: force the view to the newest item (first
   * load, own message sent); otherwise it stays at the bottom only if it was there
   * and the list is `live` (the newest item is the newest message).
   * @param {readonly T[]} items
   * @param {{stickToBottom?: boolean, live?: boolean}} [options]
   */
  setItems(items, { stickToBottom = false, live = true } = {}) {
    const follow = stickToBottom || this.items.length === 0 || (live && this.atBottom);
    const anchor = follow ? null : this._captureAnchor();
    this.items = items;
    this.index = new Map(items.map((item, i) => [this.keyOf(item), i]));
    this._layout(follow, anchor);
    // Still within a screen of the top after older items came in: fetch more now
    // rather than waiting for the next scroll event (and of the bottom, in a window).
    if (!follow && this.root.scrollTop < this.root.clientHeight) this.onNearTop();
    if (!follow && !live && this.nearBottom) this.onNearBottom();
  }

  /**
   * Scrolls so that the item with `key` is in view (a third from the top); false if
   * there is no such item.
   * @param {string} key
   */
  scrollToKey(key) {
    const i = this.index.get(key);
    if (i === undefined) return false;
    // Twice: rendering around the target measures its neighbours, which moves it.
    for (let pass = 0; pass < 2; pass++) {
      this.root.scrollTop = Math.max(0, this.offsets[i] - this.root.clientHeight / 3);
      if (this._render()) this._recomputeOffsets();
    }
    this.root.scrollTop = Math.max(0, this.offsets[i] - this.root.clientHeight / 3);
    this._render();
    return true;
  }

  /** Detaches from `root`, which the next list (another chat) may reuse. */
  destroy() {
    cancelAnimationFrame(this.frame);
    cancelAnimationFrame(this.measureFrame);
    this.root.removeEventListener('scroll', this.onScrollEvent);
    this.resizeObserver.disconnect();
    this.root.replaceChildren();
  }

  /** At the bottom by the heights known so far (the DOM may already be taller). */
  _atModelBottom() {
    const total = this.offsets[this.items.length];
    return total - this.root.scrollTop - this.root.clientHeight < BOTTOM_SLACK_PX;
  }

  /** @param {Event} event */
  _onMedia(event) {
    const target = /** @type {Element | null} */ (event.target);
    if (target?.tagName !== 'IMG') return;
    /** @type {Node | null} */
    let node = target;
    while (node && node.parentNode !== this.spacer) node = node.parentNode;
    const key = node ? this.keyOfNode.get(node) : undefined;
    if (key === undefined) return;
    this.stale.add(key);
    // In the next frame: several images loading at once cost one layout, and the
    // row's own load handlers (placeholder removal) have run by then.
    this.measureFrame ||= requestAnimationFrame(() => this._measureStale());
  }

  _measureStale() {
    this.measureFrame = 0;
    const follow = this._atModelBottom();
    const anchor = follow ? null : this._captureAnchor();
    let changed = false;
    for (const key of this.stale) {
      const entry = this.nodes.get(key);
      if (!entry) continue;
      const height = entry.node.offsetHeight;
      if (this.heights.get(key) !== height) {
        this.heights.set(key, height);
        changed = true;
      }
    }
    this.stale.clear();
    if (changed) this._layout(follow, anchor);
  }

  _recomputeOffsets() {
    const offsets = new Float64Array(this.items.length + 1);
    for (let i = 0; i < this.items.length; i++) {
      const item = this.items[i];
      offsets[i + 1] = offsets[i] + (this.heights.get(this.keyOf(item)) ?? this.estimate(item));
    }
    this.offsets = offsets;
    this.spacer.style.height = `${offsets[this.items.length]}px`;
  }

  // The item in the middle of the viewport: the one the reader is looking at, and
  // never a header pinned at the very top (which would keep the view at the top
  // while older items are inserted below it).
  /** @returns {Anchor | null} */
  _captureAnchor() {
    const middle = this.root.scrollTop + this.root.clientHeight / 2;
    const [i] = visibleRange(this.offsets, middle, middle + 1);
    const item = this.items[i];
    if (!item) return null;
    return { key: this.keyOf(item), delta: this.offsets[i] - this.root.scrollTop };
  }

  /** @param {boolean} follow @param {Anchor | null} anchor */
  _restore(follow, anchor) {
    if (follow) {
      this.root.scrollTop = this.root.scrollHeight;
      return;
    }
    const i = anchor ? this.index.get(anchor.key) : undefined;
    if (anchor && i !== undefined) this.root.scrollTop = this.offsets[i] - anchor.delta;
  }

  // Render, measure what was rendered, and repeat while measurements move things
  // (converges in one or two passes: each pass only measures new nodes).
  /** @param {boolean} follow @param {Anchor | null} anchor */
  _layout(follow, anchor) {
    this._recomputeOffsets();
    this._restore(follow, anchor);
    for (let pass = 0; pass < 4; pass++) {
      const anchorNow = follow ? null : (anchor ?? this._captureAnchor());
      if (!this._render()) break;
      this._recomputeOffsets();
      this._restore(follow, anchorNow);
    }
  }

  _scheduleRender() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const anchor = this._captureAnchor();
      if (this._render()) {
        this._recomputeOffsets();
        this._restore(false, anchor);
        this._render();
      }
      if (this.root.scrollTop < this.root.clientHeight) this.onNearTop();
      if (this.nearBottom) this.onNearBottom();
    });
  }

  _onResize() {
    const width = this.root.clientWidth;
    const height = this.root.clientHeight;
    if (width === this.width) {
      if (height === this.height) return;
      // Only taller or shorter (the composer grew: a longer text, staged files):
      // a view that was at the bottom stays there.
      const wasAtBottom = this.offsets[this.items.length] - this.root.scrollTop - this.height < BOTTOM_SLACK_PX;
      this.height = height;
      if (wasAtBottom) this.root.scrollTop = this.root.scrollHeight;
      this._scheduleRender();
      return;
    }
    const follow = this.atBottom;
    this.width = width;
    this.height = height;
    // Text re-wraps at a new width: re-measure what is on screen.
    for (const { node } of this.nodes.values()) node.remove();
    this.nodes.clear();
    this._layout(follow, follow ? null : this._captureAnchor());
  }

  /** Syncs the DOM with the visible range; returns true if any height measurement changed. */
  _render() {
    const top = this.root.scrollTop - this.overscan;
    const bottom = this.root.scrollTop + this.root.clientHeight + this.overscan;
    const [start, end] = visibleRange(this.offsets, top, bottom);
    const wanted = new Set();
    /** @type {[string, HTMLElement][]} */
    const fresh = [];
    for (let i = start; i < end; i++) {
      const item = this.items[i];
      const key = this.keyOf(item);
      wanted.add(key);
      let entry = this.nodes.get(key);
      if (!entry || entry.item !== item) {
        const node = this.renderItem(item);
        node.classList.add('absolute', 'inset-x-0', 'top-0');
        if (entry) entry.node.replaceWith(node);
        else this.spacer.append(node);
        entry = { node, item };
        this.nodes.set(key, entry);
        this.keyOfNode.set(node, key);
        fresh.push([key, node]);
      }
      entry.node.style.transform = `translateY(${this.offsets[i]}px)`;
    }
    for (const [key, { node }] of this.nodes) {
      if (!wanted.has(key)) {
        node.remove();
        this.nodes.delete(key);
      }
    }
    // Keep DOM order = visual order, for screen readers and Tab. Nodes already in
    // place are not moved (moving a node would take the keyboard focus away from it).
    /** @type {Node | null} */
    let next = null;
    for (let i = end - 1; i >= start; i--) {
      // Every item in the range was rendered just above.
      const { node } = /** @type {{node: HTMLElement}} */ (this.nodes.get(this.keyOf(this.items[i])));
      if (node.nextSibling !== next) this.spacer.insertBefore(node, next);
      next = node;
    }
    let changed = false;
    for (const [key, node] of fresh) {
      const height = node.offsetHeight;
      if (this.heights.get(key) !== height) {
        this.heights.set(key, height);
        changed = true;
      }
    }
    return changed;
  }
}
