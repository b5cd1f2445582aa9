// Memory of the bot, read inside its process after forced full GCs: as a production start runs it (compiled, plain
// node) with the 7,852 real files beside the same start with an empty folder; and with 50,000 articles before and
// after 3,600 file additions and changes that reach it live through the watcher, which may not grow it more than 10%
// (beyond what the added articles themselves need). The event loop's longest delays during those changes, during
// 1,000 files added at once and while the caches are written after them are read inside the bot too, beside the
// garbage collector's pauses in the same windows.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { DiscordSandbox } from '../src/sandbox/server.js';
import { startSettledBot, type BotProcess } from './helpers/bot-process.js';
import { loopWindow, majorGcVerdict, pauseText, type LoopReport } from './helpers/event-loop.js';
import { articleVariant, corpusMissing, corpusText, machineLoad, median, realCorpus, scaleContent, workDir, SCALE_ARTICLES } from './helpers/scale.js';
import type { BenchModule } from './run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const GOAL_GROWTH = 0.1;
const GOAL_OVER_EMPTY_MIB = 25;
const GOAL_RSS_MIB = 150;
const GOAL_BLOCK_MS = 50;
const ADDED = 1200;
const OPERATIONS = 3600;
const ROUND = 100;
const BURST = 1000;
const PRODUCTION_TRIALS = 3;
// The library writes its caches 5 s after the last change; the figure is read once they have been written.
const QUIET_MS = 2000;
// A second reading this much later tells memory still held from memory merely not yet returned.
const LATER_MS = 20_000;
// V8 gives back the young generation it grew during start-up once the process has been idle for a while (its memory
// reducer, about 8 s after its last full collection): the production figures are read after this long.
const IDLE_MS = 30_000;

const mib = (bytes: number) => bytes / 2 ** 20;
const fmt = (bytes: number) => mib(bytes).toFixed(0);

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

