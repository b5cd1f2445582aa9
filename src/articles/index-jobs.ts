// The search index's heavy work, run on a worker thread so that the bot's event loop never waits for it (building
// the index of 50,000 articles is seconds of work, reading or writing its cache a large copy and checksum): read the
// restart cache, or build an index from articles' words (or merge the postings added since one was built), write it
// to the cache and hand it back. A small library's jobs run in the library's own thread, where they take a few
// milliseconds and spare a thread's start. This module imports only the index, so the worker loads little.
import { Worker } from 'node:worker_threads';
import type { FoldedWords } from './query.js';
import { placeSlots, readIndexCache, writeIndexCache } from './index-cache.js';
import { CacheError } from './cache-file.js';
import { IndexBuilder, type FrozenIndex } from './search-index.js';

/** What the library sends a job, in order: `read` alone, or `start`, any `words` and `keys`, then `finish`. */
export type JobMessage =
  /** Read the cache and place its slots among the articles whose keys came before (see placeSlots). */
  | { kind: 'read'; file: string }
  /** Start from `base` (null: empty) and the postings added to it since (SearchIndex.added()). */
  | { kind: 'start'; base: FrozenIndex | null; added: [string, number[]][] }
  /** Articles' words for slots first, first + 1, …, above any slot so far. */
  | { kind: 'words'; first: number; words: FoldedWords[] }
  /**
   * The next keys: before `read`, of the articles as they are now; before `finish`, of the slots, for the cache
   * (null: a tombstone), and they give the number of slots.
   */
  | { kind: 'keys'; keys: (string | null)[] }
  /** Freeze the index, write it to `file` (null: no cache) and answer with it. */
  | { kind: 'finish'; file: string | null };

/** A problem met by a job, as plain data: `corrupt` for a cache to rebuild, `code` for a file system error. */
export interface JobProblem { message: string; code?: string; corrupt?: boolean }

/** A cached index, and where each of its slots' articles is among the keys sent (-1: a tombstone). */
export interface PlacedIndex { index: FrozenIndex; placement: Int32Array }

export type JobAnswer =
  | { kind: 'read'; cached: PlacedIndex | null }
  /** `writeProblem`: why the index could not be written to its cache (null: written, or no cache). */
  | { kind: 'made'; index: FrozenIndex; writeProblem: JobProblem | null }
  | { kind: 'failed'; problem: JobProblem }
  | { kind: 'cancelled' };

export function jobProblem(error: unknown): JobProblem {
  const { message, code } = error as NodeJS.ErrnoException;
  return { message: String(message), ...(code ? { code } : {}), ...(error instanceof CacheError ? { corrupt: true } : {}) };
}

/** The error a problem stands for, as the cache handling expects it (RestartCaches). */
export function problemError(problem: JobProblem): Error {
  const error = problem.corrupt ? new CacheError(problem.message) : new Error(problem.message);
  if (problem.code) (error as NodeJS.ErrnoException).code = problem.code;
  return error;
}

/** The buffers of an index, handed over to the thread that receives it rather than copied. */
const buffersOf = (index: FrozenIndex) => [index.termStarts.buffer, index.postingStarts.buffer, index.postings.buffer] as ArrayBuffer[];

/**
 * Takes a job's messages one by one and calls `answer` once, with the buffers of a made index to transfer. The
 * same handler runs on the worker thread (index-worker.ts) and, for a small library, in the library's thread.
 */
export function jobHandler(answer: (answer: JobAnswer, transfer: ArrayBuffer[]) => void): (message: JobMessage) => Promise<void> {
  let builder = new IndexBuilder();
  const keys: (string | null)[] = [];
  return async (message) => {
    try {
      switch (message.kind) {
        case 'read': {
          const cached = readIndexCache(message.file);
          const placed = cached && { index: cached.index, placement: placeSlots(cached.keys, keys) };
          answer({ kind: 'read', cached: placed }, placed ? [...buffersOf(placed.index), placed.placement.buffer as ArrayBuffer] : []);
          return;
        }
        case 'start':
          builder = message.base ? IndexBuilder.from(message.base) : new IndexBuilder();
          for (const [term, postings] of message.added) builder.addPostings(term, postings);
          return;
        case 'words':
          message.words.forEach((words, i) => builder.add(message.first + i, words));
          return;
        case 'keys':
          for (const key of message.keys) keys.push(key);
          return;
        case 'finish': {
          builder.reserve(keys.length);
          const index = builder.freeze();
          let writeProblem: JobProblem | null = null;
          if (message.file) await writeIndexCache(message.file, { keys, index }).catch((error: unknown) => (writeProblem = jobProblem(error)));
          answer({ kind: 'made', index, writeProblem }, buffersOf(index));
        }
      }
    } catch (error) {
      answer({ kind: 'failed', problem: jobProblem(error) }, []);
    }
  };
}

/** One job: messages in, one answer out. */
export interface IndexJob {
  send(message: JobMessage): void;
  readonly answer: Promise<JobAnswer>;
  /** Ends the job without waiting: its answer is 'cancelled' if it had none yet. */
  cancel(): void;
}

/** A job on a worker thread of its own, ended once it answers (its memory goes with it). */
export function workerJob(): IndexJob {
  const worker = startWorker();
  let settle!: (answer: JobAnswer) => void;
  const answer = new Promise<JobAnswer>((resolve) => {
    settle = (a) => {
      resolve(a);
      void worker.terminate();
    };
  });
  worker.once('message', (a: JobAnswer) => settle(a));
  worker.once('error', (error) => settle({ kind: 'failed', problem: jobProblem(error) }));
  worker.once('exit', (code) => settle({ kind: 'failed', problem: { message: `the index worker stopped (exit code ${code})` } }));
  return {
    send: (message) => worker.postMessage(message),
    answer,
    cancel: () => settle({ kind: 'cancelled' }),
  };
}

/** A job run in this thread: each message is handled as it is sent. */
export function localJob(): IndexJob {
  let settle!: (answer: JobAnswer) => void;
  const answer = new Promise<JobAnswer>((resolve) => (settle = resolve));
  let queue = Promise.resolve();
  const handle = jobHandler((a) => settle(a));
  return {
    send: (message) => void (queue = queue.then(() => handle(message))),
    answer,
    cancel: () => settle({ kind: 'cancelled' }),
  };
}

function startWorker(): Worker {
  const here = import.meta.url;
  // execArgv: the worker needs none of the process's flags (a benchmark's --import hooks, say).
  if (!here.endsWith('.ts')) return new Worker(new URL('./index-worker.js', here), { execArgv: [] });
  // Run from the TypeScript sources (npm start, the tests): a worker does not inherit the TypeScript loader, so
  // it registers it before importing its entry.
  const loader = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./index-worker.ts', here).href;
  return new Worker(`import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`, { eval: true, execArgv: [] });
}
