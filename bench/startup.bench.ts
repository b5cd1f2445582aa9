// Start-up: from spawning src/main.ts (as `npm start` runs it, against the sandbox as its Discord) to the bot ready
// (its scheduler started, printed last), with 50,000 articles cold (an empty DATA_DIR: every file parsed and the
// index built) and warm (the caches the cold start left), beside the same start with an empty content folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { isIndexReady, isReady, startBotProcess } from './helpers/bot-process.js';
import { corpusMissing, median, scaleContent, seconds, SCALE_ARTICLES } from './helpers/scale.js';
import type { BenchModule } from './run.js';

const TRIALS = 3;

interface Start {
  /** Spawn → "articles loaded". */
  loadedMs: number;
  /** Spawn → "connected to Discord". */
  connectedMs: number;
  /** Spawn → scheduler started: the bot is ready. */
  readyMs: number;
  /** Spawn → the library's search index prepared (in the background, once the articles are loaded). */
  indexMs: number;
  articles: number;
}

async function start(contentDir: string, dataDir: string): Promise<Start> {
  const sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
  const bot = startBotProcess({ sandbox, contentDir, dataDir, databasePath: path.join(dataDir, 'newsdesk.sqlite') });
  try {
    const loaded = await bot.waitFor((line) => line.msg === 'articles loaded');
    const connected = await bot.waitFor((line) => line.event === 'discord.ready');
    const ready = await bot.waitFor(isReady);
    const index = await bot.waitFor(isIndexReady);
    return { loadedMs: loaded.ms, connectedMs: connected.ms, readyMs: ready.ms, indexMs: index.ms, articles: loaded.line.loaded as number };
  } finally {
    await bot.stop();
    await sandbox.close();
  }
}

const temp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `newsdesk-bench-startup-${name}-`));

const bench: BenchModule = {
  title: `start-up to ready with ${SCALE_ARTICLES.toLocaleString('en')} articles, cold and warm, beside an empty library`,
  async run() {
    const missing = corpusMissing();
    if (missing) return missing;
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
    const row = (name: string, starts: readonly Start[]) => {
      const each = starts.map((s) => seconds(s.readyMs)).join(', ');
      const at = (pick: (s: Start) => number) => seconds(median(starts.map(pick)));
      return `| ${name} | ${starts[0]!.articles.toLocaleString('en')} | ${at((s) => s.loadedMs)} | ${at((s) => s.connectedMs)} | **${at((s) => s.readyMs)}** | ${each} | ${at((s) => s.indexMs)} |`;
    };
    return [
      'src/main.ts in a child process (node with tsx, as `npm start`), Discord played by the sandbox in the benchmark\'s process;',
      `seconds from the spawn to each log line the bot prints, medians of ${TRIALS} trials. Cold: a new DATA_DIR (every file`,
      'parsed, the search index built, the caches written); warm: the same DATA_DIR again, the caches the cold start left.',
      'Baseline: the same start with an empty content folder (node, tsx, the modules, SQLite and the Discord login). The library',
      'prepares its search index beside the rest of the start (a search before it is answered, only slower): "search index ready".',
      '',
      '| start | articles | articles loaded | connected | ready | ready, each trial | search index ready |',
      '| --- | ---: | ---: | ---: | ---: | --- | ---: |',
      row('baseline: empty content folder', runs.empty),
      row(`cold: ${SCALE_ARTICLES.toLocaleString('en')} files, no cache`, runs.cold),
      row(`warm: ${SCALE_ARTICLES.toLocaleString('en')} files, caches present`, runs.warm),
    ].join('\n');
  },
};

export default bench;
