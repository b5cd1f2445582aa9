// Several digests per channel as an admin meets them, end to end (the real bot, the sandbox, a real SQLite file):
// names and picking, /digest edit changing only what it is given, days of the week, layouts, the 25-digest limit,
// a paused digest asked to post now, and autocomplete for digests, days and lists of topics.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AUTOCOMPLETE_CHOICE_NAME_MAX, AUTOCOMPLETE_CHOICE_VALUE_MAX, AUTOCOMPLETE_CHOICES_MAX } from '../src/discord/limits.js';
import { DIGESTS_PER_SERVER_MAX } from '../src/subscriptions/service.js';
import { startBotHarness, TEST_NOW, waitUntil } from './helpers/bot.js';
import type { BotHarness } from './helpers/bot.js';
import { openApiSkip } from './helpers/openapi.js';
import { channelPosts, shown, shownText } from './helpers/replies.js';
import { recordedBodyProblems } from './helpers/sandboxOpenApi.js';
import { subscribe } from './helpers/subscriptions.js';
import type { Subscription } from '../src/state/types.js';

let h: BotHarness;
let desk: string;
before(async () => {
  h = await startBotHarness();
  desk = h.sandbox.createChannel('world-desk');
  await waitUntil(() => h.bot.client.channels.cache.has(desk), 'the bot to see the new channel');
});
after(async () => {
  await h.close();
});

const digests = () => h.store.listSubscriptions({ channelId: desk });
const text = async (reply: Promise<Parameters<typeof shown>[0]>) => shownText(await reply);

