// A burst of 1,000 new files under live digests in three channels: one message per channel per batch, each within
// Discord's limits (at most 10 embeds, 6,000 characters of embed text, valid against its API description), the best
// stories first and the rest in the next batches, stories past the live maximum age never posted, no story twice,
// and not one 429 from the sandbox, which enforces Discord's limits (5 posts per 5 s per channel, 50 requests/s).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { APIEmbed } from 'discord.js';
import { embedTextLength } from '../src/digest/pack.js';
import { MESSAGE_EMBED_TEXT_MAX, MESSAGE_EMBEDS_MAX } from '../src/discord/limits.js';
import { LIVE_MAX_AGE_HOURS } from '../src/schedule/liveBatch.js';
import { startBotHarness, TEST_NOW, waitUntil } from './helpers/bot.js';
import type { BotHarness } from './helpers/bot.js';
import { arrive, liveTickAt, postedBatches, urlOf } from './helpers/live.js';
import type { LiveArticle } from './helpers/live.js';
import { openApiSkip } from './helpers/openapi.js';
import { recordedBodyProblems } from './helpers/sandboxOpenApi.js';

const BURST = 1000;
const STALE = 20;
const BATCHES = 4;
const MINUTE = 60_000;
const OUTLETS = Array.from({ length: 5 }, (_, i) => ({ name: `Burst Outlet ${i + 1}`, domain: `outlet${i + 1}.burst.example.com` }));

let h: BotHarness;
const channels: string[] = [];
const at = (minutes: number) => new Date(TEST_NOW.getTime() + minutes * MINUTE);

/**
 * Story i: quality 1000 + i, so the best are the last written; titles and excerpts long enough that ten cards
 * exceed a message's 6,000 characters. The stale ones rank above all but were published past the maximum age.
 */
function burstStory(i: number, stale = false): LiveArticle {
  const slug = `${stale ? 'stale' : 'burst'}-${String(i).padStart(4, '0')}`;
  const title = `Burst ${slug} ${'breaking development in the story that keeps growing '.repeat(5)}`.slice(0, 250);
  return {
    slug,
    title,
    excerpt: `${title}. ${'Details follow as the desk confirms them with sources on the ground. '.repeat(6)}`,
    publishedAt: new Date(TEST_NOW.getTime() - (stale ? (LIVE_MAX_AGE_HOURS + 6) * 3_600_000 : (i % 600) * 1000)),
    provider: OUTLETS[i % OUTLETS.length]!,
    quality: stale ? 5000 + i : 1000 + i,
  };
}

const fresh = Array.from({ length: BURST }, (_, i) => burstStory(i));
const stale = Array.from({ length: STALE }, (_, i) => burstStory(i, true));

before(async () => {
  h = await startBotHarness();
  for (const name of ['burst-a', 'burst-b', 'burst-c']) {
    const id = h.sandbox.createChannel(name);
    await waitUntil(() => h.bot.client.channels.cache.has(id), `the bot to see #${name}`);
    await h.digest('live', { channel: id, keywords: 'burst', every: 1 });
    channels.push(id);
  }
  await arrive(h, [...fresh, ...stale]);
  // Seen (and dated) half a minute before the first batch, as a member's preview or any earlier tick would see it.
  h.clock.set(at(0.5));
  await h.digest('preview', {}, { channelId: channels[0] });
  for (let batch = 0; batch < BATCHES; batch++) {
    await liveTickAt(h, at(batch + 1));
    await liveTickAt(h, new Date(at(batch + 1).getTime() + 30_000)); // a second tick in the same minute adds nothing
  }
});
after(async () => {
  await h.close();
});

test('each channel gets one message per batch, the best stories first and the next best in the next batch', () => {
  const best = [...fresh].sort((a, b) => b.quality! - a.quality!).map(urlOf);
  for (const channel of channels) {
    const batches = postedBatches(h, channel);
    assert.equal(batches.length, BATCHES, `#${h.sandbox.channelName(channel)}: one message per batch`);
    const posted = batches.flat();
    assert.deepEqual(posted, best.slice(0, posted.length), 'in rank order, each batch going on where the previous stopped');
    assert.equal(new Set(posted).size, posted.length, 'no story twice');
    assert.ok(posted.length >= BATCHES * 5, `batches are full, not one story each (${posted.length} stories)`);
  }
});

test('every message stays within Discord\'s limits, with fewer than 10 stories when 10 would not fit', () => {
  const sizes = new Set<number>();
  for (const channel of channels) {
    for (const message of h.sandbox.messages(channel)) {
      const embeds = message.body.embeds as APIEmbed[];
      assert.ok(embeds.length >= 1 && embeds.length <= MESSAGE_EMBEDS_MAX);
      assert.ok(embeds.reduce((sum, e) => sum + embedTextLength(e), 0) <= MESSAGE_EMBED_TEXT_MAX);
      sizes.add(embeds.length);
    }
  }
  assert.ok(Math.max(...sizes) < MESSAGE_EMBEDS_MAX, 'these long stories fill the 6,000 characters before 10 embeds');
});

test('stories published longer ago than the live maximum age are never posted, however well they rank', () => {
  const staleUrls = new Set(stale.map(urlOf));
  for (const channel of channels) assert.deepEqual(postedBatches(h, channel).flat().filter((url) => staleUrls.has(url)), []);
});

test('the burst never meets a rate limit', () => {
  assert.deepEqual(h.sandbox.requests.filter((r) => r.status === 429).map((r) => `${r.method} ${r.path}`), []);
});

test('every message body is valid for Discord', { skip: openApiSkip }, () => {
  assert.deepEqual(recordedBodyProblems(h.sandbox.requests), []);
});
