// A parse worker (see parse-pool.ts): reads and parses the files it is sent with the same code, and so the same
// limits and refusals, as the library's own thread. It imports only the reader, the parser and the normaliser.
import { parentPort } from 'node:worker_threads';
import { parseArticleFile } from './read-files.js';
import type { ParseJob, ParseJobDone } from './parse-pool.js';

const port = parentPort!;
port.on('message', ({ id, contentDir, files, sizes }: ParseJob) => {
  const results = files.map((file, i) => parseArticleFile(contentDir, file, sizes[i] ?? undefined));
  port.postMessage({ id, results } satisfies ParseJobDone);
});
// Chunks are sent once the parser is loaded: until then the pool's own thread parses them.
port.postMessage('ready');
