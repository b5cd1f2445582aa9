// Parsing many article files on this thread and worker threads together, one per other core: a cold load of a
// large folder is CPU work that one thread does file after file. This thread starts at once (in slices that keep
// its event loop answering) and the workers join as they come up: each is a V8 of its own, which loads the parser
// and warms up its compiled code anew (0.1-0.3 s, then its first thousand files at half speed), so a worker only
// pays on folders of thousands of files. The workers (parse-worker.ts) load only the reader, the parser and the
// normaliser: an earlier pool loaded discord.js in each worker and lost to a single thread. Files are handed out
// in chunks, two in flight per worker, so a worker never waits for its next chunk and a slow one takes fewer.
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { FileStamp } from './files.js';
import { adoptArticle, type NormalizeResult } from './normalize.js';
import { PARSE_SLICE_MS, parseFiles } from './read-files.js';
import { TimeSlices } from './steps.js';
import { startWorker } from './worker-thread.js';

/** Files sent to a worker: their sizes as the folder scan saw them (null: unknown). */
export interface ParseJob { id: number; contentDir: string; files: string[]; sizes: (number | null)[] }
/** What a worker sends back: one result per file of the job, in its order. */
export interface ParseJobDone { id: number; results: NormalizeResult[] }

const CHUNK = 250;
const IN_FLIGHT = 2;
const WORKERS_MAX = 3;

/** How many workers help this thread on this machine: one per other core, up to WORKERS_MAX. */
function parseWorkers(): number {
  return Math.max(0, Math.min(os.availableParallelism() - 1, WORKERS_MAX));
}

export interface PoolOptions {
  /** The files' sizes and times as the folder scan saw them. */
  stamps?: ReadonlyMap<string, FileStamp>;
  /** Hears how many files are done, after each chunk. */
  onBatch?: (done: number) => void;
  /** Worker threads to start (default: one per other core, up to WORKERS_MAX). */
  workers?: number;
  /** Hears of a worker that stopped before its work was done. */
  logger?: Logger;
}

/**
 * Reads and parses `files` (relative to `contentDir`) like read-files.ts's parseFiles(), here and on worker
 * threads; `onWorkers` says how many of them the workers parsed. The chunks of a worker that stops (it crashed, ran
 * out of memory, was ended) or cannot start are parsed here instead: nothing is lost, and the stop is logged.
 */
export async function parseFilesInWorkers(
  contentDir: string,
  files: readonly string[],
  { stamps, onBatch, workers = parseWorkers(), logger }: PoolOptions = {},
): Promise<{ results: Map<string, NormalizeResult>; onWorkers: number }> {
  const chunks: string[][] = [];
  for (let i = 0; i < files.length; i += CHUNK) chunks.push(files.slice(i, i + CHUNK));
  const results = new Map<string, NormalizeResult>();
  const leftOver: string[][] = [];
  let next = 0;
  let onWorkers = 0;
  const report = () => onBatch?.(results.size);

  /** Runs a worker from when it is ready to when no chunk is left; `stop()` ends one that has none in flight. */
  const run = (worker: Worker) => {
    const pending = new Map<number, string[]>();
    let finished = false;
    let end = () => {};
    const ended = new Promise<void>((resolve) => {
      end = () => {
        finished = true;
        void worker.terminate();
        resolve();
      };
    });
    const send = () => {
      while (pending.size < IN_FLIGHT && next < chunks.length) {
        const id = next++;
        const chunk = chunks[id]!;
        pending.set(id, chunk);
        worker.postMessage({ id, contentDir, files: chunk, sizes: chunk.map((f) => stamps?.get(f)?.size ?? null) } satisfies ParseJob);
      }
      if (pending.size === 0 && !finished) end();
    };
    worker.on('message', (message: ParseJobDone | 'ready') => {
      if (message === 'ready') return send();
      const chunk = pending.get(message.id)!;
      pending.delete(message.id);
      onWorkers += chunk.length;
      chunk.forEach((file, i) => {
        const result = message.results[i]!;
        if (result.ok) adoptArticle(result.article);
        results.set(file, result);
      });
      report();
      send();
    });
    // A worker that stops before it is ended (an uncaught error, out of memory, ended from outside) says so once.
    const fail = (problem: string) => {
      if (finished) return;
      const files = [...pending.values()].reduce((n, chunk) => n + chunk.length, 0);
      logger?.warn({ event: 'articles.parse_worker_stopped', problem, files }, 'a parse worker stopped: its files are parsed on the main thread');
      leftOver.push(...pending.values());
      pending.clear();
      end();
    };
    worker.once('error', (error) => fail(error.message));
    worker.once('exit', (code) => fail(`exited with code ${code}`));
    return { ended, stop: () => pending.size === 0 && !finished && end() };
  };

  const started: Worker[] = [];
  try {
    for (let i = 0; i < Math.min(workers, chunks.length); i++) started.push(startWorker('parse-worker'));
  } catch {
    // No worker could start here (the TypeScript loader missing, say): this thread parses them all.
  }
  const runs = started.map(run);
  // One slicer for every chunk parsed here: a chunk parsed within a slice does not yield on its own, and chunks
  // back to back would otherwise hold the event loop (and the workers' first messages) until the last.
  const slices = new TimeSlices(PARSE_SLICE_MS);
  const parseHere = async (chunk: string[]) => {
    (await parseFiles(contentDir, chunk, stamps, undefined, slices)).forEach((result, file) => results.set(file, result));
    report();
  };
  while (next < chunks.length) await parseHere(chunks[next++]!);
  // A worker still starting up when this thread has taken the last chunk is not waited for.
  runs.forEach((r) => r.stop());
  await Promise.all(runs.map((r) => r.ended));
  for (const chunk of leftOver) await parseHere(chunk);
  return { results, onWorkers };
}
