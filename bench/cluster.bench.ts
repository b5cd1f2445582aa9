// Past one process: two scheduler processes (src/main.ts, NEWSDESK_ROLE=scheduler) sharing one PostgreSQL database and
// sending through one REST proxy (src/cli/proxy.ts) to the sandbox, which counts Discord's 50 requests/s per token.
// 1. A digest to 500 channels, due at one minute, beside the floor of the delivery benchmark (500 bare posts at once
//    through discord.js REST) measured in the same run. 2. How late 2,000 digests due at one minute are claimed,
//    beside one process on SQLite (the default) in the same run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createLogger } from '../src/log.js';
import { DISCORD_RATE_LIMITS } from '../src/sandbox/rateLimits.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { PostgresStore } from '../src/state/postgres/postgresStore.js';
import { SqliteStore } from '../src/state/sqliteStore.js';
import { killBotProcesses, type BotProcess } from '../test/helpers/botProcess.js';
import { startProxyProcess, type ProxyProcess } from '../test/helpers/proxyProcess.js';
import { bareRest, sandboxWithChannels, writeTodaysNews } from './delivery.bench.js';
import { startBotProcess } from './helpers/bot-process.js';
import { postgresServer, type PostgresServer } from './helpers/postgresServer.js';
import { corpusMissing, machineLoad, median, percentile, scaleContent, seconds, SCALE_ARTICLES } from './helpers/scale.js';
import { anHourAgo, nextSlot, runCounts, startSchedulers, stopAll, subscribeAll, untilPast, waitUntil } from './helpers/schedulers.js';
import type { BenchModule } from './run.js';

const SCHEDULERS = 2;
// Each trial waits for a whole minute to come round, so fewer trials than the delivery benchmark's.
const TRIALS = 2;
const GOAL = 1.1;
const CLAIMS = 2000;
// Discord's limit of channels in a guild: the 2,000 digests are spread over guilds of 500 channels.
const CHANNELS_PER_GUILD = 500;
// Enough for the processes to load the 50,000 articles from the caches and start before the slot, on a busy machine.
const LEAD_MS = 30_000;
const DELIVERY_WAIT_MS = 180_000;
const silent = createLogger('silent');
const perSecond = DISCORD_RATE_LIMITS.global.limit / (DISCORD_RATE_LIMITS.global.windowMs / 1000);
type Content = ReturnType<typeof scaleContent>;

const proxied = async (sandbox: DiscordSandbox): Promise<ProxyProcess> => startProxyProcess(sandbox, { LOG_LEVEL: 'info' });
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-bench-cluster-'));

interface DeliveryTrial {
  /** From the slot to the last digest message the sandbox received. */
  ms: number;
  firstMs: number;
  /** From the slot to the last run's claim (runs.created_at). */
  lastClaimMs: number;
  posts: number;
  globalLimited: number;
  routeLimited: number;
  posted: number;
  /** Channels without exactly their recorded messages, each once. */
  wrong: number;
  /** Per scheduler: runs it posted / digests it planned and found claimed by the other. */
  split: string;
  late: boolean;
}

interface Cluster {
  /** A connection of the benchmark's own to the trial's database. */
  pool: pg.Pool;
  slot: Date;
  schedulers: BotProcess[];
  /** Whether a process was still starting when the slot came. */
  late: boolean;
}

/**
 * A trial's shared part: a fresh database with a digest per target due at the coming minute, the proxy and the
 * schedulers started before it, and the minute come; then `measure`, and everything but the sandbox stopped and dropped.
 */
