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
  const root = path.resolve(contentDir);
  for (const entry of fs.readdirSync(root, { withFileTypes: true, recursive: true })) {
    // A symlink to an article counts like the file: the live watcher follows it, so a restart must not lose it.
    if (!(entry.isFile() || entry.isSymbolicLink()) || !isArticleFile(entry.name)) continue;
    // Plain concatenation: path.join/relative for every file were a tenth of a warm restart.
    const file = `${entry.parentPath}${path.sep}${entry.name}`;
    const stat = entry.isFile() ? fs.statSync(file, { throwIfNoEntry: false }) : linkedFile(file);
    if (!stat) continue;
    const folder = entry.parentPath.length > root.length ? entry.parentPath.slice(root.length + 1) : '';
    const key = folder ? `${folder}/${entry.name}` : entry.name;
    stamps.set(path.sep === '/' ? key : key.split(path.sep).join('/'), { size: stat.size, mtimeMs: stat.mtimeMs });
  }
  return stamps;
}

/** What a symlink leads to, if that is a regular file; undefined for a broken or looping link, or one to anything else. */
function linkedFile(file: string): fs.Stats | undefined {
  try {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    return stat?.isFile() ? stat : undefined;
  } catch {
    return undefined;
  }
}
