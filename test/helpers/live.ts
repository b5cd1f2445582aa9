// Live digests under test: article files written into the watched content folder (with related coverage when a test
// needs a story told by several outlets), and the live runner's minute ticks at instants the test chooses, the
// sandbox's clock moving with the bot's so that Discord's rate-limit windows pass as the bot's minutes do.
import fs from 'node:fs';
import path from 'node:path';
import type { BotHarness } from './bot.js';
import { TEST_NOW, waitUntil } from './bot.js';

export interface LiveArticle {
  slug: string;
  title: string;
  /** Defaults to a sentence made of the title. */
  excerpt?: string;
  publishedAt: Date;
  provider: { name: string; domain: string };
  topics?: string[];
  quality?: number;
  /** Other outlets' coverage of the same story, by URL. */
  related?: { title: string; url: string; provider: { name: string; domain: string } }[];
}

const MINUTE = 60_000;

/** Each test's own day, so that the clock only moves forward and the stories of one test are old news in the next. */
export const dayStart = (day: number) => new Date(TEST_NOW.getTime() + day * 86_400_000);
export const plus = (start: Date, minutes: number, seconds = 0) => new Date(start.getTime() + minutes * MINUTE + seconds * 1000);

export const urlOf = (article: Pick<LiveArticle, 'slug' | 'provider'>) => `https://${article.provider.domain}/news/${article.slug}`;

const iso = (instant: Date) => instant.toISOString().replace(/\.\d{3}Z$/, 'Z');

function articleFile(article: LiveArticle): string {
  const lines = [
    '---',
    `title: ${JSON.stringify(article.title)}`,
    `excerpt: ${JSON.stringify(article.excerpt ?? `What happened: ${article.title}.`)}`,
    `publishedDateTime: ${iso(article.publishedAt)}`,
    `webUrl: "${urlOf(article)}"`,
    'type: article',
    `quality: ${article.quality ?? 100}`,
    'published: true',
    'provider:',
    `  name: ${JSON.stringify(article.provider.name)}`,
    `  domain: ${article.provider.domain}`,
    'topics:',
    ...(article.topics ?? ['World']).map((t) => `  - ${JSON.stringify(t)}`),
  ];
  if (article.related?.length) {
    lines.push('related:');
    for (const r of article.related) {
      lines.push(`  - title: ${JSON.stringify(r.title)}`, `    webUrl: "${r.url}"`, `    publishedDateTime: ${iso(article.publishedAt)}`, '    provider:', `      name: ${JSON.stringify(r.provider.name)}`, `      domain: ${r.provider.domain}`);
    }
  }
  return [...lines, '---', ''].join('\n');
}

/** Writes the articles as files into `dir`, as a feed drops them into a content folder. */
export function writeLiveArticles(dir: string, articles: readonly LiveArticle[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const article of articles) fs.writeFileSync(path.join(dir, `${article.slug}.md`), articleFile(article));
}

/** Writes the articles into the bot's content folder (under `folder`) and waits until its library holds them all. */
export async function arrive(h: BotHarness, articles: readonly LiveArticle[], folder = 'live'): Promise<void> {
  writeLiveArticles(path.join(h.contentDir, folder), articles);
  const wanted = new Set(articles.map(urlOf));
  await waitUntil(() => h.library.all().filter((a) => wanted.has(a.url)).length === wanted.size, `${wanted.size} new articles in the library`, 30_000);
}

/** Sets the bot's clock to `instant` (moving the sandbox's by as much) and runs the live runner's tick there. */
export async function liveTickAt(h: BotHarness, instant: Date): Promise<void> {
  const passed = instant.getTime() - h.clock.now().getTime();
  if (passed < 0) throw new Error(`the clock only moves forward: ${instant.toISOString()} is before ${h.clock.now().toISOString()}`);
  h.clock.set(instant);
  h.sandbox.passTime(passed);
  await h.bot.live.tick();
}

/** The story links of each message posted to the channel, message by message. */
export function postedBatches(h: Pick<BotHarness, 'sandbox'>, channelId: string): string[][] {
  return h.sandbox.messages(channelId).map((m) => ((m.body.embeds ?? []) as { url?: string }[]).map((e) => e.url ?? '(no url)'));
}
