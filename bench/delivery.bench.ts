// A digest to 500 channels through the sandbox's global limit of 50 requests per second, along the bot's real path
// (src/main.ts: scheduler tick → deliverRun → SQLite store → discordSender → discord.js REST), beside the bare
// floor (the same number of posts fired at once through discord.js alone) and the time the limit itself allows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REST, Routes } from 'discord.js';
import { createLogger } from '../src/log.js';
import { DISCORD_RATE_LIMITS } from '../src/sandbox/rateLimits.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import { isReady, startBotProcess } from './helpers/bot-process.js';
import { articleVariant, corpusMissing, corpusText, median, scaleContent, seconds, SCALE_ARTICLES } from './helpers/scale.js';
import type { BenchModule } from './run.js';
import { digestOf, subscribe } from '../test/helpers/subscriptions.js';

const CHANNELS = 500;
const TRIALS = 3;
const SLACK = 1.15;
// Issue 14's goal: within 1.05 × the bare-post floor measured in the same run, with no global 429.
const FLOOR_GOAL = 1.05;
const HOUR_MS = 3_600_000;
const silent = createLogger('silent');
const perSecond = DISCORD_RATE_LIMITS.global.limit / (DISCORD_RATE_LIMITS.global.windowMs / 1000);

export async function sandboxWithChannels(): Promise<{ sandbox: DiscordSandbox; channels: string[] }> {
  const sandbox = await DiscordSandbox.start({ logger: silent });
  const channels = Array.from({ length: CHANNELS }, (_, i) => sandbox.createChannel(`digest-${i}`));
  return { sandbox, channels };
}

const throttled = (sandbox: DiscordSandbox) => sandbox.requests.filter((r) => r.status === 429).length;

/** Messages arriving more than this apart fall in different windows of the global limit (each window's arrive in a burst). */
const WINDOW_GAP_MS = 200;

/** The global limit's windows as the sandbox saw them, from its messages' arrival times: how many, and how far apart. */
function windowsOf(arrivals: readonly number[]): { count: number; periodMs: number } {
  const starts = arrivals.filter((at, i) => i === 0 || at - arrivals[i - 1]! > WINDOW_GAP_MS);
  return { count: starts.length, periodMs: starts.length > 1 ? (starts.at(-1)! - starts[0]!) / (starts.length - 1) : Number.NaN };
}

/**
 * The floor: one post per channel, all handed to discord.js's REST queue at once, nothing else in the way; or only
 * what `relay` puts between the REST and the sandbox (the REST proxy, started for the trial and stopped after it).
 */
export async function bareRest(relay?: (sandbox: DiscordSandbox) => Promise<{ apiUrl: string; stop(): Promise<unknown> }>): Promise<{ ms: number; throttled: number; windows: ReturnType<typeof windowsOf> }> {
  const { sandbox, channels } = await sandboxWithChannels();
  const arrivals: number[] = [];
  sandbox.onMessage(() => arrivals.push(Date.now()));
  const via = await relay?.(sandbox);
  const rest = new REST({ api: via?.apiUrl ?? sandbox.apiUrl }).setToken(sandbox.token);
  const started = performance.now();
  await Promise.all(channels.map((id, i) => rest.post(Routes.channelMessages(id), { body: { content: `post ${i}`, allowed_mentions: { parse: [] } } })));
  const ms = performance.now() - started;
  const result = { ms, throttled: throttled(sandbox), windows: windowsOf(arrivals) };
  await via?.stop();
  await sandbox.close();
  return result;
}

const FRESH = 1000;

/**
 * The corpus is from 2020, and the default digest covers the day before its slot: a day's worth of news (the
 * corpus averages ~830 articles a day) is written as copies of corpus files dated in the last 20 hours, under
 * fresh/, and removed after the trial. Everything else the bot loads from the cache.
 */
