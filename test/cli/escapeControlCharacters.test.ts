import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeControlCharacters } from '../../src/cli/escapeControlCharacters.js';

/** What a terminal acts on: C0 controls, DEL, C1 controls, and bidirectional overrides. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('escapeControlCharacters', () => {
  it('writes control characters as escapes a reader can see', () => {
    expect(escapeControlCharacters('a\x1b[2J\x07b\n\t\r\x9b\u202e')).toBe('a\\x1b[2J\\x07b\\n\\t\\r\\x9b\\u202e');
  });

  it('leaves printable text, Unicode included, as it is', () => {
    expect(escapeControlCharacters('théorème ∀x ✓ 数学')).toBe('théorème ∀x ✓ 数学');
  });

  it('never lets a control character through, and changes nothing else', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = escapeControlCharacters(text);
        expect(escaped).not.toMatch(CONTROL);
        if (!CONTROL.test(text)) expect(escaped).toBe(text);
      }),
    );
  });
});
