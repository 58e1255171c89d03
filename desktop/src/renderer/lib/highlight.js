// Matched words in a search result, as text: the server gives [start, end) ranges in
// code points (Python string indices), JavaScript strings index UTF-16 code units, so
// an emoji before a match would shift every range by one. The content is split into
// plain and matched pieces; the view makes text nodes and <mark> elements of them,
// never HTML, so whatever a message holds stays text.

/** @typedef {{text: string, match: boolean}} Segment */

/**
 * The ranges made safe: whole numbers inside the text, empty ones dropped, sorted,
 * and overlapping or touching ones joined (one <mark> for "foo" in "foofoo").
 * @param {unknown} ranges  as the server sent them
 * @param {number} length   the content's length in code points
 * @returns {[number, number][]}
 */
export function normalizeRanges(ranges, length) {
  if (!Array.isArray(ranges)) return [];
  /** @type {[number, number][]} */
  const clean = [];
  for (const range of ranges) {
    if (!Array.isArray(range) || range.length < 2) continue;
    const [rawStart, rawEnd] = range;
    if (!Number.isInteger(rawStart) || !Number.isInteger(rawEnd)) continue;
    const start = Math.max(0, Math.min(length, rawStart));
    const end = Math.max(0, Math.min(length, rawEnd));
    if (end > start) clean.push([start, end]);
  }
  clean.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  /** @type {[number, number][]} */
  const merged = [];
  for (const [start, end] of clean) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/**
 * `content` cut into plain and matched pieces, in order; together they are exactly
 * `content`. Offsets count code points, so an astral character (emoji, 𝒳) is one.
 * @param {string} content
 * @param {unknown} ranges  [[start, end], ...] in code points
 * @returns {Segment[]}
 */
export function highlightSegments(content, ranges) {
  const points = Array.from(content);
  const merged = normalizeRanges(ranges, points.length);
  /** @type {Segment[]} */
  const segments = [];
  let at = 0;
  for (const [start, end] of merged) {
    if (start > at) segments.push({ text: points.slice(at, start).join(''), match: false });
    segments.push({ text: points.slice(start, end).join(''), match: true });
    at = end;
  }
  if (at < points.length || !segments.length) segments.push({ text: points.slice(at).join(''), match: false });
  return segments.filter((s, i) => s.text !== '' || i === 0);
}

/**
 * Nodes for `content` with its matches marked: text nodes, and <mark> elements
 * whose only child is a text node.
 * @param {string} content
 * @param {unknown} ranges
 * @param {Document} [doc]
 * @returns {Node[]}
 */
export function highlightNodes(content, ranges, doc = document) {
  return highlightSegments(content, ranges).map(({ text, match }) => {
    if (!match) return doc.createTextNode(text);
    const mark = doc.createElement('mark');
    mark.className = 'search-hit';
    mark.append(doc.createTextNode(text));
    return mark;
  });
}

/**
 * A long message cut to about `max` code points around its first match, with "…"
 * where text was left out, and the ranges moved to match: a hit at the end of a
 * 4,000-character message is still seen in the result list.
 * @param {string} content
 * @param {unknown} ranges
 * @param {number} [max]
 * @returns {{text: string, ranges: [number, number][]}}
 */
export function excerpt(content, ranges, max = 180) {
  const points = Array.from(content);
  const merged = normalizeRanges(ranges, points.length);
  if (points.length <= max) return { text: content, ranges: merged };
  const first = merged[0]?.[0] ?? 0;
  // Some context before the first match, the rest after it.
  let start = Math.max(0, first - Math.floor(max / 4));
  const end = Math.min(points.length, start + max);
  start = Math.max(0, end - max);
  const lead = start > 0 ? '…' : '';
  const tail = end < points.length ? '…' : '';
  const shift = lead ? 1 : 0;
  /** @type {[number, number][]} */
  const moved = [];
  for (const [s, e] of merged) {
    const a = Math.max(s, start);
    const b = Math.min(e, end);
    if (b > a) moved.push([a - start + shift, b - start + shift]);
  }
  return { text: lead + points.slice(start, end).join('') + tail, ranges: moved };
}
