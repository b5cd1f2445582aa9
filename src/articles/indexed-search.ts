// The search index over the corpus's articles: prepared from its restart cache (patched where files changed) or
// built, kept current as articles change, rebuilt in the background once tombstones pile up, and written back to
// its cache. It answers one question: which articles are candidates for these words.
import type { Logger } from '../log.js';
import type { RestartCaches } from './caches.js';
import type { Corpus, EntryChange } from './corpus.js';
import { importIndex, planSlots, readIndexCache, slotKey, tooManyTombstones, writeIndexCache, type CachedIndex } from './index-cache.js';
import { indexedText, type SearchEntry } from './query.js';
import { SearchIndex } from './search-index.js';

// Articles indexed per step of a rebuild in the background (about 0.1 ms each at 50,000 articles).
const REBUILD_STEP = 250;
const INDEX_CACHE = 'search-index.bin';

export class IndexedSearch {
  /**
   * Index slot → entry. A slot whose article was changed or removed is emptied, not taken out of the index (see
   * SearchIndex): its terms stay there as a tombstone, and the candidates they bring are dropped.
   */
  private slots: (SearchEntry | undefined)[] = [];
  private slotOf = new Map<string, number>();
  /** Null until prepared: right after open() in the background, or by the first search that needs it. */
  private index: SearchIndex | null = null;
  private rebuildTask: NodeJS.Immediate | undefined;
  private indexWrite: Promise<void> = Promise.resolve();

  constructor(private readonly corpus: Corpus, private readonly caches: RestartCaches, private readonly logger: Logger) {}

  /** Prepares the index now if it is not yet: before a change moves articles in or out of slots, or ahead of searches. */
  prepare(): void {
    this.current();
  }

  /** The entries of the index's best `limit` matches for `words` (folded terms), best first; every match without `limit`. */
  candidates(words: string, limit?: number): SearchEntry[] {
    const index = this.current();
    // Tombstones still match: asking for as many more candidates as there are keeps the live ones `limit` or all.
    const tombstones = this.slots.length - this.slotOf.size;
    return index.search(words, (limit ?? this.slots.length) + tombstones).map((s) => this.slots[s]).filter((e): e is SearchEntry => e !== undefined);
  }

  /**
   * Gives an article's new version (or nothing, once it is gone) its place in the prepared index. True when its
   * words were indexed anew, false when it left or kept the words it had.
   */
  update({ before, after }: EntryChange): boolean {
    const id = (before ?? after)!.article.id;
    const slot = this.slotOf.get(id);
    // A slot whose words change becomes a tombstone (see slots), and the new version gets a new slot.
    if (!after) {
      this.slots[slot!] = undefined;
      this.slotOf.delete(id);
      return false;
    }
    const text = indexedText(after.article);
    if (before && text === indexedText(before.article)) {
      // Same words (a flag or a score changed, as news pipelines often do): the slot keeps its terms.
      this.slots[slot!] = after;
      return false;
    }
    if (slot !== undefined) this.slots[slot] = undefined;
    this.slotOf.set(id, this.slots.push(after) - 1);
    this.current().add(this.slots.length - 1, text);
    return true;
  }

  /**
   * Once tombstones pass their share, builds a new index in small steps beside the one in use, so no step blocks
   * for long (a build at 50,000 articles takes about 5 s). Articles changed meanwhile are caught up at the end.
   */
  rebuildIfWorn(): void {
    if (this.rebuildTask || !tooManyTombstones(this.slots, this.slotOf.size)) return;
    const slots: (SearchEntry | undefined)[] = this.byId();
    const index = new SearchIndex();
    const entries = this.corpus.entries;
    let done = 0;
    const step = () => {
      for (const end = Math.min(slots.length, done + REBUILD_STEP); done < end; done++) index.add(done, indexedText(slots[done]!.article));
      if (done < slots.length) {
        this.rebuildTask = setImmediate(step);
        return;
      }
      this.rebuildTask = undefined;
      const slotOf = new Map<string, number>();
      slots.forEach((e, slot) => {
        if (entries.get(e!.article.id) === e) slotOf.set(e!.article.id, slot);
        else slots[slot] = undefined;
      });
      entries.forEach((e, id) => {
        if (slotOf.has(id)) return;
        slotOf.set(id, slots.push(e) - 1);
        index.add(slots.length - 1, indexedText(e.article));
      });
      [this.slots, this.slotOf, this.index] = [slots, slotOf, index];
      this.logger.info({ event: 'articles.index_rebuilt', articles: entries.size }, 'search index rebuilt without tombstones');
      const file = this.caches.file(INDEX_CACHE);
      if (file) void this.queueIndexWrite(file, true);
    };
    this.rebuildTask = setImmediate(step);
  }

