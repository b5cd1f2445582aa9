// `npm run deploy-commands` against the sandbox: it registers the commands where asked, says what changed, and
// refuses clearly without a token.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { projectRoot } from './helpers/shared.js';

const run = promisify(execFile);

let sandbox: DiscordSandbox;
before(async () => {
  sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
});
after(async () => {
  await sandbox.close();
});

/** Runs the CLI as `npm run deploy-commands` does, with these settings and nothing from a .env. */
async function deploy(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const settings = { DISCORD_TOKEN: '', DISCORD_CLIENT_ID: '', DISCORD_GUILD_ID: '', DISCORD_API_URL: '', LOG_LEVEL: 'silent', ...env };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/deploy-commands.ts'], { cwd: projectRoot, env: { ...process.env, ...settings }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const connection = () => ({ DISCORD_TOKEN: sandbox.token, DISCORD_CLIENT_ID: sandbox.applicationId, DISCORD_API_URL: sandbox.apiUrl });

test('registers the commands in DISCORD_GUILD_ID and lists them as added', async () => {
  const result = await deploy({ ...connection(), DISCORD_GUILD_ID: sandbox.guild.id });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), `Registered 3 commands in server ${sandbox.guild.id}:\n  added: /news, /digest, /help`);
  assert.deepEqual((sandbox.registeredCommands(sandbox.guild.id) as { name: string }[]).map((c) => c.name), ['news', 'digest', 'help']);
  assert.deepEqual(sandbox.registeredCommands(), [], 'nothing global');
});

test('deploying the same commands again changes nothing and says so', async () => {
  const puts = () => sandbox.requests.filter((r) => r.method === 'PUT').length;
  const before = puts();
  const result = await deploy({ ...connection(), DISCORD_GUILD_ID: sandbox.guild.id });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /already up to date:\n {2}unchanged: \/news, \/digest, \/help/);
  assert.equal(puts(), before, 'no needless overwrite');
});

test('without DISCORD_GUILD_ID the commands are registered globally', async () => {
  const result = await deploy(connection());
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Registered 3 commands globally/);
  assert.equal(sandbox.registeredCommands().length, 3);
});

test('without a token it explains what to set and exits with status 2', async () => {
  const result = await deploy({});
  assert.equal(result.code, 2);
  assert.match(result.stderr, /DISCORD_TOKEN and DISCORD_CLIENT_ID must be set/);
});

test('a token Discord refuses is reported as such, without printing it', async () => {
  const wrong = `${sandbox.token.slice(0, -4)}AAAA`;
  const result = await deploy({ ...connection(), DISCORD_TOKEN: wrong });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Discord refused the token: check DISCORD_TOKEN/);
  assert.ok(!`${result.stdout}${result.stderr}`.includes(wrong));
});
