// Choosing a digest from 50,000 articles, beside a baseline of sorting them all (what a naive digest would do).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Article } from '../src/articles/types.js';
import { ArticleLibrary } from '../src/articles/library.js';
import { chooseDigest, type DigestInput } from '../src/digest/choose.js';
import { EligibilityLedger } from '../src/delivery/eligibility.js';
import { compareArticles } from '../src/digest/rank.js';
import { DEFAULT_DIGEST_SETTINGS, type DigestSettings } from '../src/digest/settings.js';
import { createLogger } from '../src/log.js';
import type { BenchModule } from './run.js';

const ARTICLES = 50_000;
const GOAL_MS = 20;
const WARMUP = 5;
const RUNS = 40;
const DAY_MS = 86_400_000;

const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDirs = ['coronavirus/_news', 'diablo4/_news'].map((d) => path.resolve(here, '../../shared/corpus', d));
const sampleDir = path.resolve(here, '../content');

async function readArticles(contentDir: string): Promise<readonly Article[]> {
  const library = await ArticleLibrary.open({ contentDir, cacheDir: null, logger: createLogger('silent'), watch: false });
  const articles = library.all();
  await library.close();
  return articles;
}

/**
 * Real articles (the corpora when ../shared is present, else the shipped samples) copied until there are `count`,
 * each copy with its own URLs (related ones too, so stories stay stories) and spread over the 60 days before `now`.
 */
async function syntheticLibrary(count: number, now: Date): Promise<{ articles: Article[]; source: string }> {
  const present = corpusDirs.filter((d) => fs.existsSync(d));
  const seeds = (await Promise.all((present.length > 0 ? present : [sampleDir]).map(readArticles))).flat();
  const source = present.length > 0 ? `${seeds.length} real corpus articles` : `${seeds.length} shipped sample articles`;
  const articles: Article[] = [];
  for (let i = 0; i < count; i++) {
    const seed = seeds[i % seeds.length]!;
    const copy = Math.floor(i / seeds.length);
    const tag = (url: string) => `${url}${url.includes('?') ? '&' : '?'}copy=${copy}`;
    articles.push({
      ...seed,
      id: `${seed.id}-${copy}`,
      sourcePath: `${copy}/${seed.sourcePath}`,
      url: tag(seed.url),
      publishedAt: new Date(now.getTime() - ((i * 7919) % (60 * DAY_MS / 1000)) * 1000),
      related: seed.related.map((r) => ({ ...r, url: tag(r.url) })),
    });
  }
  return { articles, source };
}

interface Timing {
  first: number;
  median: number;
  p95: number;
}

// Awaited: the eligibility ledger answers through its (async) store.
async function time(run: () => unknown): Promise<Timing> {
  const started = performance.now();
  await run();
  const first = performance.now() - started;
  for (let i = 0; i < WARMUP; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await run();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { first, median: samples[Math.floor(RUNS / 2)]!, p95: samples[Math.floor(RUNS * 0.95)]! };
}

const ms = (n: number) => n.toFixed(2);

const bench: BenchModule = {
  title: `chooseDigest over ${ARTICLES.toLocaleString('en')} articles (goal < ${GOAL_MS} ms) beside a full sort`,
  async run() {
    const now = new Date('2026-11-26T08:00:00Z');
    const { articles, source } = await syntheticLibrary(ARTICLES, now);
    const published = articles.filter((a) => a.published).length;
    const seen = new Set(articles.filter((a) => a.published).slice(0, 2000).map((a) => a.url));
    const input = (settings: Partial<DigestSettings>, extra: Partial<DigestInput> = {}): DigestInput => ({
      articles,
      now,
      settings: { ...DEFAULT_DIGEST_SETTINGS, ...settings },
      lastDigestAt: null,
      seen: new Set(),
      ...extra,
    });
    const topTopic = articles[0]!.topics[0] ?? '';
    // Every published article dated as the bot first saw it: the half published in the last day arrived late.
    const lastDigestAt = new Date(now.getTime() - DAY_MS);
    const eligibleAt = new Map(articles.filter((a) => a.published).map((a, i) => [a.url, i % 2 === 0 ? a.publishedAt.getTime() : now.getTime() - 3_600_000]));
    const sentStories = new Set(articles.filter((a) => a.published).slice(0, 2000).flatMap((a) => [a.url, ...a.related.map((r) => r.url)]));
    // The ledger after the library changed: the whole published list compared with what was recorded.
    const recorded = new Map<string, number>();
    const ledger = new EligibilityLedger({
      eligibility: async () => recorded,
      eligibilityStarted: async () => true,
      updateEligibility: async (added) => added.forEach((at, url) => recorded.set(url, at)),
    }, { now: () => now }, createLogger('silent'));
    await ledger.sync(articles);
    const cases: [string, () => unknown][] = [
      ['baseline: sort all 50,000 by rank', () => articles.slice().sort(compareArticles)],
      ['default: since the last digest (48 h), 5 stories', () => chooseDigest(input({}, { lastDigestAt }))],
      ['default, by eligibility (half the stories late), 2,000 stories already sent', () => chooseDigest(input({}, { lastDigestAt, eligibleAt, seen: sentStories }))],
      ['eligibility: the library changed, every article compared with the record', () => ledger.sync(articles.slice())],
      ['window all, 10 stories', () => chooseDigest(input({ size: 10, window: { kind: 'all' } }))],
      ['window all, 10 stories, 2,000 URLs already sent', () => chooseDigest(input({ size: 10, window: { kind: 'all' } }, { seen }))],
      [`window 7d, topic "${topTopic}", outlet cap 1`, () => chooseDigest(input({ size: 10, maxPerProvider: 1, window: { kind: 'hours', hours: 168 }, topics: [topTopic] }))],
    ];
    const rows: string[] = [];
    for (const [name, run] of cases) {
      const t = await time(run);
      const verdict = name.startsWith('baseline') ? '' : t.median < GOAL_MS ? 'yes' : '**no**';
      rows.push(`| ${name} | ${ms(t.first)} | ${ms(t.median)} | ${ms(t.p95)} | ${verdict} |`);
    }
    return [
      `${ARTICLES.toLocaleString('en')} articles (${published.toLocaleString('en')} published) made from ${source}, spread over 60 days;`,
      `each figure in milliseconds: the first call, then the median and 95th percentile of ${RUNS} calls after ${WARMUP} warm-up calls.`,
      '',
      `| case | first call | median | p95 | median < ${GOAL_MS} ms |`,
      '| --- | ---: | ---: | ---: | :---: |',
      ...rows,
    ].join('\n');
  },
};

export default bench;
