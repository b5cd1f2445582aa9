// The search index's heavy work, run on a worker thread so that the bot's event loop never waits for it (building
// the index of 50,000 articles is seconds of work, reading or writing its cache a large copy and checksum): read the
// restart cache and place its slots among the articles; build an index from articles' text; or compact one (merge
// the postings added since it was made, drop its tombstones); and write the result to the cache. A small library's
// jobs run in the library's own thread, where they take a few milliseconds and spare a thread's start. This module
// and what it imports load neither discord.js nor the parser, so the worker starts quickly.
import type { Worker } from 'node:worker_threads';
import { CacheError, removeCutShortWrite } from './cache-file.js';
import { compactIndex, copyIndex, unpackLists, type FrozenIndex, type PackedLists } from './frozen-index.js';
import { placeSlots, readIndexCache, writeIndexCache } from './index-cache.js';
import { foldFields, type TextFields } from './query.js';
import { IndexBuilder } from './search-index.js';
import { startWorker } from './worker-thread.js';

/** What the library sends a job: `keys` then `read`; or `texts` and `keys`, then `finish`; or `keys` then `compact`. */
export type JobMessage =
  /**
   * The next keys: before `read`, of the articles as they are now, for the cache's slots to be placed among; before
   * `finish` or `compact`, of the slots made, for the cache (null: a tombstone).
   */
  | { kind: 'keys'; keys: (string | null)[] }
  /** Read the cache and place its slots among the articles whose keys came before (see placeSlots). */
  | { kind: 'read'; file: string }
  /** Articles' text, for slots first, first + 1, …, to fold and index. */
  | { kind: 'texts'; first: number; texts: TextFields[] }
  /** Freeze the index built of the texts, write it with the keys to `file` (null: no cache) and answer with it. */
  | { kind: 'finish'; file: string | null }
  /** Compact `base` (see compactIndex), write it with the keys sent before (one per new slot) to `file` and answer with it. */
  | { kind: 'compact'; base: FrozenIndex; added: PackedLists; remap: Int32Array; file: string | null };

/**
 * A problem met by a job, as plain data: `corrupt` for a cache to rebuild, `code` for a file system error,
 * `stopped` when the worker itself stopped (crashed, ran out of memory, was ended) before it answered.
 */
export interface JobProblem { message: string; code?: string; corrupt?: boolean; stopped?: boolean }

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
 * Takes a job's messages one by one and calls `answer` once, with the buffers to transfer. The same handler runs on
 * the worker thread (index-worker.ts) and, for a small library, in the library's thread.
 */
export function jobHandler(answer: (answer: JobAnswer, transfer: ArrayBuffer[]) => void): (message: JobMessage) => Promise<void> {
  const builder = new IndexBuilder();
  const keys: (string | null)[] = [];
  const made = async (index: FrozenIndex, slotKeys: (string | null)[], file: string | null) => {
    let writeProblem: JobProblem | null = null;
    if (file) await writeIndexCache(file, { keys: slotKeys, index }).catch((error: unknown) => (writeProblem = jobProblem(error)));
    answer({ kind: 'made', index, writeProblem }, buffersOf(index));
  };
  return async (message) => {
    try {
      switch (message.kind) {
        case 'keys':
          for (const key of message.keys) keys.push(key);
          return;
        case 'read': {
          const cached = readIndexCache(message.file);
          // Read back, the index's arrays are views into the file's bytes, often into the same buffer: copied, each
          // has a buffer of its own to hand over (a buffer twice in a transfer list fails the whole answer).
          const placed = cached && { index: copyIndex(cached.index), placement: placeSlots(cached.keys, keys) };
          answer({ kind: 'read', cached: placed }, placed ? [...buffersOf(placed.index), placed.placement.buffer as ArrayBuffer] : []);
          return;
        }
        case 'texts':
          message.texts.forEach((texts, i) => builder.add(message.first + i, foldFields(texts)));
          return;
        case 'finish':
          return await made(builder.freeze(keys.length), keys, message.file);
        case 'compact':
          return await made(compactIndex(message.base, unpackLists(message.added), message.remap, keys.length), keys, message.file);
      }
    } catch (error) {
      answer({ kind: 'failed', problem: jobProblem(error) }, []);
    }
  };
}

