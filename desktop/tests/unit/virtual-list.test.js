import { describe, expect, it } from 'vitest';
import { visibleRange } from '../../src/renderer/lib/virtual-list.js';

const prefix = (heights) => {
  const offsets = new Float64Array(heights.length + 1);
  heights.forEach((h, i) => (offsets[i + 1] = offsets[i] + h));
  return offsets;
};

describe('visibleRange', () => {
  it('finds the items overlapping the viewport', () => {
    const offsets = prefix([10, 20, 30, 40]); // 0,10,30,60,100
    expect(visibleRange(offsets, 0, 5)).toEqual([0, 1]);
    expect(visibleRange(offsets, 15, 35)).toEqual([1, 3]);
    expect(visibleRange(offsets, 60, 100)).toEqual([3, 4]);
    expect(visibleRange(offsets, -100, 1000)).toEqual([0, 4]);
  });

  it('renders a few dozen of 10,000 items', () => {
    const offsets = prefix(Array.from({ length: 10_000 }, (_, i) => 40 + (i % 3) * 20));
    const [start, end] = visibleRange(offsets, 300_000, 300_800);
    expect(end - start).toBeLessThan(25);
    expect(offsets[start]).toBeLessThanOrEqual(300_000);
    expect(offsets[end]).toBeGreaterThanOrEqual(300_800);
  });

  it('handles an empty list', () => {
    expect(visibleRange(new Float64Array(1), 0, 500)).toEqual([0, 0]);
  });
});
