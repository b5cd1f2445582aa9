// The content folder on disk: which article files exist, and what each one's cache key is.
import fs from 'node:fs';
import path from 'node:path';

/** What identifies one version of a file for the parse cache. */
export interface FileStamp { size: number; mtimeMs: number }

export function isArticleFile(relativePath: string): boolean {
  return relativePath.endsWith('.md');
}

/** A path relative to the content folder, with forward slashes on every platform (the key everywhere). */
export function relativeKey(contentDir: string, file: string): string {
  return path.relative(contentDir, file).split(path.sep).join('/');
}

/**
 * Every `*.md` file under `contentDir`, recursively, with its stamp; other files are ignored. Synchronous on
 * purpose: it runs once at start-up, where thousands of async stats cost three times as long.
 */
export function scanContent(contentDir: string): Map<string, FileStamp> {
  const stamps = new Map<string, FileStamp>();
  for (const entry of fs.readdirSync(contentDir, { withFileTypes: true, recursive: true })) {
    // A symlink to an article counts like the file (the live watcher follows it too, so a restart must not lose it).
    if (!(entry.isFile() || entry.isSymbolicLink()) || !isArticleFile(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const stat = regularFile(file);
    if (stat) stamps.set(relativeKey(contentDir, file), { size: stat.size, mtimeMs: stat.mtimeMs });
  }
  return stamps;
}

/** The file's stat, following symlinks, or undefined when it is gone, not a regular file, or a broken or looping link. */
function regularFile(file: string): fs.Stats | undefined {
  try {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    return stat?.isFile() ? stat : undefined;
  } catch {
    return undefined;
  }
}
