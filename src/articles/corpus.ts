// The articles of the content folder: every file's latest parse, and the one article shown for each URL (the best
// of the files carrying it). Loaded from a scan of the folder, the parse cache and the parser; kept current by
// applying what changed files hold now.
import type { Logger } from '../log.js';
import type { NormalizeResult } from './normalize.js';
import type { RestartCaches } from './caches.js';
import { pickDuplicate } from './dedupe.js';
import { scanContent, type FileStamp } from './files.js';
import { readParseCache, sameStamp, writeParseCache, type ParsedFile } from './parse-cache.js';
import { SearchEntry } from './query.js';
import { parseFilesInWorkers } from './parse-pool.js';
import { parseFiles } from './read-files.js';
import { eachSteps, runInTurns } from './steps.js';
import type { Article } from './types.js';

/**
 * What the load at open() found: articles, skipped files by reason, files read from the cache, files parsed on
 * worker threads (see parse-pool.ts; absent when none was), time taken.
 */
export interface LoadSummary { loaded: number; skipped: number; byReason: Record<string, number>; fromCache: number; onWorkers?: number; ms: number }
/** What one batch of changed files did, as the library's 'change' event reports it. */
export interface LibraryChange { added: number; changed: number; removed: number; skipped: number }

/** A changed file as read now: its parse; null when it is gone; 'folder' when a folder stands at its path (it holds no article itself). */
export type FileRead = ParsedFile | null | 'folder';

/** An article whose shown version changed: what was shown before and what is now (undefined: nothing). */
export interface EntryChange { before: SearchEntry | undefined; after: SearchEntry | undefined }

const PARSE_CACHE = 'articles.bin';
// Below this many files to parse, this thread alone is faster than with the help of worker threads, which each
// load the parser and warm up anew: measured on 2 shared cores, 6,241 files took 0.6-0.9 s here and 0.7-1.4 s with
// a worker, 50,000 took 4.8-5.2 s here and 3.7 s with one.
const POOL_FILES_MIN = 10_000;

/**
 * A skip reason grouped for the summary: YAML errors together, files over the size limit together, others by
 * field and problem without the detail that follows ("publishedDateTime: is not a valid date: …").
 */
function reasonGroup(reason: string): string {
  if (reason.startsWith('YAML')) return 'broken YAML';
  if (reason.startsWith('file is ')) return 'file over the size limit';
  const detail = reason.indexOf(': ', reason.indexOf(': ') + 2);
  return detail < 0 ? reason : reason.slice(0, detail);
}

export class Corpus {
  /** Every article file's latest parse result, by relative path. */
  private files = new Map<string, ParsedFile>();
  /** Article id → the files carrying that URL (arrays: almost every id has one file, and a Set per id weighed more). */
  private readonly copies = new Map<string, string[]>();
  /** The article shown for each id (the best of its copies), with its folded text. */
  private readonly shown = new Map<string, SearchEntry>();
  /** The parse cache write under way, if any: saves are written one after another. */
  private saving = Promise.resolve();

  constructor(private readonly contentDir: string, private readonly caches: RestartCaches, private readonly logger: Logger) {}

  /** The article shown for each id: one map for the corpus's life, so the index and the views read it as it changes. */
  get entries(): ReadonlyMap<string, SearchEntry> {
    return this.shown;
  }

  /** The relative path of every article file, parsed or skipped. */
  paths(): IterableIterator<string> {
    return this.files.keys();
  }

  /** The size and modification time of the file version `file`'s article was read from. */
  stampOf(file: string): FileStamp {
    return this.files.get(file)!.stamp;
  }

  /**
   * Reads every article file, from the parse cache where it is current, and logs what was loaded and skipped.
   * `onParsed` hears the progress of the files that had to be parsed.
   */
  async load(onParsed?: (done: number, total: number) => void): Promise<LoadSummary> {
    const started = performance.now();
    const stamps = await scanContent(this.contentDir);
    const cached = await this.readCache();
    // forEach rather than for…of over the maps: no [key, value] array per file, and a warm restart is mostly these loops.
    const stale: string[] = [];
    stamps.forEach((stamp, file) => {
      const hit = cached.get(file);
      if (!hit || !sameStamp(hit.stamp, stamp)) stale.push(file);
    });
    const changed = stale.length > 0 || cached.size !== stamps.size;
    const { results: parsed, onWorkers } = await this.parse(stale, stamps, onParsed && ((done) => onParsed(done, stale.length)));
    if (changed) {
      stamps.forEach((stamp, file) => {
        const result = parsed.get(file);
        this.files.set(file, result ? { stamp, result } : cached.get(file)!);
      });
    } else {
      this.files = cached; // the same files, every one unchanged
    }
    const byReason: Record<string, number> = {};
    // In steps, as the other loops over every file: these two took 0.15-0.27 s at 50,000 files in one go.
    await runInTurns(eachSteps(this.files, ([file, { result }]) => {
      if (result.ok) {
        this.addCopy(result.article.id, file);
        this.reportCuts(file, result.cuts);
      } else {
        this.logger.warn({ event: 'articles.file_skipped', file, reason: result.reason }, 'article file skipped');
        const group = reasonGroup(result.reason);
        byReason[group] = (byReason[group] ?? 0) + 1;
      }
    }));
    await runInTurns(eachSteps(this.copies.keys(), (id) => this.shown.set(id, new SearchEntry(this.winner(id)!))));
    if (changed) await this.saveCache();
    const skipped = Object.values(byReason).reduce((s, n) => s + n, 0);
    const summary = { loaded: this.shown.size, skipped, byReason, fromCache: stamps.size - stale.length, ...(onWorkers ? { onWorkers } : {}), ms: Math.round(performance.now() - started) };
    this.logger.info({ event: 'articles.loaded', ...summary, contentDir: this.contentDir, files: stamps.size }, 'articles loaded');
    return summary;
  }

