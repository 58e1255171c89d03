// Splits message text into plain text and http(s)/mailto links, as data. The view
// turns them into text nodes and <a> elements, so nothing is ever parsed as HTML.

const LINK = /\b(?:https?:\/\/[^\s<>"']+|mailto:[^\s<>"']+)/gi;
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * @param {string} text
 * @returns {({text: string} | {href: string, text: string})[]}
 */
export function linkify(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const raw = match[0];
    const href = raw.replace(TRAILING, '');
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ href, text: href });
    last = match.index + href.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
