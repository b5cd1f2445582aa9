// One start-up measured in a fresh process (as a real restart is): `load CONTENT CACHE|-` opens the library and
// prints the time until its articles and then its search index are ready, and its resident memory; `parse CONTENT` times only reading and parsing every file.
import { ArticleLibrary } from '../../src/articles/library.js';
import { scanContent } from '../../src/articles/files.js';
import { parseFiles } from '../../src/articles/read-files.js';
import { createLogger } from '../../src/log.js';

const [mode, contentDir, arg] = process.argv.slice(2) as [string, string, string];
const started = performance.now();
if (mode === 'parse') {
  const parsed = await parseFiles(contentDir, [...scanContent(contentDir).keys()]);
  console.log(JSON.stringify({ ms: performance.now() - started, files: parsed.size }));
} else {
  const library = await ArticleLibrary.open({ contentDir, cacheDir: arg === '-' ? null : arg, logger: createLogger('silent') });
  const ms = performance.now() - started;
  library.search({ words: 'news' }); // forces the search index, which open() leaves for the next turn
  const indexMs = performance.now() - started;
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  console.log(JSON.stringify({ ms, indexMs, rss, heapUsed, articles: library.size, fromCache: library.summary.fromCache }));
  await library.close();
}
