// Message formatting: a small, safe Markdown subset (bold, italic, strike, inline
// code, code blocks, quotes, lists, links) turned into DOM nodes. Two locks: markdown-it
// never passes HTML through (html: false: tags stay text) and refuses unsafe link
// targets, and DOMPurify then keeps only an allow-list of tags and attributes, links
// only to http(s)/mailto. The result is a DocumentFragment: no HTML string ever
// reaches the page through an HTML sink (views/message.js appends the nodes).
// The stored content stays exactly what the sender typed; this is display only.
import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';

const markdown = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false })
  // Outside the subset: headings, rules and tables would turn chat lines into
  // documents; images would load remote content from a message; reference
  // definitions would make a line of text vanish.
  .disable(['heading', 'lheading', 'hr', 'table', 'image', 'reference', 'html_block', 'html_inline']);

export const ALLOWED_TAGS = Object.freeze(['p', 'br', 'strong', 'em', 's', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a']);
const ALLOWED_ATTR = ['href', 'start'];
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
// Longer than the server accepts (4,000 characters): shown as plain text, so that no
// input can make formatting slow.
export const MAX_FORMATTED = 20_000;

/**
 * True for absolute http(s) and mailto URLs; anything else (javascript:, data:,
 * vbscript:, relative or protocol-relative paths, control characters) is refused.
 * @param {string} href
 */
export function isSafeHref(href) {
  // Browsers strip tabs and newlines inside URLs, so "java\nscript:" is a scheme.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u0020\u007f-\u009f]/.test(href)) return false;
  if (!/^(https?:\/\/|mailto:)/i.test(href)) return false;
  try {
    return SAFE_PROTOCOLS.has(new URL(href).protocol);
  } catch {
    return false;
  }
}

/** @type {ReturnType<typeof DOMPurify> | null} */
let purifier = null;

/** One DOMPurify of our own (its hooks are per instance), made when first needed: it needs a window. */
function purify() {
  if (purifier) return purifier;
  const instance = DOMPurify(window);
  instance.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName !== 'A') return;
    const href = node.getAttribute('href') ?? '';
    if (!isSafeHref(href)) {
      node.removeAttribute('href');
      return;
    }
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  });
  purifier = instance;
  return instance;
}

/**
 * The message's text as nodes. `inline` when it is one paragraph: its nodes can flow
 * beside the time stamp like plain text; otherwise they are blocks (paragraphs, lists,
 * code).
 * @param {string} text
 * @returns {{nodes: Node[], inline: boolean}}
 */
export function renderMarkdown(text) {
  if (text.length > MAX_FORMATTED) return { nodes: [document.createTextNode(text)], inline: true };
  const fragment = purify().sanitize(markdown.render(text), {
    ALLOWED_TAGS: [...ALLOWED_TAGS],
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
  });
  // A link whose target was refused is its text.
  for (const link of fragment.querySelectorAll('a:not([href])')) link.replaceWith(...link.childNodes);
  // markdown-it ends blocks with newlines: whitespace between blocks is not content.
  const blocks = [...fragment.childNodes].filter((n) => n.nodeType !== Node.TEXT_NODE || n.textContent?.trim());
  if (blocks.length === 1 && blocks[0].nodeName === 'P') {
    const nodes = [...blocks[0].childNodes];
    return { nodes, inline: true };
  }
  return { nodes: blocks, inline: false };
}

/**
 * Text nodes of `root` outside code and links, where mentions may be marked.
 * @param {Node} root
 * @returns {Text[]}
 */
function plainTextNodes(root) {
  /** @type {Text[]} */
  const found = [];
  /** @param {Node} node */
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) found.push(/** @type {Text} */ (child));
      else if (!['CODE', 'PRE', 'A'].includes(child.nodeName)) walk(child);
    }
  };
  walk(root);
  return found;
}

// "@name" after the start or a non-word character; a trailing dot is punctuation.
const MENTION = /(^|[^\w@.])@([A-Za-z0-9_.]*[A-Za-z0-9_])/g;

/**
 * Marks "@username" (of `usernames`, lower case) and, in groups (`everyone`),
 * "@all"/"@here" as mention chips; those that mean me stand out: my own name (`me`),
 * and @all/@here when the server counted me as mentioned (`mentionsMe`).
 * @param {Node[]} nodes  what renderMarkdown returned
 * @param {{usernames: ReadonlySet<string>, me: string | null, everyone: boolean, mentionsMe: boolean}} names
 */
export function markMentions(nodes, { usernames, me, everyone, mentionsMe }) {
  const holder = document.createElement('div');
  holder.append(...nodes);
  for (const textNode of plainTextNodes(holder)) {
    const text = textNode.data;
    /** @type {(string | HTMLElement)[]} */
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(MENTION)) {
      const name = match[2].toLowerCase();
      const group = name === 'all' || name === 'here';
      if (!usernames.has(name) && !(everyone && group)) continue;
      const start = /** @type {number} */ (match.index) + match[1].length;
      parts.push(text.slice(last, start));
      const chip = document.createElement('span');
      chip.className = name === me || (group && mentionsMe)
        ? 'mention mention-me rounded bg-amber-200 px-0.5 font-semibold text-amber-950'
        : 'mention rounded font-semibold underline decoration-dotted underline-offset-2';
      chip.textContent = `@${match[2]}`;
      parts.push(chip);
      last = start + 1 + match[2].length;
    }
    if (!parts.length) continue;
    parts.push(text.slice(last));
    textNode.replaceWith(...parts.filter((p) => p !== ''));
  }
  return [...holder.childNodes];
}
