// A page of search results is cut from the matches without sorting them all (first-in-order.ts): every page, in
// either order, is the one a full sort gives, ties included, however many articles are ranked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstInOrder } from '../src/articles/first-in-order.js';
import { byNewest, entryFilter, rankPage, SearchEntry } from '../src/articles/query.js';
import type { Article } from '../src/articles/types.js';

test('the first N of a list by a total order are those of a full sort, in order', () => {
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const items = Array.from({ length: 3000 }, (_, id) => ({ id, key: Math.floor(random() * 50) }));
  const order = (a: (typeof items)[0], b: (typeof items)[0]) => a.key - b.key || a.id - b.id;
  const sorted = items.slice().sort(order);
  for (const count of [0, 1, 5, 37, 500, 749, 751, 2999, 3000, 4000]) assert.deepEqual(firstInOrder(items, count, order), sorted.slice(0, count), `first ${count}`);
  assert.equal(items.length, 3000, 'the list itself is left as it was');
});

test('before the index is ready, every page of a search over many articles is the one a full sort gives', () => {
  const words = ['storm', 'river', 'bridge', 'market', 'vaccine', 'school'];
  const entries: SearchEntry[] = [];
  for (let i = 0; i < 5000; i++) {
    const article = {
      id: `id-${String(i).padStart(5, '0')}`,
      title: `${words[i % 6]} ${words[(i * 7) % 6]} report`,
      excerpt: i % 3 ? `news about the ${words[(i * 5) % 6]}` : '',
      provider: { name: 'Example', domain: 'example.com' },
      topics: i % 4 ? ['Weather'] : ['Economy'],
      // Many articles share a time and a quality, so the ties are broken by the id.
      publishedAt: new Date(Date.UTC(2024, 0, 1 + (i % 40))),
      published: true,
      quality: i % 5 === 0 ? undefined : i % 3,
    } as unknown as Article;
    entries.push(new SearchEntry(article));
  }
  const filter = entryFilter({ includeUnpublished: true }, new Map());
  for (const terms of [['storm'], ['river', 'report'], ['weather', 'bridge'], ['nothing']]) {
    for (const sort of ['relevance', 'newest'] as const) {
      const everyMatch = rankPage(entries, { sort, limit: entries.length }, filter, terms);
      for (const offset of [0, 5, 40, 395, everyMatch.total - 3]) {
        const page = rankPage(entries, { sort, offset, limit: 5 }, filter, terms);
        assert.equal(page.total, everyMatch.total);
        assert.deepEqual(page.articles, everyMatch.articles.slice(Math.max(0, offset), Math.max(0, offset) + 5), `${terms.join(' ')}, ${sort}, from ${offset}`);
      }
      if (sort === 'newest') assert.deepEqual(everyMatch.articles, everyMatch.articles.slice().sort(byNewest));
    }
  }
});