  /** Parses `files`: with the help of worker threads when there are enough of them for it to pay. */
  private async parse(files: string[], stamps: ReadonlyMap<string, FileStamp>, onBatch?: (done: number) => void): Promise<{ results: Map<string, NormalizeResult>; onWorkers: number }> {
    if (files.length === 0) return { results: new Map(), onWorkers: 0 };
    if (files.length >= POOL_FILES_MIN) return parseFilesInWorkers(this.contentDir, files, { stamps, onBatch, logger: this.logger });
    return { results: await parseFiles(this.contentDir, files, stamps, onBatch), onWorkers: 0 };
  }

  /**
   * Takes in what changed files hold now (in the order given) and shows the best copy of each article they touch.
   * Returns the counts for the 'change' event and each article whose shown version changed, in the order touched.
   */
  apply(reads: ReadonlyMap<string, FileRead>): { change: LibraryChange; moved: EntryChange[] } {
    const change: LibraryChange = { added: 0, changed: 0, removed: 0, skipped: 0 };
    const touched = new Set<string>();
    for (const [file, after] of reads) {
      const before = this.files.get(file);
      if (before?.result.ok) {
        touched.add(before.result.article.id);
        this.dropCopy(before.result.article.id, file);
      }
      if (!after || after === 'folder') {
        if (after && before) this.logger.warn({ event: 'articles.file_became_folder', file }, 'article file replaced by a folder of the same name: its article is no longer served');
        this.files.delete(file);
        continue;
      }
      this.files.set(file, after);
      if (after.result.ok) {
        touched.add(after.result.article.id);
        this.addCopy(after.result.article.id, file);
        this.reportCuts(file, after.result.cuts);
      } else {
        change.skipped++;
        this.logger.warn({ event: 'articles.file_skipped', file, reason: after.result.reason }, 'article file skipped');
      }
    }
    const moved: EntryChange[] = [];
    for (const id of touched) {
      const entryChange = this.refresh(id);
      if (!entryChange) continue;
      moved.push(entryChange);
      if (!entryChange.after) change.removed++;
      else if (entryChange.before) change.changed++;
      else change.added++;
    }
    return { change, moved };
  }

  /** Writes the parse cache; a save asked for while one is under way (it takes several turns) starts after it. */
  saveCache(): Promise<void> {
    const file = this.caches.file(PARSE_CACHE);
    if (!file) return this.saving;
    this.saving = this.saving.then(() => writeParseCache(file, this.contentDir, this.files)).catch((error: unknown) => this.caches.fault(file, error));
    return this.saving;
  }

  private async readCache(): Promise<Map<string, ParsedFile>> {
    const file = this.caches.file(PARSE_CACHE);
    return file ? await this.caches.read(file, 'parse', () => readParseCache(file, this.contentDir), new Map()) : new Map();
  }

  /** One line for a file served with fields cut to their limits, at each load as for a skipped file. */
  private reportCuts(file: string, cuts: string[] | undefined): void {
    if (cuts) this.logger.warn({ event: 'articles.fields_cut', file, cuts }, 'article served with fields cut to their limits');
  }

  /** Shows the best copy of `id` (or nothing, if none is left); what changed, or null when the same article stays. */
  private refresh(id: string): EntryChange | null {
    if (this.copies.get(id)?.length === 0) this.copies.delete(id);
    const best = this.winner(id);
    const before = this.shown.get(id);
    if (before?.article === best || (!best && !before)) return null;
    if (!best) {
      this.shown.delete(id);
      return { before, after: undefined };
    }
    const after = new SearchEntry(best);
    this.shown.set(id, after);
    return { before, after };
  }

  private addCopy(id: string, file: string): void {
    const files = this.copies.get(id);
    if (!files) this.copies.set(id, [file]);
    else if (!files.includes(file)) files.push(file);
  }

  private dropCopy(id: string, file: string): void {
    const files = this.copies.get(id);
    const at = files ? files.indexOf(file) : -1;
    if (at >= 0) files!.splice(at, 1);
  }

  private winner(id: string): Article | undefined {
    const files = this.copies.get(id);
    if (!files) return undefined;
    const article = (file: string) => (this.files.get(file)!.result as { article: Article }).article;
    return files.length === 1 ? article(files[0]!) : pickDuplicate(files.map(article));
  }
}
