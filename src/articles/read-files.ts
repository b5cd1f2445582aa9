// Reading and parsing article files. On this thread: worker threads were measured slower on the 2-core machine
// (each must load the parser and its imports anew, and the CPU is shared), see BENCHMARKS.md.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileStamp } from './files.js';
import { ARTICLE_FILE_MAX_BYTES, fileTooLarge } from './limits.js';
import type { NormalizeResult } from './normalize.js';
import { parseArticleBytes } from './parse.js';

const FIRST_READ_BYTES = 64 * 1024;

/**
 * The bytes of `file`, or the rejection of a file over ARTICLE_FILE_MAX_BYTES. Reads at most one byte more than
 * the limit whatever the file's size, so a file that grows after it was measured cannot blow up the heap.
 */
async function readArticleBytes(file: string, expectedSize: number | undefined): Promise<Buffer | NormalizeResult> {
  const handle = await fs.open(file, 'r');
  try {
    let buffer = Buffer.allocUnsafe(Math.min(expectedSize ?? FIRST_READ_BYTES, ARTICLE_FILE_MAX_BYTES) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > ARTICLE_FILE_MAX_BYTES) return { ok: false, reason: fileTooLarge(Math.max(length, (await handle.stat()).size)) };
        const larger = Buffer.allocUnsafe(Math.min(length * 2, ARTICLE_FILE_MAX_BYTES + 1));
        buffer.copy(larger);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) return buffer.subarray(0, length);
      length += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Reads and parses `files` (paths relative to `contentDir`); an unreadable file is a rejection like any other.
 * A file whose `stamps` size is over ARTICLE_FILE_MAX_BYTES is rejected without being opened. `onBatch` hears how
 * many files are done after each batch.
 */
export async function parseFiles(
  contentDir: string,
  files: readonly string[],
  stamps?: ReadonlyMap<string, FileStamp>,
  onBatch?: (done: number) => void,
): Promise<Map<string, NormalizeResult>> {
  const results = new Map<string, NormalizeResult>();
  const read = (file: string): Promise<Buffer | NormalizeResult> => {
    const size = stamps?.get(file)?.size;
    if (size !== undefined && size > ARTICLE_FILE_MAX_BYTES) return Promise.resolve({ ok: false, reason: fileTooLarge(size) });
    return readArticleBytes(path.join(contentDir, file), size).catch((e: Error) => ({ ok: false, reason: `unreadable: ${e.message}` }));
  };
  // Reads overlap in small batches; parsing is synchronous CPU work between them.
  for (let i = 0; i < files.length; i += 64) {
    const batch = files.slice(i, i + 64);
    const contents = await Promise.all(batch.map(read));
    batch.forEach((file, j) => {
      const content = contents[j]!;
      results.set(file, Buffer.isBuffer(content) ? parseArticleBytes(content, file) : content);
    });
    onBatch?.(results.size);
  }
  return results;
}
