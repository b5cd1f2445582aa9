// Live digests end to end: /digest live, status and edit; a new file's story posted in the next batch, batches at most
// one per interval, each story once across a restart; a story's other outlets folded into its post; a paused live
// digest silent; filters and the quality bar. The real bot and discord.js client against the sandbox, a real SQLite
// file, real files in the watched content folder; the clock is the test's and the live runner ticks when told.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBotHarness, waitUntil } from './helpers/bot.js';
import type { BotHarness } from './helpers/bot.js';
import { arrive, dayStart, liveTickAt, plus, postedBatches, urlOf } from './helpers/live.js';
import type { LiveArticle } from './helpers/live.js';
import { shown, shownText } from './helpers/replies.js';

const WIRE = { name: 'Live Wire', domain: 'livewire.example.org' };
const BEACON = { name: 'Beacon Post', domain: 'beacon.example.com' };
const HARBOR = { name: 'Harbor Times', domain: 'harbor.example.net' };

let h: BotHarness;
before(async () => {
  h = await startBotHarness();
});
after(async () => {
  await h.close();
});


async function liveChannel(name: string): Promise<string> {
  const id = h.sandbox.createChannel(name);
  await waitUntil(() => h.bot.client.channels.cache.has(id), `the bot to see #${name}`);
  return id;
}

function story(slug: string, publishedAt: Date, extra: Partial<LiveArticle> = {}): LiveArticle {
  return { slug, title: `Livewire ${slug}`, publishedAt, provider: WIRE, quality: 100, ...extra };
}

const liveDigest = async (channelId: string) => (await h.store.listSubscriptions({ channelId })).find((d) => d.kind === 'live')!;

