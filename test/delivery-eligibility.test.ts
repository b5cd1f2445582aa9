import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Article } from '../src/articles/types.js';
import { EligibilityLedger } from '../src/delivery/eligibility.js';
import { TestClock } from './helpers/clock.js';
import { storeBackends } from './helpers/storeBackends.js';
import { turnsDuring } from './helpers/turns.js';

// The first start dates every published article by its publication (a new bot does not flood its first digest with
// old news); later, a story is dated when it is first seen published.

const NOW = new Date('2026-06-01T12:00:00Z');
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
      const { value: dated, turns } = await turnsDuring(() => new EligibilityLedger(store!, clock).sync(library));
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
      const dated = await new EligibilityLedger(store!, clock).sync(library);
      assert.ok(library.every((a) => dated.get(a.url) === a.publishedAt.getTime()), 'every story dated by publication, none as seen just now');
      assert.equal(await store!.eligibilityStarted(), true);
      // From then on, a new story is dated when seen.
      const later = [...library, ...articles(1, 10_000)];
      assert.equal((await new EligibilityLedger(store!, clock).sync(later)).get(later.at(-1)!.url), clock.now().getTime());
    });
  });
}
