// The search index over the corpus's articles, prepared in the background once they are loaded: read from its
// restart cache (patched where files changed) or built, on a worker thread (index-jobs.ts), so that the bot logs in
// and answers meanwhile. Kept current as articles change, merged and written back to its cache when asked (after a
// quiet spell of live changes), and rebuilt once tombstones pile up. It answers two questions: which articles are
// candidates for these words, and how common a word is; until it is ready, it says it cannot (candidates() is null).
import type { Logger } from '../log.js';
import type { RestartCaches } from './caches.js';
import type { Corpus, EntryChange } from './corpus.js';
import { slotKey, tooManyTombstones } from './index-cache.js';
import { localJob, problemError, workerJob, type IndexJob, type JobAnswer, type JobProblem } from './index-jobs.js';
import type { SearchEntry } from './query.js';
import { packLists } from './frozen-index.js';
import { SearchIndex, type FrozenIndex } from './search-index.js';
import { correctWord } from './spelling.js';
import { bestSteps } from './order.js';
import { rangeSteps, runInTurns } from './steps.js';

const INDEX_CACHE = 'search-index.bin';
// Articles handled per step on the library's thread (their words folded and sent to the worker, or added to the
// index): a few milliseconds each at most, so commands are answered between steps.
const STEP = 250;
// A library this small has its index made in its own thread, in a few milliseconds: less than a worker's start,
// and its index is ready when open() resolves.
const LOCAL_MAX = 1000;

// Keys computed and sent per step for the worker to place a cached index's slots, and slots checked per step (5,000
// a step held the bot for 30-100 ms at 50,000 articles).
const KEYS_STEP = 2000;
const CHECK_STEP = 1000;

export class IndexedSearch {
  /**
   * Index slot → entry. A slot whose article was changed or removed is emptied, not taken out of the index (see
   * SearchIndex): its terms stay there as a tombstone, and the candidates they bring are dropped.
   */
  private slots: (SearchEntry | undefined)[] = [];
  private slotOf = new Map<string, number>();
  /** Null until prepared (see prepare()). */
  private index: SearchIndex | null = null;
  /** While the articles changed during a preparation or rebuild are being indexed, the index may miss them. */
  private catchingUp = false;
  private preparing: Promise<void> | null = null;
  /** Index jobs (preparing, saving, rebuilding) run one at a time, in order. */
  private work: Promise<void> = Promise.resolve();
  private job: IndexJob | null = null;
  private rebuilding = false;
  private stopped = false;
  /** Changes made to the slots so far, and how many of them the cache holds. */
  private changes = 0;
  private saved = -1;

  /** `newest`: the articles newest first, as the library's views hold them (see views.ts), to rank without sorting again. */
  constructor(
    private readonly corpus: Corpus,
    private readonly newest: () => readonly SearchEntry[],
    private readonly caches: RestartCaches,
    private readonly logger: Logger,
  ) {}

  /** Whether the index is made in the library's own thread: a small library's is ready as soon as open() waits for it. */
  get local(): boolean {
    return this.corpus.entries.size <= LOCAL_MAX;
  }

  /** Whether searches can use the index. */
  get ready(): boolean {
    return this.index !== null && !this.catchingUp;
  }

  /** Starts preparing the index (once); resolves when it is ready, or was given up (closed, or it failed). */
  prepare(): Promise<void> {
    this.preparing ??= this.queue(() => this.prepareIndex());
    return this.preparing;
  }

  /**
   * The entries of the index's best `limit` matches for `words` (folded terms), best first; every match without
   * `limit`. Null until the index is ready.
   */
  candidates(words: string, limit?: number): SearchEntry[] | null {
    if (!this.ready) return null;
    // Tombstones still match: asking for as many more candidates as there are keeps the live ones `limit` or all.
    const tombstones = this.slots.length - this.slotOf.size;
    return this.index!.search(words, (limit ?? this.slots.length) + tombstones).map((s) => this.slots[s]).filter((e): e is SearchEntry => e !== undefined);
  }