/** Waits (at most 30 s) until the bot reports `count` articles added or changed in all; false if it did not. */
async function appliedAll(bot: BotProcess, count: number): Promise<boolean> {
  const deadline = performance.now() + 30_000;
  while (applied(bot) < count && performance.now() < deadline) await sleep(20);
  return applied(bot) >= count;
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

/** A row of the event-loop table: the longest delay in [from, to) and, in the same window, the collector's pauses. */
function loopRow(loop: LoopReport, label: string, from: number, to: number): { blockMs: number; majorMs: number; row: string } {
  const window = loopWindow(loop, from, to);
  const row = `| ${label} | **${Math.round(window.blockMs)}** | ${pauseText(window.gc)} | ${Math.round(window.majorMs)} | ${Math.round(window.gcAroundMs)} |`;
  return { ...window, row };
}

/** The bot compiled as `npm run build` compiles it, into bench/.work/dist (inside the project, to find node_modules). */
function compile(): string {
  const outDir = workDir('dist');
  fs.rmSync(outDir, { recursive: true, force: true });
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  return outDir;
}

interface Reading { rss: number; heapUsed: number; idleRss: number; idleHeap: number; articles: number }

/** The compiled bot settled on `contentDir`, after the commands, then once idle. */
async function productionMemory(compiled: string, contentDir: string, dataDir: string): Promise<Reading> {
  const { sandbox, bot, articles, close } = await startSettledBot({ contentDir, dataDir, compiled });
  try {
    await use(sandbox);
    const settled = await bot.memory();
    await sleep(IDLE_MS);
    const idle = await bot.memory();
    return { rss: settled.rss, heapUsed: settled.heapUsed, idleRss: idle.rss, idleHeap: idle.heapUsed, articles: articles ?? 0 };
  } finally {
    await close();
  }
}

async function production(): Promise<string[]> {
  const compiled = compile();
  const real = realCorpus();
  const empty = workDir('empty');
  // A new DATA_DIR: the cold start writes its caches there, the warm restarts read them.
  const data = (name: string) => {
    const dir = workDir(`memory-data-${name}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    return dir;
  };
  const emptyRuns: Reading[] = [];
  for (let i = 0; i < PRODUCTION_TRIALS; i++) emptyRuns.push(await productionMemory(compiled, empty, data('empty')));
  const realData = data('real');
  const cold = await productionMemory(compiled, real, realData);
  const warmRuns: Reading[] = [];
  for (let i = 0; i < PRODUCTION_TRIALS; i++) warmRuns.push(await productionMemory(compiled, real, realData));
  const mid = (runs: Reading[], pick: (r: Reading) => number) => median(runs.map(pick));
  const base = { rss: mid(emptyRuns, (r) => r.rss), idleRss: mid(emptyRuns, (r) => r.idleRss), heap: mid(emptyRuns, (r) => r.idleHeap) };
  const row = (label: string, runs: Reading[]) => {
    const idle = mid(runs, (r) => r.idleRss);
    const each = runs.map((r) => fmt(r.idleRss)).join(', ');
    return `| ${label} | ${fmt(mid(runs, (r) => r.rss))} | **${fmt(idle)}** (${each}) | ${fmt(mid(runs, (r) => r.idleHeap))} | **${(mib(idle) - mib(base.idleRss)).toFixed(0)}** |`;
  };
  const warmIdle = mid(warmRuns, (r) => r.idleRss);
  const over = mib(warmIdle) - mib(base.idleRss);
  const met = (ok: boolean) => (ok ? 'met' : '**missed**');
  return [
    '### A production start with the 7,852 real files',
    '',
    'The bot compiled as `npm run build` compiles it and run with plain node as `npm run start:prod` runs it, in its own process against the',
    `sandbox. RSS in MiB after two forced full GCs: once its start-up warm-up is over and a few commands answered, then ${IDLE_MS / 1000} s later, idle`,
    `(V8 keeps the young generation it grew while loading until then); medians of ${PRODUCTION_TRIALS} starts, each idle figure given.`,
    '',
    '| bot process | RSS, settled | RSS, idle | heap MiB, idle | RSS over empty, idle |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('empty content folder', emptyRuns),
    row(`7,852 real files, cold start (${cold.articles.toLocaleString('en')} articles)`, [cold]),
    row('7,852 real files, warm restart', warmRuns),
    '',
    `Goal: warm, idle ≤ the empty folder's + ${GOAL_OVER_EMPTY_MIB} MiB — ${met(over <= GOAL_OVER_EMPTY_MIB)} (+${over.toFixed(0)} MiB); and ≤ ${GOAL_RSS_MIB} MiB — ${met(mib(warmIdle) <= GOAL_RSS_MIB)} (${fmt(warmIdle)} MiB).`,
  ];
}

async function liveChanges(): Promise<string[]> {
  const content = scaleContent();
  const { contentDir, cacheDir } = content;
  const liveDir = path.join(contentDir, 'live');
  fs.rmSync(liveDir, { recursive: true, force: true });
  fs.mkdirSync(liveDir);
  const { sandbox, bot, articles, close } = await startSettledBot(content);
  try {
    await use(sandbox);
    const before = await bot.memory();
    const started = Date.now();
    let stalled = 0;
    for (let from = 0; from < OPERATIONS; from += ROUND) {
      for (let i = from; i < from + ROUND; i++) operate(contentDir, liveDir, i);
      if (!(await appliedAll(bot, from + ROUND))) stalled++;
    }
    const changesEnded = Date.now();
    const updatesMs = changesEnded - started;
    await cachesWritten(cacheDir, changesEnded);
    await use(sandbox);
    const after = await bot.memory();
    await sleep(LATER_MS);
    const later = await bot.memory();
    // 1,000 files at once (a folder copied in), then the caches written after them.
    const burstStarted = Date.now();
    for (let i = 0; i < BURST; i++) {
      const text = corpusText(contentDir, ADDED + i);
      fs.writeFileSync(path.join(liveDir, `burst-${i}.md`), articleVariant(text, { tag: `burst=${i}`, publishedAt: new Date(Date.UTC(2020, 4, 21, 0, i)) }));
    }
    if (!(await appliedAll(bot, OPERATIONS + BURST))) stalled++;
    const burstEnded = Date.now();
    await cachesWritten(cacheDir, burstEnded);
    const loop = await bot.loop();
    const growth = after.rss / before.rss - 1;
    const heapGrowth = after.heapUsed / before.heapUsed - 1;
    const added = bot.lines.filter((l) => l.msg === 'articles updated').reduce((sum, l) => sum + (l.added as number), 0) - BURST;
    const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
    const rows = [
      loopRow(loop, `the ${OPERATIONS.toLocaleString('en')} live changes above, in rounds of ${ROUND}`, started, changesEnded),
      loopRow(loop, `${BURST.toLocaleString('en')} new files written at once, until applied`, burstStarted, burstEnded),
      loopRow(loop, 'the caches written after them (5 s after the last change)', burstEnded, Date.now()),
    ];
    const worstBlock = Math.round(Math.max(...rows.map((r) => r.blockMs)));
    const worstMajor = Math.max(...rows.map((r) => r.majorMs));
    return [
      `### ${articles.toLocaleString('en')} articles, live changes`,
      '',
      `The bot (src/main.ts in a child process, warm start, watching its content folder) with ${articles.toLocaleString('en')} articles made from the`,
      `real coronavirus corpus. Memory is read inside the bot after two forced full GCs (node --expose-gc), each time after the same`,
      `few commands (search, latest, topics, outlet autocomplete), the first once its start-up warm-up is over. Then ${OPERATIONS.toLocaleString('en')} file operations in rounds of ${ROUND}, each round waited`,
      `for until the bot reported it applied: ${ADDED.toLocaleString('en')} new articles, then ${(OPERATIONS - ADDED).toLocaleString('en')} rewrites of those files (each twice, a new title),`,
      `${Math.round(updatesMs / 1000)} s in all; measured again once the bot had written its caches after the last.`,
      '',
      'Outside the JS heap, node counts `external` (memory of C++ objects bound to JS ones, array buffers included) and',
      '`arrayBuffers`: what the index, the caches being read or written and the worker messages hold.',
      '',
      '| | resident (RSS) | JS heap used | external | array buffers | articles |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      `| after loading | ${fmt(before.rss)} MiB | ${fmt(before.heapUsed)} MiB | ${fmt(before.external)} MiB | ${fmt(before.arrayBuffers)} MiB | ${articles.toLocaleString('en')} |`,
      `| after ${OPERATIONS.toLocaleString('en')} live changes | ${fmt(after.rss)} MiB | ${fmt(after.heapUsed)} MiB | ${fmt(after.external)} MiB | ${fmt(after.arrayBuffers)} MiB | ${(articles + added).toLocaleString('en')} |`,
      `| growth | **${pct(growth)}** | ${pct(heapGrowth)} | | | ${pct(added / articles)} |`,
      `| the same, ${LATER_MS / 1000} s later | ${fmt(later.rss)} MiB (${pct(later.rss / before.rss - 1)}) | ${fmt(later.heapUsed)} MiB (${pct(later.heapUsed / before.heapUsed - 1)}) | ${fmt(later.external)} MiB | ${fmt(later.arrayBuffers)} MiB | |`,
      '',
      `Goal: growth ≤ ${GOAL_GROWTH * 100}% — ${growth <= GOAL_GROWTH ? 'met' : '**missed**'} (the ${ADDED.toLocaleString('en')} added articles alone are ${pct(ADDED / articles)} of the library).`,
      ...(stalled ? [`${stalled} round(s) were not fully reported applied within 30 s.`] : []),
      '',
      'Longest event-loop delay inside the bot (a 10 ms timer\'s lateness), by what it was doing; beside it, in the same',
      'window, the garbage collector\'s pauses on the bot\'s thread (perf_hooks \'gc\' entries inside the bot, 1 ms or more, the forced',
      'collections of the memory readings left out): the longest of any kind, the longest mark-compact (a major collection: the',
      'whole heap marked and compacted, in one pause), and all the pauses around the longest delay (in its 10 ms sample and its',
      'length before: the delay lies in there, so this is as much of it as the collector could have been).',
      '',
      '| while | longest delay, ms | longest GC pause, ms | longest mark-compact, ms | GC around the longest delay, ms |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => r.row),
      '',
      `Goal: ≤ ${GOAL_BLOCK_MS} ms — ${worstBlock <= GOAL_BLOCK_MS ? 'met' : '**missed**'} (worst ${worstBlock} ms).`,
      '',
      majorGcVerdict(worstMajor, GOAL_BLOCK_MS, articles, 'here'),
    ];
  } finally {
    await close();
    fs.rmSync(liveDir, { recursive: true, force: true });
  }
}

const bench: BenchModule = {
  title: `bot memory: a production start with the 7,852 real files; ${SCALE_ARTICLES.toLocaleString('en')} articles before and after ${OPERATIONS.toLocaleString('en')} live file changes (goal growth ≤ ${GOAL_GROWTH * 100}%)`,
  async run() {
    const missing = corpusMissing();
    if (missing) return missing;
    const loadAtStart = machineLoad();
    const sections = [...(await production()), '', ...(await liveChanges())];
    return [`Machine load average when the run started: ${loadAtStart}; when it ended: ${machineLoad()}.`, '', ...sections].join('\n');
  },
};

export default bench;