test('/digest live sets up a live digest that status and edit show, and refuses what does not apply to it', async () => {
  const start = dayStart(0);
  h.clock.set(start);
  const channel = await liveChannel('wire-commands');
  const reply = await h.digest('live', { channel, keywords: 'livewire' });
  assert.match(shown(reply).content!, /Digest \*\*wire-commands live\*\* set up for <#\d+>\. Live, at most one post every 5 min\./);
  assert.match(shownText(await h.digest('status')), /<#\d+> · Live, at most one post every 5 min\nEach new story within a minute of its arrival, up to 10 a post/);

  const changed = await h.digest('edit', { digest: 'wire-commands live', every: 15 });
  assert.match(shown(changed).content!, /changed for <#\d+>\. Live, at most one post every 15 min\./);
  assert.equal((await liveDigest(channel)).settings.everyMinutes, 15);

  const timed = await h.digest('edit', { digest: 'wire-commands live', time: '08:00' });
  assert.match(shown(timed).content!, /\*\*wire-commands live\*\* is a live digest: it posts each new story as it arrives, so `time` does not apply to it/);
  const second = await h.digest('live', { channel, name: 'Second wire' });
  assert.match(shown(second).content!, /already has a live digest, \*\*wire-commands live\*\*, and a channel holds one/);
  await h.digest('setup', { channel, name: 'Morning', time: '08:00', timezone: 'UTC' });
  const everyOnScheduled = await h.digest('edit', { digest: 'Morning', every: 3 });
  assert.match(shown(everyOnScheduled).content!, /`every` sets how often a live digest may post, and \*\*Morning\*\* is posted at set times/);
  const kinds = (await h.store.listSubscriptions({ channelId: channel })).map((d) => [d.name, d.kind, d.time, d.settings.everyMinutes]);
  assert.deepEqual(kinds, [['wire-commands live', 'live', '', 15], ['Morning', 'scheduled', '08:00', 5]], 'nothing refused was saved');
  await h.digest('remove', { digest: 'Morning' });
});

test('a new file is posted in the next batch, batches are an interval apart, and each story goes once across a restart', async () => {
  const start = dayStart(1);
  h.clock.set(start);
  const channel = await liveChannel('wire-batches');
  await h.digest('live', { channel, keywords: 'livewire' });
  const id = (await liveDigest(channel)).id;

  await liveTickAt(h, plus(start, 0, 20));
  assert.equal(h.sandbox.messages(channel).length, 0, 'nothing new: nothing posted');
  assert.equal(await h.store.lastPlannedAt(id, plus(start, 60)), null, 'and no run recorded for a minute with nothing to post');

  const first = story('first', plus(start, -1));
  await arrive(h, [first]);
  await liveTickAt(h, plus(start, 0, 40));
  assert.deepEqual(postedBatches(h, channel), [[urlOf(first)]], 'posted within the minute it arrived');
  assert.match(String(h.sandbox.messages(channel)[0]!.body.content), /Live news/);

  const second = story('second', plus(start, 1));
  await arrive(h, [second]);
  await liveTickAt(h, plus(start, 2));
  await liveTickAt(h, plus(start, 4, 59));
  assert.equal(h.sandbox.messages(channel).length, 1, 'the next batch waits for the interval');
  await liveTickAt(h, plus(start, 5));
  assert.deepEqual(postedBatches(h, channel), [[urlOf(first)], [urlOf(second)]]);

  await h.restart();
  await liveTickAt(h, plus(start, 5, 30));
  await liveTickAt(h, plus(start, 10));
  assert.equal(h.sandbox.messages(channel).length, 2, 'a restart posts nothing again');

  // A file that arrives just before a restart is dated when the new bot first looks, and posted once.
  const third = story('third', plus(start, 11));
  await arrive(h, [third]);
  await h.restart();
  await liveTickAt(h, plus(start, 12));
  await liveTickAt(h, plus(start, 17));
  await h.digest('now', { channel });
  assert.deepEqual(postedBatches(h, channel), [[urlOf(first)], [urlOf(second)], [urlOf(third)]]);
  assert.equal(new Set(postedBatches(h, channel).flat()).size, 3);
});

test('a story told by several outlets is one post with the others as related coverage, and later coverage is not posted again', async () => {
  const start = dayStart(2);
  h.clock.set(start);
  const channel = await liveChannel('wire-related');
  await h.digest('live', { channel, keywords: 'livewire' });
  const beacon = story('bridge-beacon', plus(start, -3), { provider: BEACON, quality: 90 });
  const lead = story('bridge', plus(start, -2), { quality: 150, related: [{ title: beacon.title, url: urlOf(beacon), provider: BEACON }] });
  await arrive(h, [lead, beacon]);
  await liveTickAt(h, plus(start, 1));
  const [post] = h.sandbox.messages(channel);
  const embeds = post!.body.embeds as { url: string; fields?: { name: string; value: string }[] }[];
  assert.deepEqual(embeds.map((e) => e.url), [urlOf(lead)], 'one embed for the story');
  assert.match(embeds[0]!.fields!.find((f) => f.name === 'Related coverage')!.value, /Beacon Post/);

  const harbor = story('bridge-harbor', plus(start, 2), { provider: HARBOR, quality: 200, related: [{ title: lead.title, url: urlOf(lead), provider: WIRE }] });
  await arrive(h, [harbor]);
  await liveTickAt(h, plus(start, 10));
  assert.equal(h.sandbox.messages(channel).length, 1, 'the story was posted already, whichever outlet tells it again');
});

test('a paused live digest posts nothing; resumed, it posts what arrives from then on', async () => {
  const start = dayStart(3);
  h.clock.set(start);
  const channel = await liveChannel('wire-paused');
  await h.digest('live', { channel, keywords: 'livewire', every: 1 });
  await h.digest('pause', { channel });
  const quiet = story('while-paused', plus(start, 1));
  await arrive(h, [quiet]);
  await liveTickAt(h, plus(start, 2));
  await liveTickAt(h, plus(start, 30));
  assert.equal(h.sandbox.messages(channel).length, 0);
  assert.equal(await h.store.lastPlannedAt((await liveDigest(channel)).id, plus(start, 60)), null);

  await h.digest('resume', { channel });
  const fresh = story('after-resume', plus(start, 31));
  await arrive(h, [fresh]);
  await liveTickAt(h, plus(start, 32));
  assert.deepEqual(postedBatches(h, channel), [[urlOf(fresh)]]);
});

test('a live digest posts only the stories its filters and quality bar let through', async () => {
  const start = dayStart(4);
  h.clock.set(start);
  const channel = await liveChannel('wire-filters');
  await h.digest('live', { channel, keywords: 'livewire', topics: 'Space', min_quality: 120, exclude_providers: 'beacon.example.com', every: 1 });
  const kept = story('space-good', plus(start, 1), { topics: ['Space'], quality: 130 });
  const low = story('space-low', plus(start, 1), { topics: ['Space'], quality: 100 });
  const offTopic = story('economy-good', plus(start, 1), { topics: ['Economy'], quality: 150 });
  const excluded = story('space-beacon', plus(start, 1), { topics: ['Space'], quality: 160, provider: BEACON });
  await arrive(h, [kept, low, offTopic, excluded]);
  await liveTickAt(h, plus(start, 2));
  await liveTickAt(h, plus(start, 3));
  assert.deepEqual(postedBatches(h, channel), [[urlOf(kept)]]);
});
