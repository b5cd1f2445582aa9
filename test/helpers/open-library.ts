// Run by tests in a child process (with a small heap, say): opens the library on the folder given as the first
// argument, as the bot does at start-up but without caches, waits for its search index, searches for the second
// argument, and prints one JSON line with what it found. Its log lines go to stderr, as the bot's do.
import { ArticleLibrary } from '../../src/articles/library.js';
import { createLogger } from '../../src/log.js';

const [contentDir, words] = process.argv.slice(2);
const library = await ArticleLibrary.open({ contentDir: contentDir!, cacheDir: null, logger: createLogger('info') });
await library.whenWarm();
const found = library.search({ words, includeUnpublished: true }).total;
console.log(JSON.stringify({ articles: library.size, found, heapMB: Math.round(process.memoryUsage().heapUsed / 1e6) }));
await library.close();
