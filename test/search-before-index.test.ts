// A search sent before the search index is ready ranks every article: the bot's search (searchLibrary, what
// /news search and its page buttons run) gives the event loop turns while it does, so other commands, live updates
// and the gateway are not held behind it, and finds the same pages as it does once the index is ready. The index
// cache here is a FIFO nobody has written to yet, as a cache on a stalled disk would be: the index cannot be ready
// before the test lets it, however fast the machine.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ArticleLibrary } from '../src/articles/library.js';
import { searchLibrary, type ResolvedSearch } from '../src/bot/searchPage.js';
import type { PageState } from '../src/bot/customId.js';
import { createLogger } from '../src/log.js';
import { turnsDuring } from './helpers/turns.js';

// Many thousands: ranking them all takes tens of milliseconds, many slices of a search's hold on the event loop.
const ARTICLES = 20_000;
const NOW = new Date('2020-06-01T00:00:00Z');
const HARBOUR = { name: 'Harbour Gazette', domain: 'harbour.example.com' };
const RIVER = { name: 'River Post', domain: 'river.example.org' };
const FILLER = 'The council met on Tuesday to discuss the budget, roads, schools and the new library; residents spoke about parking and the river walk.';

/** Article `i`: a word of its own (word<i>), many sharing a time, a quality or none, some unpublished. */
function article(i: number): string {
  const day = String(1 + (i % 30)).padStart(2, '0');
  return [
    '---',
    `title: "Harbour report ${i} word${i}"`,
    `excerpt: "${FILLER} ${FILLER} harbour${i % 10}"`,
    `publishedDateTime: 2020-05-${day}T${String(i % 24).padStart(2, '0')}:00:00Z`,
    `webUrl: "https://${i % 2 ? RIVER.domain : HARBOUR.domain}/news/${i}"`,
    'type: article',
    ...(i % 5 ? [`quality: ${(i % 3) * 10}`] : []),
    `published: ${i % 11 !== 0}`,
    'provider:',
    `  name: ${(i % 2 ? RIVER : HARBOUR).name}`,
    `  domain: ${(i % 2 ? RIVER : HARBOUR).domain}`,
    'topics:',
    `  - Topic ${i % 5}`,
    '---',
    '',
  ].join('\n');
}

const lines: Record<string, unknown>[] = [];
const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
const indexReady = () => lines.some((l) => l.event === 'articles.index_ready');

let root: string;
let stalled: string;
let library: ArticleLibrary;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-search-before-index-'));
  const contentDir = path.join(root, 'content');
  const cacheDir = path.join(root, 'cache');
  fs.mkdirSync(contentDir);
  fs.mkdirSync(cacheDir);
  for (let i = 0; i < ARTICLES; i++) fs.writeFileSync(path.join(contentDir, `a-${i}.md`), article(i));
  stalled = path.join(cacheDir, 'search-index.bin');
  execFileSync('mkfifo', [stalled]);
  library = await ArticleLibrary.open({ contentDir, cacheDir, logger });
});

after(async () => {
  // The stalled disk answers (if no test did): what it holds is no index, and the library can close.
  if (!indexReady()) await fs.promises.writeFile(stalled, 'not an index');
  await library?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** A search as /news search makes it from its options (`mode` latest: newest first). */
function resolved(query: string, options: { page?: number; days?: number; mode?: PageState['mode']; topic?: string; provider?: string } = {}): ResolvedSearch {
  const topic = options.topic === undefined ? undefined : library.findTopic(options.topic);
  const provider = options.provider === undefined ? undefined : library.findProvider(options.provider);
  const state: PageState = {
    mode: options.mode ?? 'search', userId: '1', page: options.page ?? 0, days: options.days ?? 0, topicToken: topic ? 't' : '', providerToken: provider ? 'p' : '', query,
  };
  return { state, topic, provider };
}

/** The page the bot shows: its number (clamped to the last), the total and the articles' ids in order. */
async function shown(search: ResolvedSearch) {
  const { page, result } = await searchLibrary(library, search, NOW);
  return { page, total: result.total, ids: result.articles.map((a) => a.id) };
}

// Each has fewer matches than the index proposes candidates (1,000), so the index finds every match too.
const SEARCHES: [string, () => ResolvedSearch][] = [
  ['a word', () => resolved('word77')],
  ['a word, a later page', () => resolved('word77', { page: 4 })],
  ['a word, past the last page', () => resolved('word77', { page: 99 })],
  ['two words', () => resolved('word123 harbour3')],
  ['a word, newest first', () => resolved('word77', { mode: 'latest' })],
  ['a word in the last 10 days', () => resolved('word77', { days: 10 })],
  ['a word on a topic', () => resolved('word77', { topic: 'Topic 2' })],
  ['a word from an outlet', () => resolved('word77', { provider: RIVER.domain })],
  ['a word nothing has', () => resolved('zebra')],
];

test(`a search ranking all ${ARTICLES.toLocaleString('en')} articles before the index is ready lets the event loop turn while it ranks them, and finds what a search at once finds`, { timeout: 120_000 }, async () => {
  assert.equal(library.size, ARTICLES);
  const search = resolved('harbour');
  const { value, turns } = await turnsDuring(() => shown(search));
  assert.equal(indexReady(), false, 'the index was ready before the search was answered');
  assert.ok(turns >= 1, `the event loop took no turn while ${ARTICLES.toLocaleString('en')} articles were ranked`);
  const atOnce = library.search({ words: 'harbour', offset: 0, limit: 5 });
  assert.equal(value.total, atOnce.total);
  assert.equal(value.total, ARTICLES - Math.ceil(ARTICLES / 11), 'every published article has the word');
  assert.deepEqual(value.ids, atOnce.articles.map((a) => a.id));
  // Two searches at once, each giving the other turns, each find their own page.
  const [both, other] = await Promise.all([shown(resolved('harbour')), shown(resolved('harbour3 report', { page: 2 }))]);
  assert.deepEqual(both, value);
  const otherAtOnce = library.search({ words: 'harbour3 report', offset: 10, limit: 5 });
  assert.deepEqual(other, { page: 2, total: otherAtOnce.total, ids: otherAtOnce.articles.map((a) => a.id) });
  assert.equal(indexReady(), false);
});

test('the pages found before the index is ready are the pages found through it once it is', { timeout: 120_000 }, async () => {
  const early = new Map<string, Awaited<ReturnType<typeof shown>>>();
  for (const [name, search] of SEARCHES) early.set(name, await shown(search()));
  assert.equal(indexReady(), false, 'the index was ready before the early searches were answered');
  assert.ok(early.get('a word')!.total > 50, 'the word is found');
  assert.equal(early.get('a word nothing has')!.total, 0);
  // The stalled disk answers: what it holds is no index, so the index is built.
  await fs.promises.writeFile(stalled, 'not an index');
  await library.whenWarm();
  assert.equal(lines.find((l) => l.event === 'articles.index_ready')?.how, 'built');
  for (const [name, search] of SEARCHES) assert.deepEqual(await shown(search()), early.get(name), name);
});
