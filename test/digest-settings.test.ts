import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DIGEST_SETTINGS, formatWindow, parseWindow } from '../src/digest/settings.js';

test('windows are read as members type them, and anything else is refused', () => {
  assert.deepEqual(parseWindow('24h'), { kind: 'hours', hours: 24 });
  assert.deepEqual(parseWindow(' 7D '), { kind: 'hours', hours: 168 });
  assert.deepEqual(parseWindow('ALL'), { kind: 'all' });
  assert.deepEqual(parseWindow('since-last'), { kind: 'since-last' });
  for (const bad of ['', '0h', '-3h', '1.5d', '24', 'h', 'week', '99999d', '24 hours']) assert.equal(parseWindow(bad), null, bad);
});

test('a window typed back to a member reads the same', () => {
  for (const text of ['12h', '7d', '36h', 'all', 'since-last']) assert.equal(formatWindow(parseWindow(text)!), text);
});

test('the defaults: five stories, two per outlet, since the previous digest, no filters; and they cannot be changed by accident', () => {
  assert.equal(DEFAULT_DIGEST_SETTINGS.size, 5);
  assert.equal(DEFAULT_DIGEST_SETTINGS.maxPerProvider, 2);
  assert.deepEqual(DEFAULT_DIGEST_SETTINGS.window, { kind: 'since-last' });
  assert.throws(() => DEFAULT_DIGEST_SETTINGS.topics.push('Sport'), TypeError);
});
