// The library benchmark's load and restart rows: each start-up in a fresh process (bench/helpers/load-once.ts),
// beside the baseline (plain sequential gray-matter over the same files) and the floors no load can go under, and
// `npm run digest` run twice on the same folder as a person runs it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './scale.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = path.join(os.tmpdir(), 'newsdesk-bench');

export const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toFixed(3));

type Run = { ms: number; indexMs: number; articles: number; fromCache: number; onWorkers: number };

/** Runs one start-up in a fresh Node process, as a real restart is. */
function child(...args: string[]): Run {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/helpers/load-once.ts', ...args], { cwd: projectRoot, encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Run;
}

// The machine is shared: every measure is repeated, interleaved with the baseline, and medians are compared. The
// baseline runs in a fresh process like the library's loads: in this process, run after run, it got a JIT-warm parser.
const REPEAT = 5;
const COLD_REPEAT = 3;

const spread = (values: number[]) => `${ms(Math.min(...values))}-${ms(Math.max(...values))}`;

export interface LoadFigures { rows: string[]; baseline: number; warm: number }

export function loads(name: string, dir: string): LoadFigures {
  const cacheDir = path.join(work, `cache-${name}`);
  const colds: Run[] = [];
  const [baselines, warms, scans, reads, caches] = [[] as number[], [] as Run[], [] as number[], [] as number[], [] as number[]];
  for (let i = 0; i < REPEAT; i++) {
    baselines.push(child('baseline', dir).ms);
    if (i < COLD_REPEAT) {
      fs.rmSync(cacheDir, { recursive: true, force: true });
      colds.push(child('load', dir, cacheDir));
    }
    warms.push(child('load', dir, cacheDir));
    scans.push(child('scan', dir).ms);
    reads.push(child('read', dir).ms);
    caches.push(child('cache', dir, cacheDir).ms);
  }
  const baseline = median(baselines);
  const mid = (runs: Run[]) => ({ ms: median(runs.map((r) => r.ms)), indexMs: median(runs.map((r) => r.indexMs)) });
  const [cold, warm] = [mid(colds), mid(warms)];
  const parses = Array.from({ length: COLD_REPEAT }, () => child('parse', dir).ms);
  const pct = (n: number) => `${((100 * n) / baseline).toFixed(0)}%`;
  const goal = (n: number, max: number) => `goal ≤ ${max}%: ${(100 * n) / baseline <= max ? 'met' : 'missed'}`;
  const workers = colds[0]!.onWorkers ? `, ${colds[0]!.onWorkers.toLocaleString('en-US')} of them parsed on a worker thread` : ', all on this thread';
  return {
    baseline,
    warm: warm.ms,
    rows: [
      `| ${name}: baseline, plain sequential gray-matter (median of ${REPEAT}) | ${ms(baseline)} | 100% | ${spread(baselines)} |`,
      `| ${name}: cold load: articles ready (parse, dedupe, write parse cache; median of ${COLD_REPEAT}) | ${ms(cold.ms)} | ${pct(cold.ms)} | ${goal(cold.ms, 60)}; ${colds[0]!.articles} articles${workers}; ${spread(colds.map((c) => c.ms))} |`,
      `| ${name}: cold load: warm-up over too (search index built, lists, folded text) | ${ms(cold.indexMs)} | ${pct(cold.indexMs)} | |`,
      `| ${name}: warm restart: articles ready (from the parse cache; median of ${REPEAT}) | ${ms(warm.ms)} | ${pct(warm.ms)} | ${goal(warm.ms, 10)}; ${warms[0]!.fromCache} files from cache; ${spread(warms.map((w) => w.ms))} |`,
      `| ${name}: warm restart: warm-up over too (search index imported, lists, folded text) | ${ms(warm.indexMs)} | ${pct(warm.indexMs)} | |`,
      `| ${name}: floor of any cold load: reading every file's bytes only (median of ${REPEAT}) | ${ms(median(reads))} | ${pct(median(reads))} | ${spread(reads)} |`,
      `| ${name}: read + parse + normalise only, on one thread (median of ${COLD_REPEAT}) | ${ms(median(parses))} | ${pct(median(parses))} | ${spread(parses)} |`,
      `| ${name}: floor of any restart: listing and stat of every file only (median of ${REPEAT}) | ${ms(median(scans))} | ${pct(median(scans))} | ${spread(scans)} |`,
      `| ${name}: reading and decoding the parse cache only (median of ${REPEAT}) | ${ms(median(caches))} | ${pct(median(caches))} | ${spread(caches)} |`,
    ],
  };
}

/** Seconds one `npm run digest` takes, the whole process as a person waits for it (node, tsx, modules, load, print). */
function digestRun(contentDir: string, dataDir: string): number {
  const started = performance.now();
  execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/digest.ts', '--content', contentDir, '--window', 'all'], {
    cwd: projectRoot,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
  });
  return performance.now() - started;
}

/**
 * `npm run digest` on `dir` with a new DATA_DIR, then again (its parse cache written by the first run), beside the
 * same command on an empty folder: the command's own start, which no cache can shorten. Goal: the second run within
 * `warm` (the library's warm restart, measured above) + 0.5 s.
 */
export function digestRows(name: string, dir: string, warm: number): string[] {
  const dataDir = path.join(work, `digest-data-${name}`);
  const empty = path.join(work, 'empty');
  fs.mkdirSync(empty, { recursive: true });
  const starts: number[] = [];
  const seconds: number[] = [];
  fs.rmSync(dataDir, { recursive: true, force: true });
  const first = digestRun(dir, dataDir);
  for (let i = 0; i < REPEAT; i++) {
    starts.push(digestRun(empty, path.join(work, 'digest-data-empty')));
    seconds.push(digestRun(dir, dataDir));
  }
  const [start, second] = [median(starts), median(seconds)];
  const met = (n: number) => (n <= warm + 500 ? 'met' : 'missed');
  return [
    `| ${name}: npm run digest on an empty folder: the command's own start (median of ${REPEAT}) | ${ms(start)} | | ${spread(starts)} |`,
    `| ${name}: npm run digest, first run (a new DATA_DIR: every file parsed, the cache written) | ${ms(first)} | | |`,
    `| ${name}: npm run digest, second run on the same folder (from the parse cache; median of ${REPEAT}) | ${ms(second)} | | goal ≤ warm restart + 500 ms = ${ms(warm + 500)}: ${met(second)}; less the command's own start: ${ms(second - start)}, ${met(second - start)}; ${spread(seconds)} |`,
  ];
}
