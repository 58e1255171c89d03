// @vitest-environment jsdom
// The web client's "Turn on notifications" strip: hidden until shown, asks the browser
// only on its click, explains a refusal, "Not now" hides it.
import { describe, expect, it, vi } from 'vitest';
import { createNotifyPrompt } from '../../src/renderer/views/notify-prompt.js';

describe('the "Turn on notifications" strip', () => {
  it('asks only on its click; a refusal is explained; "Not now" hides it', async () => {
    const request = vi.fn(async () => 'denied');
    const prompt = createNotifyPrompt({ request });
    expect(prompt.element.classList.contains('hidden')).toBe(true);
    prompt.show();
    expect(prompt.element.classList.contains('hidden')).toBe(false);
    expect(request).not.toHaveBeenCalled();
    [...prompt.element.querySelectorAll('button')].find((b) => b.textContent === 'Turn on notifications').click();
    await new Promise((r) => setTimeout(r, 0));
    expect(request).toHaveBeenCalledTimes(1);
    expect(prompt.element.textContent).toContain('blocked for this site');
    prompt.element.querySelector('[aria-label="Not now"]').click();
    expect(prompt.element.classList.contains('hidden')).toBe(true);
  });

  it('granted: the strip goes', async () => {
    const prompt = createNotifyPrompt({ request: async () => 'granted' });
    prompt.show();
    [...prompt.element.querySelectorAll('button')].find((b) => b.textContent === 'Turn on notifications').click();
    await new Promise((r) => setTimeout(r, 0));
    expect(prompt.element.classList.contains('hidden')).toBe(true);
  });
});
