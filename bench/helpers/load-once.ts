// One start-up measured in a fresh process (as a real restart is): `load CONTENT CACHE|-` opens the library and
// prints the time until its articles are ready and then until its warm-up (search index included) is over; `parse CONTENT` times only reading and
// parsing every file on one thread; `scan CONTENT` only listing and stat-ing them (what checking any restart cache must cost);
// `read CONTENT` only reading every file's bytes (what any cold load must cost); `cache CONTENT CACHE` only reading
// and decoding the parse cache a load left; `baseline CONTENT` the baseline: every file read and parsed with plain
// gray-matter, one after another.
import fs from 'node:fs';
import path from 'node:path';
import matter from 'gray-matter';
import { markdownFiles } from './corpus.js';
import { ArticleLibrary } from '../../src/articles/library.js';
import { scanContent } from '../../src/articles/files.js';
import { readParseCache } from '../../src/articles/parse-cache.js';
import { parseFiles } from '../../src/articles/read-files.js';
import { createLogger } from '../../src/log.js';

const [mode, contentDir, arg] = process.argv.slice(2) as [string, string, string];
const started = performance.now();
const done = (result: Record<string, number>) => console.log(JSON.stringify({ ms: performance.now() - started, ...result }));
if (mode === 'baseline') {
  const files = markdownFiles(contentDir);
  for (const file of files) matter(fs.readFileSync(file, 'utf8'), {});
  done({ files: files.length });
} else if (mode === 'read') {
  const files = markdownFiles(contentDir);
  let bytes = 0;
  for (const file of files) bytes += fs.readFileSync(file).length;
  done({ files: files.length, bytes });
} else if (mode === 'scan') {
  done({ files: (await scanContent(contentDir)).size });
} else if (mode === 'cache') {
  done({ files: (await readParseCache(path.join(arg, 'articles.bin'), path.resolve(contentDir))).size });
} else if (mode === 'parse') {
  const parsed = await parseFiles(contentDir, [...(await scanContent(contentDir)).keys()]);
  done({ files: parsed.size });
} else {
  const library = await ArticleLibrary.open({ contentDir, cacheDir: arg === '-' ? null : arg, logger: createLogger('silent') });
  const ms = performance.now() - started;
  // What open() leaves for right after it: the search index (from its cache or built), the lists, the folded text.
  await library.whenWarm();
  const indexMs = performance.now() - started;
  const { fromCache, onWorkers = 0 } = library.summary;
  console.log(JSON.stringify({ ms, indexMs, articles: library.size, fromCache, onWorkers }));
  await library.close();
}
