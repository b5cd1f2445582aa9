// Live updates: watches the content folder and reports, in small batches, which article files changed.
// One fs.watch per folder: on Linux a folder's watch reports its files' changes as well as their creation and
// removal. chokidar, used before, also watched every file and kept its fs.Stats (four Dates each): for the 7,852
// real files that was 22 MB of heap, about 30 MB of the bot's resident memory, and grew with the library.
import fs from 'node:fs';
import path from 'node:path';
import { isArticleFile, relativeKey } from './files.js';

export interface ContentWatcher { close(): Promise<void> }

// Events arriving within this quiet window (a save that writes in several steps, a git checkout) form one batch; a
// stream of events is still reported at least this often, well within the one-second promise.
const QUIET_MS = 100;
const MAX_WAIT_MS = 400;

/**
 * Calls `onBatch` with the relative paths of `.md` files added, changed or removed under `contentDir` (and of
 * removed folders, ending with "/"). The library reads each one and finds out which it was; a file caught
 * half-written is read again by the library. Resolves once every folder is watched, so no change made after it is
 * missed. `onError` hears what cannot be watched (a folder beyond the system's watch limit, say) and watching
 * carries on for the rest. Symlinked folders are not followed, as the start-up scan does not follow them.
 */
export async function watchContent(contentDir: string, onBatch: (paths: Set<string>) => void, onError: (error: Error) => void): Promise<ContentWatcher> {
  const root = path.resolve(contentDir);
  const watchers = new Map<string, fs.FSWatcher>();
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let firstPending = 0;

  const flush = () => {
    timer = undefined;
    const batch = pending;
    pending = new Set();
    onBatch(batch);
  };
  const note = (file: string, folder = false) => {
    if (!pending.size) firstPending = Date.now();
    pending.add(relativeKey(root, file) + (folder ? '/' : ''));
    clearTimeout(timer);
    timer = setTimeout(flush, Math.max(0, Math.min(QUIET_MS, firstPending + MAX_WAIT_MS - Date.now())));
  };

  const unwatch = (dir: string) => {
    for (const [watched, watcher] of watchers) {
      if (watched !== dir && !watched.startsWith(`${dir}${path.sep}`)) continue;
      watcher.close();
      watchers.delete(watched);
    }
  };

  /** Watches `dir` and every folder under it; calls `found` with each article file in them. */
  const watchTree = (dir: string, found?: (file: string) => void) => {
    if (watchers.has(dir)) return;
    let entries: fs.Dirent[];
    try {
      const watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
        if (name) changed(dir, path.join(dir, name.toString()));
      });
      watcher.on('error', (error) => {
        unwatch(dir);
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onError(error);
      });
      watchers.set(dir, watcher);
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onError(error as Error);
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) watchTree(full, found);
      else if (found && isArticleFile(entry.name)) found(full);
    }
  };

  /** Something named `file` in `dir` was created, changed, renamed or removed. */
  const changed = (dir: string, file: string) => {
    if (!watchers.has(dir)) return; // an event queued before its folder was unwatched
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(file, { throwIfNoEntry: false });
    } catch {
      stat = undefined;
    }
    if (watchers.has(file) && !stat?.isDirectory()) {
      unwatch(file); // a folder removed or moved away takes its articles with it
      note(file, true);
    } else if (stat?.isDirectory()) {
      watchTree(file, (found) => note(found)); // a folder created or moved in brings its articles
      // It may stand where an article file was (rm x.md && mkdir x.md): the library looks at the path again.
      if (isArticleFile(file)) note(file);
    } else if (isArticleFile(file)) {
      note(file);
    }
  };

  watchTree(root);
  return {
    async close() {
      clearTimeout(timer);
      unwatch(root);
    },
  };
}
