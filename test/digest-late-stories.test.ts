// Stories that arrive late are still digested, once: a file written after the digest that would have carried it, a
// `published` flag turned true, a file deleted and restored, with a restart in between. The real bot, the sandbox,
// a real SQLite file and real files in a watched folder; the clock is the test's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startBotHarness, TEST_NOW, waitUntil, writeFixtureArticles } from './helpers/bot.js';
import type { BotHarness, FixtureArticle } from './helpers/bot.js';
import { storyUrls } from './helpers/reliability.js';

// One outlet per story: a digest takes at most two stories of an outlet.
const deskOf = (slug: string) => ({ name: `Desk ${slug}`, domain: `${slug}.example.org` });
const at = (iso: string) => new Date(`2026-11-20T${iso}:00Z`);
const hoursBefore = (iso: string) => (TEST_NOW.getTime() - at(iso).getTime()) / 3_600_000;
/** A story of ours, published at `time` (UTC, on the test's day), matching the digests' keyword. */
const story = (slug: string, time: string, extra: Partial<FixtureArticle> = {}): FixtureArticle => ({
  slug,
  title: `Latecomer ${slug}`,
  hoursAgo: hoursBefore(time),
  provider: deskOf(slug),
  topics: ['Economy'],
  quality: 100,
  ...extra,
});
const urlOf = (slug: string) => `https://${deskOf(slug).domain}/news/${slug}`;

let h: BotHarness;
before(async () => {
  h = await startBotHarness();
});
after(async () => {
  await h.close();
});

function write(article: FixtureArticle): void {
  writeFixtureArticles(h.contentDir, TEST_NOW, [article]);
}

async function libraryShows(slug: string, published: boolean | 'absent'): Promise<void> {
  await waitUntil(() => {
    const found = h.library.all().find((a) => a.url === urlOf(slug));
    return published === 'absent' ? !found : found?.published === published;
  }, `${slug} to be ${String(published)} in the library`);
}

async function tickAt(iso: string, day = 0): Promise<void> {
  h.clock.set(new Date(at(iso).getTime() + day * 86_400_000));
  await h.bot.scheduler.tick();
}

test('a late file, a flag turned true and a restored file reach each channel once, across a restart', async () => {
  const early = h.sandbox.createChannel('early-desk');
  const late = h.sandbox.createChannel('late-desk');
  await waitUntil(() => h.bot.client.channels.cache.has(early) && h.bot.client.channels.cache.has(late), 'the bot to see the new channels');
  h.clock.set(at('12:00'));
  // Two digests on the same stories at different times; `keywords` keeps them to this test's articles.
  for (const [channel, time] of [[early, '14:26'], [late, '18:00']] as const) {
    await h.digest('setup', { channel, time, timezone: 'UTC', keywords: 'latecomer' });
  }
  write(story('on-time', '12:30'));
  write(story('flag-flip', '12:45', { published: false }));
  write(story('restored', '13:30'));
  await Promise.all([libraryShows('on-time', true), libraryShows('flag-flip', false), libraryShows('restored', true)]);
  h.clock.set(at('13:40'));
  await h.digest('preview', {}, { channelId: early }); // the bot sees the restored story published before it goes away
  fs.rmSync(path.join(h.contentDir, 'restored.md'));
  await libraryShows('restored', 'absent');

  await tickAt('14:26');
  assert.deepEqual(storyUrls(h.sandbox, early), [urlOf('on-time')], 'the 14:26 digest carries what was there');

  // After that digest: a file published at 13:00 arrives, the flag turns true, the deleted file comes back.
  h.clock.set(at('14:30'));
  write(story('late-file', '13:00'));
  write(story('flag-flip', '12:45'));
  write(story('restored', '13:30'));
  await Promise.all([libraryShows('late-file', true), libraryShows('flag-flip', true), libraryShows('restored', true)]);
  await h.digest('preview', {}, { channelId: early }); // seen at 14:30, before the restart
  await h.restart();

  await tickAt('18:00');
  assert.deepEqual(new Set(storyUrls(h.sandbox, late)), new Set(['on-time', 'late-file', 'flag-flip', 'restored'].map(urlOf)), 'the evening digest has everything');
  await tickAt('14:26', 1);
  assert.deepEqual(new Set(storyUrls(h.sandbox, early)), new Set(['on-time', 'late-file', 'flag-flip', 'restored'].map(urlOf)), 'the next day\'s digest has the late ones');

  // Asked again, from the timers and by hand: nothing more, and each channel holds each story once.
  await tickAt('18:00', 1);
  await h.digest('now', { channel: early });
  await h.digest('now', { channel: late });
  for (const channel of [early, late]) {
    const urls = storyUrls(h.sandbox, channel);
    assert.equal(urls.length, 4, `${channel}: ${urls.join(' ')}`);
    assert.equal(new Set(urls).size, 4);
  }
});

test('a file that arrives while the bot is down is dated at the restart, not lost and not dated twice', async () => {
  const desk = h.sandbox.createChannel('restart-desk');
  await waitUntil(() => h.bot.client.channels.cache.has(desk), 'the bot to see the new channel');
  h.clock.set(new Date(at('08:00').getTime() + 2 * 86_400_000));
  await h.digest('setup', { channel: desk, time: '09:00', timezone: 'UTC', keywords: 'downtime' });
  await tickAt('09:00', 2);
  assert.equal(h.sandbox.messages(desk).length, 0);

  // Published at 08:30 on that day, written while the bot restarts after its 09:00 digest.
  const downtime: FixtureArticle = { ...story('downtime', '08:30'), title: 'Downtime story', hoursAgo: hoursBefore('08:30') - 48 };
  write(downtime);
  await h.restart();
  await libraryShows('downtime', true);
  h.clock.set(new Date(at('09:30').getTime() + 2 * 86_400_000));
  await h.digest('preview', {}, { channelId: desk });
  await h.restart();
  await tickAt('09:00', 3);
  assert.deepEqual(storyUrls(h.sandbox, desk), [urlOf('downtime')]);
});
