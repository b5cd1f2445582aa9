// A large library's search index is prepared on a worker thread once the articles are loaded: the real bot (the
// discord.js client against the sandbox) answers members meanwhile, ranking its lists directly. The index cache here
// is a FIFO nobody has written to yet, as a cache on a stalled disk would be: the index cannot be ready while the
// first search is answered, however fast the machine.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { startBotHarness, type FixtureArticle } from './helpers/bot.js';
import { shown } from './helpers/replies.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-startup-index-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const HARBOUR = { name: 'Harbour Gazette', domain: 'harbour.example.com' };
const SKY = { name: 'Sky Watch', domain: 'skywatch.example.org' };
// More articles than a library builds its index for in its own thread, so the index is prepared on a worker.
const articles: FixtureArticle[] = [
  ...Array.from({ length: 1200 }, (_, i): FixtureArticle => ({ slug: `harbour-${i}`, title: `Harbour traffic report ${i}`, hoursAgo: 3 + (i % 48), provider: HARBOUR, topics: ['Shipping'] })),
  ...Array.from({ length: 4 }, (_, i): FixtureArticle => ({ slug: `comet-${i}`, title: `Comet sighting number ${i + 1} confirmed`, hoursAgo: i + 1, provider: SKY, topics: ['Space'], quality: 150 - i })),
  { slug: 'comet-excerpt', title: 'Night sky notes', hoursAgo: 6, provider: SKY, topics: ['Comets'], quality: 90 },
];

test('a search during a large start is answered with every match while the search index is still being prepared, and the same once it is', { timeout: 120_000 }, async () => {
  const cacheDir = path.join(dir, 'cache');
  fs.mkdirSync(cacheDir);
  const stalled = path.join(cacheDir, 'search-index.bin');
  execFileSync('mkfifo', [stalled]);
  const h = await startBotHarness({ articles, cacheDir });
  try {
    const titles = (reply: Awaited<ReturnType<typeof h.news>>) => [...(shown(reply).embeds?.[0]?.description ?? '').matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]);
    const footer = (reply: Awaited<ReturnType<typeof h.news>>) => shown(reply).embeds?.[0]?.footer?.text ?? '';
    const indexReady = () => h.logs.some((l) => l.event === 'articles.index_ready');
    try {
      const early = await h.news('search', { query: 'comet' });
      assert.equal(indexReady(), false, 'the index was ready before the search was answered');
      // Title matches first, best quality first; then the article whose topic is Comets.
      assert.deepEqual(titles(early), ['Comet sighting number 1 confirmed', 'Comet sighting number 2 confirmed', 'Comet sighting number 3 confirmed', 'Comet sighting number 4 confirmed', 'Night sky notes']);
      assert.match(footer(early), /5 articles/);
      assert.equal(indexReady(), false);
    } finally {
      // The stalled disk answers: what it holds is no index, so the index is built.
      await fs.promises.writeFile(stalled, 'not an index');
    }
    await h.library.whenWarm();
    assert.equal(h.logs.find((l) => l.event === 'articles.index_ready')?.how, 'built');
    assert.ok(h.logs.some((l) => l.event === 'articles.index_cache_rebuilt'), 'the unreadable cache is named in the log');
    const later = await h.news('search', { query: 'comet' });
    assert.deepEqual(titles(later), ['Comet sighting number 1 confirmed', 'Comet sighting number 2 confirmed', 'Comet sighting number 3 confirmed', 'Comet sighting number 4 confirmed', 'Night sky notes']);
    assert.match(footer(later), /5 articles/);
    // Through the index, a typo is corrected too.
    assert.deepEqual(titles(await h.news('search', { query: 'commet' })), titles(later));
  } finally {
    await h.close();
  }
});
