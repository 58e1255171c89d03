// lib/events.js and lib/errors.js hold lists that the server's tests read as text
// (tests/test_event_catalogue.py), one `  NAME: 'value',` line per entry. These tests
// parse the files the same way, so a reformatting that the server could no longer
// read fails here first.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/renderer/lib/errors.js';
import { EVENTS } from '../../src/renderer/lib/events.js';

const ENTRY = /^\s+([A-Z_]+): '([a-z._]+)',$/;

/** The entries of `export const <name> = Object.freeze({ ... });` in a source file, parsed as text. */
function parseList(file, name) {
  const lines = fs.readFileSync(new URL(`../../src/renderer/lib/${file}`, import.meta.url), 'utf8').split('\n');
  const start = lines.indexOf(`export const ${name} = Object.freeze({`);
  const end = lines.indexOf('});', start);
  expect(start).toBeGreaterThanOrEqual(0);
  return Object.fromEntries(lines.slice(start + 1, end).map((line) => {
    const match = ENTRY.exec(line);
    expect(match, line).not.toBeNull();
    return [match[1], match[2]];
  }));
}

describe('lists the server reads', () => {
  it('EVENTS: one entry per line, the same as the module exports', () => {
    expect(parseList('events.js', 'EVENTS')).toEqual({ ...EVENTS });
    expect(Object.values(EVENTS)).toContain('message.new');
  });

  it('ERROR_CODES: one entry per line, the same as the module exports', () => {
    expect(parseList('errors.js', 'ERROR_CODES')).toEqual({ ...ERROR_CODES });
    expect(Object.values(ERROR_CODES)).toContain('invalid_input');
  });
});
