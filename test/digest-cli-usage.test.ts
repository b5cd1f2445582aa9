// `npm run digest` as a person types it: the preview alone on the terminal (log lines only when LOG_LEVEL asks, and
// then on stderr), a --window that takes exactly what the usage line says, and a misspelt --topic or --provider
// named with the nearest names instead of an empty digest put down to "this channel's filters".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { projectRoot } from './helpers/shared.js';

// The morning after the newest shipped sample article.
const SAMPLE_MORNING = '2026-11-26T12:00:00Z';
const CLI = ['--import', 'tsx', 'src/cli/digest.ts'];

// The preview keeps a parse cache under DATA_DIR: the tests' own, never the project's data/ folder.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-digest-usage-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** The process environment without the settings a developer's shell or .env may hold, plus `settings`. */
function environment(settings: Record<string, string>): NodeJS.ProcessEnv {
  const { LOG_LEVEL: _level, CONTENT_DIR: _content, DIGEST_TIMEZONE: _zone, ...rest } = process.env;
  return { ...rest, CONTENT_DIR: '', DIGEST_TIMEZONE: '', DATA_DIR: dataDir, ...settings };
}

function digest(args: string[], settings: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...CLI, ...args], { cwd: projectRoot, encoding: 'utf8', timeout: 30_000, env: environment(settings) });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** What a terminal shows when the CLI runs in one (stdout and stderr both on it), through util-linux's `script`. */
function onTerminal(args: string[]): string | { skip: string } {
  const command = [process.execPath, ...CLI, ...args].map((part) => `'${part}'`).join(' ');
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: projectRoot, encoding: 'utf8', timeout: 30_000, env: { ...environment({}), SHELL: '/bin/sh' } });
  if (result.error || result.status !== 0) return { skip: `a terminal needs util-linux's script, which failed here: ${String(result.error ?? result.stderr).split('\n')[0]}` };
  return result.stdout.replace(/\r\n/g, '\n');
}

test('on a terminal the preview shows alone: no log line unless LOG_LEVEL asks, and then only on stderr', async (t) => {
  const preview = digest(['--now', SAMPLE_MORNING]);
  assert.equal(preview.status, 0);
  assert.match(preview.stdout, /^Daily digest — Thursday, 26 November\n/);
  assert.equal(preview.stderr, '', 'nothing but warnings is logged by default, and the samples give none');

  const logged = digest(['--now', SAMPLE_MORNING], { LOG_LEVEL: 'info' });
  assert.equal(logged.stdout, preview.stdout, 'log lines never reach stdout');
  assert.match(logged.stderr, /"event":"digest_preview"/);

  const terminal = onTerminal(['--now', SAMPLE_MORNING]);
  if (typeof terminal !== 'string') {
    console.log(`# SKIP ${terminal.skip}`);
    return t.skip(terminal.skip);
  }
  assert.equal(terminal, preview.stdout, 'the terminal shows the preview and nothing else');
});

test('--window takes exactly what the usage line says: hours and days within the bounds it names, or all', () => {
  const help = digest(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /\[--window Nh\|Nd\|all\]/);
  const bounds = /--window takes a number of hours \(1h to (\d+)h\) or days \(1d to (\d+)d\), or all/.exec(help.stdout);
  assert.ok(bounds, help.stdout);
  const [maxHours, maxDays] = [Number(bounds[1]), Number(bounds[2])];
  assert.equal(maxHours, maxDays * 24);

  for (const window of ['1h', '48h', `${maxHours}h`, `${maxDays}d`, 'ALL']) {
    const run = digest(['--now', SAMPLE_MORNING, '--window', window]);
    assert.equal(run.status, 0, `${window}: ${run.stderr}`);
  }
  for (const window of ['0h', `${maxHours + 1}h`, `${maxDays + 1}d`, '2w', 'since-last']) {
    const run = digest(['--now', SAMPLE_MORNING, '--window', window]);
    assert.equal(run.status, 2, window);
    assert.equal(run.stdout, '', window);
    assert.match(run.stderr, /^--window /, window);
    assert.match(run.stderr, /Usage: npm run digest -- .*\[--window Nh\|Nd\|all\]/, window);
  }
  assert.match(digest(['--window', 'since-last']).stderr, /a preview has none: use 24h/);
  assert.match(digest(['--window', '400d']).stderr, /^--window must be like 24h, 7d, all: a number of hours \(1h to \d+h\) or days \(1d to \d+d\), or all \(got 400d\)/);
});

test('--topic Sprot says "no topic Sprot; did you mean Sport?", and a misspelt outlet likewise, instead of an empty digest', () => {
  const sprot = digest(['--now', SAMPLE_MORNING, '--window', '7d', '--topic', 'Sprot']);
  assert.equal(sprot.status, 2);
  assert.equal(sprot.stdout, '');
  assert.equal(sprot.stderr, 'no topic Sprot; did you mean Sport?\n');

  const both = digest(['--now', SAMPLE_MORNING, '--topic', 'Spor', '--provider', 'Orbit Dialy']);
  assert.equal(both.status, 2);
  assert.equal(both.stderr, 'no topic Spor; did you mean Sport or Transport?\nno outlet Orbit Dialy; did you mean Orbit Daily?\n');

  const nothingNear = digest(['--now', SAMPLE_MORNING, '--topic', 'Zzyzx']);
  assert.equal(nothingNear.status, 2);
  assert.match(nothingNear.stderr, /^no topic Zzyzx in these articles; the most covered are \w+, \w+ and \w+\n$/);
});

test('names the digest itself matches are accepted however they are written: any case, an outlet by name, domain or parent domain', () => {
  for (const args of [['--topic', 'sport'], ['--topic', 'SPORT'], ['--provider', 'orbit daily'], ['--provider', 'orbitdaily.example.com'], ['--provider', 'example.com']]) {
    const run = digest(['--now', SAMPLE_MORNING, '--window', '7d', ...args]);
    assert.equal(run.status, 0, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stdout, /^Daily digest/, args.join(' '));
  }
});
