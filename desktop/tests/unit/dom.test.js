// @vitest-environment jsdom
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CSP } from '../../src/common/csp.js';
import { dropRowsExcept, h } from '../../src/renderer/lib/dom.js';
import { messageRow } from '../../src/renderer/views/message.js';

describe('rendering user content', () => {
  it('h() turns strings into text, never markup', () => {
    const el = h('p', null, '<img src=x onerror=alert(1)>');
    expect(el.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(el.querySelector('img')).toBeNull();
  });

  it('a message bubble shows HTML-looking content as text and links only safe URLs', () => {
    const message = {
      id: 1, chat_id: 1, sender_id: 2, content: '<img src=x onerror=alert(1)> javascript:alert(1) https://ok.example',
      created_at: '2026-11-27T10:00:00Z', edited_at: null, is_read: false,
    };
    const row = messageRow({ message, own: false, status: 'sent', author: 'Bob', showAuthor: true, first: true }, {});
    expect(row.querySelector('img')).toBeNull();
    expect(row.querySelector('.message-text').textContent).toBe(message.content);
    expect([...row.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(['https://ok.example']);
  });

  it('own messages carry an accessible status tick', () => {
    const message = { id: 1, chat_id: 1, sender_id: 1, content: 'hi', created_at: '2026-11-27T10:00:00Z', is_read: true };
    const row = messageRow({ message, own: true, status: 'read', author: 'You', first: true }, {});
    expect(row.querySelector('.tick').getAttribute('aria-label')).toBe('Read');
    expect(row.querySelector('[aria-label="Edit message"]')).not.toBeNull();
  });
});

// jsdom replaces the URL class, so paths are built from the directory name.
const renderer = path.resolve(import.meta.dirname, '../../src/renderer');

describe('content security policy', () => {
  it('index.html carries the same CSP the app:// protocol sends', () => {
    const html = fs.readFileSync(path.join(renderer, 'index.html'), 'utf8');
    const meta = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
    expect(meta).toBe(CSP);
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('the renderer never uses innerHTML or similar sinks', () => {
    const files = fs.readdirSync(renderer, { recursive: true }).filter((f) => f.endsWith('.js'));
    for (const file of files) {
      const source = fs.readFileSync(path.join(renderer, file), 'utf8');
      expect(source, file).not.toMatch(/innerHTML\s*=|outerHTML\s*=|insertAdjacentHTML|document\.write/);
    }
  });
});

describe('keyed rows', () => {
  it('dropRowsExcept removes the other rows from the page and from the map', () => {
    const list = h('ul', null);
    const rows = new Map([1, 2, 3].map((id) => [id, { node: list.appendChild(h('li', null, String(id))) }]));
    dropRowsExcept(rows, new Set([2]));
    expect([...rows.keys()]).toEqual([2]);
    expect(list.textContent).toBe('2');
  });
});
