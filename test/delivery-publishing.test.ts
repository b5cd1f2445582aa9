// Publishing an announcement channel's digest to its followers, below the bot: a real SQLite file, a restart as a
// new store on the same file. Only digests that publish leave messages owed to followers, so only their runs ask
// the store for them; what one left owed still goes out with its next run after a restart.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { DigestDelivery } from '../src/delivery/exactlyOnce.js';
import type { Sender } from '../src/delivery/runs.js';
import type { Publisher } from '../src/delivery/publishing.js';
import { createLogger } from '../src/log.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import type { StateStore } from '../src/state/stateStore.js';
import type { PlannedMessage, Subscription } from '../src/state/types.js';
import { SubscriptionService } from '../src/subscriptions/service.js';
import { TestClock } from './helpers/clock.js';
import { subscribe } from './helpers/subscriptions.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-publishing-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const logger = createLogger('silent');
const GUILD = '900000000000000001';
const WIRE = '100000000000000001';
const GENERAL = '100000000000000002';
const clock = new TestClock('2026-05-04T08:01:00Z');
const slot = (hour: number) => new Date(Date.UTC(2026, 4, 4, hour));

const message = (n: number): PlannedMessage => ({ payload: { content: `story ${n}`, allowed_mentions: { parse: [] } }, storyUrls: [`https://example.com/${n}`], storyCount: 1 });

/** The store, with the channels it was asked what they owe their followers. */
function watched(store: StateStore): { store: StateStore; askedOwed: string[] } {
  const askedOwed: string[] = [];
  const proxy = new Proxy(store, {
    get(target, key) {
      if (key === 'owedPublications') {
        return (channelId: string, maxAgeMs: number) => {
          askedOwed.push(channelId);
          return target.owedPublications(channelId, maxAgeMs);
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: proxy, askedOwed };
}

/** A channel's posts and publications, as Discord would take them; `publishing` false: Discord's hourly limit is reached. */
function discord() {
  const posted: string[] = [];
  const published: string[] = [];
  let publishing = true;
  const send: Sender = async () => ({ ok: true, messageId: String(7000 + posted.push('x')) });
  const publish: Publisher = async (_channelId, messageId) => {
    if (!publishing) return { ok: false, permanent: false, reason: 'Discord publishes at most 10 messages an hour in a channel' };
    published.push(messageId);
    return { ok: true };
  };
  return { send, publish, published, setPublishing: (on: boolean) => (publishing = on) };
}

function delivery(store: StateStore, channel: ReturnType<typeof discord>): DigestDelivery {
  const subscriptions = new SubscriptionService({ store, reschedule: async () => {}, defaultSettings: () => DEFAULT_DIGEST_SETTINGS });
  const history = async () => ({ ok: true as const, messages: [] });
  return new DigestDelivery({ store, send: channel.send, publish: channel.publish, history, subscriptions, logger, retry: { attempts: 2, baseDelayMs: 1 } });
}

const run = (d: DigestDelivery, digest: Subscription, at: Date, plan: PlannedMessage[] | { empty: string }) =>
  d.deliver({ subscriptionId: digest.id, channelId: digest.channelId, publish: digest.publish, slot: at, plan: () => plan });

test('the runs of a digest that does not publish never ask the store what their channel owes its followers', async () => {
  const { store, askedOwed } = watched(SqliteStore.open(path.join(dir, 'plain.sqlite'), { logger, clock }));
  try {
    const digest = await subscribe(store, { channelId: GENERAL, guildId: GUILD, time: '08:00' });
    const d = delivery(store, discord());
    assert.equal((await run(d, digest, slot(8), [message(1), message(2)])).status, 'posted');
    assert.equal((await run(d, digest, slot(9), { empty: 'no new articles' })).status, 'empty');
    assert.deepEqual(askedOwed, []);
  } finally {
    await store.close();
  }
});

test('what a publishing digest left owed (Discord\'s hourly limit) is published by its next run after a restart, oldest first, even a run with nothing new', async () => {
  const file = path.join(dir, 'wire.sqlite');
  const channel = discord();
  const first = SqliteStore.open(file, { logger, clock });
  const digest = await subscribe(first, { channelId: WIRE, guildId: GUILD, time: '08:00', publish: true });
  channel.setPublishing(false);
  const posted = await run(delivery(first, channel), digest, slot(8), [message(1), message(2)]);
  assert.equal(posted.status, 'posted');
  assert.match(posted.summary, /; 2 messages not published yet \(Discord publishes at most 10 messages an hour in a channel\)/);
  assert.deepEqual(channel.published, []);
  await first.close();

  channel.setPublishing(true);
  const { store, askedOwed } = watched(SqliteStore.open(file, { logger, clock }));
  try {
    const restarted = delivery(store, channel);
    assert.equal((await run(restarted, digest, slot(9), { empty: 'no new articles' })).status, 'empty');
    assert.deepEqual(channel.published, posted.messageIds, 'both owed messages went out, in the order they were posted');
    assert.deepEqual(askedOwed, [WIRE]);
    const next = await run(restarted, digest, slot(10), [message(3)]);
    assert.deepEqual(channel.published, [...posted.messageIds, ...next.messageIds], 'each published once');
  } finally {
    await store.close();
  }
});
