// The in-memory article library the digests and slash commands read: loaded from CONTENT_DIR (through the parse
// and index caches), deduplicated by URL, searchable, and kept current by a file watcher. A facade over its parts:
// the corpus (files → articles), the indexed search, the views derived from the articles, and the live updates.
import { EventEmitter, once } from 'node:events';
import path from 'node:path';
import type { Logger } from '../log.js';
import { AUTOCOMPLETE_CHOICES_MAX } from '../discord/limits.js';
import { RestartCaches } from './caches.js';
import { Corpus, type LoadSummary } from './corpus.js';
import { complete, findProvider, findTopic, type ProviderCount, type TopicCount } from './facets.js';
import { IndexedSearch } from './indexed-search.js';
import { LiveUpdates } from './live-updates.js';
import { entryFilter, hasFilters, pageOf, pageInOrder, queryTerms, rankSteps, type SearchPage, type SearchQuery } from './query.js';
import type { Article } from './types.js';
import { eachSteps, nextTurn, runInSlices, runInTurns, runNow, TimeSlices, type Steps } from './steps.js';
import { LibraryViews } from './views.js';

export type { ProviderCount, TopicCount } from './facets.js';
export type { SearchPage, SearchQuery } from './query.js';
export type { LibraryChange, LoadSummary } from './corpus.js';

export interface LibraryOptions {
  contentDir: string;
  /** Where the restart caches live (the app passes DATA_DIR/cache); null: no cache. */
  cacheDir?: string | null;
  logger: Logger;
  watch?: boolean;
  /** Filtered lists up to this long are ranked without the index (default 3,000); 0 sends every query through it. */
  directRankMax?: number;
  /** Hears how open() gets on, for a terminal to show while a large folder loads. */
  onProgress?: (progress: LoadProgress) => void;
}

/** Files parsed so far of those not in the parse cache; then the search index is built, in the background. */
export type LoadProgress = { phase: 'parsing'; done: number; total: number } | { phase: 'indexing'; articles: number };

// The index returns at most this many candidates per query before filtering: its best matches come first, and a
// query whose filters leave too few is asked again for every match (see rank()).
const CANDIDATES = 1000;
// A filtered list this short is ranked directly, which is cheaper than asking the index and filtering.
const DIRECT_RANK_MAX = 3000;
// Changed articles indexed per step: a large batch (a folder copied in) goes beside commands, not before them.
const UPDATE_STEP = 250;
// Articles whose text is checked for folding per step (a few milliseconds).
const FOLD_STEP = 1000;
// How long a command's search may hold the event loop at a time: ranking every article before the index is ready
// took 60-150 ms in one go at 50,000 articles.
const SEARCH_SLICE_MS = 10;

export class ArticleLibrary extends EventEmitter {
  private loadSummary: LoadSummary = { loaded: 0, skipped: 0, byReason: {}, fromCache: 0, ms: 0 };

  private readonly corpus: Corpus;
  private readonly index: IndexedSearch;
  private readonly live: LiveUpdates;
  private readonly views: LibraryViews;
  private readonly logger: Logger;
  private readonly directRankMax: number;
  private warm: Promise<void> = Promise.resolve();
  /** Aborted by close(): the work left for after open() stops, and whoever waits for it is let go. */
  private readonly closing = new AbortController();

  private constructor(options: LibraryOptions) {
    super();
    const contentDir = path.resolve(options.contentDir);
    this.logger = options.logger;
    const caches = new RestartCaches(options.cacheDir ?? null, this.logger);
    this.corpus = new Corpus(contentDir, caches, this.logger);
    this.views = new LibraryViews(this.corpus.entries);
    this.index = new IndexedSearch(this.corpus, () => this.views.newest(), caches, this.logger);
    this.live = new LiveUpdates(contentDir, this.logger, {
      known: () => this.corpus.paths(),
      apply: (files) => this.apply(files),
      save: async () => {
        await this.corpus.saveCache();
        await this.index.saveCache();
      },
    });
    this.directRankMax = options.directRankMax ?? DIRECT_RANK_MAX;
  }

  /** Loads every article under `contentDir` and, with `watch`, keeps the library current until close(). */
  static async open(options: LibraryOptions): Promise<ArticleLibrary> {
    const library = new ArticleLibrary(options);
    const progress = options.onProgress;
    library.loadSummary = await library.corpus.load(progress && ((done, total) => progress({ phase: 'parsing', done, total })));
    progress?.({ phase: 'indexing', articles: library.size });
    // The lists and facets every command reads are made before open() resolves, so no command or digest waits
    // while they are made (a third of a second at 50,000 articles, a step at a time beside the index's preparation).
    await library.warmUp();
    // A small library's index takes milliseconds: ready when open() resolves, typo correction included.
    if (library.index.local) await library.index.prepare();
    if (options.watch) await library.live.watch();
    return library;
  }

  /** What the load at open() found: articles, skipped files by reason, files read from the cache, time taken. */
  get summary(): LoadSummary {
    return this.loadSummary;
  }

  /** Articles, one per URL, published or not. */
  get size(): number {
    return this.corpus.entries.size;
  }

  /** Published articles: what search, the topic and outlet counts and digests show. */
  get publishedSize(): number {
    return this.views.publishedCount();
  }

  /** Every article, deduplicated by URL, published or not, newest first. */
  all(): readonly Article[] {
    return this.views.articles();
  }

  get(id: string): Article | undefined {
    return this.corpus.entries.get(id)?.article;
  }

  /** One page of a search, ranked at once (see searchInTurns()). */
  search(query: SearchQuery): SearchPage {
    return runNow(this.searchSteps(query));
  }

