// /metrics counts every digest run, whatever started it: the scheduler's slots, live batches and /digest now alike,
// posted or given up, and each run's claim lag once however often the run is tried. The real bot and discord.js
// client against the sandbox, a real SQLite file, and the real /metrics endpoint on a free port.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLogger } from '../src/log.js';
import { startHealthServer } from '../src/ops/healthServer.js';
import { createMetrics } from '../src/ops/metrics.js';
import { startBotHarness, TEST_NOW, waitUntil } from './helpers/bot.js';
import type { BotHarness } from './helpers/bot.js';
import { arrive, liveTickAt, postedBatches, urlOf } from './helpers/live.js';
import { shown } from './helpers/replies.js';

const MINUTE = 60_000;
const at = (minutes: number) => new Date(TEST_NOW.getTime() + minutes * MINUTE);

let h: BotHarness;
let server: Awaited<ReturnType<typeof startHealthServer>>;
before(async () => {
  const metrics = createMetrics({ role: 'all', shards: 'none' });
  h = await startBotHarness({ metrics });
  server = await startHealthServer({ port: 0, ready: () => ({ ok: true, detail: 'test' }), metrics, logger: createLogger('silent') });
});
after(async () => {
  await server.close();
  await h.close();
});

async function channel(name: string): Promise<string> {
  const id = h.sandbox.createChannel(name);
  await waitUntil(() => h.bot.client.channels.cache.has(id), `the bot to see #${name}`);
  return id;
}

/** A sample of /metrics, by its name and labels as Prometheus writes them. */
async function sample(series: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(series) && /^[{, ]/.test(l.slice(series.length)));
  assert.ok(line, `${series} in:\n${text.slice(0, 2000)}`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('a scheduled run tried twice, a live batch and /digest now are each counted once, posted or refused', { timeout: 60_000 }, async () => {
  // A scheduled digest whose first try Discord fails (discord.js tries a 5xx four times, delivery four): left pending,
  // then finished by the next tick.
  const scheduled = await channel('metrics-scheduled');
  await h.digest('setup', { channel: scheduled, time: '12:30', timezone: 'UTC' });
  h.sandbox.faults.failNext(16, 500, { route: `/channels/${scheduled}/messages` });
  h.clock.set(at(31));
  await h.bot.scheduler.tick();
  assert.equal(h.sandbox.messages(scheduled).length, 0, 'the first try failed');
  await h.bot.scheduler.tick();
  await h.bot.scheduler.tick();
  assert.equal(h.sandbox.messages(scheduled).length, 1);

  const now = await channel('metrics-now');
  await h.digest('setup', { channel: now, time: '06:00', timezone: 'UTC' });
  assert.match(shown(await h.digest('now', { channel: now })).content!, /posted/);

  const live = await channel('metrics-live');
  await h.digest('live', { channel: live, keywords: 'metricswire', every: 1 });
  const story = { slug: 'metricswire-1', title: 'Metricswire first story', publishedAt: at(32), provider: { name: 'Metrics Wire', domain: 'metricswire.example.org' } };
  await arrive(h, [story]);
  await liveTickAt(h, at(33));
  assert.deepEqual(postedBatches(h, live), [[urlOf(story)]]);

  const doomed = await channel('metrics-doomed');
  await h.digest('setup', { channel: doomed, time: '06:00', timezone: 'UTC' });
  h.sandbox.deleteChannel(doomed);
  assert.match(shown(await h.digest('now', { channel: doomed })).content!, /could not post/);

  assert.equal(await sample('newsdesk_digests_posted_total'), 3, 'the scheduled digest, /digest now and the live batch');
  assert.equal(await sample('newsdesk_digests_failed_total{reason="channel_refused"'), 1, 'the /digest now its channel refused');
  assert.equal(await sample('newsdesk_claim_lag_seconds_count'), 4, 'one claim per run: the scheduled run tried twice counts once');
  // Its slot was 12:30 and the clock said 12:31 when it was claimed; the others were claimed at their slot's minute.
  assert.equal(await sample('newsdesk_claim_lag_seconds_bucket{le="30"'), 3);
  assert.equal(await sample('newsdesk_claim_lag_seconds_bucket{le="60"'), 4);
});
