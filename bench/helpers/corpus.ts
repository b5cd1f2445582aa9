// A synthetic scale-up of the real coronavirus corpus for benchmarks: real files copied with their title, excerpt,
// URL, date and scores varied, so the YAML, the vocabulary and the field shapes stay those of real files.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../test/helpers/seededRandom.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The real corpus the synthetic one is made from. */
export const coronavirusDir = path.resolve(here, '../../../shared/corpus/coronavirus/_news');

/** Every `.md` file under `dir`, recursively, sorted for a stable order. */
export function markdownFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.md')) found.push(path.join(entry.parentPath, entry.name));
  }
  return found.sort();
}

function topField(text: string, key: string): string | undefined {
  return new RegExp(`^${key}: (.*)$`, 'm').exec(text)?.[1];
}

function unquote(value: string | undefined): string {
  if (!value) return '';
  try {
    return value.startsWith('"') ? (JSON.parse(value) as string) : value;
  } catch {
    return value;
  }
}

function setField(text: string, key: string, value: string): string {
  return text.replace(new RegExp(`^${key}: .*$`, 'm'), () => `${key}: ${value}`);
}

/**
 * Writes `count` Markdown files into `dir` (100 sub-folders, like a real content tree) and returns their paths.
 * File i < the real count is real file i unchanged; later ones are real files with: a title whose words are
 * partly swapped in from another real title, an excerpt with a sentence of another, a new URL, a date moved by up
 * to 60 days and quality/heat nudged. Reuses the files already there when `dir` holds a corpus of that size.
 */
export function makeSyntheticCorpus(dir: string, count: number): string[] {
  const marker = path.join(dir, `.synthetic-${count}`);
  const target = (i: number) => path.join(dir, `part-${String(i % 100).padStart(2, '0')}`, `article-${i}.md`);
  const targets = Array.from({ length: count }, (_, i) => target(i));
  if (fs.existsSync(marker)) return targets;
  fs.rmSync(dir, { recursive: true, force: true });
  for (let p = 0; p < 100; p++) fs.mkdirSync(path.join(dir, `part-${String(p).padStart(2, '0')}`), { recursive: true });
  const sources = markdownFiles(coronavirusDir).map((f) => fs.readFileSync(f, 'utf8'));
  // The same numbers on every run, so every run builds the same corpus.
  const next = seededRandom(count);
  const pick = () => sources[Math.floor(next() * sources.length)]!;
  for (let i = 0; i < count; i++) {
    let text = sources[i % sources.length]!;
    if (i >= sources.length) {
      const words = unquote(topField(text, 'title')).split(' ');
      const donor = unquote(topField(pick(), 'title')).split(' ');
      const title = words.map((w) => (next() < 0.3 ? donor[Math.floor(next() * donor.length)] ?? w : w)).join(' ');
      const sentence = unquote(topField(pick(), 'excerpt')).split(/(?<=\.) /)[0] ?? '';
      const excerpt = `${unquote(topField(text, 'excerpt'))} ${sentence}`.trim();
      const url = unquote(topField(text, 'webUrl') ?? topField(text, 'originalUrl'));
      const date = new Date(unquote(topField(text, 'publishedDateTime')) || '2020-05-01T00:00:00Z');
      date.setUTCMinutes(date.getUTCMinutes() - Math.floor(next() * 60 * 24 * 60));
      const quality = Math.floor(next() * 200);
      text = setField(text, 'title', JSON.stringify(title));
      text = setField(text, 'excerpt', JSON.stringify(excerpt));
      text = setField(text, topField(text, 'webUrl') ? 'webUrl' : 'originalUrl', JSON.stringify(`${url}${url.includes('?') ? '&' : '?'}copy=${i}`));
      text = setField(text, 'publishedDateTime', date.toISOString().replace(/\.\d{3}Z$/, 'Z'));
      text = setField(text, 'quality', String(quality));
      text = setField(text, 'heat', String(quality + Math.floor(next() * 40)));
      text = setField(text, 'published', String(quality >= 100));
    }
    fs.writeFileSync(targets[i]!, text);
  }
  fs.writeFileSync(marker, '');
  return targets;
}