/**
 * The answer with its index copied into memory of this thread's making. The buffers a worker hands over were
 * allocated by the worker, among its garbage; held for the index's life, they kept that memory from going back to
 * the system after the worker ended.
 */
function ownCopy(answer: JobAnswer): JobAnswer {
  if (answer.kind === 'made') return { ...answer, index: copyIndex(answer.index) };
  if (answer.kind === 'read' && answer.cached) return { ...answer, cached: { index: copyIndex(answer.cached.index), placement: answer.cached.placement.slice() } };
  return answer;
}

/** One job: messages in, one answer out. */
export interface IndexJob {
  send(message: JobMessage): void;
  readonly answer: Promise<JobAnswer>;
  /** Whether the job has its answer: it takes no more messages (a worker that stopped is gone). */
  readonly done: boolean;
  /**
   * Ends the job: it handles no more messages, and its answer ('cancelled' if it had none) comes once it has
   * stopped, a cache write it had begun either over or its temporary file removed. The library's close() waits for
   * it: at SIGTERM the process exits next, and a write still running then would leave its temporary file behind.
   */
  cancel(): void;
}

/** A job on a worker thread of its own, ended once it answers (its memory goes with it). */
export function workerJob(): IndexJob {
  const worker: Worker = startWorker('index-worker');
  let done = false;
  /** The cache file the job was asked to write, once it was. */
  let writing: string | null = null;
  let resolve!: (answer: JobAnswer) => void;
  const answer = new Promise<JobAnswer>((r) => (resolve = r));
  // The worker answers once its write is over: it is ended without waiting.
  const answered = (a: JobAnswer) => {
    if (done) return;
    done = true;
    resolve(ownCopy(a));
    void worker.terminate();
  };
  // Without its answer the worker may be mid-write: the answer waits until it has ended (its file operations under
  // way finish first, none starts after) and its temporary file is removed.
  const ended = (a: JobAnswer) => {
    if (done) return;
    done = true;
    void worker.terminate().then(() => (writing ? removeCutShortWrite(writing) : undefined)).catch(() => {}).then(() => resolve(a));
  };
  const stopped = (message: string) => ended({ kind: 'failed', problem: { message, stopped: true } });
  worker.once('message', answered);
  worker.once('error', (error) => stopped(`the index worker stopped: ${error.message}`));
  worker.once('exit', (code) => stopped(`the index worker stopped (exit code ${code})`));
  return {
    send: (message) => {
      if (done) return;
      if (message.kind === 'finish' || message.kind === 'compact') writing = message.file;
      worker.postMessage(message);
    },
    answer,
    get done() {
      return done;
    },
    cancel: () => ended({ kind: 'cancelled' }),
  };
}

/** A job run in this thread: each message is handled as it is sent. */
export function localJob(): IndexJob {
  let done = false;
  let cancelled = false;
  let resolve!: (answer: JobAnswer) => void;
  const answer = new Promise<JobAnswer>((r) => (resolve = r));
  const settle = (a: JobAnswer) => {
    if (done) return;
    done = true;
    resolve(a);
  };
  let queue = Promise.resolve();
  const handle = jobHandler(settle);
  return {
    send: (message) => void (queue = queue.then(() => (cancelled ? undefined : handle(message)))),
    answer,
    get done() {
      return done;
    },
    // The message under way (a small library's cache write: milliseconds) is let finish, and the answer waits for it.
    cancel: () => {
      cancelled = true;
      void queue.then(() => settle({ kind: 'cancelled' }));
    },
  };
}
