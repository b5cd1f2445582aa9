// One start-up measured in a fresh process (as a real restart is): `load CONTENT CACHE|-` opens the library and
// prints the time until its articles are ready and then until its warm-up (search index included) is over; `parse CONTENT` times only reading and
// parsing every file; `scan CONTENT` only listing and stat-ing them (what checking any restart cache must cost);
// `baseline CONTENT` the baseline: every file read and parsed with plain gray-matter, one after another.
import fs from 'node:fs';
import matter from 'gray-matter';
import { markdownFiles } from './corpus.js';
import { ArticleLibrary } from '../../src/articles/library.js';
import { scanContent } from '../../src/articles/files.js';
import { parseFiles } from '../../src/articles/read-files.js';
import { createLogger } from '../../src/log.js';

const [mode, contentDir, arg] = process.argv.slice(2) as [string, string, string];
const started = performance.now();
if (mode === 'baseline') {
  const files = markdownFiles(contentDir);
  for (const file of files) matter(fs.readFileSync(file, 'utf8'), {});
  console.log(JSON.stringify({ ms: performance.now() - started, files: files.length }));
} else if (mode === 'scan') {
  const files = scanContent(contentDir).size;
  console.log(JSON.stringify({ ms: performance.now() - started, files }));
} else if (mode === 'parse') {
  const parsed = await parseFiles(contentDir, [...scanContent(contentDir).keys()]);
  console.log(JSON.stringify({ ms: performance.now() - started, files: parsed.size }));
} else {
  const library = await ArticleLibrary.open({ contentDir, cacheDir: arg === '-' ? null : arg, logger: createLogger('silent') });
  const ms = performance.now() - started;
  // What open() leaves for right after it: the search index (from its cache or built), the lists, the folded text.
  await library.whenWarm();
  const indexMs = performance.now() - started;
  console.log(JSON.stringify({ ms, indexMs, articles: library.size, fromCache: library.summary.fromCache }));
  await library.close();
}
