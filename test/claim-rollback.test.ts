// Two schedulers share PostgreSQL. One of them is claiming a due digest (its transaction holds the digest's row) when
// the other reaches it: the other skips the locked row rather than wait. If the first process then dies, its claim
// rolls back and nobody holds the slot: the second must look at it again soon, not at the next half-hourly sweep.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { ArticleLibrary } from '../src/articles/library.js';
import { NewsdeskBot } from '../src/bot/app.js';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { PostgresStore } from '../src/state/postgres/postgresStore.js';
import { waitUntil, writeFixtureArticles } from './helpers/bot.js';
import { postgresDatabase } from './helpers/postgres.js';
import { seedDueDigests } from './helpers/sharedState.js';

const LEASE_MS = 2_000;

test('a claim another process started and never finished (it died mid-transaction) is claimed again within a lease, and posted once', { timeout: 60_000 }, async (t) => {
  const url = await postgresDatabase(t);
  if (!url) return;
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  t.after(() => sandbox.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-claim-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  writeFixtureArticles(path.join(dir, 'content'), new Date());
  const channelId = sandbox.channels.news;
  await seedDueDigests(url, [{ channelId, guildId: sandbox.guild.id }]);

  // The other process, mid-claim: it holds the digest's row, as PostgresStore.claimRun does until it commits.
  const other = new pg.Client({ connectionString: url });
  await other.connect();

  await other.query('BEGIN');
  await other.query('SELECT id FROM subscriptions FOR UPDATE');

  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const store = await PostgresStore.connect(url, { logger, lease: { leaseMs: LEASE_MS } });
  const library = await ArticleLibrary.open({ contentDir: path.join(dir, 'content'), logger, watch: false });
  const bot = await NewsdeskBot.start({ token: sandbox.token, apiUrl: sandbox.apiUrl, library, store, logger, defaults: { size: 5, maxPerProvider: 2 } });
  // Closed here, before the database is dropped when the test ends (closing releases the leases in it).
  try {
    await bot.startSchedule();

    const runs = lines.filter((line) => line.event === 'digest.run');
    assert.equal(runs.length, 1, 'the first tick reached the digest');
    assert.equal(runs[0]!.status, 'pending', `the locked digest is owed, not given up: ${runs[0]!.summary as string}`);
    assert.equal(sandbox.messages(channelId).length, 0, 'nothing is posted while the other process holds the claim');

    // The other process dies: its transaction rolls back, and the slot is nobody's.
    await other.query('ROLLBACK');
    await waitUntil(() => sandbox.messages(channelId).length > 0, 'the digest is claimed again and posted', 30_000);
    await waitUntil(async () => (await store.listSubscriptions())[0]?.lastResult?.startsWith('posted') ?? false, 'the run is recorded as posted', 10_000, 100);
    const count = async (sql: string) => Number((await other.query<{ n: string }>(sql)).rows[0]!.n);
    assert.equal(await count('SELECT count(*) AS n FROM runs'), 1, 'one run for the slot');
    assert.equal(sandbox.messages(channelId).length, await count('SELECT count(*) AS n FROM run_messages WHERE message_id IS NOT NULL'), 'each planned message posted once');
  } finally {
    await bot.stop();
    await library.close();
    await store.close();
    await other.end();
  }
});
