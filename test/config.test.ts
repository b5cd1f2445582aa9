import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, loadConfig, loadPreviewConfig, prepareDataDir } from '../src/config.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-config-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('with nothing set, every setting has its documented default', () => {
  const config = loadConfig({ CONTENT_DIR: dir });
  assert.equal(config.discordToken, undefined);
  assert.equal(config.discordApiUrl, 'https://discord.com/api', 'the README\'s documented default');
  assert.equal(config.contentDir, dir);
  assert.equal(config.dataDir, path.resolve('data'));
  assert.equal(config.databasePath, path.resolve('data', 'newsdesk.sqlite'));
  assert.equal(config.digest, undefined);
  assert.equal(config.digestSize, 5);
  assert.equal(config.digestMaxPerProvider, 2);
  assert.equal(config.logLevel, 'info');
});

test('a digest set in the environment is read, with UTC as its default zone', () => {
  const config = loadConfig({ CONTENT_DIR: dir, DIGEST_CHANNEL_ID: '123456789012345678', DIGEST_TIME: '07:45' });
  assert.deepEqual(config.digest, { channelId: '123456789012345678', time: '07:45', timezone: 'UTC' });
});

test('every wrong setting is listed at once, each with how to fix it', () => {
  const problems = problemsOf({
    CONTENT_DIR: path.join(dir, 'missing'),
    DIGEST_TIMEZONE: 'Mars/Olympus',
    DIGEST_SIZE: '-3',
    DIGEST_MAX_PER_PROVIDER: 'two',
    LOG_LEVEL: 'loud',
    DISCORD_API_URL: 'ftp://example.com',
    DIGEST_TIME: '7am',
  });
  const expected = [/^CONTENT_DIR folder .* does not exist/, /^DIGEST_TIMEZONE must be an IANA time zone/, /^DIGEST_SIZE must be a whole number from 1 to 10/,
    /^DIGEST_MAX_PER_PROVIDER must be a whole number/, /^LOG_LEVEL must be one of/, /^DISCORD_API_URL must be an http\(s\) URL/, /^DIGEST_TIME must be a time as HH:mm/,
    /^DIGEST_CHANNEL_ID is required when DIGEST_TIME is set/];
  for (const pattern of expected) assert.ok(problems.some((p) => pattern.test(p)), `${pattern} in:\n${problems.join('\n')}`);
  assert.equal(problems.length, expected.length);
});

test('a token without an application id is refused, and the message never shows the token', () => {
  const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.secret-token-value';
  let message = '';
  try {
    loadConfig({ CONTENT_DIR: dir, DISCORD_TOKEN: token, DISCORD_CLIENT_ID: 'not-an-id' });
  } catch (error) {
    message = (error as Error).message;
  }
  assert.match(message, /DISCORD_CLIENT_ID must be a Discord id/);
  assert.ok(!message.includes(token) && !message.includes('secret-token-value'));
});

test('a CONTENT_DIR that is a file is called a file, not a missing folder', () => {
  const file = path.join(dir, 'article.md');
  fs.writeFileSync(file, '---\ntitle: One\n---\n');
  assert.deepEqual(problemsOf({ CONTENT_DIR: file }), [`CONTENT_DIR ${file} is a file, not a folder: point CONTENT_DIR at the folder that holds your article files`]);
});

test('npm run digest logs only warnings and worse unless LOG_LEVEL says otherwise; npm start keeps info', () => {
  assert.equal(loadPreviewConfig({ CONTENT_DIR: dir }).logLevel, 'warn');
  assert.equal(loadPreviewConfig({ CONTENT_DIR: dir, LOG_LEVEL: 'debug' }).logLevel, 'debug');
  assert.equal(loadConfig({ CONTENT_DIR: dir }).logLevel, 'info');
});

test('prepareDataDir creates a missing DATA_DIR, and names one it cannot create with the fix', () => {
  const dataDir = path.join(dir, 'data', 'nested');
  prepareDataDir({ dataDir });
  assert.ok(fs.statSync(dataDir).isDirectory());
  assert.deepEqual(fs.readdirSync(dataDir), [], 'the write check leaves nothing behind');

  const file = path.join(dir, 'plain.txt');
  fs.writeFileSync(file, '');
  for (const [dataDir, pattern] of [
    [path.join(file, 'data'), /^DATA_DIR folder .* cannot be created: a part of its path is a file, not a folder/],
    ['/proc/newsdesk', /^DATA_DIR folder \/proc\/newsdesk cannot be created: that file system does not allow new folders/],
  ] as const) {
    try {
      prepareDataDir({ dataDir });
      assert.fail(`expected a ConfigError for ${dataDir}`);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.problems[0]!, pattern);
    }
  }
});
