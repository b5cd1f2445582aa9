// `npm run deploy-commands` against the sandbox: it registers the commands where asked, says what changed, and
// refuses clearly without a token; a wrong id is named with where to find the right one, commands registered both
// in a server and globally (shown twice there) are warned about and removed on request. `npm start` warns when the
// token belongs to another application than DISCORD_CLIENT_ID.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { createLogger } from '../src/log.js';
import { DiscordSandbox } from '../src/sandbox/server.js';
import { writeFixtureArticles } from './helpers/bot.js';
import { killBotProcesses, startBotProcess } from './helpers/botProcess.js';
import { openApiSkip } from './helpers/openapi.js';
import { recordedBodyProblems } from './helpers/sandboxOpenApi.js';
import { projectRoot } from './helpers/shared.js';

const run = promisify(execFile);

let sandbox: DiscordSandbox;
before(async () => {
  sandbox = await DiscordSandbox.start({ logger: createLogger('silent') });
});
after(async () => {
  killBotProcesses();
  await sandbox.close();
});

/** Runs the CLI as `npm run deploy-commands -- <args>` does, with these settings and nothing from a .env. */
async function deploy(env: Record<string, string>, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const settings = { DISCORD_TOKEN: '', DISCORD_CLIENT_ID: '', DISCORD_GUILD_ID: '', DISCORD_API_URL: '', LOG_LEVEL: 'silent', ...env };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/deploy-commands.ts', ...args], { cwd: projectRoot, env: { ...process.env, ...settings }, timeout: 30_000 });
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

// Any id of the right shape that is not the sandbox application's or its server's.
const OTHER_ID = '123456789012345678';
const names = (commands: unknown[]) => (commands as { name: string }[]).map((c) => c.name);

test('a DISCORD_CLIENT_ID of another application names both ids and where to copy the right one, with no "Missing Access" or stack trace', async () => {
  // At the default log level: the JSON stack trace was a log line.
  const result = await deploy({ ...connection(), DISCORD_CLIENT_ID: OTHER_ID, LOG_LEVEL: 'info' });
  assert.equal(result.code, 1);
  assert.equal(result.stderr.trim(), `Could not register the commands: DISCORD_CLIENT_ID is ${OTHER_ID}, but DISCORD_TOKEN is the bot of application ${sandbox.applicationId}: `
    + 'copy the Application ID from the Discord developer portal (your application → General Information) into DISCORD_CLIENT_ID.');
  assert.equal(result.stdout, '');
});

test('a DISCORD_GUILD_ID the bot is not in is named, with how to invite the bot or copy the server id', async () => {
  const result = await deploy({ ...connection(), DISCORD_GUILD_ID: OTHER_ID, LOG_LEVEL: 'info' });
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`^Could not register the commands: Discord refused access to server ${OTHER_ID} \\(DISCORD_GUILD_ID\\): the bot is not in that server[^]*applications\\.commands scope[^]*Copy Server ID\\)\n$`));
  assert.doesNotMatch(result.stderr, /"stack"|Missing Access/);
});

