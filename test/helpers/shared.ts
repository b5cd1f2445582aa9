import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `../shared` beside the project: the real corpora and Discord's API description. CI has it; a laptop may not. */
export const sharedDir = path.resolve(projectRoot, '../shared');

/**
 * The absolute path of `relative` inside ../shared, or a `skip` reason for node:test when it is absent, so a test
 * that needs it is reported as skipped with the reason instead of passing silently.
 */
export function sharedPath(relative: string): { path: string; skip: false } | { path: string; skip: string } {
  const full = path.join(sharedDir, relative);
  if (fs.existsSync(full)) return { path: full, skip: false };
  const reason = `needs ../shared/${relative}, which is not present here`;
  console.log(`# SKIP ${reason}`);
  return { path: full, skip: reason };
}

export { projectRoot };
