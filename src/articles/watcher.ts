// Live updates: watches the content folder and reports, in small batches, which article files changed.
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isArticleFile, relativeKey } from './files.js';

export interface ContentWatcher { close(): Promise<void> }

// Events arriving within this window (a save that touches several files, a git checkout) form one batch.
const BATCH_MS = 50;

/**
 * Calls `onBatch` with the relative paths of `.md` files added, changed or removed under `contentDir` (and of
 * removed folders, ending with "/").
 * Resolves once the initial scan is done, so no change made after it is missed. `onError` hears what the watcher
 * cannot follow (a symlink loop, say) and it carries on watching the rest.
 */
export async function watchContent(contentDir: string, onBatch: (paths: Set<string>) => void, onError: (error: Error) => void): Promise<ContentWatcher> {
  const watcher: FSWatcher = watch(contentDir, {
    ignoreInitial: true,
    // A file being written is reported once its size has held still briefly, well within the one-second promise.
    awaitWriteFinish: { stabilityThreshold: 150, pollInterval: 25 },
    ignored: (file, stats) => Boolean(stats?.isFile() && !isArticleFile(file)),
  });
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const note = (file: string) => {
    const folder = file.endsWith(path.sep);
    if (!folder && !isArticleFile(file)) return;
    pending.add(relativeKey(contentDir, file) + (folder ? '/' : ''));
    clearTimeout(timer);
    timer = setTimeout(() => {
      const batch = pending;
      pending = new Set();
      onBatch(batch);
    }, BATCH_MS);
  };
  watcher.on('add', note).on('change', note).on('unlink', note);
  // A removed folder is reported as itself, with a trailing slash: the library drops every file it held.
  watcher.on('unlinkDir', (dir) => note(`${dir}${path.sep}`));
  await new Promise<void>((resolve, reject) => watcher.once('ready', resolve).once('error', reject));
  // Without a listener an 'error' event is thrown, and one symlink loop dropped into the folder would stop the bot.
  // An article file the watcher cannot follow is also read, so the library names it with its reason.
  watcher.on('error', (error) => {
    const file = (error as NodeJS.ErrnoException).path;
    if (file && !path.relative(contentDir, file).startsWith('..')) note(file);
    onError(error as Error);
  });
  return {
    async close() {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