  /**
   * The page search() gives, for a command: a search through the index takes a few milliseconds and is done at once,
   * but before the index is ready every article is ranked, and that gives the event loop a turn every
   * SEARCH_SLICE_MS, so other commands, live updates and the gateway are not held behind it.
   */
  searchInTurns(query: SearchQuery): Promise<SearchPage> {
    return runInSlices(this.searchSteps(query), new TimeSlices(SEARCH_SLICE_MS));
  }

  private *searchSteps(query: SearchQuery): Steps<SearchPage> {
    const terms = queryTerms(query.words);
    if (!terms.length && query.sort !== 'relevance') return this.listing(query);
    const page = yield* this.rankMatches(query, terms);
    if (page.total > 0 || !terms.length) return page;
    // Nothing found: maybe a typo. Try once more with each unknown word replaced by its nearest known one.
    const corrected = terms.map((t) => this.index.correct(t));
    return corrected.some((t, i) => t !== terms[i]) ? yield* this.rankMatches(query, corrected) : page;
  }

  /**
   * Ranks the matches of `terms`. When the filters narrow the library to a short list, or the index is not ready
   * yet (just after start-up), that list is ranked directly; otherwise the index proposes its best candidates,
   * widened to every match if the filters leave fewer than the page needs.
   */
  private *rankMatches(query: SearchQuery, terms: readonly string[]): Steps<SearchPage> {
    const { list, rest } = this.views.narrowed(query);
    const words = terms.join(' ');
    const first = list.length <= this.directRankMax || !terms.length ? null : this.index.candidates(words, CANDIDATES);
    if (!first) return yield* rankSteps(list, query, entryFilter(rest, this.views.facets().providerDomains), terms);
    const filter = entryFilter(query, this.views.facets().providerDomains);
    const page = yield* rankSteps(first, query, filter, terms);
    const { offset, limit } = pageOf(query);
    // The index, ready when the search began, stays ready (it is only replaced by another ready one).
    return page.total >= offset + limit || first.length < CANDIDATES ? page : yield* rankSteps(this.index.candidates(words)!, query, filter, terms);
  }

  /** A query without words, newest first: a narrowed list cut to the date range by binary search. */
  private listing(query: SearchQuery): SearchPage {
    const { list, rest } = this.views.narrowed(query);
    const others: SearchQuery = { ...rest, since: undefined, until: undefined };
    return pageInOrder(list, query, hasFilters(others) ? entryFilter(others, this.views.facets().providerDomains) : null);
  }

  /**
   * Once the articles are loaded: prepares the search index in the background (on a worker thread, see
   * IndexedSearch), and the lists, facets and the folded text of the few fields that need it in small steps, the
   * event loop free meanwhile (a search before the index ranks every article: folding them then took 60 ms at 50,000
   * articles). Resolves once the lists and facets are made.
   */
  private warmUp(): Promise<void> {
    const views = this.views.refresh();
    const closed = this.closing.signal;
    const fold = runInTurns(eachSteps(this.corpus.entries.values(), (entry) => closed.aborted || entry.prepare(), FOLD_STEP));
    // The index is prepared once the lists and facets are made: its steps on this thread (sending 50,000 articles'
    // text to the worker) would otherwise share the turns open() waits for, and the bot would log in later.
    const index = views.then(() => (closed.aborted ? undefined : this.index.prepare()));
    const work = Promise.all([views, fold, index]);
    this.warm = Promise.race([work.then(() => {}), once(this.closing.signal, 'abort').then(() => {})]);
    return views;
  }

  /**
   * Resolves once the work open() leaves for afterwards (search index, lists, facets) is done, or the
   * library is closed. Searching earlier is correct, only slower (the lists are ranked directly, and a typo is not
   * corrected); this is for tests, benchmarks and logging readiness.
   */
  whenWarm(): Promise<void> {
    return this.warm;
  }

  /** Topics for autocomplete: most used first for '', else prefix then substring matches. */
  topics(query = '', limit = AUTOCOMPLETE_CHOICES_MAX): TopicCount[] {
    return complete(this.views.facets().topics, query, limit);
  }

  /** Providers (by domain, shown by their most frequent name) for autocomplete, matching name or domain. */
  providers(query = '', limit = AUTOCOMPLETE_CHOICES_MAX): ProviderCount[] {
    return complete(this.views.facets().providers, query, limit);
  }

  /** The topic named `name` (case and accents ignored, as search matches it), if an article has it. */
  findTopic(name: string): TopicCount | undefined {
    return findTopic(this.views.facets(), name);
  }

  /** The outlet with this domain or the name it is shown by (case and accents ignored), if an article is from it. */
  findProvider(name: string): ProviderCount | undefined {
    return findProvider(this.views.facets(), name);
  }

  /** Stops watching and writes any pending change to the caches. */
  async close(): Promise<void> {
    this.closing.abort();
    this.index.stop();
    await this.live.close();
    await this.index.written();
  }

  /** Takes in one batch of changed files: what the watcher's batches come to. */
  private async apply(files: Set<string>): Promise<void> {
    const { change, moved } = this.corpus.apply(await this.live.read(files));
    // The views are brought up to date beside commands, the previous ones serving meanwhile; the index follows them,
    // so a search, the topic and outlet counts and all() change together.
    if (moved.length) await this.views.update(moved);
    // A large batch (a folder copied in) is indexed a step at a time, commands answered between steps.
    for (let first = 0; first < moved.length; first += UPDATE_STEP) {
      if (first) await nextTurn();
      for (const entryChange of moved.slice(first, first + UPDATE_STEP)) this.index.update(entryChange);
    }
    this.index.rebuildIfWorn();
    if (!change.added && !change.changed && !change.removed && !change.skipped) return;
    this.logger.info({ event: 'articles.updated', ...change, articles: this.corpus.entries.size }, 'articles updated');
    this.live.saveSoon();
    this.emit('change', change);
  }
}
