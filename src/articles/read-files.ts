// Reading and parsing article files. On this thread: worker threads were measured slower on the 2-core machine
// (each must load the parser and its imports anew, and the CPU is shared), see BENCHMARKS.md.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { NormalizeResult } from './normalize.js';
import { parseArticleText } from './parse.js';

/** Reads and parses `files` (paths relative to `contentDir`); an unreadable file is a rejection like any other. */
export async function parseFiles(contentDir: string, files: readonly string[]): Promise<Map<string, NormalizeResult>> {
  const results = new Map<string, NormalizeResult>();
  // Reads overlap in small batches; parsing is synchronous CPU work between them.
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