test('commands in a server and globally (shown twice there) are warned about after either deploy; --clear-guild and --clear-global remove the other copies', async () => {
  const inServer = { ...connection(), DISCORD_GUILD_ID: sandbox.guild.id };
  assert.equal((await deploy(inServer)).code, 0);
  const global = await deploy(connection());
  assert.equal(global.code, 0, global.stderr);
  assert.equal(global.stderr.trim(), `Warning: /news, /digest, /help are also registered in server ${sandbox.guild.name} (${sandbox.guild.id}), so Discord shows each of them twice there. `
    + 'Run `npm run deploy-commands -- --clear-guild` to remove the server\'s copies (the global ones stay).');

  const clearGuild = await deploy(connection(), ['--clear-guild']);
  assert.equal(clearGuild.code, 0, clearGuild.stderr);
  assert.match(clearGuild.stdout, new RegExp(`\nRemoved /news, /digest, /help from server ${sandbox.guild.name} \\(${sandbox.guild.id}\\)\\.\n$`));
  assert.deepEqual(sandbox.registeredCommands(sandbox.guild.id), []);
  assert.deepEqual(names(sandbox.registeredCommands()), ['news', 'digest', 'help'], 'the global ones stay');
  assert.equal((await deploy(connection())).stderr, '', 'no warning once each command is registered once');

  const backInServer = await deploy(inServer);
  assert.equal(backInServer.code, 0, backInServer.stderr);
  assert.match(backInServer.stderr, new RegExp(`^Warning: /news, /digest, /help are also registered globally, so Discord shows each of them twice in server ${sandbox.guild.id}\\. Run \`npm run deploy-commands -- --clear-global\``));
  const clearGlobal = await deploy(inServer, ['--clear-global']);
  assert.equal(clearGlobal.code, 0, clearGlobal.stderr);
  assert.match(clearGlobal.stdout, /\nRemoved \/news, \/digest, \/help globally\.\n$/);
  assert.deepEqual(sandbox.registeredCommands(), []);
  assert.deepEqual(names(sandbox.registeredCommands(sandbox.guild.id)), ['news', 'digest', 'help']);
});

test('a clear flag that would remove the commands being registered, or an unknown option, is refused with why (exit 2)', async () => {
  const before = sandbox.requests.length;
  const globalClear = await deploy(connection(), ['--clear-global']);
  assert.equal(globalClear.code, 2);
  assert.match(globalClear.stderr, /^--clear-global removes the global commands, but DISCORD_GUILD_ID is empty, so this run registers them globally\./);
  const guildClear = await deploy({ ...connection(), DISCORD_GUILD_ID: sandbox.guild.id }, ['--clear-guild']);
  assert.equal(guildClear.code, 2);
  assert.match(guildClear.stderr, /^--clear-guild removes the commands registered in servers, but DISCORD_GUILD_ID is set/);
  const unknown = await deploy(connection(), ['--clear']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown option '--clear'[^]*Usage: npm run deploy-commands -- \[--clear-global \| --clear-guild\]/);
  assert.equal(sandbox.requests.length, before, 'nothing was asked of Discord');
});

test("the sandbox lists the bot's servers one page at a time and refuses a page size Discord refuses", async () => {
  const page = (query: string) => fetch(`${sandbox.apiUrl}/v10/users/@me/guilds${query}`, { headers: { Authorization: `Bot ${sandbox.token}` } });
  assert.deepEqual((await (await page('?limit=200')).json() as { id: string }[]).map((g) => g.id), [sandbox.guild.id]);
  assert.deepEqual(await (await page(`?after=${sandbox.guild.id}`)).json(), []);
  for (const bad of ['?limit=201', '?limit=0', '?after=soon']) assert.equal((await page(bad)).status, 400, bad);
});

test('every registration body the deploys sent is valid for Discord', { skip: openApiSkip }, () => {
  assert.deepEqual(recordedBodyProblems(sandbox.requests), []);
});

test('npm start with a token of another application than DISCORD_CLIENT_ID warns once at start, naming both ids and the fix', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-client-id-'));
  try {
    writeFixtureArticles(path.join(dir, 'content'), new Date());
    const bot = startBotProcess(sandbox, dir, { DISCORD_CLIENT_ID: OTHER_ID });
    await bot.started;
    const warnings = bot.stderr().split('\n').filter((line) => line.includes('"event":"config.client_id_mismatch"')).map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(warnings.length, 1, bot.stderr());
    assert.equal(warnings[0]!.level, 40, 'a warning');
    assert.equal(warnings[0]!.discordClientId, OTHER_ID);
    assert.equal(warnings[0]!.tokenApplicationId, sandbox.applicationId);
    assert.match(String(warnings[0]!.msg), /copy the Application ID from the Discord developer portal \(your application → General Information\) into DISCORD_CLIENT_ID/);
    assert.ok(!bot.stderr().includes(sandbox.token), 'the token is never logged');
    bot.child.kill('SIGTERM');
    assert.equal(await bot.exited, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
