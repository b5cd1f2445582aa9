// Reading and parsing many article files: inline for a few, spread over worker threads for a cold load.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { NormalizeResult } from './normalize.js';
import { parseArticleText } from './parse.js';

/** Reads and parses `files` (paths relative to `contentDir`); an unreadable file is a rejection like any other. */
export async function parseFiles(contentDir: string, files: readonly string[]): Promise<Map<string, NormalizeResult>> {
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
