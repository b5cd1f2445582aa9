// The search index read back from its restart cache on the worker thread is handed over whole: read back, its
// arrays are views into the file's bytes, and a buffer listed twice in a transfer list failed the whole answer
// (the bot then ran without the cache and built the index anew: seconds at 50,000 articles).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { writeIndexCache } from '../src/articles/index-cache.js';
import { jobHandler, type JobAnswer } from '../src/articles/index-jobs.js';
import { IndexBuilder, SearchIndex } from '../src/articles/search-index.js';

test('an index read from its cache is handed over as a worker hands it, whatever the lengths of its parts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-index-read-'));
  try {
    // Indexes of 200 to 207 articles (files read into buffers of their own, not Node's shared pool): their arrays
    // fall at every alignment within the file's bytes, and an aligned one is a view into the same buffer as another.
    for (let size = 200; size < 208; size++) {
      const builder = new IndexBuilder();
      const keys = Array.from({ length: size }, (_, i) => `id${i}\tfile-${i}.md\t100\t${i}`);
      for (let i = 0; i < size; i++) builder.add(i, { title: `harbour${i} report`, excerpt: 'x'.repeat(i), provider: 'example', topics: '' });
      const file = path.join(dir, `index-${size}.bin`);
      await writeIndexCache(file, { keys, index: builder.freeze(size) });
      const answers: JobAnswer[] = [];
      // As the worker answers: the buffers in the transfer list are handed over, not copied.
      const { port1, port2 } = new MessageChannel();
      const handle = jobHandler((answer, transfer) => {
        port1.postMessage(answer, transfer);
        answers.push(receiveMessageOnPort(port2)!.message as JobAnswer);
      });
      await handle({ kind: 'keys', keys });
      await handle({ kind: 'read', file });
      port1.close();
      port2.close();
      assert.equal(answers[0]?.kind, 'read', `${size} articles: ${JSON.stringify(answers[0])}`);
      const read = answers[0] as Extract<JobAnswer, { kind: 'read' }>;
      assert.deepEqual([...read.cached!.placement], keys.map((_, i) => i));
      assert.deepEqual(new SearchIndex(read.cached!.index).search(`harbour${size - 1}`, 10), [size - 1]);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
