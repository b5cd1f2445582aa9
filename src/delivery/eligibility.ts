// When each story became eligible for digests: the moment the bot first saw it published. A file that arrives late,
// a `published` flag that turns true, or a file restored after a deletion is dated when it appears, not by its
// publishedDateTime, so a digest that already ran cannot miss it. The dates live in the state database, so a restart
// re-dates nothing.
import type { Article } from '../articles/types.js';
import type { Logger } from '../log.js';
import type { StateStore } from '../state/stateStore.js';
import type { Clock } from '../util/clock.js';
import { nextTurn, TimeSlices } from '../articles/steps.js';
import { ChannelLanes } from './channelLanes.js';

export type EligibilityStore = Pick<StateStore, 'eligibility' | 'eligibilityStarted' | 'updateEligibility'>;

// Stories dated per write: about 15 ms of SQLite's time on this machine.
const ELIGIBILITY_PART = 1000;
const SLICE_MS = 10;

export class EligibilityLedger {
  private known: Map<string, number> | undefined;
  // The library hands out the same array until its articles change: nothing to compare until then.
  private syncedWith: readonly Article[] | undefined;
  // Syncs go one after another: two at once (two channels planning) would both date the same new stories.
  private readonly queue = new ChannelLanes();
  private syncing: { articles: readonly Article[]; answer: Promise<ReadonlyMap<string, number>> } | undefined;

  constructor(
    private readonly store: EligibilityStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * When each published article became eligible (by URL), dating now those seen for the first time and forgetting
   * those no longer published, so that one seen again later is eligible from then. On the very first start the
   * library is dated by publication, so a new bot does not flood its first digest with old news; those dates are
   * answered before they are written (see syncNow), so a new bot's first digests do not wait for 50,000 rows.
   */
  sync(articles: readonly Article[]): Promise<ReadonlyMap<string, number>> {
    if (this.known && this.syncedWith === articles) return Promise.resolve(this.known);
    // Channels planning at once share one sync of the same articles, and so its early answer.
    if (this.syncing?.articles === articles) return this.syncing.answer;
    const answer = new Promise<ReadonlyMap<string, number>>((resolve, reject) => {
      void this.queue.run('eligibility', () => this.syncNow(articles, resolve))
        .finally(() => {
          if (this.syncing?.answer === answer) this.syncing = undefined;
        })
        .then(resolve, reject);
    });
    this.syncing = { articles, answer };
    return answer;
  }

  /** Settles once every dating asked for so far is written (or its write failed and was logged). */
  written(): Promise<void> {
    return this.queue.idle();
  }

  /** `early` is handed the dates before they are written, when they are what any later start would give them. */
  private async syncNow(articles: readonly Article[], early: (dates: ReadonlyMap<string, number>) => void): Promise<ReadonlyMap<string, number>> {
    if (this.known && this.syncedWith === articles) return this.known;
    const known = this.known ?? (await this.store.eligibility());
    const firstStart = !(await this.store.eligibilityStarted());
    const now = this.clock.now().getTime();
    // The library is compared in slices, each after a turn of the event loop: at 50,000 articles the comparison held
    // it 30-60 ms, at the bot's connection in the same turn as discord.js's READY and the schedule's start.
    const slices = new TimeSlices(SLICE_MS);
    await slices.yield();
    const published = new Set<string>();
    const added = new Map<string, number>();
    for (const article of articles) {
      if (slices.over()) await slices.yield();
      if (!article.published) continue;
      published.add(article.url);
      if (known.has(article.url)) continue;
      // A file dated in the future is not eligible before its time, whenever it arrived.
      const publishedAt = article.publishedAt.getTime();
      added.set(article.url, firstStart ? publishedAt : Math.max(now, publishedAt));
    }
    const removed: string[] = [];
    for (const url of known.keys()) {
      if (slices.over()) await slices.yield();
      if (!published.has(url)) removed.push(url);
    }
    const remember = () => {
      for (const url of removed) known.delete(url);
      for (const [url, at] of added) known.set(url, at);
      this.known = known;
      this.syncedWith = articles;
      return known;
    };
    if (!firstStart) {
      // Remembered once written: a write that fails leaves them new, for the next sync to write.
      if (added.size > 0 || removed.length > 0) await this.record(added, removed);
      return remember();
    }
    // Dates by publication are the same whenever they are written: a plan may use them at once. Should the process
    // stop before the last part is written, the next start dates the library by publication again, to the same dates.
    early(remember());
    try {
      await this.record(added, removed);
    } catch (error) {
      // Read and written again by the next sync, still as a first start.
      this.known = undefined;
      this.syncedWith = undefined;
      this.logger.warn({ event: 'eligibility.write_failed', stories: added.size, err: error }, 'the stories\' first dating could not be saved; it is tried again');
    }
    return known;
  }

  /**
   * Writes the new dates in parts, with a turn of the event loop between them: a first start dates every published
   * article, and at 50,000 articles one SQLite transaction of them held the event loop 163 ms. The library counts as
   * dated only with the last part, so a crash in between dates the rest by publication again on the next start,
   * rather than as news seen just then.
   */
  private async record(added: ReadonlyMap<string, number>, removed: readonly string[]): Promise<void> {
    const entries = [...added];
    let from = 0;
    for (; entries.length - from > ELIGIBILITY_PART; from += ELIGIBILITY_PART) {
      await this.store.updateEligibility(new Map(entries.slice(from, from + ELIGIBILITY_PART)), [], { started: false });
      await nextTurn();
    }
    await this.store.updateEligibility(new Map(entries.slice(from)), removed);
  }
}
