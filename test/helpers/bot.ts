// The whole bot as `npm start` runs it (NewsdeskBot: the real discord.js client, routers, digests, scheduler)
// against the sandbox, over a small folder of fixture articles and a real SQLite file in a temp folder, with a
// clock the test controls. `restart()` stops the bot and starts a new one on the same database, as a redeploy would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArticleLibrary } from '../../src/articles/library.js';
import { NewsdeskBot } from '../../src/bot/app.js';
import { commandDefinitions } from '../../src/bot/commands/index.js';
import { deployCommands } from '../../src/bot/deploy.js';
import { createLogger } from '../../src/log.js';
import type { Metrics } from '../../src/ops/metrics.js';
import type { InteractionReply, InvokeOptions } from '../../src/sandbox/driver.js';
import { DiscordSandbox } from '../../src/sandbox/server.js';
import { TestClock } from './clock.js';
import { SqliteStore } from '../../src/state/sqliteStore.js';
import type { StateStore } from '../../src/state/stateStore.js';

export interface FixtureArticle {
  slug: string;
  title: string;
  hoursAgo: number;
  provider: { name: string; domain: string };
  topics: string[];
  quality?: number;
  published?: boolean;
}

const ORBIT = { name: 'Orbit Daily', domain: 'orbit.example.com' };
const STAR = { name: 'Star Wire', domain: 'starwire.example.net' };
const LEDGER = { name: 'Lunar Ledger', domain: 'lunar.example.org' };
const MARKETS = { name: 'Market Watchers', domain: 'markets.example.com' };
const CLINIC = { name: 'Clinic Times', domain: 'clinic.example.org' };

export const LONG_TOPIC = `Orbital mechanics and ${'very '.repeat(25)}long names`;
export const HOSTILE_TITLE = '@everyone **Breaking** [click me](https://evil.example.com) <@&123456789012345678> _now_';

/**
 * 22 articles: 12 published on Space from three outlets (three pages of search results), an old and an
 * unpublished one on Space too, 4 on Economy, 2 on Health, one whose title tries to ping and format, and one with a
 * topic name longer than an autocomplete value may be.
 */
export const FIXTURE_ARTICLES: FixtureArticle[] = [
  ...Array.from({ length: 12 }, (_, i): FixtureArticle => ({
    slug: `rocket-${i + 1}`,
    title: `Rocket engine test ${i + 1} goes to plan`,
    hoursAgo: i + 1,
    provider: [ORBIT, STAR, LEDGER][i % 3]!,
    topics: ['Space'],
    quality: 150 - i,
  })),
  { slug: 'archive-rocket', title: 'Archive: the first rocket engine test', hoursAgo: 40 * 24, provider: ORBIT, topics: ['Space'], quality: 90 },
  { slug: 'draft-rocket', title: 'Unpublished rocket engine rumour', hoursAgo: 2, provider: STAR, topics: ['Space'], quality: 10, published: false },
  ...['Inflation eases', 'Central bank holds rate', 'Markets rally on jobs data', 'Retail sales climb'].map((title, i): FixtureArticle => ({
    slug: `economy-${i + 1}`, title, hoursAgo: 3 + i * 5, provider: MARKETS, topics: ['Economy'], quality: 120 - i,
  })),
  { slug: 'flu-clinics', title: 'Flu clinics extend their hours', hoursAgo: 5, provider: CLINIC, topics: ['Health', 'Économie'], quality: 110 },
  { slug: 'nurse-shortage', title: 'Nurse shortage eases in the north', hoursAgo: 30, provider: CLINIC, topics: ['Health'], quality: 100 },
  { slug: 'hostile', title: HOSTILE_TITLE, hoursAgo: 6, provider: STAR, topics: ['Security'], quality: 95 },
  { slug: 'long-topic', title: 'Satellite changes its orbit', hoursAgo: 7, provider: LEDGER, topics: [LONG_TOPIC], quality: 80 },
];

