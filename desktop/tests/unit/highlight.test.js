// @vitest-environment jsdom
// Search highlights: the server's ranges count code points, JavaScript strings count
// UTF-16 units; matches become <mark> text, and message content is never HTML.
import { describe, expect, it } from 'vitest';
import { excerpt, highlightNodes, highlightSegments, normalizeRanges } from '../../src/renderer/lib/highlight.js';

const marked = (segments) => segments.filter((s) => s.match).map((s) => s.text);

describe('highlightSegments', () => {
  it('splits plain text at the ranges, keeping every character', () => {
    const segments = highlightSegments('the quick fox', [[4, 9]]);
    expect(segments).toEqual([
      { text: 'the ', match: false },
      { text: 'quick', match: true },
      { text: ' fox', match: false },
    ]);
    expect(segments.map((s) => s.text).join('')).toBe('the quick fox');
  });

  it('counts an emoji (two UTF-16 units) as one character, as the server does', () => {
    // "😀 hello": 'hello' is code points 2..7, but UTF-16 units 3..8.
    expect(marked(highlightSegments('😀 hello', [[2, 7]]))).toEqual(['hello']);
    // Astral letters and a ZWJ family inside and around the match.
    const text = '𝒳👨‍👩‍👧 café 𝒳𝒴 end';
    const points = Array.from(text);
    const start = points.indexOf('c');
    expect(marked(highlightSegments(text, [[start, start + 4], [start + 5, start + 7]]))).toEqual(['café', '𝒳𝒴']);
  });

  it('joins overlapping and touching ranges into one mark, in order', () => {
    expect(marked(highlightSegments('foofoo bar', [[3, 6], [0, 3]]))).toEqual(['foofoo']);
    expect(marked(highlightSegments('abcdefgh', [[1, 5], [2, 3], [4, 7]]))).toEqual(['bcdefg']);
    expect(marked(highlightSegments('ab cd ef', [[6, 8], [0, 2]]))).toEqual(['ab', 'ef']);
  });

  it('ignores ranges that are empty, reversed, out of the text or not numbers', () => {
    expect(normalizeRanges([[2, 2], [5, 3], [-4, 1], [3, 99], ['1', 2], [1.5, 2], null, [1]], 5)).toEqual([[0, 1], [3, 5]]);
    expect(normalizeRanges('nonsense', 5)).toEqual([]);
    expect(highlightSegments('hello', undefined)).toEqual([{ text: 'hello', match: false }]);
    expect(highlightSegments('', [[0, 3]])).toEqual([{ text: '', match: false }]);
  });

  it('marks the whole text', () => {
    expect(highlightSegments('hi', [[0, 2]])).toEqual([{ text: 'hi', match: true }]);
  });
});

describe('highlightNodes', () => {
  it('makes text nodes and <mark>s, so hostile content stays text', () => {
    const content = '<img src=x onerror="alert(1)"> and <script>evil()</script>';
    const box = document.createElement('p');
    box.append(...highlightNodes(content, [[1, 4], [36, 42]]));
    expect(box.querySelector('img')).toBeNull();
    expect(box.querySelector('script')).toBeNull();
    expect(box.textContent).toBe(content);
    const marks = [...box.querySelectorAll('mark')];
    expect(marks.map((m) => m.textContent)).toEqual(['img', 'script']);
    for (const mark of marks) {
      expect(mark.childNodes).toHaveLength(1);
      expect(mark.firstChild?.nodeType).toBe(Node.TEXT_NODE);
    }
  });
});

describe('excerpt', () => {
  it('keeps short messages whole', () => {
    expect(excerpt('short text', [[0, 5]])).toEqual({ text: 'short text', ranges: [[0, 5]] });
  });

  it('cuts a long message around its first match and moves the ranges with it', () => {
    const content = `${'x'.repeat(500)}😀needle${'y'.repeat(500)}`;
    const at = 501; // after 500 x and one emoji, in code points
    const cut = excerpt(content, [[at, at + 6]], 100);
    expect(cut.text.startsWith('…')).toBe(true);
    expect(cut.text.endsWith('…')).toBe(true);
    expect(marked(highlightSegments(cut.text, cut.ranges))).toEqual(['needle']);
    expect(Array.from(cut.text)).toHaveLength(102);
  });
});
