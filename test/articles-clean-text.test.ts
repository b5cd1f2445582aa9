// cleanText returns text that needs no cleaning as it is, without its four passes: the shortcut must never change
// what it gives. The oracle below is the passes alone, as cleanText was before the shortcut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import he from 'he';
import { cleanText } from '../src/util/clean-text.js';

function passesOnly(text: string): string {
  for (let i = 0; i < 3 && text.includes('&'); i++) {
    const decoded = he.decode(text);
    if (decoded === text) break;
    text = decoded;
  }
  // eslint-disable-next-line no-control-regex -- the same classes as clean-text.ts
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g, '').replace(/\p{Default_Ignorable_Code_Point}/gu, '').replace(/[\s\u00A0]+/g, ' ').trim();
}

// Characters on both sides of every range the shortcut accepts, and around the whitespace and entity rules.
const edges = [0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x20, 0x21, 0x25, 0x26, 0x27, 0x7e, 0x7f, 0x85, 0x9f, 0xa0, 0xa1, 0xac, 0xad, 0xae, 0x2ff, 0x300, 0x34f, 0x36f, 0x370, 0x5ff, 0x600, 0x61c, 0x115f, 0x1680, 0x180e, 0x2000, 0x200a, 0x200b, 0x200f, 0x2010, 0x2027, 0x2028, 0x2029, 0x202a, 0x202f, 0x2030, 0x205e, 0x205f, 0x2060, 0x2066, 0x206f, 0x3000, 0x3164, 0xfe0f, 0xfeff, 0xffa0];
const char = fc.oneof(fc.constantFrom(...edges.map((c) => String.fromCharCode(c)), ' ', '  ', '&amp;', '&#39;', 'a', 'É'), fc.string({ maxLength: 1, unit: 'binary' }));

test('cleanText gives exactly what its passes give, for text around every boundary of its shortcut', () => {
  fc.assert(
    fc.property(fc.array(char, { maxLength: 16 }), (chars) => {
      const text = chars.join('');
      assert.equal(cleanText(text), passesOnly(text));
    }),
    { numRuns: 50_000 },
  );
  for (const code of edges) for (const text of [String.fromCharCode(code), `a${String.fromCharCode(code)}b`]) assert.equal(cleanText(text), passesOnly(text), `U+${code.toString(16)}`);
});
