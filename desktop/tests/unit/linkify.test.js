import { describe, expect, it } from 'vitest';
import { linkify } from '../../src/renderer/lib/linkify.js';

describe('linkify', () => {
  it('finds http(s) and mailto links and leaves trailing punctuation out', () => {
    expect(linkify('see https://example.org/a?b=1. and mailto:x@y.z!')).toEqual([
      { text: 'see ' },
      { href: 'https://example.org/a?b=1', text: 'https://example.org/a?b=1' },
      { text: '. and ' },
      { href: 'mailto:x@y.z', text: 'mailto:x@y.z' },
      { text: '!' },
    ]);
  });

  it('does not link other schemes', () => {
    expect(linkify('javascript:alert(1) file:///etc/passwd')).toEqual([{ text: 'javascript:alert(1) file:///etc/passwd' }]);
  });
});
