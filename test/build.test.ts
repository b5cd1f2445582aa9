// The production start: `npm run build` compiles src/ with the project's own build settings, and the compiled bot
// runs with plain node (no TypeScript loader) as `npm run start:prod` does: here against the sandbox, with a
// command piped in, on the shipped content.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { projectRoot } from './helpers/shared.js';

// Inside the project (git-ignored), so the compiled files find node_modules as dist/ does.
const outDir = path.join(projectRoot, '.cache', `build-test-${process.pid}`);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-build-'));
after(() => {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
});

before(() => {
  const tsc = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: projectRoot, encoding: 'utf8' });
  assert.equal(build.status, 0, `the build failed:\n${build.stdout}${build.stderr}`);
});

test('the compiled bot runs with plain node: the sandbox banner, then an answer to a piped command, exit 0', { timeout: 120_000 }, () => {
  const run = spawnSync(process.execPath, [path.join(outDir, 'main.js')], {
    cwd: projectRoot,
    input: '/help\n',
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CONTENT_DIR: path.join(projectRoot, 'content'), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Newsdesk is running against its built-in sandbox/);
  assert.match(run.stdout, /newsdesk> \/help\n[\s\S]*Newsdesk turns a folder of news articles/);
});

test('a compiled parse worker starts from dist/ with plain node and parses as the bot does', { timeout: 60_000 }, () => {
  // A large cold load parses on worker threads: the compiled worker file must be found beside the compiled pool.
  const content = path.join(dataDir, 'worker-content');
  fs.mkdirSync(content);
  const marker = path.join(dataDir, 'front-matter-ran');
  fs.writeFileSync(path.join(content, 'good.md'), '---\ntitle: Compiled\npublishedDateTime: 2020-05-06T03:30:00Z\nwebUrl: "https://news.example.com/compiled"\n---\n');
  fs.writeFileSync(path.join(content, 'code.md'), `---js\nrequire('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')\n---\n`);
  const script = `
    import { startWorker } from ${JSON.stringify(pathToFileURL(path.join(outDir, 'articles', 'worker-thread.js')).href)};
    const worker = startWorker('parse-worker');
    worker.on('message', (message) => {
      if (message === 'ready') return worker.postMessage({ id: 1, contentDir: ${JSON.stringify(content)}, files: ['good.md', 'code.md'], sizes: [null, null] });
      console.log(JSON.stringify(message.results.map((r) => (r.ok ? r.article.title : r.reason))));
      void worker.terminate();
    });`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH } });
  assert.equal(run.status, 0, run.stderr);
  const [good, code] = JSON.parse(run.stdout) as string[];
  assert.equal(good, 'Compiled');
  assert.match(code!, /language "js" is not allowed/);
  assert.equal(fs.existsSync(marker), false);
});
