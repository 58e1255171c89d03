import { describe, expect, it } from 'vitest';
import { defaultServerUrl, normaliseServerUrl, wsUrl } from '../../src/renderer/lib/config.js';

describe('server address', () => {
  it('defaults to a local server in Electron and to its own origin on the web', () => {
    expect(defaultServerUrl({ protocol: 'app:', origin: 'app://parley' })).toBe('http://127.0.0.1:8000');
    expect(defaultServerUrl({ protocol: 'https:', origin: 'https://chat.example.org' })).toBe('https://chat.example.org');
  });

  it('normalises what people type', () => {
    expect(normaliseServerUrl(' chat.example.org ')).toBe('http://chat.example.org');
    expect(normaliseServerUrl('https://chat.example.org/')).toBe('https://chat.example.org');
    expect(normaliseServerUrl('http://10.0.0.2:8000/parley/')).toBe('http://10.0.0.2:8000/parley');
  });

  it('rejects what is not an http(s) server address', () => {
    for (const bad of ['', 'ftp://x', 'javascript:alert(1)', 'http://', 'http://u:p@host', 'http://h/?q=1']) {
      expect(normaliseServerUrl(bad), bad).toBeNull();
    }
  });

  it('derives the socket URL', () => {
    expect(wsUrl('https://a.b', '/ws?token=t')).toBe('wss://a.b/ws?token=t');
    expect(wsUrl('http://127.0.0.1:8000', '/ws')).toBe('ws://127.0.0.1:8000/ws');
  });
});
