// Start-up: from spawning src/main.ts (as `npm start` runs it, against the sandbox as its Discord) to the bot ready
// (its scheduler started, printed last), with 50,000 articles cold (an empty DATA_DIR: every file parsed and the
// index built) and warm (the caches the cold start left), beside the same start with an empty content folder. A
// search is sent as soon as the bot is ready, and the event loop's longest delays and the garbage collector's pauses
// are read inside the bot.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { deployToSandbox, isIndexReady, isReady, startBotProcess, type LogLine } from './helpers/bot-process.js';
import { loopWindow, majorGcVerdict, pauseText, type GcPause, type LoopWindow } from './helpers/event-loop.js';
import { corpusMissing, machineLoad, median, scaleContent, seconds, SCALE_ARTICLES } from './helpers/scale.js';
import type { BenchModule } from './run.js';

const TRIALS = 3;
const GOAL_READY_AFTER_LOAD_MS = 1000;
const GOAL_BLOCK_MS = 50;
// After the index is ready: the rest of the warm-up (lists, folded text) and the index cache written.
const SETTLE_MS = 3000;

interface Start {
  /** Spawn → "articles loaded", "connected to Discord", scheduler started (ready), search index ready. */
  loadedMs: number;
  connectedMs: number;
  readyMs: number;
  indexMs: number;
  /** A /news search sent once ready: how long its answer took, and whether the index was ready when it came. */
  searchMs: number;
  searchIndexed: boolean;
  /** The longest event-loop delay while the articles loaded (modules included), and after, each with the collector's pauses. */
  loading: LoopWindow;
  afterLoading: LoopWindow;
  articles: number;
}

const timeOf = (line: LogLine) => line.time as number;

async function start(contentDir: string, dataDir: string): Promise<Start> {
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  await deployToSandbox(sandbox);
  const bot = startBotProcess({ sandbox, contentDir, dataDir, databasePath: path.join(dataDir, 'newsdesk.sqlite') });
  try {
    const loaded = await bot.waitFor((line) => line.msg === 'articles loaded');
    const connected = await bot.waitFor((line) => line.event === 'discord.ready');
    const ready = await bot.waitFor(isReady);
    const asked = performance.now();
    await sandbox.driver.command('news', { subcommand: 'search', options: { query: 'vaccine trial' } });
    const searchMs = performance.now() - asked;
    const searchIndexed = bot.lines.some(isIndexReady);
    const index = await bot.waitFor(isIndexReady);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    // A delay ends at its time: it began before the articles were loaded if it ends less than its length after.
    const loop = await bot.loop();
    const loadedAt = timeOf(loaded.line);
    return {
      loadedMs: loaded.ms,
      connectedMs: connected.ms,
      readyMs: ready.ms,
      indexMs: index.ms,
      searchMs,
      searchIndexed,
      loading: loopWindow(loop, 0, loadedAt),
      afterLoading: loopWindow(loop, loadedAt, Infinity),
      articles: loaded.line.loaded as number,
    };
  } finally {
    await bot.stop();
    await sandbox.close();
  }
}

const temp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `newsdesk-bench-startup-${name}-`));