export function writeTodaysNews(contentDir: string): () => void {
  const dir = path.join(contentDir, 'fresh');
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < FRESH; i++) {
    const publishedAt = new Date(Date.now() - ((i * 7919) % (20 * 3600)) * 1000);
    fs.writeFileSync(path.join(dir, `today-${i}.md`), articleVariant(corpusText(contentDir, i), { tag: `today=${i}`, publishedAt }));
  }
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

interface BotTrial {
  ms: number;
  /** From the bot's connected line to the first digest message the sandbox received. */
  firstMs: number;
  posts: number;
  throttled: number;
  /** Of those, the global limit's. */
  globalLimited: number;
  /** Every request the bot sent the sandbox, the posts and the others (its login's). */
  requests: number;
  windows: ReturnType<typeof windowsOf>;
  posted: number;
  /** Channels without exactly their planned messages, each once. */
  wrong: number;
}

/**
 * 500 subscriptions whose slot fell a minute before the bot (src/main.ts, in its own process as it is beside
 * Discord) starts: its scheduler's first tick delivers them all. Timed from the bot's "connected" line to its
 * "scheduler started" line, which it prints once that tick has finished.
 */
async function botDigest(content: { contentDir: string; dataDir: string }): Promise<BotTrial> {
  const removeTodaysNews = writeTodaysNews(content.contentDir);
  const { sandbox, channels } = await sandboxWithChannels();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-bench-delivery-'));
  const databasePath = path.join(dir, 'newsdesk.sqlite');
  const slot = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
  // Subscribed the day before, so the slot is owed.
  const setup = SqliteStore.open(databasePath, { logger: silent, clock: { now: () => new Date(slot.getTime() - 24 * HOUR_MS) } });
  const time = `${String(slot.getUTCHours()).padStart(2, '0')}:${String(slot.getUTCMinutes()).padStart(2, '0')}`;
  for (const channelId of channels) {
    await subscribe(setup, { channelId, guildId: sandbox.guild.id, time });
  }
  await setup.close();
  const arrivals: number[] = [];
  sandbox.onMessage(() => arrivals.push(Date.now()));
  const bot = startBotProcess({ sandbox, ...content, databasePath });
  try {
    const connected = await bot.waitFor((line) => line.event === 'discord.ready');
    const done = await bot.waitFor(isReady);
    await bot.stop();
    const store = SqliteStore.open(databasePath, { logger: silent });
    let posted = 0;
    let wrong = 0;
    for (const channelId of channels) {
      const run = await store.findRun((await digestOf(store, channelId))!.id, slot);
      if (run?.status === 'posted') posted++;
      const planned = run ? (await store.runMessages(run.id)).length : 0;
      const received = sandbox.messages(channelId);
      if (planned === 0 || received.length !== planned || new Set(received.map((m) => m.nonce)).size !== planned) wrong++;
    }
    await store.close();
    const posts = sandbox.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/channels/') && r.status === 200).length;
    // The log line's own time (epoch ms), the clock the sandbox's messages are timed by.
    const firstMs = (arrivals[0] ?? Number.NaN) - (connected.line.time as number);
    return {
      ms: done.ms - connected.ms, firstMs, posts, throttled: throttled(sandbox), globalLimited: sandbox.rateLimited.global, posted, wrong,
      requests: sandbox.requests.length, windows: windowsOf(arrivals),
    };
  } finally {
    await bot.stop();
    removeTodaysNews();
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const bench: BenchModule = {
  title: `a digest to ${CHANNELS} channels through the ${perSecond}/s global limit (goals ≤ ${SLACK} × what the limit allows, ≤ ${FLOOR_GOAL} × the floor)`,
  async run() {
    const missing = corpusMissing();
    if (missing) return missing;
    const content = scaleContent();
    const floors: Awaited<ReturnType<typeof bareRest>>[] = [];
    const trials: BotTrial[] = [];
    for (let i = 0; i < TRIALS; i++) {
      floors.push(await bareRest());
      trials.push(await botDigest(content));
    }
    const posts = Math.max(...trials.map((t) => t.posts));
    const allowedMs = (posts / perSecond) * 1000;
    const goalMs = allowedMs * SLACK;
    const botMs = median(trials.map((t) => t.ms));
    const ok = botMs <= goalMs && trials.every((t) => t.wrong === 0 && t.posted === CHANNELS);
    const floorMs = median(floors.map((f) => f.ms));
    const nearFloor = botMs <= floorMs * FLOOR_GOAL && trials.every((t) => t.globalLimited === 0 && t.wrong === 0 && t.posted === CHANNELS);
    // Every request counts against the global limit, so a bot sending more than its posts needs more windows than the
    // floor's posts do: at the floor's own pace, each window more is one period more.
    const windowsFor = (requests: number) => Math.ceil(requests / DISCORD_RATE_LIMITS.global.limit);
    const requests = median(trials.map((t) => t.requests));
    const periodMs = median(floors.map((f) => f.windows.periodMs));
    const ownFloorMs = floorMs + (windowsFor(requests) - windowsFor(CHANNELS)) * periodMs;
    const row = (name: string, t: { ms: number; throttled: number; firstMs?: number; windows: ReturnType<typeof windowsOf> }, extra: string) =>
      `| ${name} | ${seconds(t.ms)} | ${t.firstMs === undefined ? '' : seconds(t.firstMs)} | ${t.windows.count}, ${seconds(t.windows.periodMs)} | ${t.throttled} | ${extra} |`;
    return [
      `${CHANNELS} channels subscribed at the same time (default settings: the day's news, 5 stories) over ${SCALE_ARTICLES.toLocaleString('en')}`,
      `article files made from the real coronavirus corpus, ${FRESH} of them copied as today's. The bot is src/main.ts in its own process;`,
      `the sandbox, with Discord's limits (${perSecond} requests/s global, 5 per 5 s per channel), is in the benchmark's. ${TRIALS} trials, each`,
      'with a fresh sandbox and database; times in seconds, the bot\'s from its connected line to its first tick\'s end (first post: to',
      'the first digest message the sandbox received; before it, the bot dates the library\'s stories, a new database\'s first start).',
      '',
      '| path | time | first post | windows, s apart | 429s answered | delivered |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      ...floors.map((f, i) => row(`floor ${i + 1}: ${CHANNELS} bare posts at once through discord.js REST`, f, '')),
      ...trials.map((t, i) => row(`bot ${i + 1}: the scheduler's tick`, t, `${t.posted}/${CHANNELS} runs posted, ${t.posts} messages, ${t.wrong} channels wrong`)),
      '',
      `The limit allows ${seconds(allowedMs)} s for ${posts} posts; goal ≤ ${seconds(goalMs)} s. Median of the bot: **${seconds(botMs)} s**`,
      `(floor median ${seconds(floorMs)} s): ${ok ? 'goal met' : '**goal missed**'}. Within ${FLOOR_GOAL} × the floor (${seconds(floorMs * FLOOR_GOAL)} s) with no global 429`,
      `(${trials.map((t) => t.globalLimited).join(', ')} global 429s by trial): ${nearFloor ? 'goal met' : '**goal missed**'}. A 429 is unhandled if its run is not posted;`,
      '"wrong" counts channels without exactly their planned messages, each once (by nonce).',
      `Windows: the global limit's one-second windows the posts arrived in (bursts ${WINDOW_GAP_MS} ms or more apart) and how far apart they`,
      `opened. The bot sent ${requests} requests in all (its posts and what its login sends), ${windowsFor(requests)} windows' worth at ${DISCORD_RATE_LIMITS.global.limit} a window where the`,
      `floor's ${CHANNELS} posts need ${windowsFor(CHANNELS)}: at the floor's own pace (a window every ${seconds(periodMs)} s) the bot's own floor is ${seconds(ownFloorMs)} s, and it took`,
      `${(botMs / ownFloorMs).toFixed(3)} × that.`,
    ].join('\n');
  },
};

export default bench;