function articleFile(article: FixtureArticle, now: Date): string {
  const published = new Date(now.getTime() - article.hoursAgo * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return [
    '---',
    `title: ${JSON.stringify(article.title)}`,
    `excerpt: ${JSON.stringify(`What happened: ${article.title}.`)}`,
    `publishedDateTime: ${published}`,
    `webUrl: "https://${article.provider.domain}/news/${article.slug}"`,
    'type: article',
    `quality: ${article.quality ?? 100}`,
    `published: ${article.published ?? true}`,
    'provider:',
    `  name: ${JSON.stringify(article.provider.name)}`,
    `  domain: ${article.provider.domain}`,
    'topics:',
    ...article.topics.map((t) => `  - ${JSON.stringify(t)}`),
    '---',
    '',
  ].join('\n');
}

export function writeFixtureArticles(dir: string, now: Date, articles: readonly FixtureArticle[] = FIXTURE_ARTICLES): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const article of articles) fs.writeFileSync(path.join(dir, `${article.slug}.md`), articleFile(article, now));
}

/**
 * Waits (bounded, so a broken bot fails instead of hanging) for a change the bot picks up asynchronously, checking
 * every `everyMs` (a check that asks a database wants a longer pause than one that reads memory).
 */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, limitMs = 10_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Runs `/<command> <subcommand>` as a member: the admin in #news unless `extra` says who and where. */
export type SlashSubcommand = (subcommand: string, options?: InvokeOptions['options'], extra?: Omit<InvokeOptions, 'subcommand' | 'options'>) => Promise<InteractionReply>;

export interface BotHarness {
  sandbox: DiscordSandbox;
  bot: NewsdeskBot;
  store: StateStore;
  library: ArticleLibrary;
  clock: TestClock;
  dir: string;
  /** The content folder the library watches. */
  contentDir: string;
  /** Every log line the bot wrote, as parsed JSON. */
  logs: Record<string, unknown>[];
  /** The raw log text, to check that no secret reached it. */
  rawLogs(): string;
  digest: SlashSubcommand;
  news: SlashSubcommand;
  /** Stops the bot and starts a fresh one on the same database file and sandbox (nothing kept in memory). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export const TEST_NOW = new Date('2026-11-20T12:00:00Z');

/**
 * `databaseDir`: where the SQLite file lives (a small disk, say); by default in the harness's temp folder.
 * `cacheDir`: where the library keeps its restart caches; by default none. `metrics`: what the bot counts, as main.ts hands it.
 */
export async function startBotHarness(options: { now?: Date; articles?: readonly FixtureArticle[]; databaseDir?: string; cacheDir?: string; metrics?: Metrics } = {}): Promise<BotHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-bot-'));
  const clock = new TestClock(options.now ?? TEST_NOW);
  const contentDir = path.join(dir, 'content');
  writeFixtureArticles(contentDir, clock.now(), options.articles);
  const raw: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void raw.push(line) });
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  // Watching, as in production, so a test can change the content under a running bot.
  const library = await ArticleLibrary.open({ contentDir, cacheDir: options.cacheDir ?? null, logger, watch: true });
  const databasePath = path.join(options.databaseDir ?? path.join(dir, 'data'), 'newsdesk.sqlite');
  const launch = async () => {
    const store = SqliteStore.open(databasePath, { logger, clock });
    const bot = await NewsdeskBot.start({ token: sandbox.token, apiUrl: sandbox.apiUrl, library, store, logger, clock, metrics: options.metrics, defaults: { size: 5, maxPerProvider: 2 } });
    return { store, bot };
  };
  let running = await launch();
  await deployCommands(running.bot.client.rest, sandbox.applicationId, commandDefinitions(), sandbox.guild.id);
  const slash = (command: string): SlashSubcommand => (subcommand, options = {}, extra = {}) =>
    sandbox.driver.command(command, { subcommand, options, ...extra });
  const stopRunning = async () => {
    await running.bot.stop();
    await running.store.close();
  };
  const harness: BotHarness = {
    sandbox,
    library,
    clock,
    dir,
    contentDir,
    get bot() {
      return running.bot;
    },
    get store() {
      return running.store;
    },
    get logs() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    rawLogs: () => raw.join(''),
    digest: slash('digest'),
    news: slash('news'),
    async restart() {
      await stopRunning();
      running = await launch();
    },
    async close() {
      await stopRunning();
      await library.close();
      await sandbox.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
