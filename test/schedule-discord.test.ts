import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REST, Routes } from 'discord.js';
import { DEFAULT_DIGEST_SETTINGS } from '../src/digest/settings.js';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { DigestDelivery } from '../src/delivery/exactlyOnce.js';
import type { Sender } from '../src/delivery/runs.js';
import { discordHistory, discordSender } from '../src/bot/discordChannels.js';
import { DigestScheduler } from '../src/schedule/scheduler.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import type { StateStore } from '../src/state/stateStore.js';
import { digestOf, subscribe } from './helpers/subscriptions.js';
import { SubscriptionService } from '../src/subscriptions/service.js';
import type { PlannedMessage } from '../src/state/types.js';
import type { Subscription } from '../src/state/types.js';

const logger = createLogger('silent');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-discord-'));
let sandbox: DiscordSandbox;
let rest: REST;
let botUserId: string;
before(async () => {
  sandbox = await DiscordSandbox.start({ logger });
  rest = new REST({ api: sandbox.apiUrl, timeout: 5_000 }).setToken(sandbox.token);
  botUserId = ((await rest.get(Routes.user('@me'))) as { id: string }).id;
});
after(async () => {
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const clock = { at: new Date('2026-06-01T06:00:00Z'), now() { return this.at; } };
const retry = { attempts: 2, baseDelayMs: 1 };
function delivery(store: StateStore, send: Sender = discordSender(rest)): DigestDelivery {
  const subscriptions = new SubscriptionService({ store, reschedule: async () => {}, defaultSettings: () => DEFAULT_DIGEST_SETTINGS });
  return new DigestDelivery({ store, send, history: discordHistory(rest, () => botUserId), subscriptions, logger, retry });
}
const digest = (label: string): PlannedMessage[] => [
  { payload: { content: `${label} (1/2)`, embeds: [{ title: 'One', url: 'https://example.com/1' }], allowed_mentions: { parse: [] } }, storyUrls: ['https://example.com/1'], storyCount: 1 },
  { payload: { content: `${label} (2/2)`, embeds: [{ title: 'Two', url: 'https://example.com/2' }], allowed_mentions: { parse: [] } }, storyUrls: ['https://example.com/2'], storyCount: 1 },
];

function subscribeAt8(store: StateStore, channelId: string): Promise<Subscription> {
  return subscribe(store, { channelId, guildId: sandbox.guild.id, time: '08:00' });
}

test('through the sandbox: a locked and a deleted channel are paused with their reasons while the news channel gets its digest', async () => {
  const store = SqliteStore.open(path.join(dir, 'channels.sqlite'), { logger, clock });
  const gone = sandbox.createChannel('old-news');
  sandbox.deleteChannel(gone);
  for (const channelId of [sandbox.channels.locked, gone, sandbox.channels.news]) await subscribeAt8(store, channelId);
  const deliveries = delivery(store);
  const runSlot = (sub: Subscription, slot: Date) => deliveries.deliver({ subscriptionId: sub.id, channelId: sub.channelId, publish: sub.publish, slot, plan: () => digest('Morning') });
  clock.at = new Date('2026-06-01T08:00:00Z');
  sandbox.faults.failNext(1, 500, { route: `/channels/${sandbox.channels.news}/messages` });
  await new DigestScheduler({ store, clock, runSlot, logger }).tick();

  assert.deepEqual(sandbox.messages(sandbox.channels.news).map((m) => m.body.content), ['Morning (1/2)', 'Morning (2/2)']);
  const newsPosts = sandbox.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${sandbox.channels.news}/messages`);
  assert.deepEqual(newsPosts.map((r) => r.status), [500, 200, 200], 'the injected server error was retried, and posted once');
  assert.equal((await digestOf(store, sandbox.channels.news))?.lastResult, 'posted 2 messages with 2 stories');
  const locked = (await digestOf(store, sandbox.channels.locked))!;
  assert.equal(locked.paused, true);
  assert.match(locked.pausedReason ?? '', /^the bot may not post in this channel \(Missing Permissions\)/);
  const deleted = (await digestOf(store, gone))!;
  assert.equal(deleted.paused, true);
  assert.equal(deleted.pausedReason, 'the channel no longer exists, or the bot can no longer see it');
  await store.close();
});

test('through the sandbox: a message posted but not recorded before a crash is not duplicated on restart', async () => {
  const file = path.join(dir, 'crash.sqlite');
  const first = SqliteStore.open(file, { logger, clock });
  const channelId = sandbox.createChannel('digest-crash');
  const { id: subscriptionId } = await subscribeAt8(first, channelId);
  const send = discordSender(rest);
  let posts = 0;
  const crashAfterSecondPost: Sender = async (target, body) => {
    const result = await send(target, body);
    if (++posts === 2) throw new Error('killed before recording');
    return result;
  };
  const slot = new Date('2026-06-01T08:00:00Z');
  await assert.rejects(delivery(first, crashAfterSecondPost).deliver({ subscriptionId, channelId, publish: false, slot, plan: () => digest('Crash') }));
  await first.close();

  const restarted = SqliteStore.open(file, { logger, clock });
  const outcome = await delivery(restarted).deliver({ subscriptionId, channelId, publish: false, slot, plan: () => assert.fail('a claimed run is never planned again') });
  assert.equal(outcome.status, 'posted');
  const messages = sandbox.messages(channelId);
  assert.deepEqual(messages.map((m) => m.body.content), ['Crash (1/2)', 'Crash (2/2)']);
  assert.deepEqual(outcome?.messageIds, messages.map((m) => m.id));
  await restarted.close();
});