  /** Writes the index to its cache, if it has been prepared. */
  async saveCache(): Promise<void> {
    const file = this.caches.file(INDEX_CACHE);
    if (file && this.index) await this.queueIndexWrite(file);
  }

  /** Stops a rebuild under way for good: its task stays set, so no other starts. */
  stop(): void {
    clearImmediate(this.rebuildTask);
  }

  /** Resolves once the cache writes queued so far are over. */
  written(): Promise<void> {
    return this.indexWrite;
  }

  /** The search index, prepared now if it is not yet. */
  private current(): SearchIndex {
    if (this.index) return this.index;
    const started = performance.now();
    const how = this.prepareIndex();
    this.logger.info({ event: 'articles.index_ready', ms: Math.round(performance.now() - started), how, articles: this.corpus.entries.size }, 'search index ready');
    return this.index!;
  }

  /**
   * Reuses the cached index, patched where files changed since it was written; builds a fresh one (slots in id
   * order) when there is none or too much changed for patching to pay. A new or patched index is written back.
   */
  private prepareIndex(): 'cache' | 'patched cache' | 'built' {
    const file = this.caches.file(INDEX_CACHE);
    const cached = file ? this.caches.read(file, 'search index', () => readIndexCache(file), null) : null;
    const patched = file && cached ? this.patchCachedIndex(file, cached) : null;
    if (patched === 0) return 'cache';
    if (patched === null) {
      this.slots = this.byId();
      this.slotOf = new Map(this.slots.map((e, slot) => [e!.article.id, slot]));
      const index = new SearchIndex();
      this.slots.forEach((e, slot) => index.add(slot, indexedText(e!.article)));
      this.index = index;
    }
    if (file) void this.queueIndexWrite(file, patched === null);
    return patched === null ? 'built' : 'patched cache';
  }

  /** Imports and patches the cached index; the number of slots patched, or null when it cannot be used. */
  private patchCachedIndex(file: string, cached: CachedIndex): number | null {
    const entries = this.corpus.entries;
    const current = new Map([...entries].map(([id, e]) => [id, this.keyOf(e)]));
    const plan = planSlots(cached.keys, current);
    const patches = plan.reindex.length;
    if (patches > Math.max(100, entries.size / 5) || tooManyTombstones(plan.ids, entries.size)) return null;
    const index = this.caches.read(file, 'search index', () => importIndex(cached), null);
    if (!index) return null;
    this.slots = plan.ids.map((id) => (id === null ? undefined : entries.get(id)));
    this.slotOf = new Map(plan.ids.flatMap((id, slot) => (id === null ? [] : [[id, slot] as const])));
    for (const slot of plan.reindex) index.add(slot, indexedText(this.slots[slot]!.article));
    this.index = index;
    return patches;
  }

  private keyOf(entry: SearchEntry): string {
    const { id, sourcePath } = entry.article;
    const { size, mtimeMs } = this.corpus.stampOf(sourcePath);
    return slotKey(id, sourcePath, size, mtimeMs);
  }

  private slotKeys(): (string | null)[] {
    return this.slots.map((e) => (e ? this.keyOf(e) : null));
  }

  /**
   * Writes the index cache. With `compact`, a freshly built index is then replaced by the import of what was just
   * written, if nothing changed it meanwhile: built, its arrays keep the slack they grew with, and the same index
   * imported weighs less than half (for the 7,852 real files 42 MB of heap built, 18 MB imported).
   */
  private async saveIndexCache(file: string, compact = false): Promise<void> {
    try {
      const index = this.index!;
      const version = index.version;
      const exported = await writeIndexCache(file, this.slotKeys(), index);
      if (compact && this.index === index && index.version === version) this.index = SearchIndex.import(exported);
    } catch (error) {
      this.caches.fault(file, error);
    }
  }

  /** Index cache writes go one at a time: they share a temporary file, and a rebuild may write while a save is due. */
  private queueIndexWrite(file: string, compact = false): Promise<void> {
    this.indexWrite = this.indexWrite.then(() => this.saveIndexCache(file, compact));
    return this.indexWrite;
  }

  /** The articles in id order, as a new index holds them. */
  private byId(): SearchEntry[] {
    return [...this.corpus.entries.values()].sort((a, b) => (a.article.id < b.article.id ? -1 : 1));
  }
}
