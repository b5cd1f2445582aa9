// What the bot-level benchmarks share: the 50,000-article synthetic corpus (made once from the real coronavirus
// corpus, reused across runs), a cache folder for warm loads, article variants and percentiles.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { coronavirusDir, makeSyntheticCorpus } from './corpus.js';

export const SCALE_ARTICLES = 50_000;

const work = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../.work');

/** bench/.work/NAME, created; never committed. */
export function workDir(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Why a benchmark that needs ../shared/corpus cannot run here, or null when it can. */
export function corpusMissing(): string | null {
  return fs.existsSync(coronavirusDir) ? null : `skipped: needs the real corpus at ${coronavirusDir}, which is not present here`;
}

/**
 * The 50,000-article content folder benchmarks read but never change, and a DATA_DIR beside it whose cache folder
 * (`cacheDir`) the first load fills, so later loads are warm.
 */
export function scaleContent(): { contentDir: string; dataDir: string; cacheDir: string } {
  const contentDir = workDir(`bot-corpus-${SCALE_ARTICLES}`);
  makeSyntheticCorpus(contentDir, SCALE_ARTICLES);
  const dataDir = workDir(`bot-data-${SCALE_ARTICLES}`);
  return { contentDir, dataDir, cacheDir: path.join(dataDir, 'cache') };
}

/** The 7,852 real article files (coronavirus and diablo4), copied once under bench/.work (never committed). */
export function realCorpus(): string {
  const dir = workDir('real-7852');
  if (!fs.existsSync(path.join(dir, '.complete'))) {
    for (const corpus of ['coronavirus', 'diablo4']) fs.cpSync(path.join(coronavirusDir, '../..', corpus, '_news'), path.join(dir, corpus), { recursive: true });
    fs.writeFileSync(path.join(dir, '.complete'), '');
  }
  return dir;
}

/**
 * A corpus file's text made into another article: its URL tagged with `tag` (so it is not folded into the original
 * as a duplicate), and optionally a new publication time and title.
 */
export function articleVariant(text: string, change: { tag: string; publishedAt?: Date; title?: string }): string {
  let out = text.replace(/^(webUrl|originalUrl): "?([^"\n]*)"?$/m, (_, key: string, url: string) => `${key}: ${JSON.stringify(`${url}${url.includes('?') ? '&' : '?'}${change.tag}`)}`);
  if (change.publishedAt) out = out.replace(/^publishedDateTime: .*$/m, `publishedDateTime: ${change.publishedAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}`);
  if (change.title !== undefined) out = out.replace(/^title: .*$/m, `title: ${JSON.stringify(change.title)}`);
  return out;
}

/** The text of file `i` of the synthetic corpus in `contentDir`. */
export function corpusText(contentDir: string, i: number): string {
  return fs.readFileSync(path.join(contentDir, `part-${String(i % 100).padStart(2, '0')}`, `article-${i}.md`), 'utf8');
}

/** The p-th percentile (0-100) of `samples`, nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

export const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** The machine's load averages now, as a benchmark section states them: the shared cores are the figures' context. */
export function machineLoad(): string {
  return `${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) on ${os.availableParallelism()} cores`;
}