test('two named digests share a channel; without a name, setup and the other commands ask which one', async () => {
  assert.match(await text(h.digest('setup', { channel: desk, time: '07:00', timezone: 'UTC', name: 'Morning', days: 'weekdays' })), /Digest \*\*Morning\*\* set up .* Weekdays at 07:00 \(UTC\)/);
  assert.match(await text(h.digest('setup', { channel: desk, time: '19:00', timezone: 'UTC', name: 'Evening', topics: 'economy' })), /Digest \*\*Evening\*\* set up/);
  assert.deepEqual((await digests()).map((d) => [d.name, d.time, d.days]), [['Morning', '07:00', [1, 2, 3, 4, 5]], ['Evening', '19:00', []]]);

  assert.match(await text(h.digest('setup', { channel: desk, time: '08:00', timezone: 'UTC' })), /has 2 digests\. Give a `name`/);
  assert.match(await text(h.digest('pause', {}, { channelId: desk })), /has 2 digests \(\*\*Morning\*\*, \*\*Evening\*\*\): pick one with the `digest` option/);
  assert.match(await text(h.digest('pause', { digest: 'Evenign' })), /no digest called “Evenign”\. Did you mean \*\*Evening\*\*\?/);
  assert.equal((await digests()).filter((d) => d.paused).length, 0, 'nothing was paused by the refused commands');
  // Names are the server's: another channel cannot take one.
  assert.match(await text(h.digest('setup', { channel: h.sandbox.channels.general, time: '08:00', timezone: 'UTC', name: 'morning' })), /A digest called \*\*Morning\*\* already posts in <#\d+>/);
});

test('digest autocomplete lists the server\'s digests by name and channel, within Discord\'s limits, valued by id', async () => {
  const { choices } = await h.sandbox.driver.autocomplete('digest', { name: 'digest', value: 'eve' }, { subcommand: 'edit' });
  const evening = (await digests()).find((d) => d.name === 'Evening')!;
  assert.deepEqual(choices[0], { name: 'Evening — #world-desk · Every day at 19:00 (UTC)', value: String(evening.id) });
  const all = await h.sandbox.driver.autocomplete('digest', { name: 'digest', value: 'world' }, { subcommand: 'now' });
  assert.deepEqual(all.choices.map((c) => c.value).sort(), (await digests()).map((d) => String(d.id)).sort(), 'a channel name finds its digests');
  for (const c of all.choices) assert.ok(c.name.length <= AUTOCOMPLETE_CHOICE_NAME_MAX);
});

test('/digest edit changes only the options given, keeps a pause, and refuses a bad value naming it', async () => {
  const evening = (await digests()).find((d) => d.name === 'Evening')!;
  await h.digest('pause', { digest: String(evening.id) });
  const reply = await text(h.digest('edit', { digest: String(evening.id), time: '20:15', layout: 'compact' }));
  assert.match(reply, /Digest \*\*Evening\*\* changed .* Every day at 20:15 \(UTC\)/);
  const edited = (await h.store.getSubscription(evening.id))!;
  assert.deepEqual([edited.time, edited.settings.layout, edited.settings.topics, edited.paused], ['20:15', 'compact', ['Economy'], true], 'topics kept, still paused');
  assert.match(await text(h.digest('edit', { digest: 'Evening', days: 'someday' })), /`days` must be .*“someday” is not/);
  assert.match(await text(h.digest('edit', { digest: 'Evening', topics: 'Econmy' })), /`topics`: No article has the topic “Econmy”\. Did you mean “Economy”\?/);
  assert.deepEqual(await h.store.getSubscription(evening.id), edited, 'refused edits change nothing');
  assert.match(await text(h.digest('edit', { digest: 'Evening', name: 'Night', topics: 'none' })), /Digest \*\*Night\*\* changed/);
  assert.deepEqual((await h.store.getSubscription(evening.id))!.settings.topics, [], '`none` clears a list');
});

test('/digest now on a paused digest says so and posts nothing; force posts it, in its layout', async () => {
  const night = (await digests()).find((d) => d.name === 'Night')!;
  assert.match(await text(h.digest('now', { digest: 'Night' })), /\*\*Night\*\* in <#\d+> is paused, so nothing was posted\. Run `\/digest now force:True`/);
  assert.equal(h.sandbox.messages(desk).length, 0);
  assert.match(await text(h.digest('now', { digest: 'Night', force: true })), /Digest \*\*Night\*\* in <#\d+> posted \(1 message\)/);
  const [posted] = channelPosts(h.sandbox, desk);
  assert.equal(posted!.embeds!.length, 1, 'compact: one embed');
  assert.match(posted!.embeds![0]!.description!, /^• \[.+\]\(https:\/\/.+\) — .+ <t:\d+:R>/m);
  assert.equal((await h.store.getSubscription(night.id))!.paused, true, 'forcing one post does not resume it');
});

test('a headlines digest posts linked titles without embeds, and preview shows them', async () => {
  const channel = h.sandbox.createChannel('headlines-desk');
  await waitUntil(() => h.bot.client.channels.cache.has(channel), 'the bot to see the new channel');
  await h.digest('setup', { channel, time: '06:00', timezone: 'UTC', layout: 'headlines' });
  const preview = shown(await h.digest('preview', {}, { channelId: channel }));
  assert.equal(preview.embeds?.length ?? 0, 0);
  assert.match(preview.content!, /Nothing was posted\.\n\*\*Daily digest — Friday, 20 November\*\*\n• \[/);
  await h.digest('now', { channel });
  const [message] = channelPosts(h.sandbox, channel);
  assert.deepEqual(message!.embeds ?? [], []);
  assert.match(message!.content!, /^• \[.+\]\(<https:\/\/[^>]+>\) — .+ <t:\d+:R>$/m);
  assert.deepEqual(message!.allowed_mentions, { parse: [] });
});

test('days, topics and outlets autocomplete: the usual sets, and the next item of a list', async () => {
  const days = await h.sandbox.driver.autocomplete('digest', { name: 'days', value: 'we' }, { subcommand: 'setup' });
  assert.deepEqual(days.choices.map((c) => c.value), ['weekdays', 'weekends', 'wednesday']);
  const typed = await h.sandbox.driver.autocomplete('digest', { name: 'days', value: 'mon, thu' }, { subcommand: 'setup' });
  assert.deepEqual(typed.choices[0], { name: 'Mon, Thu', value: 'mon, thu' }, 'what was typed, read back as the schedule will show it');
  const topics = await h.sandbox.driver.autocomplete('digest', { name: 'topics', value: 'Space, eco' }, { subcommand: 'setup' });
  assert.equal(topics.choices[0]!.value, 'Space, Economy');
  assert.match(topics.choices[0]!.name, /^Space, Economy \(\d+\)$/);
  const outlets = await h.sandbox.driver.autocomplete('digest', { name: 'exclude_providers', value: 'star' }, { subcommand: 'edit' });
  assert.equal(outlets.choices[0]!.value, 'starwire.example.net');
  // A list too long for a choice's value offers nothing rather than a value Discord would refuse.
  const long = await h.sandbox.driver.autocomplete('digest', { name: 'topics', value: `${'x'.repeat(95)}, spa` }, { subcommand: 'setup' });
  for (const choice of long.choices) assert.ok(String(choice.value).length <= AUTOCOMPLETE_CHOICE_VALUE_MAX);
  assert.ok(long.choices.length <= AUTOCOMPLETE_CHOICES_MAX);
});

test(`a server holds at most ${DIGESTS_PER_SERVER_MAX} digests; past that setup says so and saves nothing`, async () => {
  const existing = (await h.store.listSubscriptions({ guildId: h.sandbox.guild.id })).length;
  const filler: Subscription[] = [];
  for (let i = existing; i < DIGESTS_PER_SERVER_MAX; i++) {
    filler.push(await subscribe(h.store, { name: `Filler ${i - existing}`, channelId: h.sandbox.channels.general, guildId: h.sandbox.guild.id, time: '05:00' }));
  }
  try {
    const reply = await text(h.digest('setup', { channel: desk, time: '09:00', timezone: 'UTC', name: 'One too many' }));
    assert.match(reply, new RegExp(`already has ${DIGESTS_PER_SERVER_MAX} digests, the most it may hold`));
    assert.equal(await h.store.findSubscriptionByName(h.sandbox.guild.id, 'One too many'), undefined);
    // Replacing or editing one is still allowed at the limit.
    assert.match(await text(h.digest('setup', { channel: desk, time: '07:30', timezone: 'UTC', name: 'Morning', days: 'weekdays' })), /Digest \*\*Morning\*\* replaced/);
  } finally {
    for (const digest of filler) await h.store.removeSubscription(digest.id);
  }
});

test('a weekdays digest skips the weekend on the timetable', async () => {
  // TEST_NOW is Friday 20 November, 12:00 UTC: the Morning digest (weekdays, 07:30) next runs on Monday.
  const morning = (await digests()).find((d) => d.name === 'Morning')!;
  const status = shown(await h.digest('status'));
  const field = status.embeds![0]!.fields!.find((f) => f.name === 'Morning')!;
  assert.match(field.value, /Weekdays at 07:30 \(UTC\)\nNext: Mon 23 Nov, 07:30 there/);
  h.clock.set(new Date(TEST_NOW.getTime() + 20 * 3_600_000)); // Saturday 08:00
  await h.bot.scheduler.tick();
  assert.equal(await h.store.findRun(morning.id, new Date('2026-11-21T07:30:00Z')), undefined, 'no Saturday run');
  h.clock.set(new Date('2026-11-23T07:31:00Z'));
  await h.bot.scheduler.tick();
  assert.equal((await h.store.findRun(morning.id, new Date('2026-11-23T07:30:00Z')))?.status !== undefined, true, 'Monday ran');
});

test('every body the bot sent matches Discord\'s OpenAPI description', { skip: openApiSkip }, async () => {
  assert.deepEqual(recordedBodyProblems(h.sandbox.requests), []);
  assert.equal(h.sandbox.unknownRoutes, 0);
});