  /** `term` itself if an article has it as a word, else its most common neighbour one edit away (see spelling.ts). */
  correct(term: string): string {
    return this.ready ? correctWord(term, (word) => this.index!.wordCount(word)) : term;
  }

  /**
   * Gives an article's new version (or nothing, once it is gone) its place in the index. Before the index is
   * prepared there is nothing to do: the preparation indexes the articles as they are when it ends.
   */
  update({ before, after }: EntryChange): void {
    if (!this.index) return;
    const id = (before ?? after)!.article.id;
    const slot = this.slotOf.get(id);
    if (after && before && slot !== undefined && sameWords(before, after)) {
      // Same words (a flag or a score changed, as news pipelines often do): the slot keeps its terms.
      this.slots[slot] = after;
      return;
    }
    // A slot whose words change becomes a tombstone (see slots), and the new version gets a new slot.
    if (slot !== undefined) {
      this.slots[slot] = undefined;
      this.slotOf.delete(id);
      this.changes++;
    }
    if (after) this.add(after);
  }

  /** Once tombstones pass their share, compacts the index without them on the worker, the current one serving meanwhile. */
  rebuildIfWorn(): void {
    if (!this.index || this.rebuilding || this.stopped || !tooManyTombstones(this.slots.length, this.slotOf.size)) return;
    this.rebuilding = true;
    void this.queue(async () => {
      if (await this.compact()) this.logger.info({ event: 'articles.index_rebuilt', articles: this.corpus.entries.size }, 'search index rebuilt without tombstones');
      this.rebuilding = false;
    });
  }

  /** Writes the index to its cache if it changed since (see compact()). */
  saveCache(): Promise<void> {
    return this.queue(async () => {
      if (this.caches.file(INDEX_CACHE) && this.changes !== this.saved) await this.compact();
    });
  }

  /** Stops the work under way for good (a job is ended, a rebuild not started); saveCache() still writes. */
  stop(): void {
    this.stopped = true;
    this.job?.cancel();
  }

  /** Resolves once the index work queued so far (cache writes included) is over. */
  written(): Promise<void> {
    return this.work;
  }

  private queue(task: () => Promise<void>): Promise<void> {
    this.work = this.work.then(task).catch((error: unknown) => {
      this.logger.error({ event: 'articles.index_failed', err: error }, 'search index work failed: searches rank the articles directly');
    });
    return this.work;
  }

  /** Reuses the cached index, patched where files changed since it was written, or builds one. */
  private async prepareIndex(): Promise<void> {
    const started = performance.now();
    const file = this.caches.file(INDEX_CACHE);
    const cached = file ? await this.readCache(file) : null;
    let how: 'cache' | 'patched cache' | 'built';
    if (cached) {
      if (!cached.patches) this.saved = this.changes;
      await this.install(new SearchIndex(cached.index), cached.slots);
      how = cached.patches ? 'patched cache' : 'cache';
    } else {
      if (!(await this.build())) return;
      how = 'built';
    }
    if (this.stopped) return;
    this.logger.info({ event: 'articles.index_ready', ms: Math.round(performance.now() - started), how, articles: this.corpus.entries.size }, 'search index ready');
    // A patched index is written back once patched: the next start then finds it current.
    if (how === 'patched cache') void this.saveCache();
  }

