// @vitest-environment jsdom
// Message formatting against hostile input: whatever a message holds, the bubble may
// contain only the allow-listed tags, links only to http(s)/mailto (opening in a new
// window without an opener), never an image, a script, an event handler or a style.
import { describe, expect, it } from 'vitest';
import { ALLOWED_TAGS, MAX_FORMATTED, isSafeHref, markMentions, renderMarkdown } from '../../src/renderer/lib/markdown.js';
import { messageRow } from '../../src/renderer/views/message.js';

/** The rendered message in a holder element. */
function render(text) {
  const holder = document.createElement('div');
  holder.append(...renderMarkdown(text).nodes);
  return holder;
}

const ALLOWED = new Set(ALLOWED_TAGS.map((t) => t.toUpperCase()));

/** Every element is allow-listed, no attribute but href/start/target/rel, and links are safe. */
function expectSafe(holder) {
  for (const el of holder.querySelectorAll('*')) {
    expect(ALLOWED.has(el.tagName), el.outerHTML).toBe(true);
    for (const attr of el.attributes) expect(['href', 'start', 'target', 'rel'], el.outerHTML).toContain(attr.name);
  }
  for (const a of holder.querySelectorAll('a[href]')) {
    expect(a.getAttribute('href')).toMatch(/^(https?:\/\/|mailto:)/i);
    expect(a.getAttribute('rel')).toBe('noopener noreferrer');
    expect(a.getAttribute('target')).toBe('_blank');
  }
}

const hrefs = (holder) => [...holder.querySelectorAll('a')].map((a) => a.getAttribute('href'));

