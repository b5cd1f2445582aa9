// Reading and writing the restart caches under the data folder: JSON files replaced atomically.
import fs from 'node:fs';
import path from 'node:path';

/** A cache that exists but cannot be used: the caller logs the message and rebuilds. */
export class CacheError extends Error {}

/**
 * The parsed JSON of a cache file, or null when there is none yet; a CacheError when unreadable or corrupt.
 * Synchronous: it runs at start-up, or when the first search needs the index before it was loaded.
 */
export function readCacheJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CacheError(`unreadable: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CacheError('not valid JSON (truncated or corrupt)');
  }
}

/** Writes through a temporary file and a rename, so a crash never leaves half a cache behind. */
export async function writeCacheJson(file: string, data: unknown): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(temporary, JSON.stringify(data));
  await fs.promises.rename(temporary, file);
}
