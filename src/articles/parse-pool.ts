// Parsing many article files on this thread and worker threads together, one per other core: a cold load of a
// large folder is CPU work that one thread does file after file. This thread starts at once (in slices that keep
// its event loop answering) and the workers join as they come up: each is a V8 of its own, which loads the parser
// and warms up its compiled code anew (0.1-0.3 s, then its first thousand files at half speed), so a worker only
// pays on folders of thousands of files. The workers (parse-worker.ts) load only the reader, the parser and the
// normaliser: an earlier pool loaded discord.js in each worker and lost to a single thread. Files are handed out
// in chunks, two in flight per worker, so a worker never waits for its next chunk and a slow one takes fewer.
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { FileStamp } from './files.js';
import { adoptArticle, type NormalizeResult } from './normalize.js';
import { parseFiles } from './read-files.js';
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

/**
 * Reads and parses `files` (relative to `contentDir`) like read-files.ts's parseFiles(), here and on `workers`
 * worker threads; `onWorkers` says how many of them the workers parsed. The chunks of a worker that fails or cannot
 * start are parsed here instead: nothing is lost.
 */
export async function parseFilesInWorkers(
  contentDir: string,
  files: readonly string[],
  stamps?: ReadonlyMap<string, FileStamp>,
  onBatch?: (done: number) => void,
  workers = parseWorkers(),
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
    let end = () => {};
    const ended = new Promise<void>((resolve) => {
      end = () => {
        end = () => {};
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
      if (pending.size === 0) end();
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
    const fail = () => {
      leftOver.push(...pending.values());
      pending.clear();
      end();
    };
    worker.once('error', fail);
    worker.once('exit', fail);
    return { ended, stop: () => pending.size === 0 && end() };
  };

  const started: Worker[] = [];
  try {
    for (let i = 0; i < Math.min(workers, chunks.length); i++) started.push(startWorker('parse-worker'));
  } catch {
    // No worker could start here (the TypeScript loader missing, say): this thread parses them all.
  }
  const runs = started.map(run);
  const parseHere = async (chunk: string[]) => {
    (await parseFiles(contentDir, chunk, stamps)).forEach((result, file) => results.set(file, result));
    report();
  };
  while (next < chunks.length) await parseHere(chunks[next++]!);
  // A worker still starting up when this thread has taken the last chunk is not waited for.
  runs.forEach((r) => r.stop());
  await Promise.all(runs.map((r) => r.ended));
  for (const chunk of leftOver) await parseHere(chunk);
  return { results, onWorkers };
}
