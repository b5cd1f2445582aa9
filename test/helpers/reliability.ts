// Shared by the reliability suite (test/reliability-*.test.ts): bounded waits, many subscribed channels, and the
// checks every part ends with — each channel holds its digest exactly once, and nothing the bot sent could ping.
import fs from 'node:fs';
import path from 'node:path';
import { InteractionResponseType } from 'discord.js';
import { DEFAULT_DIGEST_SETTINGS } from '../../src/digest/settings.js';
import type { DigestSettings } from '../../src/digest/settings.js';
import { createLogger } from '../../src/log.js';
import type { DiscordSandbox, RecordedRequest } from '../../src/sandbox/server.js';
import { previousSlot } from '../../src/schedule/slots.js';
import { SqliteStore } from '../../src/state/sqliteStore.js';
import type { StateStore } from '../../src/state/stateStore.js';
import { writeFixtureArticles } from './bot.js';
import { subscribe } from './subscriptions.js';

/** Creates `count` sandbox channels, each with a subscription in `store` due at `time` UTC; returns their ids. */
export async function subscribeChannels(sandbox: DiscordSandbox, store: StateStore, count: number, time: string, settings: DigestSettings): Promise<string[]> {
  const channels: string[] = [];
  for (let i = 0; i < count; i++) {
    const channelId = sandbox.createChannel(`digest-${i + 1}`);
    await subscribe(store, { channelId, guildId: sandbox.guild.id, time, settings });
    channels.push(channelId);
  }
  return channels;
}

/**
 * A bot's folder (`dir`/content with the fixture articles, `dir`/data with its database) whose `count` new sandbox
 * channels each have a digest due a minute ago, subscribed two hours before: the bot's first start owes them all.
 */
export async function seedDueDigests(sandbox: DiscordSandbox, dir: string, count: number): Promise<{ channels: string[]; database: string; slot: Date }> {
  const now = new Date();
  writeFixtureArticles(path.join(dir, 'content'), now);
  const time = new Date(now.getTime() - 60_000).toISOString().slice(11, 16);
  const database = path.join(dir, 'data', 'newsdesk.sqlite');
  fs.mkdirSync(path.dirname(database), { recursive: true });
  const store = SqliteStore.open(database, { logger: createLogger('silent'), clock: { now: () => new Date(now.getTime() - 2 * 3_600_000) } });
  const channels = await subscribeChannels(sandbox, store, count, time, DEFAULT_DIGEST_SETTINGS);
  await store.close();
  return { channels, database, slot: previousSlot(now, { time, timezone: 'UTC' }) };
}

/** The article links a channel received, in order, over every message posted there. */
export function storyUrls(sandbox: DiscordSandbox, channelId: string): string[] {
  return sandbox.messages(channelId).flatMap((m) => ((m.body.embeds ?? []) as { url?: string }[]).map((e) => e.url ?? '(no url)'));
}

/**
 * One line per channel that does not hold exactly `messages` messages carrying exactly `urls` in order (a missing
 * digest, a lost message, or a duplicate). An empty list is the goal.
 */
export function digestCopyProblems(sandbox: DiscordSandbox, channels: readonly string[], expected: { messages: number; urls: readonly string[] }): string[] {
  return channels.flatMap((channelId) => {
    const posted = sandbox.messages(channelId).length;
    const urls = storyUrls(sandbox, channelId);
    const same = posted === expected.messages && urls.length === expected.urls.length && urls.every((u, i) => u === expected.urls[i]);
    return same ? [] : [`#${sandbox.channelName(channelId)}: ${posted} message(s) with ${urls.length} stories, expected ${expected.messages} with ${expected.urls.length}`];
  });
}

const CALLBACKS_WITHOUT_TEXT: readonly number[] = [
  InteractionResponseType.Pong, InteractionResponseType.DeferredChannelMessageWithSource, InteractionResponseType.DeferredMessageUpdate,
  InteractionResponseType.ApplicationCommandAutocompleteResult,
];

/**
 * Every accepted body the bot sent that could ping someone: a message, reply, edit or follow-up whose
 * allowed_mentions is not `parse: []` (an opted-in role is allowed only where `roles` lists it).
 */
export function pingProblems(requests: readonly RecordedRequest[], allowedRoles: readonly string[] = []): string[] {
  const carriesText = /^\/(channels\/\d+\/messages|interactions\/\d+\/[^/]+\/callback|webhooks\/\d+\/[^/]+(\/messages\/[^/]+)?)$/;
  return requests.flatMap((request) => {
    if (request.status >= 300 || request.method === 'GET' || !carriesText.test(request.path)) return [];
    const raw = request.body as { type?: number; data?: unknown } | undefined;
    // Callbacks wrap the message in `data`; a pong, a deferral (a flag at most) or autocomplete choices carry no text.
    const callback = request.path.endsWith('/callback');
    if (callback && CALLBACKS_WITHOUT_TEXT.includes(raw?.type ?? 0)) return [];
    const message = (callback ? raw?.data : raw) as { allowed_mentions?: { parse?: unknown[]; roles?: string[] } } | undefined;
    if (!message) return [];
    const mentions = message.allowed_mentions;
    const roles = mentions?.roles ?? [];
    if (mentions?.parse?.length === 0 && roles.every((r) => allowedRoles.includes(r))) return [];
    return [`${request.method} ${request.path}: allowed_mentions ${JSON.stringify(mentions)}`];
  });
}
