// /digest setup forgives the time zones people actually type: abbreviations mean the zone whose clocks people live
// by (EST is New York, with daylight saving, not America/Panama), cities find their zone, an ambiguous abbreviation
// is refused with its candidates, and a near miss suggests the zone. End to end: the real bot against the sandbox.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../src/config.js';
import { startBotHarness, type BotHarness } from './helpers/bot.js';
import { shownText } from './helpers/replies.js';
import { digestOf } from './helpers/subscriptions.js';

let h: BotHarness;
before(async () => {
  h = await startBotHarness();
});
after(async () => {
  await h.close();
});

const setup = (timezone: string) =>
  h.sandbox.driver.command('digest', { subcommand: 'setup', options: { channel: h.sandbox.channels.news, time: '08:00', timezone } });

for (const [typed, zone] of [['est', 'America/New_York'], ['PDT', 'America/Los_Angeles'], ['CET', 'Europe/Paris'], ['Paris', 'Europe/Paris'], ['new york', 'America/New_York'], ['europe/london', 'Europe/London']] as const) {
  test(`timezone:${typed} sets the digest up in ${zone}, and says so`, async () => {
    const reply = shownText(await setup(typed));
    assert.match(reply, /Digest \*\*.+\*\* (set up|replaced)/);
    assert.match(reply, new RegExp(`\\(${zone}\\)`));
    assert.equal((await digestOf(h.store, h.sandbox.channels.news))?.timezone, zone);
  });
}

test('an ambiguous abbreviation is refused with the zones it may mean, and nothing changes', async () => {
  const before = await digestOf(h.store, h.sandbox.channels.news);
  const reply = shownText(await setup('IST'));
  assert.match(reply, /names several time zones: `Asia\/Kolkata`, `Europe\/Dublin`, `Asia\/Jerusalem`/);
  assert.deepEqual(await digestOf(h.store, h.sandbox.channels.news), before);
});

test('a near miss is refused with the zones it comes close to', async () => {
  const reply = shownText(await setup('Europe/Pari'));
  assert.match(reply, /time zone is unknown: “Europe\/Pari”\. Did you mean `Europe\/Paris`/);
});

test('autocomplete offers the zone an abbreviation or a city means first', async () => {
  for (const [typed, first] of [['est', 'America/New_York'], ['paris', 'Europe/Paris'], ['ist', 'Asia/Kolkata']] as const) {
    const { choices } = await h.sandbox.driver.autocomplete('digest', { name: 'timezone', value: typed }, { subcommand: 'setup' });
    assert.equal(choices[0]?.value, first, typed);
  }
});

test('DIGEST_TIMEZONE in .env reads an abbreviation or a city the same way, and refuses an ambiguous one', () => {
  const env = { CONTENT_DIR: h.contentDir, DIGEST_CHANNEL_ID: h.sandbox.channels.news, DIGEST_TIME: '8:30' };
  assert.deepEqual(loadConfig({ ...env, DIGEST_TIMEZONE: 'EST' }).digest, { channelId: h.sandbox.channels.news, time: '08:30', timezone: 'America/New_York' });
  assert.equal(loadConfig({ ...env, DIGEST_TIMEZONE: 'tokyo' }).digest?.timezone, 'Asia/Tokyo');
  assert.throws(() => loadConfig({ ...env, DIGEST_TIMEZONE: 'IST' }), /DIGEST_TIMEZONE must be an IANA time zone/);
});
