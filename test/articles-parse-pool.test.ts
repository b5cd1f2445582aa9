// Parsing on worker threads: a worker refuses every hostile file exactly as the library's own thread does (the
// same reasons, the same cuts, no front matter ever run), the pool gives the same result for every file however
// many workers help, on files made here and on the real corpus, and a worker that dies mid-job loses no file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { scanContent } from '../src/articles/files.js';
import type { NormalizeResult } from '../src/articles/normalize.js';
import type { ParseJob, ParseJobDone } from '../src/articles/parse-pool.js';
import { parseFilesInWorkers } from '../src/articles/parse-pool.js';
import { parseArticleFile, parseFiles } from '../src/articles/read-files.js';
import { startWorker } from '../src/articles/worker-thread.js';
import { createLogger } from '../src/log.js';
import { sharedPath } from './helpers/shared.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-pool-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const marker = path.join(root, 'front-matter-ran');

const article = (title: string, extra = '', topics = ['Health']) =>
  `---\ntitle: ${JSON.stringify(title)}\npublishedDateTime: 2020-05-06T03:30:00Z\nwebUrl: "https://news.example.com/${encodeURIComponent(title)}"\nprovider:\n  name: Example\n  domain: example.com\ntopics:\n${topics.map((t) => `  - ${t}\n`).join('')}${extra}---\n`;
const aliasBomb = ['---', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefg'[i]}`).join(',')}]`), 'title: bomb', '---', ''].join('\n');

/** A folder of every kind of file the parser must refuse or cut, beside good ones. */
function hostileFolder(): string {
  const dir = path.join(root, 'hostile');
  fs.mkdirSync(path.join(dir, 'deep'), { recursive: true });
  const files: Record<string, string | Buffer> = {
    'good.md': article('A good story'),
    'deep/good-too.md': article('Another good story', 'related:\n  - title: "Elsewhere"\n    webUrl: "https://other.example.org/x"\n'),
    'js.md': `---js\nrequire('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); module.exports = { title: 'x' };\n---\n`,
    'javascript.md': `---javascript\n{ title: (require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'), 'x') }\n---\n`,
    'alias-bomb.md': aliasBomb,
    'huge.md': Buffer.alloc(1024 * 1024 + 10, 'a'),
    'utf16.md': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(article('UTF-16'), 'utf16le')]),
    'nul.md': Buffer.from(`${article('Has a NUL')}\u0000`),
    'latin1.md': Buffer.from(article('Caf\u00e9'), 'latin1'),
    'broken.md': '---\ntitle: ok\nexcerpt: "never closed\n---\n',
    'long.md': article('x'.repeat(5000), '', Array.from({ length: 150 }, (_, i) => `Topic ${i}`)),
    'crlf.md': article('Windows lines').replace(/\n/g, '\r\n'),
    'date.md': article('Bad date').replace('2020-05-06T03:30:00Z', '2026-13-45'),
    'no-url.md': article('No link').replace(/webUrl: .*\n/, ''),
  };
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), body);
  fs.symlinkSync('loop.md', path.join(dir, 'loop.md'));
  if (spawnSync('mkfifo', [path.join(dir, 'fifo.md')]).status !== 0) fs.writeFileSync(path.join(dir, 'fifo.md'), '');
  return dir;
}
const hostile = hostileFolder();
const hostileFiles = [...fs.readdirSync(hostile, { recursive: true, encoding: 'utf8' })].filter((f) => f.endsWith('.md')).sort();

