import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MessagePayload } from '../src/digest/messages.js';
import { openApiProblems, openApiSkip } from './helpers/openapi.js';
import { projectRoot } from './helpers/shared.js';
import { limitProblems } from './fixtures/digest/limits.js';

// The morning after the newest shipped sample article.
const SAMPLE_MORNING = '2026-11-26T12:00:00Z';

// The preview keeps a parse cache under DATA_DIR: the tests' own, never the project's data/ folder.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-digest-cli-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/digest.ts', ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, LOG_LEVEL: 'silent', CONTENT_DIR: '', DIGEST_TIMEZONE: '', DATA_DIR: dataDir },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const numbered = (text: string): string[] => text.split('\n').filter((l) => /^ ?\d+\. /.test(l));

test('on the shipped sample content the preview shows a full digest: heading, outlets, times and related outlets', () => {
  const { status, stdout } = runCli(['--now', SAMPLE_MORNING, '--tz', 'Europe/Paris']);
  assert.equal(status, 0);
  assert.match(stdout, /^Daily digest — Thursday, 26 November\n5 stories published in the last 24 h, in 1 message\n/);
  assert.equal(numbered(stdout).length, 5);
  assert.match(stdout, /Orbit Daily · 1 h ago · Space, Science/);
  assert.match(stdout, /Also covered by Northwind Wire, Harbor Times, Circuit Review, Civic Ledger and 1 more/);
});

test('weeks later the preview looks further back rather than show nothing, and says so', () => {
  const { status, stdout } = runCli(['--now', '2027-01-15T08:00:00Z', '--size', '8']);
  assert.equal(status, 0);
  assert.match(stdout, /8 stories published at any date/);
  assert.match(stdout, /nothing was published in the last 24 h/);
  assert.equal(numbered(stdout).length, 8);
});

test('--json prints the exact payloads, valid for Discord', { skip: openApiSkip }, () => {
  const { status, stdout } = runCli(['--now', SAMPLE_MORNING, '--size', '10', '--window', '7d', '--json']);
  assert.equal(status, 0);
  const payloads = JSON.parse(stdout) as MessagePayload[];
  assert.equal(payloads.flatMap((p) => p.embeds).length, 10);
  assert.equal(payloads[0]!.content, '**Daily digest — Thursday, 26 November**');
  for (const payload of payloads) assert.deepEqual([...limitProblems(payload), ...openApiProblems('MessageCreateRequest', payload)], []);
});

test('filters and an explicit window apply; an empty result says why instead of printing a digest', () => {
  const sport = runCli(['--now', SAMPLE_MORNING, '--window', '7d', '--topic', 'sport']);
  assert.equal(sport.status, 0);
  const titles = numbered(sport.stdout);
  assert.ok(titles.length >= 2);
  assert.ok(sport.stdout.split('\n').filter((l) => l.includes(' ago · ')).every((l) => /Sport/.test(l)), sport.stdout);
  const empty = runCli(['--now', '2027-01-15T08:00:00Z', '--window', '24h']);
  assert.equal(empty.status, 0);
  assert.equal(empty.stdout, 'No digest would be posted: No article was published in the last 24 h.\n');
});

test('the preview reads any content folder, and refuses bad options with the usage', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-digest-cli-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'one.md'),
      ['---', 'title: "Only story"', 'publishedDateTime: 2026-11-26T07:00:00Z', 'webUrl: "https://example.com/only"', 'provider:', '  name: Example', '  domain: example.com', '---', ''].join('\n'),
    );
    const one = runCli(['--content', dir, '--now', SAMPLE_MORNING]);
    assert.equal(one.status, 0);
    assert.match(one.stdout, /^1 story published in the last 24 h, in 1 message$/m);
    assert.match(one.stdout, / 1\. Only story\n {4}Example · 5 h ago\n/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const [args, message] of [
    [['--size', '11'], /--size must be a whole number from 1 to 10/],
    [['--window', 'fortnight'], /--window must be like 24h, 7d, all/],
    [['--tz', 'Mars/Olympus'], /--tz must be an IANA time zone/],
    [['--colour'], /Unknown option '--colour'/],
    [['--content', path.join(os.tmpdir(), 'newsdesk-no-such-folder')], /^--content folder .* does not exist/],
  ] as const) {
    const bad = runCli([...args]);
    assert.equal(bad.status, 2, args.join(' '));
    assert.match(bad.stderr, message);
  }
});

test('files whose dates are not real ISO 8601 date-times are left out, so every payload stays valid for Discord', { skip: openApiSkip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-digest-dates-'));
  const story = (slug: string, date: string) =>
    ['---', `title: "Story ${slug}"`, `publishedDateTime: ${date}`, `webUrl: "https://example.com/${slug}"`, 'provider:', '  name: Example', '  domain: example.com', '---', ''].join('\n');
  try {
    // Each value issue 10 found passing as a real date; -8.64e15 made the demo digest fail Discord's validation.
    const bad = { 'min-date': '-8.64e15', 'far-future': '"+275760-09-13T00:00:00.000Z"', 'rolled-over': '2026-13-45', 'free-text': '"next tuesday 1"', 'bare-number': '20261120' };
    for (const [slug, date] of Object.entries(bad)) fs.writeFileSync(path.join(dir, `${slug}.md`), story(slug, date));
    fs.writeFileSync(path.join(dir, 'good.md'), story('good', '2026-11-26T07:00:00Z'));
    const { status, stdout } = runCli(['--content', dir, '--now', SAMPLE_MORNING, '--window', 'all', '--json']);
    assert.equal(status, 0);
    const payloads = JSON.parse(stdout) as MessagePayload[];
    assert.deepEqual(payloads.flatMap((p) => p.embeds).map((e) => e.title), ['Story good']);
    for (const payload of payloads) assert.deepEqual([...limitProblems(payload), ...openApiProblems('MessageCreateRequest', payload)], []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