describe('Markdown subset', () => {
  it('formats bold, italic, strike, inline code, code blocks, quotes and lists', () => {
    const holder = render('**bold** _italic_ ~~gone~~ `x < y`\n\n```\nif (a) { b(); }\n```\n\n> quoted\n\n- one\n- two\n\n1. first\n2. second');
    expect(holder.querySelector('strong').textContent).toBe('bold');
    expect(holder.querySelector('em').textContent).toBe('italic');
    expect(holder.querySelector('s').textContent).toBe('gone');
    expect(holder.querySelector('p > code').textContent).toBe('x < y');
    expect(holder.querySelector('pre > code').textContent).toBe('if (a) { b(); }\n');
    expect(holder.querySelector('blockquote').textContent.trim()).toBe('quoted');
    expect([...holder.querySelectorAll('ul > li')].map((li) => li.textContent)).toEqual(['one', 'two']);
    expect([...holder.querySelectorAll('ol > li')].map((li) => li.textContent)).toEqual(['first', 'second']);
    expectSafe(holder);
  });

  it('one paragraph is inline (beside the time stamp); a single line break stays a break', () => {
    const result = renderMarkdown('It did — and it is fast.\nTwo lines, even.');
    expect(result.inline).toBe(true);
    const holder = document.createElement('span');
    holder.append(...result.nodes);
    expect(holder.querySelectorAll('br')).toHaveLength(1);
    expect(holder.textContent).toBe('It did — and it is fast.\nTwo lines, even.');
    expect(renderMarkdown('a\n\nb').inline).toBe(false);
  });

  it('links: explicit, autolinks and bare URLs become safe links', () => {
    const holder = render('[docs](https://example.org/a?b=1) <https://auto.example> see https://bare.example/x. mail me@example.org');
    expect(hrefs(holder)).toEqual(['https://example.org/a?b=1', 'https://auto.example', 'https://bare.example/x', 'mailto:me@example.org']);
    expectSafe(holder);
  });

  it('HTML is text: tags, scripts, event handlers, nested markup', () => {
    const inputs = [
      '<img src=x onerror=alert(1)>',
      '<script>alert(1)</script>',
      '<svg onload=alert(1)><circle/></svg>',
      '<div><p><a href="javascript:alert(1)">x</a></p></div>',
      '<iframe src="https://evil.example"></iframe>',
      '<style>body{display:none}</style>',
      '<b onmouseover=alert(1)>bold?</b>',
      '**<img src=x onerror=alert(1)>**',
      '> <script>alert(1)</script>\n> - <svg/onload=alert(1)>',
      '<a href="https://ok.example" onclick="alert(1)">link</a>',
      '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    ];
    for (const text of inputs) {
      const holder = render(text);
      expectSafe(holder);
      expect(holder.querySelector('img, script, svg, iframe, style, div, b, math'), text).toBeNull();
      // What was typed is still there to read, as text.
      expect(holder.textContent.replace(/\s+/g, ''), text).toContain(text.replace(/^[>*\s-]+|[\s*]+$/g, '').replace(/\s+/g, '').slice(0, 10).replace(/^>/, ''));
    }
  });

  it('javascript:, vbscript: and data: links never become links, however written', () => {
    const inputs = [
      '[x](javascript:alert(1))',
      '[x](JaVaScRiPt:alert(1))',
      '[x](  javascript:alert(1))',
      '[x](java\tscript:alert(1))',
      '[x](&#106;avascript:alert(1))',
      '[x](&#x6A;&#x61;vascript&#58;alert(1))',
      '[x](javascript&colon;alert(1))',
      '[x](%6Aavascript:alert(1))',
      '[x](<javascript:alert(1)>)',
      '<javascript:alert(1)>',
      '<JAVASCRIPT:alert(1)>',
      '[x](vbscript:msgbox(1))',
      '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
      '<data:text/html,<script>alert(1)</script>>',
      '[x](//evil.example/path)',
      '[x](/relative)',
      '[x](file:///etc/passwd)',
      'javascript:alert(1)',
      '[x][ref]\n\n[ref]: javascript:alert(1)',
    ];
    for (const text of inputs) {
      const holder = render(text);
      expectSafe(holder);
      expect(holder.querySelector('a'), text).toBeNull();
    }
  });

  it('Markdown images are not images: no remote content from a message', () => {
    for (const text of ['![cat](https://evil.example/track.png)', '![x](data:image/png;base64,AAAA)', '![x](javascript:alert(1))']) {
      const holder = render(text);
      expect(holder.querySelector('img'), text).toBeNull();
      expectSafe(holder);
    }
  });

  it('an unclosed code fence is a code block to the end, its content text', () => {
    const holder = render('look:\n```html\n<script>alert(1)</script>\n**not bold**');
    expect(holder.querySelector('pre code').textContent).toBe('<script>alert(1)</script>\n**not bold**');
    expect(holder.querySelector('script, strong')).toBeNull();
    expectSafe(holder);
  });

  it('headings, rules and tables stay text (outside the subset)', () => {
    const holder = render('# Title\n\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |');
    expect(holder.querySelector('h1, hr, table')).toBeNull();
    expect(holder.textContent).toContain('# Title');
  });

  it("long and deeply nested input at the server's limit renders safely; beyond it, as plain text", () => {
    // 4,000 characters: the most a message holds (the composer's maxlength, the server's limit).
    const limit = (s) => s.slice(0, 4_000);
    for (const text of [
      limit('**a** _b_ [l](https://x.example) <b>x</b> '.repeat(200)),
      limit(`${'> '.repeat(500)}deep ${'- '.repeat(500)}`),
      limit('['.repeat(4_000)),
      limit('*_'.repeat(2_000)),
      limit('`'.repeat(4_000)),
      limit('[a](<'.repeat(1_000)),
    ]) {
      expectSafe(render(text));
    }
    const huge = `**x** <img src=x onerror=alert(1)> ${'y'.repeat(MAX_FORMATTED)}`;
    const holder = render(huge);
    expect(holder.children).toHaveLength(0);
    expect(holder.textContent).toBe(huge);
  });

  it('isSafeHref accepts only absolute http(s) and mailto', () => {
    expect(isSafeHref('https://a.example/x')).toBe(true);
    expect(isSafeHref('HTTP://a.example')).toBe(true);
    expect(isSafeHref('mailto:a@b.example')).toBe(true);
    for (const bad of ['javascript:alert(1)', ' https://a.example', 'java\nscript:x', 'data:,x', '//a.example', '/x', 'https:evil', 'vbscript:x']) {
      expect(isSafeHref(bad), bad).toBe(false);
    }
  });
});

describe('mentions in the text', () => {
  const names = { usernames: new Set(['bob', 'me', 'carol.d']), me: 'me', everyone: true, mentionsMe: true };

  it('marks members and @all/@here, mine stand out; not in code, links or e-mail addresses', () => {
    const nodes = markMentions(renderMarkdown('hi @Bob and @me, @all: see `@bob` at bob@example.org (@carol.d.) @nobody').nodes, names);
    const holder = document.createElement('p');
    holder.append(...nodes);
    const chips = [...holder.querySelectorAll('.mention')];
    expect(chips.map((c) => c.textContent)).toEqual(['@Bob', '@me', '@all', '@carol.d']);
    expect(chips.filter((c) => c.classList.contains('mention-me')).map((c) => c.textContent)).toEqual(['@me', '@all']);
    expect(holder.textContent).toBe('hi @Bob and @me, @all: see @bob at bob@example.org (@carol.d.) @nobody');
  });

  it('@all in a direct chat is just text', () => {
    const holder = document.createElement('p');
    holder.append(...markMentions(renderMarkdown('@all').nodes, { ...names, everyone: false }));
    expect(holder.querySelector('.mention')).toBeNull();
  });
});

describe('a message bubble', () => {
  const base = { id: 1, chat_id: 1, sender_id: 2, created_at: '2026-11-27T10:00:00Z', edited_at: null, is_read: false };
  const row = (message, extra = {}) => messageRow({ message: { ...base, ...message }, own: false, status: 'sent', author: 'Bob', showAuthor: true, first: true, ...extra }, {});

  it('shows formatted text; the stored content is what was typed', () => {
    const message = { content: '**hi** <img src=x onerror=alert(1)> [x](javascript:alert(1))' };
    const el = row(message);
    expect(el.querySelector('.message-text strong').textContent).toBe('hi');
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('a')).toBeNull();
    expect(message.content).toBe('**hi** <img src=x onerror=alert(1)> [x](javascript:alert(1))');
  });

  it('a link preview card: http(s) image only, the link safe', () => {
    const preview = { url: 'https://example.org/post', title: 'A post', description: 'About things', image_url: 'https://example.org/p.png', site_name: 'Example' };
    let card = row({ content: 'https://example.org/post', preview }).querySelector('.link-preview');
    expect(card.getAttribute('href')).toBe('https://example.org/post');
    expect(card.getAttribute('rel')).toBe('noopener noreferrer');
    expect(card.textContent).toContain('A post');
    expect(card.querySelector('img').getAttribute('src')).toBe('https://example.org/p.png');
    card = row({ content: 'x', preview: { ...preview, image_url: 'data:image/svg+xml,<svg onload=alert(1)>' } }).querySelector('.link-preview');
    expect(card.querySelector('img')).toBeNull();
    expect(row({ content: 'x', preview: { ...preview, url: 'javascript:alert(1)' } }).querySelector('.link-preview')).toBeNull();
  });

  it('a reply shows its quote (or "Deleted message"); the bubble that mentions me is marked', () => {
    let el = row({ content: 'yes', reply_to: { id: 9, sender_id: 1, excerpt: 'Are you coming?', deleted: false } }, { quoteAuthor: 'You' });
    expect(el.querySelector('.quote').textContent).toBe('YouAre you coming?');
    el = row({ content: 'yes', reply_to: { id: 9, sender_id: 1, excerpt: '', deleted: true } }, { quoteAuthor: 'You' });
    expect(el.querySelector('.quote').textContent).toContain('Deleted message');
    el = row({ content: 'hey @me', mentions: [1] }, { names: { usernames: new Set(['me']), me: 'me', meId: 1, everyone: false } });
    expect(el.querySelector('[data-mentions-me]')).not.toBeNull();
    expect(el.getAttribute('aria-label')).toMatch(/mentions you/);
  });
});
