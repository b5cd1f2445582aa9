// For the tests of real bot processes sharing a PostgreSQL database: digests due at once seeded straight into it, a
// replayable random fault point, and the exactly-once check of what each channel holds against what was recorded.
import assert from 'node:assert/strict';
import type pg from 'pg';
import { DEFAULT_DIGEST_SETTINGS } from '../../src/digest/settings.js';
import { createLogger } from '../../src/log.js';
import type { DiscordSandbox } from '../../src/sandbox/server.js';
import { PostgresStore } from '../../src/state/postgres/postgresStore.js';
import { TestClock } from './clock.js';
import { seededRandom } from './seededRandom.js';
import { subscribe } from './subscriptions.js';

/** A replayable random sequence, seeded from NEWSDESK_TEST_SEED, or at random with the seed printed. */
export function testRandom(what: string): () => number {
  const seed = Number(process.env.NEWSDESK_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`# ${what}: seed ${seed} (NEWSDESK_TEST_SEED=${seed} repeats this run)`);
  return seededRandom(seed);
}

/**
 * A digest of ten stories from every article for each channel, due a minute ago and set up an hour before (a slot
 * before a digest's set-up is never owed): the first process to start owes them all.
 */
export async function seedDueDigests(url: string, channels: readonly { channelId: string; guildId: string }[]): Promise<void> {
  const now = new Date();
  const time = new Date(now.getTime() - 60_000).toISOString().slice(11, 16);
  const store = await PostgresStore.connect(url, { logger: createLogger('silent'), clock: new TestClock(new Date(now.getTime() - 3_600_000)) });
  try {
    for (const { channelId, guildId } of channels) {
      await subscribe(store, { channelId, guildId, time, settings: { ...DEFAULT_DIGEST_SETTINGS, size: 10, window: { kind: 'all' } } });
    }
  } finally {
    await store.close();
  }
}

/**
 * Checks that each channel holds exactly the messages its run recorded as sent, none missing and none twice, and
 * that the sandbox received no other bot message. Returns how many there are.
 */
export async function assertPostedOnce(db: pg.Pool, sandbox: DiscordSandbox, channels: readonly string[], received: number): Promise<number> {
  const recorded = (await db.query<{ channel_id: string; message_id: string | null }>('SELECT r.channel_id, m.message_id FROM run_messages m JOIN runs r ON r.id = m.run_id')).rows;
  const byChannel = new Map<string, string[]>();
  for (const row of recorded) {
    assert.ok(row.message_id, `every planned message of ${row.channel_id} was recorded as sent`);
    byChannel.set(row.channel_id, [...(byChannel.get(row.channel_id) ?? []), row.message_id]);
  }
  let messages = 0;
  for (const channelId of channels) {
    const posted = sandbox.messages(channelId).filter((m) => m.authorId === undefined).map((m) => m.id).sort();
    assert.deepEqual(posted, [...(byChannel.get(channelId) ?? [])].sort(), `channel ${channelId} holds each planned message exactly once`);
    assert.ok(posted.length > 0, `channel ${channelId} got its digest`);
    messages += posted.length;
  }
  assert.equal(received, messages, 'the sandbox received no message beyond the recorded ones');
  return messages;
}
