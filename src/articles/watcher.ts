// Live updates: watches the content folder and reports, in small batches, which article files changed.
import { watch, type FSWatcher } from 'chokidar';
import { isArticleFile, relativeKey } from './files.js';

export interface ContentWatcher { close(): Promise<void> }

// Events arriving within this window (a save that touches several files, a git checkout) form one batch.
const BATCH_MS = 50;

/**
 * Calls `onBatch` with the relative paths of `.md` files added, changed or removed under `contentDir`.
 * Resolves once the initial scan is done, so no change made after it is missed.
 */
export async function watchContent(contentDir: string, onBatch: (paths: Set<string>) => void): Promise<ContentWatcher> {
  const watcher: FSWatcher = watch(contentDir, {
    ignoreInitial: true,
    // A file being written is reported once its size has held still briefly, well within the one-second promise.
    awaitWriteFinish: { stabilityThreshold: 150, pollInterval: 25 },
    ignored: (file, stats) => Boolean(stats?.isFile() && !isArticleFile(file)),
  });
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const note = (file: string) => {
    if (!isArticleFile(file)) return;
    pending.add(relativeKey(contentDir, file));
    clearTimeout(timer);
    timer = setTimeout(() => {
      const batch = pending;
      pending = new Set();
      onBatch(batch);
    }, BATCH_MS);
  };
  watcher.on('add', note).on('change', note).on('unlink', note);
  await new Promise<void>((resolve, reject) => watcher.once('ready', resolve).once('error', reject));
  return {
    async close() {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
