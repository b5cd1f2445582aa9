// The bot's pure helpers, at their edges: the custom_id codec (any search fits in a button and comes back intact;
// anything else is refused without throwing), time ago, times of day, time zones and autocomplete bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DAYS_MAX, QUERY_MAX, decodePageState, encodePageState, nameToken } from '../src/bot/customId.js';
import type { PageState } from '../src/bot/customId.js';
import { diffCommands } from '../src/bot/deploy.js';
import { boundChoices } from '../src/bot/interactions/autocomplete.js';
import { timeAgo } from '../src/util/timeAgo.js';
import { timeZoneChoices } from '../src/bot/timezones.js';
import { parseTimeOfDay } from '../src/util/timeOfDay.js';
import { canonicalTimeZone } from '../src/util/timezone.js';
import { commandDefinitions } from '../src/bot/commands/index.js';
import { AUTOCOMPLETE_CHOICE_NAME_MAX, AUTOCOMPLETE_CHOICES_MAX, CUSTOM_ID_MAX } from '../src/discord/limits.js';

const pageState = fc.record<PageState>({
  mode: fc.constantFrom('search', 'latest'),
  userId: fc.bigInt({ min: 10n ** 16n, max: 10n ** 20n - 1n }).map(String),
  page: fc.integer({ min: 0, max: 36 ** 4 - 1 }),
  days: fc.integer({ min: 0, max: DAYS_MAX }),
  topicToken: fc.option(fc.string(), { nil: '' }).map((s) => (s ? nameToken(s) : '')),
  providerToken: fc.option(fc.domain(), { nil: '' }).map((s) => (s ? nameToken(s) : '')),
  query: fc.string({ maxLength: QUERY_MAX, unit: 'binary' }),
});

test('every search state fits a custom_id and comes back unchanged', () => {
  fc.assert(
    fc.property(pageState, (state) => {
      const id = encodePageState(state);
      assert.ok(id.length <= CUSTOM_ID_MAX, `${id.length} characters`);
      assert.deepEqual(decodePageState(id), { ...state });
    }),
    { numRuns: 2000 },
  );
});

test('any other custom_id decodes to null or to a state that encodes back to it, never a throw', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 120, unit: 'binary' }), pageState.map(encodePageState).map((id) => id.slice(0, -1) + '\u0000')), (id) => {
      const state = decodePageState(id);
      if (state) assert.equal(encodePageState(state), id);
    }),
    { numRuns: 2000 },
  );
  for (const forged of ['nd1:s:123:0:0:::x', `nd1:x:${'1'.repeat(18)}:0:0:::`, `nd2:s:${'1'.repeat(18)}:0:0:::`, `nd1:s:${'1'.repeat(18)}:0:zzzz:::`, `nd1:s:${'1'.repeat(18)}:0:0:::${'q'.repeat(41)}`]) {
    assert.equal(decodePageState(forged), null, forged);
  }
});

test('a topic token ignores case and accents, as the search does', () => {
  assert.equal(nameToken('Économie'), nameToken('economie'));
  assert.notEqual(nameToken('Space'), nameToken('Spice'));
});

test('time ago reads naturally at each scale', () => {
  const now = new Date('2026-11-20T12:00:00Z');
  const ago = (ms: number) => timeAgo(new Date(now.getTime() - ms), now);
  assert.equal(ago(-5_000), 'just now');
  assert.equal(ago(59_000), 'just now');
  assert.equal(ago(60_000), '1 min ago');
  assert.equal(ago(3_599_000), '59 min ago');
  assert.equal(ago(3_600_000), '1 h ago');
  assert.equal(ago(86_400_000 * 3), '3 d ago');
  assert.equal(ago(86_400_000 * 90), '2 months ago');
  assert.equal(ago(86_400_000 * 800), '2 years ago');
});

test('times of day are read as members type them', () => {
  assert.equal(parseTimeOfDay('8:30'), '08:30');
  assert.equal(parseTimeOfDay(' 18.05 '), '18:05');
  assert.equal(parseTimeOfDay('23:59'), '23:59');
  for (const bad of ['24:00', '12:60', '830', '8:3', 'noon', '']) assert.equal(parseTimeOfDay(bad), null, bad);
});

test('time zones: any case, spaces for underscores, UTC, and unknown names refused', () => {
  assert.equal(canonicalTimeZone('europe/paris'), 'Europe/Paris');
  assert.equal(canonicalTimeZone('America/New York'), 'America/New_York');
  assert.equal(canonicalTimeZone('utc'), 'UTC');
  assert.equal(canonicalTimeZone('Mars/Olympus_Mons'), null);
  assert.equal(timeZoneChoices('', AUTOCOMPLETE_CHOICES_MAX).length, AUTOCOMPLETE_CHOICES_MAX);
  assert.equal(timeZoneChoices('', 1)[0]!.value, 'UTC');
});

test('autocomplete choices are cut to Discord\'s limits; a value too long is dropped, not cut', () => {
  const choices = [
    { name: 'x'.repeat(300), value: 'fine' },
    { name: 'too long a value', value: 'v'.repeat(101) },
    { name: '\u200b', value: 'nameless' },
    ...Array.from({ length: 40 }, (_, i) => ({ name: `n${i}`, value: `v${i}` })),
  ];
  const bounded = boundChoices(choices);
  assert.equal(bounded.length, AUTOCOMPLETE_CHOICES_MAX);
  assert.equal(bounded[0]!.name.length, AUTOCOMPLETE_CHOICE_NAME_MAX);
  assert.ok(!bounded.some((c) => c.value === 'v'.repeat(101)));
  assert.deepEqual(bounded[1], { name: 'nameless', value: 'nameless' });
});

test('deploy compares definitions as Discord returns them: defaults filled in or left out are no change', () => {
  const local = commandDefinitions();
  const registered = local.map((c) => ({ ...c, id: '1', version: '2', application_id: '3', nsfw: false, name_localizations: null, default_member_permissions: c.default_member_permissions ?? null }));
  assert.deepEqual(diffCommands(local, registered), { added: [], updated: [], removed: [], unchanged: ['news', 'digest', 'help'] });
  const changed = registered.map((c) => (c.name === 'help' ? { ...c, description: 'old text' } : c)).filter((c) => c.name !== 'news');
  assert.deepEqual(diffCommands(local, [...changed, { name: 'weather' }]), { added: ['news'], updated: ['help'], removed: ['weather'], unchanged: ['digest'] });
});