const bench: BenchModule = {
  title: `start-up to ready with ${SCALE_ARTICLES.toLocaleString('en')} articles, cold and warm, beside an empty library; event-loop blocks`,
  async run() {
    const missing = corpusMissing();
    if (missing) return missing;
    const loadAtStart = machineLoad();
    const { contentDir } = scaleContent();
    const empty = temp('empty');
    const runs = { empty: [] as Start[], cold: [] as Start[], warm: [] as Start[] };
    for (let i = 0; i < TRIALS; i++) {
      const emptyData = temp('empty-data');
      runs.empty.push(await start(empty, emptyData));
      fs.rmSync(emptyData, { recursive: true, force: true });
      const dataDir = temp('data');
      runs.cold.push(await start(contentDir, dataDir));
      runs.warm.push(await start(contentDir, dataDir));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    fs.rmSync(empty, { recursive: true, force: true });
    const at = (starts: readonly Start[], pick: (s: Start) => number) => median(starts.map(pick));
    const s = (ms: number) => seconds(ms);
    const row = (name: string, starts: readonly Start[]) => {
      const each = starts.map((x) => s(x.readyMs)).join(', ');
      const after = at(starts, (x) => x.readyMs - x.loadedMs);
      const indexed = starts.filter((x) => x.searchIndexed).length;
      return `| ${name} | ${starts[0]!.articles.toLocaleString('en')} | ${s(at(starts, (x) => x.loadedMs))} | ${s(at(starts, (x) => x.connectedMs))} | **${s(at(starts, (x) => x.readyMs))}** (${each}) | **${s(after)}** | ${s(at(starts, (x) => x.indexMs))} | ${Math.round(at(starts, (x) => x.searchMs))} (${indexed}/${starts.length}) |`;
    };
    const pauseMs = (pause: GcPause | null) => pause?.[1] ?? 0;
    const worstPause = (pauses: (GcPause | null)[]) => pauses.reduce((worst, p) => (pauseMs(p) > pauseMs(worst) ? p : worst), null);
    // The worst trial's figure, then each trial's.
    const cell = (starts: readonly Start[], pick: (x: Start) => number) => {
      const each = starts.map((x) => Math.round(pick(x)));
      return `${Math.max(...each)} (${each.join(', ')})`;
    };
    const windowCells = (starts: readonly Start[], window: (x: Start) => LoopWindow) => [
      cell(starts, (x) => window(x).blockMs),
      `${pauseText(worstPause(starts.map((x) => window(x).gc)))} (${starts.map((x) => Math.round(pauseMs(window(x).gc))).join(', ')})`,
      cell(starts, (x) => window(x).majorMs),
    ];
    const blocks = (name: string, starts: readonly Start[]) => {
      const [loadBlock, ...loadGc] = windowCells(starts, (x) => x.loading);
      const [afterBlock, ...afterGc] = windowCells(starts, (x) => x.afterLoading);
      return `| ${name} | ${loadBlock} | ${loadGc.join(' | ')} | **${afterBlock}** | ${afterGc.join(' | ')} | ${cell(starts, (x) => x.afterLoading.gcAroundMs)} |`;
    };
    const all = [...runs.cold, ...runs.warm];
    const worstAfter = Math.max(...all.map((x) => x.afterLoading.blockMs));
    const worstMajor = Math.max(...all.map((x) => Math.max(x.loading.majorMs, x.afterLoading.majorMs)));
    const worstReady = Math.max(...runs.cold.map((x) => x.readyMs - x.loadedMs));
    const met = (ok: boolean) => (ok ? 'met' : '**missed**');
    return [
      `Machine load average when the run started: ${loadAtStart}; when it ended: ${machineLoad()}.`,
      '',
      'src/main.ts in a child process (node with tsx, as `npm start`), Discord played by the sandbox in the benchmark\'s process;',
      `seconds from the spawn to each log line the bot prints, medians of ${TRIALS} trials. Cold: a new DATA_DIR (every file`,
      'parsed, the search index built, the caches written); warm: the same DATA_DIR again, the caches the cold start left.',
      'Baseline: the same start with an empty content folder (node, tsx, the modules, SQLite and the Discord login). The library',
      'prepares its search index on a worker thread once the articles are loaded: "search index ready". A `/news search` is sent',
      'the moment the bot is ready: its answer time in ms (and in how many trials the index was ready by then; before it, the',
      'lists are ranked directly).',
      '',
      '| start | articles | articles loaded | connected | ready (each trial) | ready − loaded | search index ready | first search, ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      row('baseline: empty content folder', runs.empty),
      row(`cold: ${SCALE_ARTICLES.toLocaleString('en')} files, no cache`, runs.cold),
      row(`warm: ${SCALE_ARTICLES.toLocaleString('en')} files, caches present`, runs.warm),
      '',
      `Goal: ready ≤ articles loaded + ${s(GOAL_READY_AFTER_LOAD_MS)} s after a cold start — ${met(worstReady <= GOAL_READY_AFTER_LOAD_MS)} (worst trial ${s(worstReady)} s).`,
      '',
      'Longest event-loop delay (ms; a 10 ms timer\'s lateness inside the bot, worst trial, then each): while loading the',
      'modules and the articles, before the bot logs in; and from then until the warm-up is over (login, the first command, the',
      `search index taken in, lists and facets made, caches written; ${SETTLE_MS / 1000} s past "search index ready"). Beside each, in`,
      'the same trial and window, the garbage collector\'s pauses on the bot\'s thread (perf_hooks \'gc\' entries inside the bot, 1 ms',
      'or more): the longest of any kind and the longest mark-compact (a major collection: the whole heap marked and compacted, in',
      'one pause; 0: none); and after loading, all the pauses around the longest delay (in its 10 ms sample and its length before:',
      'the delay lies in there, so this is as much of it as the collector could have been).',
      '',
      '| start | loading | longest GC pause | longest mark-compact | after loading | longest GC pause | longest mark-compact | GC around the longest delay |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      blocks('baseline: empty content folder', runs.empty),
      blocks('cold', runs.cold),
      blocks('warm', runs.warm),
      '',
      `Goal: ≤ ${GOAL_BLOCK_MS} ms after loading — ${met(worstAfter <= GOAL_BLOCK_MS)} (worst ${Math.round(worstAfter)} ms).`,
      '',
      majorGcVerdict(worstMajor, GOAL_BLOCK_MS, SCALE_ARTICLES, 'while loading or after'),
    ].join('\n');
  },
};

export default bench;
