// Reading and parsing article files, on this thread in slices that give the event loop back, or on a pool of
// worker threads for a large cold load (parse-pool.ts), which run parseArticleFile() below.
import fs from 'node:fs';
import path from 'node:path';
import type { FileStamp } from './files.js';
import { ARTICLE_FILE_MAX_BYTES, fileTooLarge } from './limits.js';
import type { NormalizeResult } from './normalize.js';
import { parseArticleBytes } from './parse.js';
import { TimeSlices } from './steps.js';

const FIRST_READ_BYTES = 64 * 1024;
// Never wait on a FIFO that took a file's place since the folder was listed: read what is there (nothing).
const READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);
/** How long one slice of parsing may hold this thread before it lets other work run. */
export const PARSE_SLICE_MS = 20;

/**
 * The bytes of `file`, or the rejection of a file over ARTICLE_FILE_MAX_BYTES. Reads at most one byte more than
 * the limit whatever the file's size, so a file that grows after it was measured cannot blow up the heap.
 * Synchronous: the promise API's open, read and close cost the bot more than the read itself (a third of a cold
 * load), and one file is a fraction of a millisecond.
 */
function readArticleBytes(file: string, expectedSize: number | undefined): Buffer | NormalizeResult {
  const handle = fs.openSync(file, READ_FLAGS);
  try {
    let buffer = Buffer.allocUnsafe(Math.min(expectedSize ?? FIRST_READ_BYTES, ARTICLE_FILE_MAX_BYTES) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > ARTICLE_FILE_MAX_BYTES) return { ok: false, reason: fileTooLarge(Math.max(length, fs.fstatSync(handle).size)) };
        const larger = Buffer.allocUnsafe(Math.min(length * 2, ARTICLE_FILE_MAX_BYTES + 1));
        buffer.copy(larger);
        buffer = larger;
      }
      const bytesRead = readSome(handle, buffer, length);
      if (bytesRead === 0) return buffer.subarray(0, length);
      length += bytesRead;
    }
  } finally {
    fs.closeSync(handle);
  }
}

function readSome(handle: number, buffer: Buffer, at: number): number {
  try {
    return fs.readSync(handle, buffer, at, buffer.length - at, null);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return 0; // a FIFO with nothing written
    throw error;
  }
}

/**
 * One article file (`file` relative to `contentDir`) read and parsed; an unreadable file is a rejection like any
 * other, and one whose known `size` is over ARTICLE_FILE_MAX_BYTES is rejected without being opened.
 */
export function parseArticleFile(contentDir: string, file: string, size: number | undefined): NormalizeResult {
  if (size !== undefined && size > ARTICLE_FILE_MAX_BYTES) return { ok: false, reason: fileTooLarge(size) };
  let content: Buffer | NormalizeResult;
  try {
    content = readArticleBytes(path.join(contentDir, file), size);
  } catch (error) {
    return { ok: false, reason: `unreadable: ${(error as Error).message}` };
  }
  return Buffer.isBuffer(content) ? parseArticleBytes(content, file) : content;
}

/**
 * Reads and parses `files` (paths relative to `contentDir`) on this thread, in slices of about PARSE_SLICE_MS
 * between which other work runs (`slices`: those of a caller parsing several lists in a row). `onBatch` hears how
 * many files are done after each slice.
 */
export async function parseFiles(
  contentDir: string,
  files: readonly string[],
  stamps?: ReadonlyMap<string, FileStamp>,
  onBatch?: (done: number) => void,
  slices = new TimeSlices(PARSE_SLICE_MS),
): Promise<Map<string, NormalizeResult>> {
  const results = new Map<string, NormalizeResult>();
  for (const file of files) {
    results.set(file, parseArticleFile(contentDir, file, stamps?.get(file)?.size));
    if (!slices.over()) continue;
    onBatch?.(results.size);
    await slices.yield();
  }
  onBatch?.(results.size);
  return results;
}
