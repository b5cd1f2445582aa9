// Live updates: watches the content folder and reports, in small batches, which article files changed.
// One fs.watch per folder: on Linux a folder's watch reports its files' changes as well as their creation and
// removal. chokidar, used before, also watched every file and kept its fs.Stats (four Dates each): for the 7,852
// real files that was 22 MB of heap, about 30 MB of the bot's resident memory, and grew with the library.
import fs from 'node:fs';
import path from 'node:path';
import { isArticleFile, relativeKey } from './files.js';
import { TimeSlices } from './steps.js';

export interface ContentWatcher { close(): Promise<void> }

// Events arriving within this quiet window (a save that writes in several steps, a git checkout) form one batch; a
// stream of events is still reported at least this often, well within the one-second promise.
const QUIET_MS = 100;
const MAX_WAIT_MS = 400;
// How long watching (and listing) folders at start-up may hold the event loop before it lets other work run: 20
// folders of 500 files a turn took 30-150 ms.
const SLICE_MS = 10;

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

  /** Watches `dir` alone; the folders in it, and calls `found` with each article file in it. */
  const watchFolder = (dir: string, found?: (file: string) => void): string[] => {
    if (watchers.has(dir)) return [];
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
      return [];
    }
    // Paths are made only for what is used: at start-up, when no file is wanted, a path per file of a 50,000-file
    // folder was 160 ms of the event loop.
    const folders: string[] = [];
    for (const entry of entries) {
      if (entry.isDirectory()) folders.push(path.join(dir, entry.name));
      else if (found && isArticleFile(entry.name)) found(path.join(dir, entry.name));
    }
    return folders;
  };

  /** Watches `dir` and every folder under it; calls `found` with each article file in them. */
  const watchTree = (dir: string, found?: (file: string) => void) => {
    for (const folder of watchFolder(dir, found)) watchTree(folder, found);
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

  // The content folder's own tree, a few folders per turn of the event loop: a large one takes a while to list.
  const folders = [root];
  const slices = new TimeSlices(SLICE_MS);
  while (folders.length) {
    folders.push(...watchFolder(folders.shift()!));
    await slices.turn();
  }
  return {
    async close() {
      clearTimeout(timer);
      unwatch(root);
    },
  };
}