async function atSlot<T>(server: PostgresServer, content: Content, sandbox: DiscordSandbox, targets: { channelId: string; guildId: string }[], measure: (cluster: Cluster) => Promise<T>): Promise<T> {
  const db = await server.database();
  const work = tempDir();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined);
  let proxy: ProxyProcess | undefined;
  try {
    const slot = nextSlot(LEAD_MS);
    const seeding = await PostgresStore.connect(db.url, { logger: silent, clock: anHourAgo() });
    await subscribeAll(seeding, targets, slot);
    await seeding.close();
    proxy = await proxied(sandbox);
    const schedulers = await startSchedulers(SCHEDULERS, { sandbox, databaseUrl: db.url, apiUrl: proxy.apiUrl, ...content, work });
    const late = Date.now() > slot.getTime();
    await untilPast(slot);
    return await measure({ pool, slot, schedulers, late });
  } finally {
    killBotProcesses();
    await proxy?.stop();
    await pool.end();
    await db.drop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** 500 digests due at one coming minute (with a day's news), posted by two schedulers through the proxy. */
async function deliveryTrial(server: PostgresServer, content: Content): Promise<DeliveryTrial> {
  const removeTodaysNews = writeTodaysNews(content.contentDir);
  const { sandbox, channels } = await sandboxWithChannels();
  const received: number[] = [];
  sandbox.onMessage(() => received.push(Date.now()));
  try {
    return await atSlot(server, content, sandbox, channels.map((channelId) => ({ channelId, guildId: sandbox.guild.id })), async ({ pool, slot, schedulers, late }) => {
      const count = async (sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0]!.n);
      await waitUntil('every digest is posted', async () => (await count(`SELECT count(*) AS n FROM runs WHERE status <> 'sending'`)) === channels.length, DELIVERY_WAIT_MS);
      const lastClaim = await count('SELECT max(created_at) AS n FROM runs');
      const posted = await count(`SELECT count(*) AS n FROM runs WHERE status = 'posted'`);
      const split = schedulers.map((s) => runCounts(s.stderr())).map((c) => `${c.posted}/${c.wasted}`).join(', ');
      await stopAll(schedulers);
      const recorded = (await pool.query<{ channel_id: string; message_id: string | null }>('SELECT r.channel_id, m.message_id FROM run_messages m JOIN runs r ON r.id = m.run_id')).rows;
      const byChannel = new Map<string, string[]>();
      for (const row of recorded) byChannel.set(row.channel_id, [...(byChannel.get(row.channel_id) ?? []), row.message_id ?? 'unrecorded']);
      let wrong = 0;
      for (const channelId of channels) {
        const messages = sandbox.messages(channelId);
        const ids = messages.map((m) => m.id).sort().join();
        const planned = [...(byChannel.get(channelId) ?? [])].sort();
        if (planned.length === 0 || ids !== planned.join() || new Set(messages.map((m) => m.nonce)).size !== planned.length) wrong++;
      }
      return {
        ms: received[received.length - 1]! - slot.getTime(), firstMs: received[0]! - slot.getTime(), lastClaimMs: lastClaim - slot.getTime(),
        posts: received.length, globalLimited: sandbox.rateLimited.global, routeLimited: sandbox.rateLimited.route, posted, wrong, split, late,
      };
    });
  } finally {
    await sandbox.close();
    removeTodaysNews();
  }
}

/** A sandbox of CLAIMS channels, CHANNELS_PER_GUILD to a guild. */
async function claimSandbox(): Promise<{ sandbox: DiscordSandbox; targets: { channelId: string; guildId: string }[] }> {
  const sandbox = await DiscordSandbox.start({ logger: silent, guilds: CLAIMS / CHANNELS_PER_GUILD });
  const targets = sandbox.guilds.flatMap((guild) =>
    Array.from({ length: CHANNELS_PER_GUILD }, (_, i) => ({ channelId: sandbox.createChannel(`claim-${i}`, { guildId: guild.id }), guildId: guild.id })));
  return { sandbox, targets };
}

interface ClaimTrial {
  /** Each run's claim (runs.created_at) minus its slot, in ms. */
  lags: number[];
  late: boolean;
  split?: string;
}

const lagsOf = (rows: { lag: number | string }[]) => rows.map((row) => Number(row.lag));

/**
 * 2,000 digests due at one coming minute, claimed by two schedulers on PostgreSQL. The 2020 corpus has no news for
 * the day, so every run is planned, claimed and closed as empty: no post, so Discord's limit does not pace the claims.
 */
async function claimsClustered(server: PostgresServer, content: Content): Promise<ClaimTrial> {
  const { sandbox, targets } = await claimSandbox();
  try {
    return await atSlot(server, content, sandbox, targets, async ({ pool, slot, schedulers, late }) => {
      await waitUntil('every digest is claimed', async () => (await pool.query('SELECT 1 FROM runs')).rowCount === CLAIMS, DELIVERY_WAIT_MS);
      const split = schedulers.map((s) => runCounts(s.stderr()).wasted).join(', ');
      await stopAll(schedulers);
      const lags = lagsOf((await pool.query<{ lag: string }>('SELECT created_at - slot AS lag FROM runs WHERE slot = $1', [slot.getTime()])).rows);
      return { lags, late, split };
    });
  } finally {
    await sandbox.close();
  }
}

/** The same 2,000 digests claimed by one process (NEWSDESK_ROLE=all, the default) on a SQLite file. */
async function claimsAlone(content: Content): Promise<ClaimTrial> {
  const { sandbox, targets } = await claimSandbox();
  const work = tempDir();
  const databasePath = path.join(work, 'newsdesk.sqlite');
  const bot = { stop: async () => undefined } as { stop(): Promise<void> };
  try {
    const slot = nextSlot(LEAD_MS);
    const seeding = SqliteStore.open(databasePath, { logger: silent, clock: anHourAgo() });
    await subscribeAll(seeding, targets, slot);
    await seeding.close();
    const baseline = startBotProcess({ sandbox, ...content, databasePath });
    bot.stop = () => baseline.stop();
    await baseline.waitFor((line) => line.event === 'scheduler.started');
    const late = Date.now() > slot.getTime();
    await untilPast(slot);
    await waitUntil('every digest is claimed', () => baseline.lines.filter((line) => line.event === 'digest.run').length >= CLAIMS, DELIVERY_WAIT_MS);
    await baseline.stop();
    const db = new Database(databasePath, { readonly: true });
    const lags = lagsOf(db.prepare('SELECT created_at - slot AS lag FROM runs WHERE slot = ?').all(slot.getTime()) as { lag: number }[]);
    db.close();
    return { lags, late };
  } finally {
    await bot.stop();
    await sandbox.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

function deliverySection(floors: { ms: number; throttled: number }[], proxyFloors: { ms: number; throttled: number }[], trials: DeliveryTrial[]): string[] {
  const floor = median(floors.map((f) => f.ms));
  const goalMs = floor * GOAL;
  const clusterMs = median(trials.map((t) => t.ms));
  const channels = trials[0]!.posts;
  const ok = clusterMs <= goalMs && trials.every((t) => t.wrong === 0 && t.globalLimited === 0);
  return [
    `### 1. A digest to 500 channels, ${SCHEDULERS} schedulers through the REST proxy`,
    '',
    `500 channels subscribed at one coming minute (default settings: the day's news, 5 stories), over ${SCALE_ARTICLES.toLocaleString('en')} article`,
    'files made from the real coronavirus corpus, 1000 of them copied as today\'s (as in the delivery benchmark). Two scheduler',
    'processes and the proxy, each its own process, started before the minute; the sandbox (Discord\'s limits: 50 requests/s',
    'global per token, 5 per 5 s per channel) in the benchmark\'s process. A trial is timed from the slot (when both',
    'processes\' timers fire) to the last digest message the sandbox received; last claim is the last run\'s claim from the slot',
    '(negative: before it, as the schedulers plan each digest 30 s ahead of its slot). Times in seconds.',
    '',
    '| path | time | first post | last claim | 429s answered | delivered | posted / planned for nothing, per scheduler |',
    '| --- | ---: | ---: | ---: | --- | --- | --- |',
    ...floors.map((f, i) => row([`floor ${i + 1}: 500 bare posts at once through discord.js REST`, seconds(f.ms), '', '', f.throttled, '', ''])),
    ...proxyFloors.map((f, i) => row([`proxy floor ${i + 1}: the same, through the REST proxy`, seconds(f.ms), '', '', f.throttled, '', ''])),
    ...trials.map((t, i) => row([`cluster ${i + 1}${t.late ? ' (a process started after the slot)' : ''}`, seconds(t.ms), seconds(t.firstMs), seconds(t.lastClaimMs),
      `${t.globalLimited} global, ${t.routeLimited} per route`, `${t.posted}/${channels} runs posted, ${t.posts} messages, ${t.wrong} channels wrong`, t.split])),
    '',
    `Goal ≤ ${GOAL} × the floor: ${seconds(goalMs)} s (floor median ${seconds(floor)} s; the limit itself allows ${seconds((channels / perSecond) * 1000)} s for`,
    `${channels} posts). Median of the cluster: **${seconds(clusterMs)} s** (${(clusterMs / floor).toFixed(2)} × the floor): ${ok ? 'goal met' : '**goal missed**'}.`,
    'A proxy floor has one client, whose own limiter paces the posts at 50 a second; two schedulers offer the proxy more, so the',
    'proxy\'s limiter paces them, counting each one-second window from Discord\'s answer to its first request (src/discord/globalWindow.ts).',
    'Global 429s (goal 0) are the ones the sandbox answered across all processes; "wrong" counts channels without exactly their',
    'recorded messages, each once (by message id and nonce): every channel got its digest exactly once when it is 0.',
  ];
}

function claimSection(clustered: ClaimTrial[], alone: ClaimTrial[]): string[] {
  const stats = (t: ClaimTrial) => [seconds(percentile(t.lags, 50)), seconds(percentile(t.lags, 99)), seconds(Math.max(...t.lags))];
  return [
    `### 2. Claim latency: ${CLAIMS.toLocaleString('en')} digests due in the same minute`,
    '',
    `${CLAIMS.toLocaleString('en')} channels (${CLAIMS / CHANNELS_PER_GUILD} guilds of ${CHANNELS_PER_GUILD}) subscribed at one coming minute, over the same ${SCALE_ARTICLES.toLocaleString('en')} articles with`,
    'no news of the day: each run is planned, claimed and closed as empty, no post, so Discord\'s limit does not pace the',
    'claims. Latency is each run\'s claim (runs.created_at) minus its slot, in seconds; the baseline is one process',
    '(NEWSDESK_ROLE=all, the default) on a SQLite file.',
    '',
    '| store | claims | p50 | p99 | max | planned for nothing, per scheduler |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...alone.map((t, i) => row([`baseline ${i + 1}: one process, SQLite${t.late ? ' (started after the slot)' : ''}`, t.lags.length, ...stats(t), ''])),
    ...clustered.map((t, i) => row([`cluster ${i + 1}: ${SCHEDULERS} schedulers, PostgreSQL${t.late ? ' (a process started after the slot)' : ''}`, t.lags.length, ...stats(t), t.split ?? ''])),
    '',
    `p99 median: **${seconds(median(clustered.map((t) => percentile(t.lags, 99))))} s** for ${SCHEDULERS} schedulers on PostgreSQL, ${seconds(median(alone.map((t) => percentile(t.lags, 99))))} s for one process on SQLite.`,
  ];
}

const bench: BenchModule = {
  title: `${SCHEDULERS} scheduler processes on PostgreSQL through the REST proxy: 500 digests against the ${perSecond}/s floor (goal ≤ ${GOAL} ×), claim latency of ${CLAIMS}`,
  async run() {
    const missing = corpusMissing();
    if (missing) return missing;
    const server = await postgresServer();
    if ('unavailable' in server) return `skipped: ${server.unavailable}`;
    const loadAtStart = machineLoad();
    const content = scaleContent();
    const floors: { ms: number; throttled: number }[] = [];
    const proxyFloors: { ms: number; throttled: number }[] = [];
    const trials: DeliveryTrial[] = [];
    const clustered: ClaimTrial[] = [];
    const alone: ClaimTrial[] = [];
    try {
      for (let i = 0; i < TRIALS; i++) {
        floors.push(await bareRest());
        proxyFloors.push(await bareRest(proxied));
        trials.push(await deliveryTrial(server, content));
      }
      for (let i = 0; i < TRIALS; i++) {
        alone.push(await claimsAlone(content));
        clustered.push(await claimsClustered(server, content));
      }
    } finally {
      await server.stop();
    }
    return [
      `PostgreSQL: ${server.source}. Machine load ${loadAtStart} at the start, ${machineLoad()} at the end.`,
      '',
      ...deliverySection(floors, proxyFloors, trials),
      '',
      ...claimSection(clustered, alone),
    ].join('\n');
  },
};

export default bench;