  /**
   * The cached index with the entry of each slot and how many articles it lacks, or null when there is none or
   * too much changed for patching to pay. The worker places the slots: it is sent every article's key.
   */
  private async readCache(file: string): Promise<{ index: FrozenIndex; slots: (SearchEntry | undefined)[]; patches: number } | null> {
    const entries = [...this.corpus.entries.values()];
    const job = this.startJob(this.local);
    await runInTurns(rangeSteps(entries.length, (first, end) => job.send({ kind: 'keys', keys: entries.slice(first, end).map((e) => this.keyOf(e)) }), KEYS_STEP));
    job.send({ kind: 'read', file });
    const answer = await this.finished(job);
    if (answer.kind === 'failed' && answer.problem.stopped) {
      this.logger.warn({ event: 'articles.index_worker_stopped', cache: file, problem: answer.problem.message }, 'search index worker stopped while reading its cache: the index is built anew');
    } else if (answer.kind === 'failed') {
      this.caches.notUsed(file, 'search index', problemError(answer.problem));
    }
    if (answer.kind !== 'read' || !answer.cached) return null;
    const { index, placement } = answer.cached;
    const slots = Array.from(placement, (position) => (position < 0 ? undefined : entries[position]));
    const placed = placement.reduce((n, position) => (position < 0 ? n : n + 1), 0);
    const patches = entries.length - placed;
    if (patches > Math.max(100, entries.length / 5) || tooManyTombstones(placement.length + patches, entries.length)) return null;
    return { index, slots, patches };
  }

  /**
   * Builds an index of the articles as they are now, best-ranked first (so the index proposes them first among
   * equal matches), on the worker, and writes it to the cache; then takes it in place of the current one. False when
   * it could not be made.
   */
  private async build(): Promise<boolean> {
    const file = this.caches.file(INDEX_CACHE);
    const ranked = await runInTurns(bestSteps(this.newest()));
    const job = this.startJob(ranked.length <= LOCAL_MAX);
    await runInTurns(rangeSteps(ranked.length, (first, end) => {
      // Nothing more is sent once stopped, or once the job has answered (its worker stopped).
      if (this.stopped || job.done) return;
      const step = ranked.slice(first, end);
      // Texts and keys together: a key names the file version whose text the slot holds (null: changed already).
      job.send({ kind: 'texts', first, texts: step.map((e) => e.texts) });
      job.send({ kind: 'keys', keys: step.map((e) => this.keyOf(e)) });
    }, STEP));
    job.send({ kind: 'finish', file });
    const made = await this.made(job, file);
    if (!made) return false;
    if (!made.writeProblem && file) this.saved = this.changes;
    await this.install(new SearchIndex(made.index), ranked);
    return true;
  }

  /**
   * Compacts the index on the worker (its frozen part and the postings added since merged, its tombstones dropped,
   * its slots renumbered in order), writes it to the cache and takes it in place of the current one, keeping what was
   * indexed meanwhile. False when it could not be made.
   */
  private async compact(): Promise<boolean> {
    const index = this.index;
    if (!index) return false;
    const file = this.caches.file(INDEX_CACHE);
    const seen = this.changes;
    const snapshot = this.slots.length;
    const job = this.startJob(snapshot <= LOCAL_MAX);
    // Each slot kept gets its new number and a key, a step at a time (a few microseconds each, 50-100 ms for 50,000
    // in one go), the keys sent to the job as they are made. A slot emptied meanwhile keeps its terms and gets no
    // key (an article changed meanwhile is indexed anew at the next start): it is a tombstone once compacted.
    const remap = new Int32Array(snapshot).fill(-1);
    const kept: number[] = [];
    await runInTurns(rangeSteps(snapshot, (first, end) => {
      const keys: (string | null)[] = [];
      for (let slot = first; slot < end; slot++) {
        const entry = this.slots[slot];
        if (!entry) continue;
        remap[slot] = kept.push(slot) - 1;
        keys.push(this.keyOf(entry));
      }
      job.send({ kind: 'keys', keys });
    }, KEYS_STEP));
    job.send({ kind: 'compact', base: index.frozen, added: packLists(index.added()), remap, file });
    const made = await this.made(job, file);
    if (!made || this.index !== index) return false;
    if (!made.writeProblem && file) this.saved = seen;
    // Slots emptied meanwhile stay empty; those added meanwhile follow the compacted ones. The articles keep their
    // places in slotOf, with new numbers: no map of 50,000 is made anew (40-60 ms).
    const slots: (SearchEntry | undefined)[] = new Array(kept.length + this.slots.length - snapshot);
    kept.forEach((slot, i) => (slots[i] = this.slots[slot]));
    for (let slot = snapshot; slot < this.slots.length; slot++) slots[kept.length + slot - snapshot] = this.slots[slot];
    slots.forEach((entry, slot) => entry && this.slotOf.set(entry.article.id, slot));
    this.slots = slots;
    this.index = index.rebase(made.index, snapshot);
    return true;
  }