/** One job run on a real parse worker thread, as the pool starts it. */
async function onWorker(contentDir: string, files: string[]): Promise<NormalizeResult[]> {
  const worker = startWorker('parse-worker');
  try {
    return await new Promise<NormalizeResult[]>((resolve, reject) => {
      worker.on('message', (message: ParseJobDone | 'ready') => {
        if (message === 'ready') worker.postMessage({ id: 1, contentDir, files, sizes: files.map(() => null) } satisfies ParseJob);
        else resolve(message.results);
      });
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

test('a parse worker refuses every hostile file with the reason this thread gives, cuts the same fields, and runs no front matter', async () => {
  const here = hostileFiles.map((file) => parseArticleFile(hostile, file, undefined));
  const there = await onWorker(hostile, hostileFiles);
  assert.deepEqual(there, here);
  const reasons = Object.fromEntries(hostileFiles.map((file, i) => [file, here[i]!.ok ? (here[i]!.cuts ?? 'served') : here[i]!.reason]));
  assert.match(String(reasons['js.md']), /language "js" is not allowed/);
  assert.match(String(reasons['javascript.md']), /language "javascript" is not allowed/);
  assert.match(String(reasons['alias-bomb.md']), /more than 200,000 values/);
  assert.match(String(reasons['huge.md']), /over the 1 MiB limit/);
  assert.match(String(reasons['utf16.md']), /UTF-16/);
  assert.match(String(reasons['nul.md']), /NUL bytes/);
  assert.match(String(reasons['latin1.md']), /not valid UTF-8/);
  assert.match(String(reasons['broken.md']), /^YAML line/);
  assert.match(String(reasons['date.md']), /does not exist/);
  assert.match(String(reasons['loop.md']), /^unreadable: /);
  assert.deepEqual(reasons['long.md'], ['topics: 150 entries, cut to 100', 'title: 5,000 characters, cut to 2,000']);
  assert.equal(reasons['crlf.md'], 'served');
  assert.equal(fs.existsSync(marker), false, 'front matter was run');
});

test('the pool gives every file the result this thread gives, with no worker, one or three', async () => {
  const stamps = await scanContent(hostile);
  const files = [...stamps.keys()];
  const here = await parseFiles(hostile, files, stamps);
  for (const workers of [0, 1, 3]) {
    const { results: pooled } = await parseFilesInWorkers(hostile, files, { stamps, workers });
    assert.deepEqual(new Map([...pooled].sort()), new Map([...here].sort()), `with ${workers} workers`);
  }
});

const corpus = sharedPath('corpus/coronavirus/_news');
test('the real coronavirus corpus parses the same on workers as on this thread', { skip: corpus.skip, timeout: 120_000 }, async () => {
  const stamps = await scanContent(corpus.path);
  const files = [...stamps.keys()];
  const here = await parseFiles(corpus.path, files, stamps);
  const done: number[] = [];
  const { results: pooled } = await parseFilesInWorkers(corpus.path, files, { stamps, onBatch: (n) => done.push(n), workers: 2 });
  assert.equal(pooled.size, files.length);
  for (const file of files) assert.deepEqual(pooled.get(file), here.get(file), file);
  assert.equal(done.at(-1), files.length, 'progress reaches every file');
  // Worker results share this thread's provider objects again, as a parse here would.
  const providers = new Set([...pooled.values()].flatMap((r) => (r.ok ? [r.article.provider] : [])));
  const domains = new Set([...providers].map((p) => `${p.name}\u0000${p.domain}\u0000${p.iconUrl}`));
  assert.equal(providers.size, domains.size);
});

test('a parse worker that dies mid-job loses no file: its chunks are parsed on this thread, and one warn line says so', { timeout: 60_000 }, async () => {
  const dir = path.join(root, 'many');
  fs.mkdirSync(dir);
  for (let i = 0; i < 4000; i++) fs.writeFileSync(path.join(dir, `story-${i}.md`), i % 500 === 7 ? '---\ntitle: [never closed\n---\n' : article(`Story ${i}`));
  const stamps = await scanContent(dir);
  const files = [...stamps.keys()];
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  let killed = false;
  const kill = (worker: Worker) => {
    // This thread is busy while the worker starts up, as in a large load, so the worker gets chunks; it is ended
    // from outside as soon as it has them (two in flight), as an out-of-memory stop or a crash would end it.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
    worker.on('message', (message: unknown) => {
      if (message !== 'ready') return;
      killed = true;
      void worker.terminate();
    });
  };
  process.on('worker', kill);
  try {
    const { results, onWorkers } = await parseFilesInWorkers(dir, files, { stamps, workers: 1, logger });
    assert.ok(killed, 'the worker was ended while it had chunks');
    assert.equal(onWorkers, 0);
    assert.deepEqual(new Map([...results].sort()), new Map([...(await parseFiles(dir, files, stamps))].sort()));
    assert.equal([...results.values()].filter((r) => r.ok).length, 4000 - 8);
  } finally {
    process.off('worker', kill);
  }
  const stops = lines.filter((l) => l.event === 'articles.parse_worker_stopped');
  assert.equal(stops.length, 1);
  assert.equal(stops[0]!.level, 40);
  assert.equal(stops[0]!.files, 500, 'the two chunks it had');
  assert.match(String(stops[0]!.problem), /exit/);
});
