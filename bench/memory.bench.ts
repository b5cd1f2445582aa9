// Memory of the bot (src/main.ts in its own process, read inside it after forced full GCs) with 50,000 articles,
// and again after 3,600 file additions and changes that reach it live through the watcher: it may not grow more
// than 10% (beyond what the added articles themselves need).
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DiscordSandbox } from '../src/sandbox/server.js';
import { startSettledBot, type BotProcess } from './helpers/bot-process.js';
import { articleVariant, corpusMissing, corpusText, scaleContent, SCALE_ARTICLES } from './helpers/scale.js';
import type { BenchModule } from './run.js';

const GOAL_GROWTH = 0.1;
const ADDED = 1200;
const OPERATIONS = 3600;
const ROUND = 100;
// The library writes its caches 5 s after the last change; the figure is read once they have been written.
const QUIET_MS = 2000;
// A second reading this much later tells memory still held from memory merely not yet returned.
const LATER_MS = 20_000;

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

/** Commands that build what the library computes lazily (newest order, topic and outlet lists), as members would. */
async function use(sandbox: DiscordSandbox): Promise<void> {
  await sandbox.driver.command('news', { subcommand: 'search', options: { query: 'vaccine' } });
  await sandbox.driver.command('news', { subcommand: 'latest' });
  await sandbox.driver.command('news', { subcommand: 'topics' });
  await sandbox.driver.autocomplete('news', { name: 'provider', value: 'ne' }, { subcommand: 'search' });
}

/**
 * Waits until the bot has written its caches (the search index last) after `since` and left them alone for a
 * while, so the figure does not catch a cache being serialized.
 */
async function cachesWritten(cacheDir: string, since: number): Promise<void> {
  const file = path.join(cacheDir, 'search-index.bin');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const written = fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;
    if (written > since && Date.now() - written > QUIET_MS) return;
    await sleep(250);
  }
}

/** Added + changed articles the bot has reported in its "articles updated" lines so far. */
function applied(bot: BotProcess): number {
  return bot.lines.filter((l) => l.msg === 'articles updated').reduce((sum, l) => sum + (l.added as number) + (l.changed as number), 0);
}

/**
 * Operation i: the first ADDED add a new article file under live/; the rest rewrite those files in turn (each
 * twice) with a changed title, as an editor's corrections would.
 */
function operate(contentDir: string, liveDir: string, i: number): void {
  const n = i % ADDED;
  const text = corpusText(contentDir, n);
  const title = i < ADDED ? undefined : `Update ${Math.floor(i / ADDED)}: ${/^title: "?(.*?)"?$/m.exec(text)?.[1] ?? ''}`;
  fs.writeFileSync(path.join(liveDir, `live-${n}.md`), articleVariant(text, { tag: `live=${n}`, publishedAt: new Date(Date.UTC(2020, 4, 20, 0, n)), title }));
}

const bench: BenchModule = {
  title: `bot memory with ${SCALE_ARTICLES.toLocaleString('en')} articles, before and after ${OPERATIONS.toLocaleString('en')} live file changes (goal growth ≤ ${GOAL_GROWTH * 100}%)`,
  async run() {
    const missing = corpusMissing();
    if (missing) return missing;
    const content = scaleContent();
    const { contentDir, cacheDir } = content;
    const liveDir = path.join(contentDir, 'live');
    fs.rmSync(liveDir, { recursive: true, force: true });
    fs.mkdirSync(liveDir);
    const { sandbox, bot, articles, close } = await startSettledBot(content);
    try {
      await use(sandbox);
      const before = await bot.memory();
      const started = performance.now();
      let stalled = 0;
      for (let from = 0; from < OPERATIONS; from += ROUND) {
        for (let i = from; i < from + ROUND; i++) operate(contentDir, liveDir, i);
        const deadline = performance.now() + 30_000;
        while (applied(bot) < from + ROUND && performance.now() < deadline) await sleep(20);
        if (applied(bot) < from + ROUND) stalled++;
      }
      const updatesMs = performance.now() - started;
      await cachesWritten(cacheDir, Date.now());
      await use(sandbox);
      const after = await bot.memory();
      await sleep(LATER_MS);
      const later = await bot.memory();
      const growth = after.rss / before.rss - 1;
      const heapGrowth = after.heapUsed / before.heapUsed - 1;
      const added = bot.lines.filter((l) => l.msg === 'articles updated').reduce((sum, l) => sum + (l.added as number), 0);
      const share = ADDED / articles;
      const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
      return [
        `The bot (src/main.ts in a child process, warm start, watching its content folder) with ${articles.toLocaleString('en')} articles made from the`,
        `real coronavirus corpus. Memory is read inside the bot after two forced full GCs (node --expose-gc), each time after the same`,
        `few commands (search, latest, topics, outlet autocomplete), the first once its start-up warm-up is over. Then ${OPERATIONS.toLocaleString('en')} file operations in rounds of ${ROUND}, each round waited`,
        `for until the bot reported it applied: ${ADDED.toLocaleString('en')} new articles, then ${(OPERATIONS - ADDED).toLocaleString('en')} rewrites of those files (each twice, a new title),`,
        `${Math.round(updatesMs / 1000)} s in all; measured again once the bot had written its caches after the last.`,
        '',
        '| | resident (RSS) | JS heap used | articles |',
        '| --- | ---: | ---: | ---: |',
        `| after loading | ${mib(before.rss)} MiB | ${mib(before.heapUsed)} MiB | ${articles.toLocaleString('en')} |`,
        `| after ${OPERATIONS.toLocaleString('en')} live changes | ${mib(after.rss)} MiB | ${mib(after.heapUsed)} MiB | ${(articles + added).toLocaleString('en')} |`,
        `| growth | **${pct(growth)}** | ${pct(heapGrowth)} | ${pct(added / articles)} |`,
        `| the same, ${LATER_MS / 1000} s later | ${mib(later.rss)} MiB (${pct(later.rss / before.rss - 1)}) | ${mib(later.heapUsed)} MiB (${pct(later.heapUsed / before.heapUsed - 1)}) | |`,
        '',
        `Goal: growth ≤ ${GOAL_GROWTH * 100}% — ${growth <= GOAL_GROWTH ? 'met' : '**missed**'} (the ${ADDED.toLocaleString('en')} added articles alone are ${pct(share)} of the library).`,
        ...(stalled ? [`${stalled} round(s) were not fully reported applied within 30 s.`] : []),
      ].join('\n');
    } finally {
      await close();
      fs.rmSync(liveDir, { recursive: true, force: true });
    }
  },
};

export default bench;