  /**
   * Takes `index`, whose slots held `slots`, in place of the current index, and brings it up to date a step at a
   * time: an article changed or gone since is a tombstone, and the articles it lacks (changed while it was made,
   * or patched in) are indexed. Changes meanwhile are taken in by update(); searches use the index once it is done.
   */
  private async install(index: SearchIndex, slots: (SearchEntry | undefined)[]): Promise<void> {
    const entries = this.corpus.entries;
    [this.index, this.slots, this.slotOf] = [index, slots, new Map()];
    this.catchingUp = true;
    // Only the slots `index` came with are checked: those update() adds meanwhile (at the end) are current.
    await runInTurns(rangeSteps(slots.length, (first, end) => {
      for (let slot = first; slot < end && !this.stopped; slot++) {
        const entry = slots[slot];
        if (!entry) continue;
        const id = entry.article.id;
        if (entries.get(id) === entry && !this.slotOf.has(id)) this.slotOf.set(id, slot);
        else {
          slots[slot] = undefined;
          this.changes++;
        }
      }
    }, CHECK_STEP));
    const pending = [...entries.values()];
    await runInTurns(rangeSteps(pending.length, (first, end) => {
      for (let i = first; i < end && !this.stopped; i++) {
        const entry = pending[i]!;
        if (entries.get(entry.article.id) === entry && !this.slotOf.has(entry.article.id)) this.add(entry);
      }
    }, STEP));
    this.catchingUp = false;
  }

  private add(entry: SearchEntry): void {
    const slot = this.slots.push(entry) - 1;
    this.slotOf.set(entry.article.id, slot);
    this.index!.add(slot, entry.words);
    this.changes++;
  }

  /** The key of the file version `entry` came from, or null when the corpus shows another version of it by now. */
  private keyOf(entry: SearchEntry): string | null {
    const { id, sourcePath } = entry.article;
    if (this.corpus.entries.get(id) !== entry) return null;
    const { size, mtimeMs } = this.corpus.stampOf(sourcePath);
    return slotKey(id, sourcePath, size, mtimeMs);
  }

  private startJob(local: boolean): IndexJob {
    this.job = local ? localJob() : workerJob();
    return this.job;
  }

  private async finished(job: IndexJob): Promise<JobAnswer> {
    const answer = await job.answer;
    if (this.job === job) this.job = null;
    return answer;
  }

  /** The index a job made, with why it could not be written (logged here); null when there is none. */
  private async made(job: IndexJob, file: string | null): Promise<{ index: FrozenIndex; writeProblem: JobProblem | null } | null> {
    const answer = await this.finished(job);
    if (answer.kind === 'made') {
      if (answer.writeProblem && file) this.caches.fault(file, problemError(answer.writeProblem));
      return answer;
    }
    if (answer.kind === 'failed') {
      this.logger.error({ event: 'articles.index_failed', problem: answer.problem.message }, 'search index could not be made: searches rank the articles directly');
    }
    return null;
  }
}

/** Whether two versions of an article have the same text, so the same terms. */
function sameWords({ article: a }: SearchEntry, { article: b }: SearchEntry): boolean {
  return a.title === b.title && a.excerpt === b.excerpt && a.provider.name === b.provider.name && a.provider.domain === b.provider.domain && a.topics.join(' ') === b.topics.join(' ');
}
