import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Article } from '../src/articles/types.js';
import { EligibilityLedger } from '../src/delivery/eligibility.js';
import { createLogger } from '../src/log.js';
import type { StateStore } from '../src/state/stateStore.js';
import { TestClock } from './helpers/clock.js';
import { storeBackends } from './helpers/storeBackends.js';
import { turnsDuring } from './helpers/turns.js';

// The first start dates every published article by its publication (a new bot does not flood its first digest with
// old news); later, a story is dated when it is first seen published.

const NOW = new Date('2026-06-01T12:00:00Z');
const silent = createLogger('silent');
const HOUR = 3_600_000;

/** `count` published articles, the n-th published n hours before NOW. */
function articles(count: number, offset = 0): Article[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `a${offset + i}`, sourcePath: `a${offset + i}.md`, title: `Story ${offset + i}`, excerpt: '', url: `https://example.com/story-${offset + i}`,
    publishedAt: new Date(NOW.getTime() - (offset + i + 1) * HOUR), quality: 50, heat: null, published: true,
    provider: { name: 'Example', domain: 'example.com', iconUrl: null }, topics: [], image: null, type: 'story', related: [],
  }));
}

for (const backend of storeBackends) {
  describe(backend.name, () => {
    test('a first start dates a large library by publication in parts, giving the event loop turns in between', async (t) => {
      const clock = new TestClock(NOW);
      const stores = await backend.open(t, clock, ['process-a']);
      if (!stores) return;
      const [store] = stores;
      const library = articles(5_000);
      const ledger = new EligibilityLedger(store!, clock, silent);
      const { value: dated, turns } = await turnsDuring(async () => {
        // Channels planning at once: all of them need the dates, not the rows, so all are answered before the last part
        // is written.
        const [answered, alsoAnswered] = await Promise.all([ledger.sync(library), ledger.sync(library)]);
        assert.equal(await store!.eligibilityStarted(), false, 'answered before the dating is all written');
        assert.equal(alsoAnswered, answered);
        await ledger.written();
        return answered;
      });
      assert.equal(dated.size, 5_000);
      assert.ok(library.every((a) => dated.get(a.url) === a.publishedAt.getTime()), 'each story dated by its publication');
      assert.deepEqual(await store!.eligibility(), new Map(dated), 'what the ledger holds is what the store recorded');
      // SQLite writes on this thread; PostgreSQL's writes wait on the network, which gives the event loop turns anyway.
      if (backend.name === 'SQLite') assert.ok(turns >= 4, `the event loop had turns while 5,000 stories were dated (${turns})`);
      assert.equal(await store!.eligibilityStarted(), true);
    });

    test('a first dating cut short (a crash between its parts) is finished by publication at the next start, not as news', async (t) => {
      const clock = new TestClock(NOW);
      const stores = await backend.open(t, clock, ['process-a']);
      if (!stores) return;
      const [store] = stores;
      const library = articles(3_000);
      // The first part of a first start, as the ledger writes it, and then the process died.
      await store!.updateEligibility(new Map(library.slice(0, 1_000).map((a) => [a.url, a.publishedAt.getTime()])), [], { started: false });
      assert.equal(await store!.eligibilityStarted(), false, 'not dated until the last part is written');
      clock.set(new Date(NOW.getTime() + HOUR));
      const ledger = new EligibilityLedger(store!, clock, silent);
      const dated = await ledger.sync(library);
      await ledger.written();
      assert.ok(library.every((a) => dated.get(a.url) === a.publishedAt.getTime()), 'every story dated by publication, none as seen just now');
      assert.equal(await store!.eligibilityStarted(), true);
      // From then on, a new story is dated when seen.
      const later = [...library, ...articles(1, 10_000)];
      assert.equal((await new EligibilityLedger(store!, clock, silent).sync(later)).get(later.at(-1)!.url), clock.now().getTime());
    });

    test('a first dating whose write fails still answers its dates, logs the failure once, and is written by the next sync', async (t) => {
      const clock = new TestClock(NOW);
      const stores = await backend.open(t, clock, ['process-a']);
      if (!stores) return;
      const [store] = stores;
      const lines: Record<string, unknown>[] = [];
      const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
      let failures = 1;
      const flaky = {
        eligibility: () => store!.eligibility(),
        eligibilityStarted: () => store!.eligibilityStarted(),
        // A full disk on the second part: the first one is written, the rest is not.
        updateEligibility: async (...args: Parameters<StateStore['updateEligibility']>) => {
          if ((await store!.eligibility()).size > 0 && failures-- > 0) throw new Error('SQLITE_FULL: database or disk is full');
          return store!.updateEligibility(...args);
        },
      };
      const library = articles(2_500);
      const ledger = new EligibilityLedger(flaky, clock, logger);
      const dated = await ledger.sync(library);
      assert.ok(library.every((a) => dated.get(a.url) === a.publishedAt.getTime()), 'the plans get their dates all the same');
      await ledger.written();
      assert.equal(await store!.eligibilityStarted(), false);
      assert.deepEqual(lines.filter((l) => l.event === 'eligibility.write_failed').map((l) => l.stories), [2_500], 'one line, saying how many');
      clock.set(new Date(NOW.getTime() + HOUR));
      const again = await ledger.sync(library);
      await ledger.written();
      assert.ok(library.every((a) => again.get(a.url) === a.publishedAt.getTime()), 'still by publication an hour later: not news');
      assert.equal(await store!.eligibilityStarted(), true);
      assert.equal((await store!.eligibility()).size, 2_500);
    });

    test('every recorded date is read back, however many pages the store reads them in, with turns of the event loop between', async (t) => {
      const clock = new TestClock(NOW);
      const stores = await backend.open(t, clock, ['process-a']);
      if (!stores) return;
      const [store] = stores;
      const dates = new Map(articles(12_345).map((a) => [a.url, a.publishedAt.getTime()]));
      await store!.updateEligibility(dates, []);
      const { value: read, turns } = await turnsDuring(() => store!.eligibility());
      assert.deepEqual(read, dates);
      if (backend.name === 'SQLite') assert.ok(turns >= 2, `the event loop had turns while 12,345 dates were read (${turns})`);
    });
  });
}
