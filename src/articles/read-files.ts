// Reading and parsing many article files: on this thread for a few, spread over worker threads for a cold load.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NormalizeResult } from './normalize.js';
import { parseArticleText } from './parse.js';

// Below this many files, starting workers (each loads the parser anew) costs more than it saves.
const WORKER_THRESHOLD = 2000;

/** Reads and parses `files` (paths relative to `contentDir`) on this thread; an unreadable file is a rejection. */
export async function parseFilesHere(contentDir: string, files: readonly string[]): Promise<Map<string, NormalizeResult>> {
  const results = new Map<string, NormalizeResult>();
  for (let i = 0; i < files.length; i += 64) {
    const batch = files.slice(i, i + 64);
    const texts = await Promise.all(batch.map((f) => fs.readFile(path.join(contentDir, f), 'utf8').catch((e: Error) => e)));
    batch.forEach((file, j) => {
      const text = texts[j]!;
      results.set(file, typeof text === 'string' ? parseArticleText(text, file) : { ok: false, reason: `unreadable: ${text.message}` });
    });
  }
  return results;
}

// The project runs its TypeScript through tsx, whose loader a worker thread does not inherit: register it first.
const WORKER_SOURCE = `import('tsx/esm/api').then(({ register }) => { register(); return import(require('node:worker_threads').workerData.module); });`;

function parseInWorker(contentDir: string, files: string[]): Promise<[string, NormalizeResult][]> {
  const module = new URL('./parse-worker.ts', import.meta.url).href;
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { contentDir, files, module } });
    worker.once('message', resolve).once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`parse worker exited with code ${code}`)));
  });
}

/**
 * Reads and parses `files`, split over one worker thread per core when there are enough of them to pay for the
 * workers' start-up (a cold load); `threads` overrides the count (1: this thread only). Should workers fail,
 * the files are parsed here and `onWorkerError` is told why.
 */
export async function parseFiles(
  contentDir: string,
  files: readonly string[],
  onWorkerError: (error: Error) => void,
  threads = os.availableParallelism(),
): Promise<Map<string, NormalizeResult>> {
  if (threads < 2 || files.length < WORKER_THRESHOLD) return parseFilesHere(contentDir, files);
  const share = Math.ceil(files.length / threads);
  const parts = Array.from({ length: threads }, (_, i) => files.slice(i * share, (i + 1) * share));
  try {
    const results = await Promise.all(parts.map((part) => parseInWorker(contentDir, part)));
    return new Map(results.flat());
  } catch (error) {
    // A worker that cannot start must not cost the load: parse here instead, and say why it was slower.
    onWorkerError(error as Error);
    return parseFilesHere(contentDir, files);
  }
}
